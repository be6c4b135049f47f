"""Feed entries kept between builds (plugins/feeds/cache.py) never serve a stale entry.

A feed is assembled from each post's serialised entry; the entries come from the cache when
everything they show is the same. These tests prove the two halves: the assembled bytes are
what feedgen writes for the same entries, and a build with a warm cache writes exactly the
feeds a cold build of the same content writes, after every kind of edit.
"""

from datetime import UTC, datetime
from pathlib import Path

import pytest

from conftest import build_into
from happening import forked
from happening.build import DEV_SETTINGS, build
from happening.plugins.feeds import cache as entry_cache
from happening.plugins.feeds import entries, load_config, writer

EDITED = "posts/second.md"  # "Second thoughts", in the Notes category, tagged Beta and Shared
SECOND = "/posts/second-thoughts/"
# The feeds that list "Second thoughts" on the test site (FEEDS_TAXONOMY_MAX_ITEMS is 20).
LISTING = [
    "feeds/all.atom.xml",
    "feeds/all.rss.xml",
    "feeds/feed.json",
    "feeds/category/notes.atom.xml",
    "feeds/tag/beta.atom.xml",
    "feeds/tag/shared.atom.xml",
]


def cached_build(out: Path, content: Path, cache: Path, **overrides):
    """A build that reuses and keeps feed entries in ``cache`` (Pelican's cache settings on)."""
    return build(
        DEV_SETTINGS,
        PATH=str(content),
        OUTPUT_PATH=str(out),
        CACHE_PATH=str(cache),
        CACHE_CONTENT=True,
        LOAD_CONTENT_CACHE=True,
        **overrides,
    )


def feeds_of(out: Path) -> dict[str, bytes]:
    found = (out / "feeds").rglob("*")
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in found if p.is_file()}


def count_made(monkeypatch):
    """Count the entries made (not taken from the cache), by post URL.

    The feeds are written in this process for it: a forked one would count in its own copy.
    """
    monkeypatch.setattr(forked, "possible", lambda: False)
    made = []
    real = writer.build_post
    monkeypatch.setattr(writer, "build_post", lambda p, c: made.append(p.url) or real(p, c))
    return made


# -- Assembling feeds from serialised entries -----------------------------------------------------


def _inputs(n, **changes):
    shown = entries.Inputs(
        id=f"tag:blog.example,2024-01-0{n}:post-{n}",
        url=f"https://blog.example/posts/{n}/",
        title=f"Post {n} & <friends> “quoted”",
        published=datetime(2024, 1, n, 9, tzinfo=UTC),
        updated=datetime(2024, 2, n, 9, tzinfo=UTC),
        content=f'<p>Body {n} with <a href="#fn:1">a note</a> and <img src="../a.png" alt=""></p>',
        summary=f"<p>Summary {n}, ünïcode</p>",
        terms=("Notes", "Beta"),
        authors=("Ada Writer",),
        parents=(("tag:blog.example,2024-01-01:post-1", "https://blog.example/posts/1/"),),
        thread_url="https://blog.example/feeds/thread/post-1.atom.xml",
        thread_root="tag:blog.example,2024-01-01:post-1",
        followups=2,
        image={"url": "https://blog.example/cards/1.png", "width": 1200, "height": 630},
        lang="fr",
    )
    return shown._replace(**changes)


@pytest.fixture
def config():
    return load_config(
        {
            "SITEURL": "https://blog.example",
            "SITENAME": "A blog",
            "AUTHOR": "Ada Writer",
            "WEBSUB_HUBS": ["https://hub.example/"],
        }
    )


def _reference(fg, shown, config):
    """What feedgen itself writes for ``fg`` with the entries of ``shown`` added."""
    for post in shown:
        html = [
            entries.absolutise(post.content, post.url),
            entries.absolutise(post.summary, post.url),
        ]
        fg.add_entry(entries.make_entry(post, config, *html), order="append")
    return fg


def test_an_assembled_feed_is_byte_for_byte_what_feedgen_writes(config):
    shown = [
        _inputs(3),
        _inputs(2, thread_url=None, followups=0, image=None),
        _inputs(1, authors=()),
    ]
    posts = [entries.build_post(p, config) for p in shown]
    args = ("feeds/all.atom.xml", "A blog", "https://blog.example/")
    reference = _reference(writer.atom_generator(config, posts, *args), shown, config)
    assert writer.atom(config, posts, *args) == reference.atom_str(pretty=False)
    reference = _reference(writer.rss_generator(config, posts, "feeds/all.rss.xml"), shown, config)
    assert writer.rss(config, posts, "feeds/all.rss.xml") == reference.rss_str(pretty=False)
    # And with no entry at all (a new blog): the frame alone.
    empty = writer.atom_generator(config, [], *args).atom_str(pretty=False)
    assert writer.atom(config, [], *args) == empty


def test_the_cache_key_covers_every_input_and_the_config(config, tmp_path):
    kept = entry_cache.EntryCache(tmp_path)
    base = kept.key(_inputs(1), config)
    changes = {
        "title": "Renamed",
        "content": "<p>Edited</p>",
        "summary": "<p>Edited</p>",
        "updated": datetime(2025, 1, 1, tzinfo=UTC),
        "terms": ("Notes",),
        "image": None,
        "followups": 3,
    }
    for field, value in changes.items():
        assert kept.key(_inputs(1, **{field: value}), config) != base, field
    other = load_config({"SITEURL": "https://blog.example", "RSS_FEED_SUMMARY_ONLY": True})
    assert kept.key(_inputs(1), other) != base
    assert kept.key(_inputs(1), config) == base


# -- Whole builds: a warm cache writes what a cold build writes -----------------------------------


# Each edit of the post: (the line as written, the line after, what the feeds then show).
EDITS = {
    "title": ("Title: Second thoughts", "Title: Third thoughts", "Third thoughts"),
    "body": ("with a footnote", "with a rewritten footnote", "with a rewritten footnote"),
    "date": ("Date: 2024-02-12 09:00", "Date: 2024-02-13 10:30", "2024-02-13T10:30:00"),
    "tags": ("Tags: Beta, Shared", "Tags: Beta, Shared, Gamma", "Gamma"),
}


def _edit(content, what):
    """Make the edit ``EDITS[what]`` to the post; return what the feeds then show."""
    old, new, shown = EDITS[what]
    post = content / EDITED
    text = post.read_text()
    assert old in text, f"{EDITED} no longer holds {old!r}"
    post.write_text(text.replace(old, new))
    return shown


@pytest.mark.parametrize("edit", EDITS)
def test_an_edited_post_changes_in_every_feed_that_lists_it(edit, site_copy, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    cached_build(tmp_path / "before", site_copy, cache)
    before = feeds_of(tmp_path / "before")
    shown = _edit(site_copy, edit)
    made = count_made(monkeypatch)
    cached_build(tmp_path / "warm", site_copy, cache)
    # Only the edited post's entry was made again: every other came from the cache.
    assert set(made) == {f"http://127.0.0.1:8000{SECOND}"}
    build_into(tmp_path / "cold", site_copy)
    warm, cold = feeds_of(tmp_path / "warm"), feeds_of(tmp_path / "cold")
    assert warm == cold
    for path in LISTING:
        assert shown.encode() in warm[path], path
        assert warm[path] != before[path], path


def test_a_setting_that_shapes_entries_makes_them_again(site_copy, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    cached_build(tmp_path / "before", site_copy, cache)
    made = count_made(monkeypatch)
    for name, overrides in {
        "summary only": {"RSS_FEED_SUMMARY_ONLY": True},
        "site address": {"SITEURL": "https://blog.example"},
    }.items():
        made.clear()
        cached_build(tmp_path / "warm", site_copy, cache, **overrides)
        build_into(tmp_path / "cold", site_copy, **overrides)
        assert made, name  # no entry of the other settings was taken
        assert feeds_of(tmp_path / "warm") == feeds_of(tmp_path / "cold"), name


def test_changed_feed_code_makes_every_entry_again(site_copy, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    cached_build(tmp_path / "before", site_copy, cache)
    made = count_made(monkeypatch)
    cached_build(tmp_path / "same", site_copy, cache)
    assert made == []  # nothing changed: every entry from the cache
    monkeypatch.setattr(entry_cache, "code_key", lambda: b"another version of the code")
    cached_build(tmp_path / "warm", site_copy, cache)
    assert len(set(made)) == len(entries_in(tmp_path / "warm"))
    assert feeds_of(tmp_path / "warm") == feeds_of(tmp_path / "before")


def entries_in(out):
    import json

    return json.loads((out / "feeds/feed.json").read_text(encoding="utf-8"))["items"]


def test_a_feed_whose_bytes_did_not_change_is_not_rewritten(site_copy, tmp_path):
    out, cache = tmp_path / "out", tmp_path / "cache"
    cached_build(out, site_copy, cache, DELETE_OUTPUT_DIRECTORY=False)
    stats = {p: p.stat().st_mtime_ns for p in (out / "feeds").rglob("*.xml")}
    _edit(site_copy, "body")
    cached_build(out, site_copy, cache, DELETE_OUTPUT_DIRECTORY=False)
    touched = {p.relative_to(out).as_posix() for p, t in stats.items() if p.stat().st_mtime_ns != t}
    xml_listing = {p for p in LISTING if p.endswith(".xml")}
    assert xml_listing <= touched
    # The thread feed and the tags the post is not in were left alone.
    assert "feeds/tag/alpha.atom.xml" not in touched
    assert feeds_of(out) == feeds_of(build_into(tmp_path / "cold", site_copy).output)


def test_unused_entries_are_removed_after_a_full_write(site_copy, tmp_path):
    cache = tmp_path / "cache"
    cached_build(tmp_path / "a", site_copy, cache)
    kept = set((cache / entry_cache.FOLDER).iterdir())
    _edit(site_copy, "body")
    cached_build(tmp_path / "b", site_copy, cache)
    now = set((cache / entry_cache.FOLDER).iterdir())
    assert len(now) == len(kept)  # the old entry of the edited post went, its new one came
    assert len(now - kept) == 1


# -- The body is keyed by what its HTML is made from ----------------------------------------------
FIRST = "http://127.0.0.1:8000/posts/first-light/"  # first.md links {filename}second.md


def count_bodies(monkeypatch):
    """Count the bodies whose HTML (links filled in) the feeds asked for, by source file (the
    feeds written in this process, as in :func:`count_made`)."""
    monkeypatch.setattr(forked, "possible", lambda: False)
    asked = []
    real = entries.content_unkept
    monkeypatch.setattr(
        entries,
        "content_unkept",
        lambda p, *a: asked.append(Path(p.source_path).name) or real(p, *a),
    )
    return asked


def test_an_unchanged_post_entry_is_taken_without_its_body_html(site_copy, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    cached_build(tmp_path / "before", site_copy, cache)
    asked = count_bodies(monkeypatch)
    _edit(site_copy, "body")
    cached_build(tmp_path / "warm", site_copy, cache)
    assert asked == ["second.md"]  # the edited post only: every other entry was a lookup
    assert feeds_of(tmp_path / "warm") == feeds_of(build_into(tmp_path / "cold", site_copy).output)


def test_a_linked_post_moving_makes_the_linking_entry_again(site_copy, tmp_path, monkeypatch):
    """first.md's bytes stay the same, but its {filename}second.md link now fills in another URL."""
    cache = tmp_path / "cache"
    cached_build(tmp_path / "before", site_copy, cache)
    post = site_copy / EDITED
    post.write_text(post.read_text().replace("Slug: second-thoughts", "Slug: second-moved"))
    made = count_made(monkeypatch)
    cached_build(tmp_path / "warm", site_copy, cache)
    assert FIRST in made
    warm = feeds_of(tmp_path / "warm")
    assert b"/posts/second-moved/" in warm["feeds/tag/alpha.atom.xml"]  # first.md's body
    assert warm == feeds_of(build_into(tmp_path / "cold", site_copy).output)


def test_a_setting_that_fills_body_links_makes_the_entries_again(site_copy, tmp_path, monkeypatch):
    """No entry input shows INDEX_SAVE_AS, but an {index} link in a body is filled in from it."""
    first = site_copy / "posts/first.md"
    first.write_text(first.read_text() + "\nBack to [the front page]({index}).\n")
    cache = tmp_path / "cache"
    cached_build(tmp_path / "before", site_copy, cache)
    made = count_made(monkeypatch)
    moved = {"INDEX_SAVE_AS": "front.html"}
    cached_build(tmp_path / "warm", site_copy, cache, **moved)
    assert FIRST in made
    warm = feeds_of(tmp_path / "warm")
    assert b"/front.html" in warm["feeds/tag/alpha.atom.xml"]
    assert warm == feeds_of(build_into(tmp_path / "cold", site_copy, **moved).output)


def test_the_cache_key_covers_what_the_body_is_made_from(config, tmp_path):
    kept = entry_cache.EntryCache(tmp_path)
    shown = _inputs(1, content=None)
    base = kept.key(shown, config, ("body", "posts/a.md", "settings"))
    for other in [("edited", "posts/a.md", "settings"), ("body", "b.md", "settings"), None]:
        assert kept.key(shown, config, other) != base, other
    assert kept.key(shown, config, ("body", "posts/a.md", "settings")) == base


# -- Whole feeds known unchanged (cache.FeedFiles) ------------------------------------------------
def count_assembled(monkeypatch):
    """The feed documents assembled (not known unchanged), by path; feeds written here, and
    every file settled at once (no 2 s wait for the file system's clock to move on)."""
    monkeypatch.setattr(forked, "possible", lambda: False)
    monkeypatch.setattr(entry_cache, "RACY_NS", 0)
    made = []
    for name in ("atom", "rss", "json_feed"):
        real = getattr(writer, name)
        monkeypatch.setattr(
            writer,
            name,
            lambda c, ps, path, *a, real=real: made.append(path) or real(c, ps, path, *a),
        )
    return made


def test_a_feed_listing_the_same_entries_is_not_made_again(site_copy, tmp_path, monkeypatch):
    out, cache = tmp_path / "out", tmp_path / "cache"
    made = count_assembled(monkeypatch)
    keep = {"DELETE_OUTPUT_DIRECTORY": False}
    cached_build(out, site_copy, cache, **keep)  # writes every feed
    cached_build(out, site_copy, cache, **keep)  # finds each as it would write it: noted
    made.clear()
    cached_build(out, site_copy, cache, **keep)
    assert made == []  # nothing changed: no feed made again
    entries_made = []
    real = writer.build_post
    monkeypatch.setattr(writer, "build_post", lambda p, c: entries_made.append(p.url) or real(p, c))
    _edit(site_copy, "body")
    cached_build(out, site_copy, cache, **keep)
    assert sorted(made) == sorted(LISTING)  # only the feeds listing the edited post
    # The entries of the feeds left alone were kept for these: only the edited one was made.
    assert set(entries_made) == {f"http://127.0.0.1:8000{SECOND}"}
    assert feeds_of(out) == feeds_of(build_into(tmp_path / "cold", site_copy).output)


def test_a_feed_changed_on_disk_or_by_a_setting_is_made_again(site_copy, tmp_path, monkeypatch):
    out, cache = tmp_path / "out", tmp_path / "cache"
    made = count_assembled(monkeypatch)
    keep = {"DELETE_OUTPUT_DIRECTORY": False}
    cached_build(out, site_copy, cache, **keep)
    cached_build(out, site_copy, cache, **keep)
    alpha = out / "feeds/tag/alpha.atom.xml"
    alpha.write_bytes(alpha.read_bytes().replace(b"<feed", b"<FEED", 1))  # same size
    made.clear()
    cached_build(out, site_copy, cache, **keep)
    assert made == ["feeds/tag/alpha.atom.xml"]
    assert feeds_of(out) == feeds_of(build_into(tmp_path / "cold", site_copy).output)
    cached_build(out, site_copy, cache, **keep, SITENAME="Another name")
    assert "feeds/tag/alpha.atom.xml" in made and "feeds/all.atom.xml" in made
    cold = build_into(tmp_path / "cold2", site_copy, SITENAME="Another name").output
    assert feeds_of(out) == feeds_of(cold)
