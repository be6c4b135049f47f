"""`check` follows Pelican's content layout, names the source file and line of each finding,
weighs what loads before first paint, and gives the same findings from its cache and its
worker processes as from a fresh serial run."""

import os
import shutil

from conftest import BLOG, build_into, calls_of
from happening.build import load_settings
from happening.workflow.check import WARNING, check_site, pages, site


def pelican_layout(tmp_path):
    """The blog laid out as Pelican's quickstart does: posts at the top, pages/ excluded."""
    content = tmp_path / "content"
    shutil.copytree(BLOG / "pages", content / "pages")
    for post in (BLOG / "posts").glob("*.md"):
        shutil.copy(post, content / post.name)
    return content, {"ARTICLE_PATHS": [""], "PAGE_PATHS": ["pages"]}


def test_pages_are_not_checked_as_posts(tmp_path):
    content, layout = pelican_layout(tmp_path)
    out = tmp_path / "output"
    build_into(out, content, **layout)
    report = check_site(load_settings(PATH=str(content), CACHE_PATH=str(tmp_path), **layout), out)
    assert report.posts == 1  # the essay; about.md and subscribe.md are pages
    assert report.problems == []


def test_excluded_folders_are_not_posts(tmp_path):
    content, layout = pelican_layout(tmp_path)
    (content / "notes").mkdir()
    (content / "notes" / "scratch.md").write_text("No header at all.\n", encoding="utf-8")
    layout["ARTICLE_EXCLUDES"] = ["notes"]
    out = tmp_path / "output"
    build_into(out, content, **layout)
    report = check_site(load_settings(PATH=str(content), CACHE_PATH=str(tmp_path), **layout), out)
    assert not [p for p in report.problems if "scratch" in p.where]


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_weight_counts_css_fonts_and_scripts_but_not_images(tmp_path):
    content = tmp_path / "content"
    content.mkdir()
    out = tmp_path / "output"
    write(
        out / "index.html",
        '<html><head><link rel="stylesheet" href="/s.css"><script src="/a.js"></script>'
        '</head><body><img src="/big.png" alt="a big picture"></body></html>',
    )
    write(out / "s.css", "@font-face { src: url(fonts/f.woff2) }\nbody{}")
    write(out / "fonts" / "f.woff2", "f" * 3000)
    write(out / "a.js", "j" * 3000)
    write(out / "big.png", "p" * 50_000)
    settings = load_settings(PATH=str(content), CACHE_PATH=str(tmp_path / "cache"))

    def weighed(budget):
        settings["CHECK_PAGE_BUDGET_KB"] = budget
        report = check_site(settings, out, checks=[pages.check])
        return [p for p in report.problems if p.kind == "weight"]

    over = weighed(5)  # 6 KB of font and script: over 5 KB, though the image is 50 KB
    assert len(over) == 1 and over[0].level == WARNING and over[0].where.endswith("index.html")
    assert weighed(7) == []  # the 50 KB image is not counted


def test_cached_and_parallel_checks_find_what_a_fresh_one_does(tmp_path, monkeypatch):
    out = tmp_path / "output"
    build_into(out)
    settings = load_settings(PATH=str(BLOG), CACHE_PATH=str(tmp_path / "check-cache"))
    fresh = check_site(settings, out)
    assert (tmp_path / "check-cache" / "check-pages.marshal").is_file()
    assert check_site(settings, out).problems == fresh.problems == []
    # A page changed since the cached check is read again: its new broken link is found.
    page = out / "about" / "index.html"
    page.write_text(
        page.read_text(encoding="utf-8").replace("</main>", '<a href="/gone/">x</a></main>'),
        encoding="utf-8",
    )
    cached = check_site(settings, out)
    monkeypatch.setattr(site, "PARALLEL_FROM", 0)  # every page parsed in worker processes
    # A cache of its own: every page parsed afresh, none taken from the checks above.
    parallel = check_site(load_settings(PATH=str(BLOG), CACHE_PATH=str(tmp_path / "new")), out)
    assert [p.message for p in cached.errors] == [p.message for p in parallel.errors]
    assert any("'/gone/'" in p.message for p in cached.errors)


def test_reading_only_the_header_gives_what_pelicans_reader_gives(tmp_path):
    # The check reads each post's metadata header only; the posts, their dates, slugs, statuses
    # and output paths must be the ones Pelican's full Markdown reader gives.
    from conftest import TEST_SITE
    from happening.workflow.check import sources
    from happening.workflow.posts import read_posts

    settings = load_settings(PATH=str(TEST_SITE), CACHE_PATH=str(tmp_path))
    full, _ = read_posts(settings)
    header = sources.read(settings)

    def described(article):
        return (
            article.source_path,
            article.title,
            article.date,
            article.slug,
            article.status,
            str(article.category),
            [str(t) for t in getattr(article, "tags", [])],
            article.save_as,
        )

    assert [described(a) for a in header.posts] == [described(a) for a in full]
    assert {bool(a.metadata.get("summary")) for a in header.posts} == {
        bool(a.metadata.get("summary")) for a in full
    }
    assert [p.source_path for p in header.pages] == [str(TEST_SITE / "pages" / "about.md")]


def test_headers_come_from_the_last_checks_cache_until_a_file_or_a_setting_changes(
    tmp_path, monkeypatch
):
    from happening.workflow.check import sources

    content = tmp_path / "content"
    shutil.copytree(BLOG, content)
    settings = {"PATH": str(content), "CACHE_PATH": str(tmp_path / "cache")}
    read = []

    def counting_read(reader, path):
        read.append(path)
        return header_read(reader, path)

    def seen(result):
        return sorted((p.source_path, p.title, p.date.isoformat(), p.slug) for p in result.posts)

    header_read = sources.HeaderReader._read
    monkeypatch.setattr(sources.HeaderReader, "_read", counting_read)
    first = sources.read(load_settings(**settings))
    assert read and (tmp_path / "cache" / "check-headers.pickle").is_file()
    every, read[:] = list(read), []
    assert seen(sources.read(load_settings(**settings))) == seen(first) and read == []
    # A source's bytes changed: that file alone is read again, and its new title is seen.
    post = sorted((content / "posts").glob("*.md"))[0]
    post.write_text(post.read_text().replace("Title: ", "Title: Now ", 1))
    again = sources.read(load_settings(**settings))
    assert read == [str(post)]
    assert [p.title for p in again.posts if p.source_path == str(post)][0].startswith("Now ")
    # A setting that shapes the header (dates are read in TIMEZONE): every file again.
    read.clear()
    elsewhere = sources.read(load_settings(**settings, TIMEZONE="Pacific/Auckland"))
    assert sorted(read) == sorted(every)
    assert seen(elsewhere) != seen(again)


def test_a_file_the_build_did_not_write_again_is_not_read_again(tmp_path, monkeypatch):
    from happening.workflow.check import cache

    out = tmp_path / "output"
    build_into(out)
    settings = load_settings(PATH=str(BLOG), CACHE_PATH=str(tmp_path / "check-cache"))
    fresh = check_site(settings, out)
    assert (tmp_path / "check-cache" / cache.DIGESTS_FILE).is_file()
    digested = calls_of(monkeypatch, cache, "digest")
    assert check_site(settings, out).problems == fresh.problems
    assert digested == []  # every page and feed as the last check read it
    # Rewritten with the same bytes and its times set back: the ctime still moved, so it is
    # read again; one rewritten with a broken link is read again and the link found.
    feed = out / "feeds" / "all.atom.xml"
    times = feed.stat()
    feed.write_bytes(feed.read_bytes())
    os.utime(feed, ns=(times.st_atime_ns, times.st_mtime_ns))
    page = out / "about" / "index.html"
    page.write_text(
        page.read_text(encoding="utf-8").replace("</main>", '<a href="/gone/">x</a></main>'),
        encoding="utf-8",
    )
    again = check_site(settings, out)
    assert sorted(digested, key=len) == sorted([feed.read_bytes(), page.read_bytes()], key=len)
    assert [p.message for p in again.errors] == ["links to '/gone/', which is not in the site"]
    # The same files in another folder: none of their digests is taken from this one's.
    elsewhere = tmp_path / "elsewhere"
    shutil.copytree(out, elsewhere)
    digested.clear()
    assert check_site(settings, elsewhere).problems == again.problems
    assert len(digested) == sum(1 for p in elsewhere.rglob("*.html")) + len(
        [p for p in elsewhere.rglob("*") if p.suffix in (".xml", ".json") and "feeds" in p.parts]
    )
