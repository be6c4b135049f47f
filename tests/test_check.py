"""`check` finds each kind of problem in a deliberately broken site and passes the blog."""

import os
import subprocess
import sys
from dataclasses import replace

import pytest

from conftest import BLOG, DATA, ROOT, build_into
from happening.build import PROD_SETTINGS, load_settings
from happening.workflow.check import ERROR, WARNING, CheckFailed, check_site

BROKEN = DATA / "broken"


@pytest.fixture(scope="module")
def broken_report(tmp_path_factory):
    out = tmp_path_factory.mktemp("broken") / "output"
    # Built in a fresh process, so plugins connected by earlier builds in this one cannot
    # change it, with every plugin the project uses (the theme needs its own) except postid,
    # whose duplicate guard would stop the build. Not strict: the point is a site with every
    # problem in it. Its deliberately broken feeds sit in feeds/broken/, clear of the feeds
    # plugin's own paths.
    script = (
        "from conftest import build_into; from pathlib import Path; "
        "from happening.build import load_settings; "
        "plugins = [p for p in load_settings()['PLUGINS'] if p != 'happening.plugins.postid']; "
        f"build_into(Path({str(out)!r}), Path({str(BROKEN)!r}), strict=False, PLUGINS=plugins, "
        "STATIC_PATHS=['images', 'feeds'])"
    )
    subprocess.run(
        [sys.executable, "-c", script],
        check=True,
        capture_output=True,
        cwd=ROOT / "tests",  # `python -c` imports from its folder: conftest is found there.
    )
    return check_site(load_settings(PATH=str(BROKEN), CACHE_PATH=str(out.parent / "cache")), out)


def found(report, kind, where):
    return [p for p in report.problems if kind in (p.kind, "") and p.where.endswith(where)]


EXPECTED = [
    # Findings on a post's page name its Markdown file and the line the URL is written on.
    (ERROR, "link", "posts/links.md", True, "'/posts/nowhere/'"),
    (ERROR, "file", "posts/links.md", True, "'/images/missing.png'"),
    (ERROR, "alt", "posts/links.md", True, "'/images/dot.png' has no alt"),
    (WARNING, "link", "posts/links.md", True, "no #no-such-place"),
    (ERROR, "summary", "posts/placeholder.md", True, "placeholder"),
    (ERROR, "feed", "feeds/broken/all.atom.xml", True, "mismatched tag"),
    (ERROR, "post id", "feeds/broken/dupes.atom.xml", False, "2 entries share"),
    (ERROR, "feed", "feeds/broken/feed.json", True, "not valid JSON"),
    (ERROR, "post id", "posts/twin-a.md", True, "twin-b.md share the id"),
    (WARNING, "draft", "posts/old-draft.md", True, "dated 2020-01-01"),
    (WARNING, "weight", "posts/heavy.md", False, "over the 40 KB budget"),
    (ERROR, "post", "posts/unreadable.md", False, "not a valid date"),
]


@pytest.mark.parametrize("level, kind, where, line, words", EXPECTED)
def test_broken_site_shows_each_kind(broken_report, level, kind, where, line, words):
    matches = [p for p in found(broken_report, kind, where) if words in p.message]
    assert len(matches) == 1, broken_report.problems
    assert matches[0].level == level
    assert bool(matches[0].line) == line


def test_findings_on_a_post_name_its_markdown_file_and_line(broken_report):
    text = (BROKEN / "posts" / "links.md").read_text(encoding="utf-8").splitlines()
    shown = {(p.kind, p.level): p for p in found(broken_report, "", "") if "links.md" in p.where}
    nowhere = shown[("link", ERROR)]
    assert nowhere.where == "broken/posts/links.md"  # from the project folder, as a writer types it
    assert "/posts/nowhere/" in text[nowhere.line - 1]
    assert "dot.png" in text[shown[("alt", ERROR)].line - 1]
    assert "/images/missing.png" in text[shown[("file", ERROR)].line - 1]
    assert "#no-such-place" in text[shown[("link", WARNING)].line - 1]


def expected(problem):
    return any(
        problem.kind == kind and problem.where.endswith(where) and words in problem.message
        for _, kind, where, _, words in EXPECTED
    )


def test_nothing_else_is_reported_in_the_broken_site(broken_report):
    # Outside links, existing files, present alt text and the good posts stay quiet. The one
    # extra allowed: feeds the feeds plugin writes (when installed) repeat the twins' shared id.
    others = [
        p
        for p in broken_report.problems
        if not expected(p) and not (p.kind == "post id" and ":twin'" in p.message)
    ]
    assert others == []
    assert not any("example.org" in p.message for p in broken_report.problems)


def test_errors_fail_and_warnings_alone_pass(broken_report):
    errors = len(broken_report.errors)
    assert errors >= 10
    with pytest.raises(CheckFailed, match=f"{errors} error"):
        broken_report.raise_for_errors()
    warnings_only = replace(broken_report, problems=broken_report.warnings)
    assert len(warnings_only.problems) == 3  # a missing #anchor, a stale draft, a heavy page
    warnings_only.raise_for_errors()  # Warnings only: no exception, so the task exits 0.


def test_budget_comes_from_the_setting(tmp_path):
    out = tmp_path / "out"
    build_into(out, BLOG)
    settings = load_settings(PATH=str(BLOG), CHECK_PAGE_BUDGET_KB=1, CACHE_PATH=str(tmp_path))
    report = check_site(settings, out)
    # Page weight is a warning: a long post or a big archive may still be published.
    assert "weight" in {p.kind for p in report.warnings}
    assert "weight" not in {p.kind for p in report.errors}


def test_the_blog_passes(real_site, tmp_path):
    # check reads the sources under PATH too: without it, that would be the writer's content/.
    report = check_site(load_settings(PATH=str(BLOG), CACHE_PATH=str(tmp_path)), real_site)
    assert report.problems == []
    assert report.pages > 10 and report.posts >= 1


def test_the_blogs_production_build_passes(real_site_prod, tmp_path):
    settings = load_settings(PROD_SETTINGS, PATH=str(BLOG), CACHE_PATH=str(tmp_path))
    report = check_site(settings, real_site_prod)
    assert report.problems == []


def test_no_site_is_a_clear_error(tmp_path):
    with pytest.raises(CheckFailed, match="run `./inv build` first"):
        check_site(load_settings(PATH=str(BLOG), CACHE_PATH=str(tmp_path)), tmp_path / "missing")


def test_a_draft_started_today_is_not_stale_but_yesterdays_is(site_copy, tmp_path):
    from datetime import UTC, datetime

    from happening.workflow.newpost import new_post

    settings = load_settings(PATH=str(site_copy), CACHE_PATH=str(tmp_path / "cache"))
    now = datetime(2024, 6, 2, 12, 0, tzinfo=UTC)
    new_post("Started today", settings=settings, now=now)
    new_post("Started yesterday", date="2024-06-01 23:00", settings=settings)
    out = tmp_path / "out"
    build_into(out, site_copy)
    stale = [p.where for p in check_site(settings, out, now=now).problems if p.kind == "draft"]
    assert any(w.endswith("2024-06-01-started-yesterday.md") for w in stale)
    assert not any("started-today" in w for w in stale)


def test_the_table_shows_every_problem_verbatim(broken_report):
    from io import StringIO

    from rich.console import Console

    from happening.workflow.check import Problem
    from happening.workflow.report import check_summary, check_table

    quoting = Problem(ERROR, "link", "a.html", 3, "links to '/x[bold]y[/bold]'")
    report = replace(broken_report, problems=[*broken_report.problems, quoting])
    screen = Console(file=StringIO(), width=200)
    screen.print(check_table(report))
    screen.print(check_summary(report))
    text = screen.file.getvalue()
    assert "'/x[bold]y[/bold]'" in text  # Not taken for rich markup.
    assert "posts/unreadable.md" in text
    assert f"✗ {len(report.errors)} error(s), {len(report.warnings)} warning(s)" in text
    assert check_table(replace(report, problems=[])) is None


def test_past_ten_warnings_of_a_kind_the_table_counts_the_rest_and_says_how_to_see_them(
    broken_report,
):
    from io import StringIO

    from rich.console import Console

    from happening.workflow.check import Problem
    from happening.workflow.report import WARNINGS_SHOWN, check_table

    heavy = [
        Problem(WARNING, "weight", f"content/posts/post-{n:03d}.md", None, f"{50 + n} KB over")
        for n in range(WARNINGS_SHOWN + 25)
    ]
    errors = [Problem(ERROR, "link", f"page-{n}.html", 1, "links to nowhere") for n in range(15)]
    report = replace(broken_report, problems=[*errors, *heavy])

    def shown(**options):
        screen = Console(file=StringIO(), width=250)
        screen.print(check_table(report, **options))
        return screen.file.getvalue()

    text = shown(more_hint="`./inv check --all` lists every one")
    assert all(f"page-{n}.html" in text for n in range(15))  # every error, however many
    assert [f"post-{n:03d}.md" in text for n in range(WARNINGS_SHOWN + 25)] == (
        [True] * WARNINGS_SHOWN + [False] * 25
    )
    assert (
        "25 more 'weight' warning(s) like the ones above; `./inv check --all` lists every" in text
    )
    every = shown(every=True)
    assert all(f"post-{n:03d}.md" in every for n in range(WARNINGS_SHOWN + 25))
    assert "more 'weight'" not in every


PLACEHOLDER_POST = """Title: Forgotten dek
Date: 2024-05-01 09:00
Category: Notes
Summary: {placeholder}

A post published with post.new's placeholder still in its Summary:.
"""


def test_the_check_after_a_build_takes_its_reading_and_finds_the_same(
    site_copy, tmp_path, monkeypatch
):
    # publish and release check right after their build, which has just read every source
    # with the same settings: the check takes that reading, and must find what a check that
    # reads every source itself finds.
    from datetime import UTC, datetime

    from happening.workflow.check import sources
    from happening.workflow.newpost import SUMMARY_PLACEHOLDER, new_post

    settings = load_settings(PATH=str(site_copy))
    now = datetime(2024, 6, 2, 12, 0, tzinfo=UTC)
    new_post("Started yesterday", date="2024-06-01 23:00", settings=settings)  # a stale draft
    posts = site_copy / "posts"
    (posts / "forgotten.md").write_text(PLACEHOLDER_POST.format(placeholder=SUMMARY_PLACEHOLDER))
    (posts / "unreadable.md").write_text("Title: Unreadable\nDate: not a date\n\nBody.\n")
    out = tmp_path / "out"
    built = build_into(out, site_copy, strict=False)  # Pelican skips the unreadable post
    full = check_site({**settings, "CACHE_PATH": str(tmp_path / "full")}, out, now=now)
    assert {"summary", "draft", "post"} <= {p.kind for p in full.problems}
    read = []
    real = sources.read_source
    monkeypatch.setattr(
        sources, "read_source", lambda r, b, path, c: read.append(path.name) or real(r, b, path, c)
    )
    after_build = check_site(
        {**settings, "CACHE_PATH": str(tmp_path / "fast")},
        out,
        now=now,
        generators=built.generators,
    )
    assert after_build.problems == full.problems
    assert (after_build.posts, after_build.pages) == (full.posts, full.pages)
    assert read == ["unreadable.md"]  # every source the build could read was taken from it


def test_what_the_check_takes_from_a_build_is_what_it_reads_itself(site_copy, tmp_path):
    from happening.workflow.check import sources

    post = site_copy / "posts" / "second.md"
    # A summary written over two lines, with Markdown in it: the build renders it, the summary
    # plugin fills in the posts that have none; the check reads it as written, either way.
    text = post.read_text().replace(
        "Summary: The second tiny post.", "Summary: The *second*\n    tiny post."
    )
    post.write_text(text)
    built = build_into(tmp_path / "out", site_copy)
    settings = load_settings(PATH=str(site_copy), CACHE_PATH=str(tmp_path / "cache"))
    itself, taken = sources.read(settings), sources.read(settings, built.generators)

    def fields(item):
        return (
            item.source_path,
            bool(item.title),
            getattr(item, "date", None),
            item.status,
            item.lang,
            item.save_as,
            {k: item.metadata.get(k) for k in ("id", "slug", "summary")},
        )

    assert [fields(p) for p in taken.posts] == [fields(p) for p in itself.posts]
    assert [fields(p) for p in taken.pages] == [fields(p) for p in itself.pages]
    assert taken.by_output == itself.by_output
    assert any(p.metadata.get("summary") == "The *second*\ntiny post." for p in taken.posts)
    # The summaries are kept by each source's stat for the next check after a build: the same
    # again, and a source rewritten since (its mtime set back: its ctime still moved) read again.
    again = sources.read(settings, built.generators)
    assert [fields(p) for p in again.posts] == [fields(p) for p in taken.posts]
    times = post.stat()
    post.write_text(text.replace("The *second*\n    tiny post.", "A changed dek."))
    os.utime(post, ns=(times.st_atime_ns, times.st_mtime_ns))
    changed = sources.read(settings, built.generators)
    assert [p.metadata.get("summary") for p in changed.posts if p.source_path == str(post)] == [
        "A changed dek."
    ]


def test_a_feed_unchanged_since_the_last_check_is_not_parsed_again(tmp_path, monkeypatch):
    from happening.workflow.check import feeds

    out = tmp_path / "out"
    build_into(out, BLOG)
    settings = load_settings(PATH=str(BLOG), CACHE_PATH=str(tmp_path / "cache"))
    (out / "feeds" / "broken.atom.xml").write_text("<feed><entry></feed>", encoding="utf-8")
    first = check_site(settings, out)
    assert any(p.where.endswith("feeds/broken.atom.xml") for p in first.errors)
    parsed = []
    real = feeds._xml_feed
    monkeypatch.setattr(
        feeds, "_xml_feed", lambda data, shown: parsed.append(shown) or real(data, shown)
    )
    site_wide = out / "feeds" / "all.atom.xml"
    site_wide.write_bytes(site_wide.read_bytes() + b"<!-- changed -->")
    second = check_site(settings, out)
    assert second.problems == first.problems  # the broken feed's finding, kept with its bytes
    assert [shown.rsplit("/", 2)[-2:] for shown in parsed] == [["feeds", "all.atom.xml"]]


def test_a_source_is_shown_by_its_resolved_path_through_linked_folders_and_files(tmp_path):
    from happening.workflow.check.sources import Sources

    project = tmp_path / "project"
    posts, elsewhere = project / "content" / "posts", tmp_path / "elsewhere"
    posts.mkdir(parents=True)
    elsewhere.mkdir()
    (posts / "plain.md").write_text("x")
    (elsewhere / "kept.md").write_text("y")
    (posts / "linked.md").symlink_to(elsewhere / "kept.md")
    (project / "content" / "shelf").symlink_to(posts)
    shown = Sources(project=project.resolve()).shown
    assert shown(str(posts / "plain.md")) == "content/posts/plain.md"
    assert shown(str(project / "content" / "shelf" / "plain.md")) == "content/posts/plain.md"
    assert shown(str(posts / ".." / "posts" / "plain.md")) == "content/posts/plain.md"
    assert shown(str(posts / "linked.md")) == str((elsewhere / "kept.md").resolve())
