"""The live preview's builds: after every kind of edit, its output is what a full build writes.

Each test builds a copy of tests/data/site with its own copy of the settings and the theme (so a
setting and the theme can be edited too) through one :class:`LivePreview`, edits, rebuilds the
way the preview would for that change, and compares every file with a fresh full build of the
same sources into an empty folder.
"""

import gc
import hashlib
import os
import shutil
import threading
import weakref
from pathlib import Path

import pytest

from conftest import ROOT, TEST_SITE, how_pictures_differ
from happening.build import build
from happening.plugins.fastbuild import fence, memory
from happening.workflow.livepreview import FULL, HOT, INCREMENTAL, RESTART, LivePreview, plan

# As `./inv livereload` builds (serve.py's DRAFT_PREVIEW and LIVE).
PREVIEW = {"DRAFT_SAVE_AS": "drafts/{slug}/index.html", "FASTBUILD_KEEP_IN_MEMORY": True}


@pytest.fixture
def site(tmp_path):
    """A site folder: settings, theme and content, all copies that a test may edit."""
    root = tmp_path / "site"
    root.mkdir()
    shutil.copy(ROOT / "pelicanconf.py", root / "pelicanconf.py")
    shutil.copytree(ROOT / "theme", root / "theme")
    shutil.copytree(TEST_SITE, root / "content")
    memory.forget()
    yield root
    memory.forget()


def snapshot(folder: Path):
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def full_build(site: Path, out: Path):
    build(
        site / "pelicanconf.py",
        OUTPUT_PATH=str(out),
        CACHE_PATH=str(out.parent / "full-cache"),
        LOAD_CONTENT_CACHE=False,
        **PREVIEW,
    )
    return snapshot(out)


def differences(a, b):
    """Each file that differs between two snapshots, saying how: only on one side, or both sides'
    sizes and digests, and for a picture whether its pixels differ too (a failure seen once in
    CI named two cards and nothing more)."""
    return sorted(
        f"{name}: {_describe(a.get(name))} vs {_describe(b.get(name))}{_pixels(name, a, b)}"
        for name in a.keys() | b.keys()
        if a.get(name) != b.get(name)
    )


def _pixels(name, a, b):
    if not name.endswith(".png") or name not in a or name not in b:
        return ""
    return f" ({how_pictures_differ(a[name], b[name])})"


def _describe(data):
    if data is None:
        return "missing"
    return f"{len(data)} bytes, blake2b {hashlib.blake2b(data, digest_size=8).hexdigest()}"


def replace(path: Path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def edit_body(site):
    post = site / "content/posts/first.md"
    replace(post, "The opening paragraph", "The rewritten opening paragraph")
    return {("modified", str(post))}


def edit_title(site):
    post = site / "content/posts/second.md"
    text = post.read_text(encoding="utf-8")
    title = next(line for line in text.splitlines() if line.startswith("Title:"))
    replace(post, title, title + " (revised)")
    return {("modified", str(post))}


def edit_tag_case(site):
    post = site / "content/posts/first.md"
    replace(post, "Tags: Alpha, Shared", "Tags: alpha, Shared")  # The same slug, another name.
    return {("modified", str(post))}


def edit_tags(site):
    post = site / "content/posts/first.md"
    replace(post, "Tags: Alpha, Shared", "Tags: Alpha, Gamma")
    return {("modified", str(post))}


def edit_date(site):
    post = site / "content/posts/theme-filler-3.md"
    replace(post, "Date: 2023-03-15 09:00", "Date: 2024-06-01 09:00")
    return {("modified", str(post))}


def add_post(site):
    post = site / "content/posts/brand-new.md"
    post.write_text(
        "Title: Brand new\nDate: 2024-05-01 10:00\nCategory: Notes\nTags: Shared\n"
        "Summary: A post added while the preview runs.\n\nIts words.\n",
        encoding="utf-8",
    )
    return {("added", str(post))}


def delete_post(site):
    post = site / "content/posts/theme-filler-2.md"
    post.unlink()
    return {("deleted", str(post))}


def edit_theme(site):
    template = site / "theme/templates/404.html"
    replace(template, "<h1>Page not found</h1>", "<h1>Nothing here</h1>")
    return {("modified", str(template))}


def change_setting(site):
    settings = site / "pelicanconf.py"
    replace(settings, 'SITESUBTITLE = "', 'SITESUBTITLE = "Freshly set. ')
    return {("modified", str(settings))}


def edit_summary(site):
    post = site / "content/posts/first.md"
    replace(post, "Summary: The first tiny post.", "Summary: The first tiny post, revised.")
    return {("modified", str(post))}


def edit_old_body(site):
    """The oldest post: on the last page of every listing it is in."""
    post = site / "content/posts/theme-filler-1.md"
    replace(post, "Filler words for post 1.", "Filler words for post 1, and then some.")
    return {("modified", str(post))}


def add_picture(site):
    post = site / "content/posts/second.md"
    text = post.read_text(encoding="utf-8")
    post.write_text(text + "\n![A picture](https://example.org/a.png)\n", encoding="utf-8")
    return {("modified", str(post))}


def edit_draft_body(site):
    post = site / "content/posts/draft.md"
    replace(post, "Draft words", "Revised draft words")
    return {("modified", str(post))}


def edit_page_body(site):
    page = site / "content/pages/about.md"
    replace(page, "A tiny site", "A tiny, revised site")
    return {("modified", str(page))}


# What the edit needs (plan) and how the preview built it: only a change to a body alone takes
# the hot path; anything else the hot path is not sure of takes the ordinary build.
EDITS = {
    "body": (edit_body, INCREMENTAL, HOT),
    "body of the oldest post": (edit_old_body, INCREMENTAL, HOT),
    "body of a draft": (edit_draft_body, INCREMENTAL, HOT),
    "body of a page": (edit_page_body, INCREMENTAL, HOT),
    "a picture added": (add_picture, INCREMENTAL, INCREMENTAL),
    "title": (edit_title, INCREMENTAL, INCREMENTAL),
    "summary": (edit_summary, INCREMENTAL, INCREMENTAL),
    "tags": (edit_tags, INCREMENTAL, INCREMENTAL),
    "a tag's case": (edit_tag_case, INCREMENTAL, INCREMENTAL),
    "date": (edit_date, INCREMENTAL, INCREMENTAL),
    "add a post": (add_post, FULL, FULL),
    "delete a post": (delete_post, FULL, FULL),
    "theme": (edit_theme, FULL, FULL),
    "setting": (change_setting, FULL, FULL),
}


@pytest.mark.parametrize("kind", EDITS)
def test_after_each_kind_of_edit_the_preview_equals_a_full_build(site, tmp_path, kind):
    make_edit, expected, built = EDITS[kind]
    preview = LivePreview(site / "pelicanconf.py", **PREVIEW)
    assert preview.rebuild(FULL).ok
    before = snapshot(preview.sources.output)
    # An edit first that the preview handles incrementally, so the edit under test meets
    # records kept in memory, as a writer's tenth save does.
    appended = site / "content/posts/theme-filler-5.md"
    appended.write_text(appended.read_text(encoding="utf-8") + "\nMore filler.\n")
    assert preview.rebuild(INCREMENTAL).ok

    changes = make_edit(site)
    how = plan(changes, preview.sources, preview._known)
    assert how == expected
    outcome = preview.rebuild(how, changes)

    assert outcome.ok, outcome.message
    assert outcome.how == built
    after = snapshot(preview.sources.output)
    assert after != before  # The edit reached the output...
    assert differences(after, full_build(site, tmp_path / "full")) == []  # ...exactly.
    # Metadata is on every listing; a body is on few pages: not a full render in disguise.
    if kind == "a picture added":
        assert outcome.rendered["reused"] > 0
    if built == HOT:
        assert 0 < outcome.rendered["rendered"] < 10


def test_a_change_to_our_code_restarts_and_anything_unknown_builds_everything(site):
    preview = LivePreview(site / "pelicanconf.py", **PREVIEW)
    sources = preview.sources
    assert plan({("modified", str(ROOT / "plugins/feeds/writer.py"))}, sources) == RESTART
    assert plan({("modified", str(ROOT / "happening/build.py"))}, sources) == RESTART
    image = site / "content/images/new.png"
    assert plan({("added", str(image))}, sources) == FULL
    body = site / "content/posts/first.md"
    assert plan({("modified", str(body)), ("added", str(image))}, sources) == FULL
    assert plan({("modified", str(body))}, sources) == INCREMENTAL
    # Saved by writing a new file over the old one: "added", but the post was there before.
    assert plan({("added", str(body))}, sources, known={str(body)}) == INCREMENTAL
    assert plan({("added", str(body))}, sources, known=set()) == FULL


def test_a_build_leaves_no_post_alive_in_pelicans_memoised_methods(site):
    preview = LivePreview(site / "pelicanconf.py", **PREVIEW)
    assert preview.rebuild(FULL).ok
    for name in fence.MEMOISED:
        assert fence._memoised(name).cache == {}, name
    assert preview.rebuild(INCREMENTAL, edit_body(site)).how == HOT
    for name in fence.MEMOISED:
        assert fence._memoised(name).cache == {}, name


def a_post(preview, source):
    """The post object the preview keeps in memory for ``source``."""
    articles = preview._last.generators[0].articles
    return next(a for a in articles if a.source_path == str(source))


def test_a_rebuild_keeps_no_post_of_the_build_before_alive(site):
    preview = LivePreview(site / "pelicanconf.py", **PREVIEW)
    assert preview.rebuild(FULL).ok
    source = site / "content/posts/first.md"
    kept = weakref.ref(a_post(preview, source))
    # The hot path changes the post it has (every list holding it sees the new body)...
    assert preview.rebuild(INCREMENTAL, edit_body(site)).how == HOT
    assert a_post(preview, source) is kept()
    # ...and any other build makes new posts and lets the old ones go.
    assert preview.rebuild(INCREMENTAL, edit_title(site)).how == INCREMENTAL
    gc.collect()
    assert kept() is None


def test_hot_edits_one_after_another_then_an_ordinary_one_equal_a_full_build(site, tmp_path):
    preview = LivePreview(site / "pelicanconf.py", **PREVIEW)
    assert preview.rebuild(FULL).ok
    post = site / "content/posts/first.md"
    original = post.read_text(encoding="utf-8")
    for make_edit in (edit_body, edit_old_body, add_words("second.md", "Another thought.")):
        assert preview.rebuild(INCREMENTAL, make_edit(site)).how == HOT
    post.write_text(original, encoding="utf-8")  # Undone: the page goes back as it was.
    assert preview.rebuild(INCREMENTAL, {("modified", str(post))}).how == HOT
    assert differences(snapshot(preview.sources.output), full_build(site, tmp_path / "a")) == []
    # An ordinary build after hot ones finds the pages they wrote and renders them again.
    assert preview.rebuild(INCREMENTAL, edit_title(site)).how == INCREMENTAL
    assert differences(snapshot(preview.sources.output), full_build(site, tmp_path / "b")) == []


def add_words(name, words):
    def edit(site):
        post = site / "content/posts" / name
        post.write_text(post.read_text(encoding="utf-8") + f"\n{words}\n", encoding="utf-8")
        return {("modified", str(post))}

    return edit


def test_the_hot_path_renders_only_the_listing_pages_that_show_the_post(site):
    preview = LivePreview(site / "pelicanconf.py", **PREVIEW)
    assert preview.rebuild(FULL).ok
    source = str(site / "content/posts/theme-filler-1.md")  # Listed on the last pages only.
    showing = [
        memory.files_read(key)
        for key, (_, deps) in memory.calls().items()
        if any(path == source for path, _ in deps)
    ]
    files = [file for calls in showing for file in calls]
    reading = [file for calls in showing for file, read in calls.items() if source in read]
    assert str(preview.sources.output / "page/2/index.html") in reading
    assert str(preview.sources.output / "index.html") in set(files) - set(reading)

    outcome = preview.rebuild(INCREMENTAL, edit_old_body(site))
    assert outcome.how == HOT
    assert outcome.rendered["rendered"] == len(reading) < len(files)


# No Summary:, so the summary plugin makes one of the first sentences within 50 words.
NO_SUMMARY = (
    "Title: Unsummarised\nDate: 2024-05-10 10:00\nCategory: Notes\nTags: Shared\n\n"
    "It opens with one sentence. " + "Then it goes on with one more sentence. " * 12 + "\n"
)


def test_an_edit_that_changes_a_prose_summary_takes_the_ordinary_build(site, tmp_path):
    post = site / "content/posts/unsummarised.md"
    post.write_text(NO_SUMMARY, encoding="utf-8")
    preview = LivePreview(site / "pelicanconf.py", **PREVIEW)
    assert preview.rebuild(FULL).ok
    # After the summary's words: the summary plugin gives the same summary, the hot path goes.
    assert preview.rebuild(INCREMENTAL, add_words("unsummarised.md", "Later.")(site)).how == HOT
    replace(post, "It opens with", "It now opens with")  # In the summary: listings change.
    outcome = preview.rebuild(INCREMENTAL, {("modified", str(post))})
    assert outcome.ok and outcome.how == INCREMENTAL
    assert differences(snapshot(preview.sources.output), full_build(site, tmp_path / "f")) == []


def test_a_broken_link_saved_in_a_body_fails_the_build_and_names_it(site):
    preview = LivePreview(site / "pelicanconf.py", **PREVIEW)
    assert preview.rebuild(FULL).ok
    changes = add_words("second.md", "See [nothing]({filename}no-such-post.md).")(site)
    outcome = preview.rebuild(INCREMENTAL, changes)
    # The hot path saw the warning and left it to the ordinary build, which reports it.
    assert not outcome.ok and outcome.how == INCREMENTAL
    assert "no-such-post.md" in outcome.message and preview.hooks.failed()


def text(path):
    """A page's text, or "" while a full build has emptied the folder."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return ""


def wait_for(preview, condition, timeout=60.0, what="the condition"):
    """Wait until ``condition`` holds, checking it after each of the preview's builds."""
    if not preview.hooks.wait(condition, timeout):
        raise AssertionError(f"timed out waiting for {what}")


def test_a_save_made_while_the_build_of_the_one_before_runs_reaches_the_output(site):
    preview = LivePreview(site / "pelicanconf.py", **PREVIEW)
    preview.start()
    first = site / "content/posts/first.md"
    second = site / "content/posts/second.md"
    real = preview.rebuild

    def second_save_once_building(how=INCREMENTAL, changes=()):
        # The first save's build has started: the second save lands now, during it.
        if str(first) in {path for _, path in changes} and "Save two" not in text(second):
            replace(second, "A second post", "Save two in a second post")
        return real(how, changes)

    preview.rebuild = second_save_once_building
    try:
        pages = preview.sources.output / "posts"
        one, two = pages / "first-light/index.html", pages / "second-thoughts/index.html"
        replace(first, "The opening paragraph", "Save one")
        wait_for(preview, lambda: "Save one" in text(one) and "Save two" in text(two), 60)
        assert preview.wait_idle(timeout=60)
        assert all(outcome.ok for outcome in preview.outcomes)
        assert [o.how for o in preview.outcomes[1:]] == [HOT, HOT]  # One build per save.
    finally:
        preview.stop()


def test_saves_during_a_build_queue_exactly_one_more(site):
    preview = LivePreview(site / "pelicanconf.py", **PREVIEW)
    started, release = threading.Event(), threading.Event()
    builds = []
    real = preview.rebuild

    def slow_rebuild(how=INCREMENTAL, changes=()):
        builds.append(how)
        started.set()
        release.wait(timeout=30)
        return real(how, changes)

    preview.rebuild = slow_rebuild
    builder = threading.Thread(target=preview._builder, daemon=True)
    builder.start()
    try:
        post = site / "content/posts/first.md"
        preview.changed({("modified", str(post))})
        assert started.wait(timeout=30)
        for _ in range(3):  # Three saves while the first build runs...
            preview.changed({("modified", str(post))})
        release.set()
        assert preview.wait_idle(timeout=60)
        assert builds == [INCREMENTAL, INCREMENTAL]  # ...make one more build, not three.
    finally:
        preview.stop()
        builder.join(timeout=30)


def test_a_saved_setting_is_seen_and_rebuilds_everything(site):
    preview = LivePreview(site / "pelicanconf.py", **PREVIEW)
    preview.start()
    try:
        home = preview.sources.output / "index.html"
        builds = preview.builds
        change_setting(site)
        wait_for(preview, lambda: "Freshly set. " in text(home), what="the new subtitle")
        assert preview.wait_idle(timeout=60)
        assert preview.builds > builds and preview.outcomes[-1].how == FULL
    finally:
        preview.stop()


def test_after_a_build_that_stopped_half_way_the_fix_is_built_in_full(site, tmp_path):
    preview = LivePreview(site / "pelicanconf.py", **PREVIEW)
    assert preview.rebuild(FULL).ok
    post = site / "content/posts/theme-filler-4.md"
    good = post.read_text(encoding="utf-8")
    # The followups plugin stops the build from inside Pelican: nothing after it ran.
    replace(post, "Tags:", "Follows: no-such-post\nTags:")
    failed = preview.rebuild(INCREMENTAL)
    assert not failed.ok and "no-such-post" in failed.message
    assert preview.hooks.failed()

    post.write_text(good.replace("Filler words", "Fixed filler words"), encoding="utf-8")
    fixed = preview.rebuild(INCREMENTAL)
    assert fixed.ok and fixed.how == FULL and not preview.hooks.failed()
    after = snapshot(preview.sources.output)
    assert differences(after, full_build(site, tmp_path / "full")) == []


def test_a_change_to_our_code_calls_restart_instead_of_building(site):
    restarted = threading.Event()
    preview = LivePreview(site / "pelicanconf.py", restart=restarted.set, **PREVIEW)
    builder = threading.Thread(target=preview._builder, daemon=True)
    builder.start()
    try:
        preview.changed({("modified", str(ROOT / "plugins/readingtime/plugin.py"))})
        assert restarted.wait(timeout=30)
        builder.join(timeout=30)
        assert not builder.is_alive() and preview.builds == 0  # Restarted, nothing built.
    finally:
        preview.stop()


def test_the_hot_path_writes_only_the_feeds_that_list_the_post(site):
    preview = LivePreview(site / "pelicanconf.py", **PREVIEW)
    assert preview.rebuild(FULL).ok
    feeds = preview.sources.output / "feeds"
    every = {path: os.stat(path).st_mtime_ns for path in feeds.rglob("*") if path.is_file()}
    assert preview.rebuild(INCREMENTAL, edit_body(site)).how == HOT  # first.md: Alpha, Shared
    rewritten = {path for path, stamp in every.items() if os.stat(path).st_mtime_ns != stamp}
    listing = {"all.atom.xml", "all.rss.xml", "feed.json", "notes.atom.xml", "alpha.atom.xml"}
    listing |= {"shared.atom.xml", "first-light.atom.xml"}  # Its tag's, its thread's.
    assert {path.name for path in rewritten} == listing  # Not beta's, not the stylesheet.
    for path in rewritten:
        assert "The rewritten opening paragraph" in path.read_text(encoding="utf-8")
