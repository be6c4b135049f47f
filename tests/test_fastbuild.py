"""The fast paths change how long a build takes, never what it writes.

The reference ("plain Pelican") is always built in a separate process whose PLUGINS leave
fastbuild out, so it never runs on classes or signals a fast build in this process touched.
"""

import filecmp
import functools
import inspect
import json
import logging
import multiprocessing
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import jinja2
import pytest
from pelican import Pelican
from pelican.contents import Content

from conftest import TEST_SITE, build_into, calls_of, published_posts, soup
from happening import quickexit
from happening.build import DEV_SETTINGS, BuildError, build, load_settings
from happening.plugins.fastbuild import (
    FastBuildSettingError,
    ahead,
    fence,
    pages,
    parallel,
    shown,
    split,
    urls,
)

FASTBUILD = "happening.plugins.fastbuild"
# Every plugin of pelicanconf.py but fastbuild: Pelican's own reader and writer, with everything
# our other plugins add to pages and write beside them (feeds, sitemap, follow-ups...).
_PLUGINS = load_settings(DEV_SETTINGS)["PLUGINS"]
PLAIN = [name for name in _PLUGINS if name != FASTBUILD]
assert len(PLAIN) == len(_PLUGINS) - 1, "pelicanconf.py no longer loads fastbuild?"

REFERENCE = """
import json, sys
from happening.build import DEV_SETTINGS, build
{functions}
for job in json.loads(sys.argv[1]):
    build(DEV_SETTINGS, LOAD_CONTENT_CACHE=False, JINJA_FILTERS={filters}, **job)
# Other plugins may import fastbuild's fence (its helpers change no byte); none of fastbuild's
# handlers may have run.
plugin = sys.modules.get({fastbuild!r} + ".plugin")
assert plugin is None or not any(
    signal.receivers.get(id(handler)) for signal, handler in plugin.HANDLERS
), "the reference build ran fastbuild"
"""


def plain_builds(jobs, filters=None):
    """Build each ``(out, content, settings)`` with plain Pelican, all in one fresh process.

    ``settings`` must be JSON; ``filters`` (Jinja filters) are module-level functions whose
    source is sent along.
    """
    filters = filters or {}
    script = REFERENCE.format(
        functions="\n".join(textwrap.dedent(inspect.getsource(f)) for f in filters.values()),
        filters="{" + ", ".join(f"{k!r}: {f.__name__}" for k, f in filters.items()) + "}",
        fastbuild=FASTBUILD,
    )
    payload = [
        {
            "PATH": str(content),
            "OUTPUT_PATH": str(out),
            "CACHE_PATH": str(out.parent / (out.name + "-cache")),
            "PLUGINS": PLAIN,
            **settings,
        }
        for out, content, settings in jobs
    ]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run(
        [sys.executable, "-c", script, json.dumps(payload)],
        cwd=jobs[0][0].parent,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr[-3000:]


def plain_build(out: Path, content: Path = TEST_SITE, filters=None, **settings):
    plain_builds([(out, content, settings)], filters)


@pytest.fixture(scope="module")
def plain_site(tmp_path_factory):
    """tests/data/site as plain Pelican builds it, in another process."""
    out = tmp_path_factory.mktemp("plain") / "output"
    plain_build(out)
    return out


def tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def assert_same_tree(a: Path, b: Path, label: str = ""):
    left, right = tree(a), tree(b)
    assert set(left) - set(right) == set(), f"{label}: only in {a}"
    assert set(right) - set(left) == set(), f"{label}: only in {b}"
    differ = [name for name in left if left[name] != right[name]]
    assert not differ, f"{label}: differ: {differ}"
    folders = {str(p.relative_to(a)) for p in a.rglob("*") if p.is_dir()}
    assert folders == {str(p.relative_to(b)) for p in b.rglob("*") if p.is_dir()}


@pytest.fixture
def pool_always(monkeypatch):
    """Use the process pool, the rendering helpers and the child describing posts ahead even
    for a tiny site (its tokens taken at the next page, waiting: it would not be done in time)."""
    monkeypatch.setattr(parallel, "MIN_FILES", 1)
    monkeypatch.setattr(split, "BATCH", 3)
    monkeypatch.setattr(split, "MIN_BATCH", 1)
    monkeypatch.setattr(split, "PIECE_PAGES", 1)  # Every listing of two pages or more in pieces.
    monkeypatch.setattr(ahead, "MIN_POSTS", 1)
    monkeypatch.setattr(ahead.Ahead, "done", lambda self: True)


def incremental(content: Path, out: Path, **settings):
    """A development rebuild: content cache and page cache loaded, output folder kept."""
    return build(
        DEV_SETTINGS,
        PATH=str(content),
        OUTPUT_PATH=str(out),
        CACHE_PATH=str(out.parent / "cache"),
        LOAD_CONTENT_CACHE=True,
        CACHE_CONTENT=True,
        FASTBUILD_WORKERS=2,
        **settings,
    )


def touch(path: Path, text: str):
    """Write ``text`` and move the mtime on, as an editor saving a second later would."""
    before = path.stat().st_mtime_ns if path.exists() else 0
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(before + 10**9, before + 10**9))


def test_fast_and_plain_builds_write_the_same_bytes(tmp_path, pool_always, plain_site, monkeypatch):
    # No batch fills up before the generator ends, so every page to render, the index's two
    # included, waits for its end, where one helper and this process share them (split.py).
    # With batches of three, a busy machine kept the queue full while a helper ran and the
    # index was rendered here whole: seen once in CI.
    monkeypatch.setattr(split, "BATCH", 10**6)
    monkeypatch.setattr(split, "BATCH_PAGES", 10**6)
    fast = build_into(tmp_path / "fast", TEST_SITE, FASTBUILD_WORKERS=2)
    assert pages.last_build["helpers"] >= 1, "some pages are rendered in a helper process"
    assert pages.last_build["cut_listings"] >= 1, "the index's two pages in two pieces"
    assert fast.articles == len(published_posts(TEST_SITE))
    assert_same_tree(tmp_path / "fast", plain_site)


def test_pelicans_classes_are_as_they_were_after_a_build(tmp_path):
    build_into(tmp_path / "fast", TEST_SITE, FASTBUILD_WORKERS=2)
    for name in ("get_content", "get_summary", "get_url_setting"):
        assert not hasattr(Content.__dict__[name], "_fastbuild_original"), name


@pytest.mark.parametrize("why", ["version", "source"])
def test_on_a_pelican_it_does_not_know_it_is_off_and_the_build_is_plain(
    tmp_path, monkeypatch, caplog, plain_site, why
):
    fence.problem.cache_clear()
    monkeypatch.setattr(
        fence, "installed_version", lambda: "4.13.0" if why == "version" else "4.12.0"
    )
    if why == "source":
        monkeypatch.setitem(fence.SOURCES, "pelican.writers.Writer._open_w", "0" * 16)
    caplog.set_level(logging.INFO, logger=FASTBUILD)
    pages.last_build.clear()
    try:
        build_into(tmp_path / "off", TEST_SITE, FASTBUILD_WORKERS=2)
    finally:
        fence.problem.cache_clear()
    said = [r.getMessage() for r in caplog.records if r.name.startswith(FASTBUILD)]
    assert len(said) == 1, said
    if why == "version":
        assert "Pelican 4.13.0" in said[0] and "4.12.x" in said[0]
    else:
        assert "pelican.writers.Writer._open_w" in said[0]
    assert pages.last_build == {}, "fastbuild ran although it said it was off"
    assert_same_tree(tmp_path / "off", plain_site)


def test_a_long_post_converted_in_the_pool_is_identical(site_copy, tmp_path, pool_always):
    # Footnotes, tables, code, a {filename} link: the Markdown features most likely to differ.
    body = (Path(__file__).resolve().parents[1] / "tests/data/essay.txt").read_text("utf-8")
    touch(
        site_copy / "posts" / "long.md",
        "Title: A long one\nSlug: a-long-one\nDate: 2024-02-20 10:00\nCategory: Notes\n"
        "Tags: Shared, Gamma\nSummary: With *emphasis* in the dek.\n\n"
        + body
        + "\n\nA note.[^n]\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n```python\nprint('hi')\n```\n\n"
        # Code blocks with other options each get their own formatter (highlight.py).
        '```{.python hl_lines="2"}\na = 1\nb = 2\n```\n\n```sql\nSELECT 1;\n```\n\n'
        "```python\nprint('again')\n```\n\n"
        "See [first]({filename}first.md).\n\n[^n]: The note.\n",
    )
    fast = build_into(tmp_path / "fast", site_copy, FASTBUILD_WORKERS=2)
    plain_build(tmp_path / "plain", site_copy)
    assert_same_tree(tmp_path / "fast", tmp_path / "plain")
    # A post's category and tags came through the pool, yet hold the build's own settings, as
    # the ones Pelican's reader makes do (not a copy each).
    posts = fast.published
    assert any(post.slug == "a-long-one" for post in posts)
    for post in posts:
        for wrapper in [post.category, *post.tags]:
            assert wrapper.settings is fast.settings, (post.slug, wrapper)


def test_a_broken_post_still_fails_the_build_naming_it(site_copy, tmp_path, pool_always):
    touch(site_copy / "posts" / "broken.md", "Title: Broken\nDate: not-a-date\n\nWords.\n")
    with pytest.raises(BuildError, match="broken.md"):
        build_into(tmp_path / "out", site_copy, FASTBUILD_WORKERS=2)


def test_rebuilds_after_each_edit_equal_a_full_build(site_copy, tmp_path, pool_always):
    out = tmp_path / "site" / "output"
    incremental(site_copy, out)
    incremental(site_copy, out)
    assert pages.last_build["rendered"] == 0, "nothing changed, nothing should be rendered"
    total = pages.last_build["reused"]

    first = site_copy / "posts" / "first.md"
    second = site_copy / "posts" / "second.md"
    edits = [
        ("body", lambda: touch(first, first.read_text("utf-8") + "\nA new last line.\n")),
        (
            # "Light, revisited" follows "First light": its page names the post it follows.
            "followed title",
            lambda: touch(first, first.read_text("utf-8").replace("First light", "Dawn")),
        ),
        (
            "title",
            lambda: touch(second, second.read_text("utf-8").replace("Second thoughts", "Later")),
        ),
        ("tag", lambda: touch(first, first.read_text("utf-8").replace("Shared", "Shared, New"))),
        (
            "new post",
            lambda: touch(
                site_copy / "posts" / "third.md",
                "Title: Third\nSlug: third\nDate: 2024-03-03 09:00\nCategory: Other\n"
                "Tags: Gamma\nSummary: A third.\n\nThird body.\n",
            ),
        ),
        ("deleted", lambda: (site_copy / "posts" / "third.md").unlink()),
        ("page", lambda: touch(site_copy / "pages" / "about.md", "Title: About us\n\nNew.\n")),
    ]
    # Each stage's output and content are kept, and one plain process builds every reference.
    stages = []  # (what, pages rendered, the incremental output then, its plain reference)
    plain = []
    described = []
    for what, change in edits:
        change()
        incremental(site_copy, out)
        name = what.replace(" ", "-")
        kept, content = tmp_path / f"fast-{name}", tmp_path / f"content-{name}"
        shutil.copytree(out, kept)
        shutil.copytree(site_copy, content)
        stages.append((what, pages.last_build["rendered"], kept, tmp_path / f"full-{name}"))
        plain.append((tmp_path / f"full-{name}", content, {}))
        described.append(pages.last_build["described_ahead"])
    assert all(described), f"posts described ahead in each rebuild: {described}"
    plain_builds(plain)
    for what, rendered, out, fresh in stages:
        assert_same_tree(out, fresh, what)
        # The feeds are written beside the pages, not through the writer: compared too.
        feeds = sorted(p.relative_to(out) for p in (out / "feeds").rglob("*.xml"))
        assert feeds == sorted(p.relative_to(fresh) for p in (fresh / "feeds").rglob("*.xml"))
        # "Third" is the only post tagged Gamma: its tag feed comes and goes with it.
        assert (Path("feeds/tag/gamma.atom.xml") in feeds) == (what == "new post")
        if what == "followed title":
            follow_up = soup(out / "posts" / "light-revisited" / "index.html")
            assert "Dawn" in follow_up.get_text(), "a follow-up names the post it follows"
        if what == "body":
            # Only the post's own page reads its body in this theme.
            assert 0 < rendered < total, rendered


def test_a_page_reading_another_posts_body_is_rebuilt_when_it_changes(
    site_copy, tmp_path, pool_always
):
    # A filter reading a post's body from Python (as a reading-time filter would) is tracked too.
    theme = tmp_path / "theme"
    shutil.copytree(Path(__file__).resolve().parents[1] / "theme", theme)
    index = theme / "templates" / "index.html"
    index.write_text(
        index.read_text("utf-8").replace(
            "{% block content %}",
            "{% block content %}{% for a in articles %}<p>{{ a|words }}</p>{% endfor %}",
            1,
        ),
        encoding="utf-8",
    )
    settings = {"THEME": str(theme), "JINJA_FILTERS": {"words": word_count}}
    out = tmp_path / "site" / "output"
    for _ in range(2):
        incremental(site_copy, out, **settings)
    first = site_copy / "posts" / "first.md"
    touch(first, first.read_text("utf-8") + "\nFour more words here.\n")
    incremental(site_copy, out, **settings)
    fresh = tmp_path / "fresh"
    plain_build(fresh, site_copy, filters={"words": word_count}, THEME=str(theme))
    assert_same_tree(out, fresh)
    assert filecmp.cmp(out / "index.html", fresh / "index.html", shallow=False)


def word_count(article):
    return len(article.content.split())


def test_unchanged_files_keep_their_mtime(site_copy, tmp_path):
    out = tmp_path / "site" / "output"
    incremental(site_copy, out)
    index = out / "index.html"
    stamp = index.stat().st_mtime_ns
    first = site_copy / "posts" / "first.md"
    touch(first, first.read_text("utf-8") + "\nMore.\n")
    incremental(site_copy, out)
    assert index.stat().st_mtime_ns == stamp
    assert "More." in (out / "posts/first-light/index.html").read_text("utf-8")


@pytest.mark.parametrize(
    "setting, value",
    [("FASTBUILD_WORKERS", "two"), ("FASTBUILD_WORKERS", -1), ("FASTBUILD_PAGE_CACHE", "yes")],
)
def test_a_bad_setting_stops_the_build_naming_it(tmp_path, setting, value):
    with pytest.raises(FastBuildSettingError, match=f"{setting} = {value!r}"):
        build_into(tmp_path / "out", TEST_SITE, **{setting: value})


def test_the_pool_and_the_page_cache_can_be_switched_off(tmp_path, plain_site):
    build_into(tmp_path / "off", TEST_SITE, FASTBUILD_WORKERS=0, FASTBUILD_PAGE_CACHE=False)
    assert_same_tree(tmp_path / "off", plain_site)


class FakeWriter:
    """Stands in for the writer in a helper: logs a warning per page, or fails."""

    def render_planned(self, call, span=None):
        if call == "boom":
            raise ValueError("template exploded")
        logging.getLogger("pelican.contents").warning("Unable to find %s", call)
        return ((call, "article.html"), None, (), ())


def rendered(done):
    """The names of the calls a splitter reported, each once all its pieces were in."""
    return sorted(results[0][0][0] for results in done)


def test_a_helpers_warnings_reach_the_build_and_its_errors_fail_it(monkeypatch, caplog):
    monkeypatch.setattr(split, "BATCH", 2)
    done = []
    splitter = split.Splitter(FakeWriter(), done.append)
    for call in ("a.md", "b.md", "c.md"):
        splitter.add(call)
    splitter.flush()
    assert splitter.helpers == 1
    assert rendered(done) == ["a.md", "b.md", "c.md"]
    assert {"Unable to find a.md", "Unable to find b.md"} <= set(caplog.messages)

    # This process takes none of the helper's pieces: the failure is the helper's own.
    monkeypatch.setattr(split._Claims, "back", lambda self: None)
    failing = split.Splitter(FakeWriter(), done.append)
    failing.add("boom")
    failing.add("d.md")
    with pytest.raises(split.HelperFailed, match="template exploded"):
        failing.flush()


def test_a_helpers_batch_is_closed_by_pages_too_so_a_long_listing_goes_alone(monkeypatch):
    monkeypatch.setattr(split, "BATCH", 3)
    monkeypatch.setattr(split, "BATCH_PAGES", 10)
    monkeypatch.setattr(split, "PIECE_PAGES", 20)  # The listing in one piece.
    launched, real = [], split.Splitter._launch

    def launch(self):
        launched.append([(piece[1], pages) for piece, pages in self.pending])
        real(self)

    monkeypatch.setattr(split.Splitter, "_launch", launch)
    done = []
    splitter = split.Splitter(FakeWriter(), done.append)
    assert splitter.takes_next()
    splitter.add("index.md", pages=12)  # a paginated listing: a batch by itself
    assert launched == [[("index.md", 12)]]
    for call in ("a.md", "b.md"):
        assert splitter.takes_next()
        splitter.add(call, pages=1)
    assert splitter.takes_next()
    splitter.add("c.md", pages=1)  # three calls: a batch, though of three pages
    splitter.flush()
    assert rendered(done) == ["a.md", "b.md", "c.md", "index.md"]
    assert launched[0] == [("index.md", 12)]
    assert all(len(batch) <= 3 for batch in launched), "a batch of more calls than BATCH"
    assert splitter.waiting == 0 and not splitter.pending


def test_each_piece_is_claimed_once_from_either_end_and_a_held_lock_leaves_the_rest(monkeypatch):
    claims = split._Claims(4)
    assert [claims.front(), claims.back(), claims.front(), claims.back()] == [0, 3, 1, 2]
    assert claims.front() is None and claims.back() is None
    monkeypatch.setattr(split, "CLAIM_WAIT", 0)  # No waiting for a lock that is held.
    held = split._Claims(2)
    held._lock.acquire()  # as by a helper that died holding it
    assert held.back() is None, "this process leaves the rest to the helper"
    held._lock.release()
    assert held.back() == 1


def test_the_claims_hold_no_open_file_so_a_release_can_still_end_at_once():
    # multiprocessing.RawArray kept a /dev/shm file open for writing to the end of the process,
    # which sent every release after a shared batch down the slow exit (happening/quickexit.py).
    before = quickexit._open_fds()
    claims = split._Claims(3)
    assert quickexit._open_fds() == before
    assert claims.front() == 0 and claims.back() == 2 and claims.front() == 1


class PagedWriter:
    """Renders nothing; says which process rendered which pages of a call ``(name, pages)``.

    Each side's first piece waits for the other to have begun one (two events they share), so
    the two are sure to share the batch, whatever the machine's speed.
    """

    def __init__(self):
        self.started = multiprocessing.Event()  # the helper has a piece
        self.stolen = multiprocessing.Event()  # this process has one
        self.parent = os.getpid()

    def render_planned(self, call, span=None):
        name, pages = call
        if os.getpid() == self.parent:
            assert self.started.wait(timeout=30), "the helper never took a piece"
            self.stolen.set()
        else:
            self.started.set()
            assert self.stolen.wait(timeout=30), "this process never took a piece"
        start, stop = span or (0, pages)
        return ((name, "index.html"), os.getpid(), list(range(start, stop)))


def test_a_long_listing_is_shared_in_pieces_each_page_rendered_once_in_order(monkeypatch):
    monkeypatch.setattr(split, "PIECE_PAGES", 4)
    assert split.spans(4) == [None]
    assert split.spans(10) == [(0, 3), (3, 6), (6, 10)]
    assert len(split.spans(500)) == split.MAX_PIECES
    done, writer = [], PagedWriter()
    splitter = split.Splitter(writer, done.append)
    splitter.add(("index", 40), pages=40)
    splitter.add(("tag", 2), pages=2)
    splitter.flush()
    assert splitter.helpers == 1
    by_name = {results[0][0][0]: results for results in done}
    assert sorted(by_name) == ["index", "tag"]
    pages_in_order = [page for result in by_name["index"] for page in result[2]]
    assert pages_in_order == list(range(40)), "every page once, the pieces given back in order"
    processes = {result[1] for result in by_name["index"] + by_name["tag"]}
    assert len(processes) == 2 and writer.parent in processes, "the helper and this process"


def _post(slug):
    from datetime import datetime

    from pelican.contents import Article
    from pelican.settings import DEFAULT_CONFIG

    return Article(
        f"<p>{slug}</p>",
        metadata={"title": slug.title(), "slug": slug, "date": datetime(2024, 1, 1)},
        settings=dict(DEFAULT_CONFIG),
        source_path=f"/site/{slug}.md",
    )


def test_posts_pointing_at_each_other_digest_the_same_in_any_order():
    # Follow-ups link posts both ways; the digest must not depend on which is met first.
    a, b = _post("a"), _post("b")
    a.followups, b.follows = [b], [a]
    one = pages.Digester()({"x": a, "y": b})
    other = pages.Digester()({"y": b, "x": a})
    assert one == other
    b.title = "Changed"
    assert pages.Digester()({"x": a, "y": b}) != one


def test_a_post_is_digested_with_what_it_shows_of_its_neighbours_not_theirs():
    # A page shows its neighbour's title; nothing of ours shows a neighbour's neighbour, and
    # describing those would let one new post change every old post's digest.
    a, b, c = _post("a"), _post("b"), _post("c")
    a.next_article, b.next_article = b, c
    one = pages.Digester()({"article": a})
    c.title = "Changed"
    assert pages.Digester()({"article": a}) == one
    b.title = "Changed"
    assert pages.Digester()({"article": a}) != one


def test_each_post_is_described_once_whatever_depth_it_is_met_at(monkeypatch):
    # A page's own post is described with its neighbours in full, a neighbour with the posts it
    # holds only named: each post's own attributes are pickled once a build (shown.py) and the
    # page's post is made of those, so a post met as a page's and as neighbour costs one walk.
    from pelican.urlwrappers import Tag

    a, b, c = _post("a"), _post("b"), _post("c")
    a.next_article, b.next_article = b, c
    b.tags = [Tag("one", dict(a.settings))]
    b.related_posts = [c]
    walked = []
    attributes = shown.attributes
    monkeypatch.setattr(shown, "attributes", lambda post: walked.append(post) or attributes(post))
    digest = pages.Digester()
    first = digest({"article": a, "neighbour": b, "articles": [a, b, c]})
    assert digest({"article": a, "neighbour": b, "articles": [a, b, c]}) == first
    assert sorted(p.slug for p in walked) == ["a", "b", "c"]
    assert first == pages.Digester()({"article": a, "neighbour": b, "articles": [a, b, c]})
    before = pages.Digester()({"article": a})
    b.tags = [Tag("two", dict(a.settings))]
    assert pages.Digester()({"article": a}) != before  # a neighbour's tag
    before = pages.Digester()({"article": a})
    c.title = "Changed"  # c is b's related post, a neighbour's neighbour: only named
    assert pages.Digester()({"article": a}) == before
    c.source_path = "/site/other.md"  # ... by its source path
    assert pages.Digester()({"article": a}) != before


def test_a_post_pickling_cannot_describe_is_described_value_by_value():
    # An object that refuses to be pickled (as some plugins' do) but has a stable repr: the post
    # is described by the Python digester instead, to the same kind of token (its neighbours in
    # full, theirs named), and its pages are still cached.
    a, b, c = _post("a"), _post("b"), _post("c")
    a.next_article, b.next_article = b, c
    a.badge = _Opaque()
    with pytest.raises(shown.NotShown):
        shown.attributes(a)
    before = pages.Digester()({"article": a})
    assert pages.Digester()({"article": a}) == before
    b.title = "Changed"
    assert pages.Digester()({"article": a}) != before
    before = pages.Digester()({"article": a})
    c.title = "Changed"
    assert pages.Digester()({"article": a}) == before
    a.badge = _Opaque("other")
    assert pages.Digester()({"article": a}) != before


class _Opaque:
    """Refuses to be pickled, as some plugin objects do, but has a stable repr."""

    def __init__(self, name="badge"):
        self.name = name

    def __reduce_ex__(self, protocol):
        raise TypeError("not picklable")

    def __repr__(self):
        return f"_Opaque({self.name!r})"


def test_a_string_token_never_runs_into_the_next_one():
    digest = pages.Digester()
    assert digest(["a,b", "c"]) != digest(["a", "b,c"])
    assert digest({"a": "b:c"}) != digest({"a:b": "c"})
    long = "x" * (pages.INLINE_STRING + 1)
    assert digest([long]) != digest([long + "y"])


def test_a_tag_page_ignores_the_arguments_its_templates_never_read():
    # Pelican hands every tag page all_articles; a listing is paginated from articles and dates.
    env = jinja2.Environment(
        loader=jinja2.DictLoader({"tag.html": "{{ tag }}{% for a in articles_page %}{% endfor %}"})
    )
    pages.state.reset()
    template = env.get_template("tag.html")
    context = {"PAGINATED_TEMPLATES": {"tag": None}}
    call = {"template_name": "tag", "tag": "t", "articles": [1], "dates": [1], "all_articles": [2]}
    read = pages._arguments_read(template, context, (), call)
    assert read == {"template_name": "tag", "tag": "t", "articles": [1], "dates": [1]}
    pages.state.reset()


def test_the_names_a_template_reads_include_every_template_it_uses():
    env = jinja2.Environment(
        loader=jinja2.DictLoader(
            {
                "base.html": "{{ SITENAME }}{% include 'nav.html' %}{% block body %}{% endblock %}",
                "nav.html": "{% for p in pages %}{{ p.title }}{% endfor %}",
                "post.html": "{% extends 'base.html' %}{% block body %}{{ article }}{% endblock %}",
                "any.html": "{% include which %}",
            }
        )
    )
    pages.state.reset()
    assert pages.read_names(env.get_template("post.html")) == {"SITENAME", "pages", "article"}
    # A template chosen at run time could read anything: the whole context is digested.
    assert pages.read_names(env.get_template("any.html")) is None
    env.filters["peek"] = jinja2.pass_context(lambda context, value: value)
    pages.state.reset()
    assert pages.read_names(env.get_template("post.html")) is None
    pages.state.reset()


def test_pages_that_cannot_be_cached_are_rendered_and_kept(site_copy, tmp_path):
    # An object with no stable description in the context: nothing can be cached any more,
    # and nothing the previous build wrote may be removed as if it were no longer built.
    out = tmp_path / "site" / "output"
    incremental(site_copy, out)
    build(
        DEV_SETTINGS,
        PATH=str(site_copy),
        OUTPUT_PATH=str(out),
        CACHE_PATH=str(out.parent / "cache"),
        LOAD_CONTENT_CACHE=True,
        JINJA_GLOBALS={"opaque": object()},
    )
    assert pages.last_build["reused"] == 0
    plain_build(tmp_path / "fresh", site_copy)
    assert_same_tree(out, tmp_path / "fresh")


def test_functions_in_the_context_are_described_by_what_they_hold():
    def make(suffix):
        return lambda text: text + suffix

    digest = pages.Digester()
    assert digest({"f": make("!")}) == pages.Digester()({"f": make("!")})
    assert digest({"f": make("!")}) != pages.Digester()({"f": make("?")})
    assert digest({"p": functools.partial(str.join, ",")}) != pages.Digester()(
        {"p": functools.partial(str.join, ";")}
    )
    with pytest.raises(pages.Undigestable):
        pages.Digester()({"x": object()})


def test_a_build_that_keeps_no_cache_skips_the_digests_and_writes_the_same(
    tmp_path, monkeypatch, plain_site
):
    # Production loads and saves no cache: digests would serve nothing, so none is taken.
    taken = []
    monkeypatch.setattr(pages.Digester, "__call__", lambda self, *a, **k: taken.append(a))
    build_into(tmp_path / "fast", TEST_SITE, CACHE_CONTENT=False, FASTBUILD_WORKERS=2)
    assert taken == [] and pages.last_build["reused"] == 0
    assert not (tmp_path / "fast-cache" / pages.CACHE_FILE).exists()
    assert_same_tree(tmp_path / "fast", plain_site)


def test_a_build_that_fails_while_writing_leaves_nothing_to_the_next(tmp_path, plain_site):
    theme = tmp_path / "theme"
    shutil.copytree(Path(__file__).resolve().parents[1] / "theme", theme)
    article = theme / "templates" / "article.html"
    article.write_text(
        article.read_text("utf-8").replace(
            "{% block content %}", "{% block content %}{{ no_such_function() }}", 1
        ),
        encoding="utf-8",
    )
    with pytest.raises(BuildError, match="no_such_function"):
        build_into(tmp_path / "broken", TEST_SITE, THEME=str(theme), FASTBUILD_WORKERS=2)
    assert hasattr(Content.__dict__["get_url_setting"], "_fastbuild_original"), (
        "the failed build should have stopped while pages were written"
    )
    # URLs read while the next build's plugins still change posts must not be memoised.
    Pelican(load_settings(DEV_SETTINGS, PATH=str(TEST_SITE), OUTPUT_PATH=str(tmp_path / "x")))
    assert urls.state.memo is None
    for name in ("get_content", "get_summary", "get_url_setting"):
        assert not hasattr(Content.__dict__[name], "_fastbuild_original"), name
    build_into(tmp_path / "next", TEST_SITE, FASTBUILD_WORKERS=2)
    assert_same_tree(tmp_path / "next", plain_site)


def test_relative_source_paths_are_pelicans_own_and_made_once(tmp_path, monkeypatch):
    from pelican.settings import DEFAULT_CONFIG

    from happening.plugins.fastbuild import paths

    post = Content("<p>x</p>", settings={**DEFAULT_CONFIG, "PATH": str(tmp_path)})
    post.source_path = str(tmp_path / "posts" / "a.md")
    asked = [None, str(tmp_path / "images" / "b.png"), "posts/../pages/c.md", "../d.md"]
    expected = [post.get_relative_source_path(p) for p in asked]
    paths.start()
    try:
        assert [post.get_relative_source_path(p) for p in asked] == expected
        assert (str(tmp_path), post.source_path) in paths.state.memo
        # A content folder given relative depends on the working folder: never remembered.
        post.settings = {**post.settings, "PATH": "src"}
        here = post.get_relative_source_path("posts/e.md")
        monkeypatch.chdir(tmp_path)
        assert post.get_relative_source_path("posts/e.md") == here == "posts/e.md"
        assert not any(base == "src" for base, _ in paths.state.memo)
    finally:
        paths.stop()
        fence.restore()
    assert not hasattr(Content.__dict__["get_relative_source_path"], "_fastbuild_original")


def test_the_code_digest_covers_plugins_loaded_by_dotted_name():
    # PLUGIN_PATHS is empty: a changed plugin must still invalidate every cached page.
    import importlib

    import happening

    # By name, not as an attribute: when a build in this process loaded it first, Pelican's
    # plugin loader put it in sys.modules without making it an attribute of happening.plugins.
    feeds = importlib.import_module("happening.plugins.feeds")
    roots = pages._plugin_roots(["happening.plugins.feeds", "pelican.plugins.nonexistent"])
    assert roots == [*feeds.__path__, *happening.__path__]


def test_shared_formatters_highlight_code_as_codehilite_alone_does(tmp_path):
    from pelican.readers import MarkdownReader

    from happening.plugins.fastbuild import highlight

    post = tmp_path / "code.md"
    post.write_text(
        "Title: Code\nSummary: Some `code`.\n\n```python\nx = 1\n```\n\n"
        '```{.python hl_lines="1"}\ny = 2\n```\n\n```sql\nSELECT 1;\n```\n\n'
        "```python\nz = 3\n```\n\n    :::rust\n    fn main() {}\n",
        encoding="utf-8",
    )
    settings = load_settings(DEV_SETTINGS, PATH=str(tmp_path))
    shared = highlight.with_shared_formatters(settings)
    assert shared["MARKDOWN"] is not settings["MARKDOWN"], "the writer's settings are left alone"
    assert MarkdownReader(shared).read(str(post)) == MarkdownReader(settings).read(str(post))
    made = shared["MARKDOWN"]["extension_configs"]["markdown.extensions.codehilite"][
        "pygments_formatter"
    ].made
    # Five blocks, three sets of options: fenced, fenced with hl_lines, indented (tab_length).
    assert len(made) == 3
    # A formatter the writer chose is theirs: nothing is shared then.
    own = {
        **settings,
        "MARKDOWN": {"extension_configs": {"codehilite": {"pygments_formatter": "x"}}},
    }
    assert highlight.with_shared_formatters(own) is own


@pytest.mark.parametrize("new", ["shorter", "a page rendered longer than it was before", "same"])
def test_a_page_written_again_holds_exactly_its_new_bytes_on_the_same_file(tmp_path, new):
    page = tmp_path / "index.html"
    page.write_text("same" if new == "same" else "the page as the last build wrote it")
    before = os.stat(page)
    out = pages.WriteIfChanged(str(page), "utf-8")
    out.write(new)
    out.close()
    assert page.read_text() == new
    after = os.stat(page)
    assert after.st_ino == before.st_ino  # written over, as open(path, "wb") would
    if new == "same":
        assert after.st_mtime_ns == before.st_mtime_ns  # the same bytes: not touched
    fresh = pages.WriteIfChanged(str(tmp_path / "new.html"), "utf-8")
    fresh.write(new)
    fresh.close()
    assert (tmp_path / "new.html").read_text() == new


def test_a_post_holding_a_cycle_is_described_and_stable():
    a, b = _post("a"), _post("a")
    for post in (a, b):
        post.loop = [post.metadata]
        post.metadata["loop"] = post.loop
    assert shown.attributes(a)[0] == shown.attributes(b)[0]
    b.metadata["title"] = "Other"
    assert shown.attributes(a)[0] != shown.attributes(b)[0]


def test_a_reused_page_is_announced_as_pelicans_writer_announces_it(
    site_copy, tmp_path, monkeypatch
):
    # A reused page of one file is not handed to Pelican's writer: CachingWriter claims it and
    # sends content_written itself (pages.py). A listener sees the same as when Pelican's writer
    # does it: the same pages, in the same order, each with the same context.
    from pelican import signals

    out = tmp_path / "site" / "output"
    seen = []

    @split.notes_path_only  # As the release's record of what a build wrote; the split stays on.
    def note(path, context=None, **_):
        context = context or {}  # The cards and the like are announced with none.
        names = sorted(k for k in context if k.islower())
        seen.append((path, context.get("output_file"), names, context.get("article")))

    def announced_by_a_rebuild():
        seen.clear()
        incremental(site_copy, out)
        assert pages.last_build["rendered"] == 0
        return list(seen)

    signals.content_written.connect(note)
    try:
        incremental(site_copy, out)
        taken = calls_of(monkeypatch, pages.CachingWriter, "_announce_unchanged")
        ours = announced_by_a_rebuild()
        assert taken, "no reused page was announced by CachingWriter itself"
        monkeypatch.setattr(pages.CachingWriter, "_announce_unchanged", lambda *_: False)
        pelicans = announced_by_a_rebuild()
    finally:
        signals.content_written.disconnect(note)
    post = str(out / "posts" / "first-light" / "index.html")
    assert post in [path for path, *_ in ours]
    assert [(path, file, names) for path, file, names, _ in ours] == [
        (path, file, names) for path, file, names, _ in pelicans
    ]
    # The post in a post page's context is the post (the objects differ from build to build).
    assert [getattr(a, "source_path", None) for *_, a in ours] == [
        getattr(a, "source_path", None) for *_, a in pelicans
    ]
