"""The search index in shards (`happening.search`): a release re-indexes only the shards whose
pages changed, and the index it leaves is the one a cold index of the same pages writes.

The readers' site has posts in 2023, 2024, 2025 and 2026: four shards, one per year.
"""

import filecmp
import json
import os
import shutil

import pytest

from conftest import calls_of, write_files
from happening import search
from happening.build import PROD_SETTINGS
from happening.workflow import reuse
from readers_support import READERS, SITEURL, build_readers

YEARS = ["2023-1", "2024-1", "2025-1", "2026-1"]


@pytest.fixture
def content(tmp_path):
    folder = tmp_path / "content"
    shutil.copytree(READERS, folder)
    return folder


def release_build(tmp_path, content, siteurl=SITEURL):
    """The production build a release runs (reusing the last one), with its search index."""
    reuse.production_build(
        PROD_SETTINGS,
        search=True,
        PATH=str(content),
        OUTPUT_PATH=str(tmp_path / "output"),
        CACHE_PATH=str(tmp_path / "cache"),
        SITEURL=siteurl,
    )
    return tmp_path / "output"


def indexed_again(monkeypatch):
    """The shards Pagefind is run on from now on, in the order they are started."""
    runs = []
    real = search.Indexing._pagefind

    def counting(self, shard):
        runs.append(shard.name)
        return real(self, shard)

    monkeypatch.setattr(search.Indexing, "_pagefind", counting)
    return runs


def shard_files(output):
    """Each file of the index with its inode and time: the same values mean not rewritten."""
    bundle = output / search.BUNDLE
    return {
        p.relative_to(bundle).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
        for p in bundle.rglob("*")
        if p.is_file()
    }


def differences(a, b):
    left = {p.relative_to(a) for p in a.rglob("*") if p.is_file()}
    right = {p.relative_to(b) for p in b.rglob("*") if p.is_file()}
    differ = sorted(str(p) for p in left ^ right)
    return differ + [str(p) for p in sorted(left & right) if not filecmp.cmp(a / p, b / p, False)]


def cold_index(tmp_path, output):
    """A cold index of the pages of ``output``, in a folder of its own: its ``pagefind/``."""
    pages = tmp_path / "cold-pages"
    shutil.copytree(output, pages, ignore=shutil.ignore_patterns(search.BUNDLE))
    search.index_site(pages, tmp_path / "cold-cache")
    return pages / search.BUNDLE


def new_post(content, slug, date, body="A new post, written after the release."):
    (content / "posts" / f"{slug}.md").write_text(
        f"Title: {slug.title()}\nSlug: {slug}\nDate: {date}\nCategory: Notes\n"
        f"Summary: Written after the release.\n\n{body}\n",
        encoding="utf-8",
    )


def listed(output):
    return json.loads((output / search.ENTRY).read_text())["shards"]


def test_posts_are_in_the_shard_of_their_year_and_listed_with_their_languages(tmp_path):
    out = tmp_path / "output"
    build_readers(out, search=True)
    assert listed(out) == [
        {"path": "2023-1/", "languages": ["en", "fr"]},  # the French translation of airships
        {"path": "2024-1/", "languages": ["en"]},
        {"path": "2025-1/", "languages": ["en"]},
        {"path": "2026-1/", "languages": ["en"]},
    ]
    shards = {s.name: s.pages for s in search.plan_shards(out)}
    assert "posts/airships/index.html" in shards["2023-1"]
    assert "fr/posts/airships/index.html" in shards["2023-1"]
    assert shards["2026-1"] == ("posts/winter-swim/index.html",)
    # Every shard is a bundle the search page can load first, without Pagefind's own UIs.
    for shard in YEARS:
        assert (out / search.BUNDLE / shard / "pagefind.js").is_file()
        assert not (out / search.BUNDLE / shard / "pagefind-ui.js").exists()


def test_a_new_post_re_indexes_only_the_newest_shard(tmp_path, content, monkeypatch):
    out = release_build(tmp_path, content)
    before = shard_files(out)
    runs = indexed_again(monkeypatch)
    new_post(content, "harbour-lights", "2026-02-01 09:00")
    release_build(tmp_path, content)
    assert runs == ["2026-1"]
    after = shard_files(out)
    for path, stat in before.items():
        if not path.startswith("2026-1/") and path != "shards.json":
            assert after[path] == stat, path  # the older shards' files were not even rewritten
    assert "posts/harbour-lights/index.html" in search.plan_shards(out)[-1].pages
    assert differences(out / search.BUNDLE, cold_index(tmp_path, out)) == []


def test_an_old_posts_edit_re_indexes_only_its_shard(tmp_path, content, monkeypatch):
    out = release_build(tmp_path, content)
    runs = indexed_again(monkeypatch)
    knots = content / "posts/knots.md"  # 2024
    knots.write_text(knots.read_text().replace("bowline makes", "bowline, king of knots, makes"))
    release_build(tmp_path, content)
    assert runs == ["2024-1"]
    assert differences(out / search.BUNDLE, cold_index(tmp_path, out)) == []
    runs.clear()
    release_build(tmp_path, content)  # nothing changed: no Pagefind at all
    assert runs == []


def test_a_deleted_post_leaves_its_shard_and_a_year_with_no_post_left_goes(
    tmp_path, content, monkeypatch
):
    out = release_build(tmp_path, content)
    runs = indexed_again(monkeypatch)
    (content / "posts/knots.md").unlink()
    (content / "posts/winter-swim.md").unlink()  # the only post of 2026
    release_build(tmp_path, content)
    # Only knots' shard: the links to it from other posts' related reading and from its
    # neighbours are no part of what Pagefind reads, and 2026 has no post left to index.
    assert runs == ["2024-1"]
    assert [s["path"] for s in listed(out)] == ["2023-1/", "2024-1/", "2025-1/"]
    assert not (out / search.BUNDLE / "2026-1").exists()
    entry = json.loads((out / search.BUNDLE / "2024-1/pagefind-entry.json").read_text())
    assert entry["languages"]["en"]["page_count"] == 7  # 8 posts of 2024, less knots
    assert differences(out / search.BUNDLE, cold_index(tmp_path, out)) == []


def test_a_new_year_adds_a_shard_and_the_index_stays_the_cold_one(tmp_path, content, monkeypatch):
    out = release_build(tmp_path, content)
    runs = indexed_again(monkeypatch)
    # Back-dated to a year with no post yet (a future date would not be published).
    new_post(content, "from-2022", "2022-06-01 09:00")
    release_build(tmp_path, content)
    assert runs == ["2022-1"]  # 2023's first post has a "previous" link now, not indexed
    assert [s["path"] for s in listed(out)] == [f"{y}/" for y in ["2022-1", *YEARS]]
    assert differences(out / search.BUNDLE, cold_index(tmp_path, out)) == []


def test_a_big_year_is_cut_in_date_order_so_its_newest_post_touches_one_shard(
    tmp_path, content, monkeypatch
):
    monkeypatch.setattr(search, "POSTS_PER_SHARD", 4)
    out = tmp_path / "output"
    build_readers(out, content, DELETE_OUTPUT_DIRECTORY=False)
    search.index_site(out, tmp_path / "cache")
    shards = {s.name: s.pages for s in search.plan_shards(out)}
    # 2023's nine posts and a translation, oldest first: 4, 4 and 2.
    assert [len(shards[f"2023-{n}"]) for n in (1, 2, 3)] == [4, 4, 2]
    assert shards["2023-1"][0] == "posts/slow-web/index.html"  # 10 January, the year's first
    assert shards["2023-3"][-1] == "posts/newsletters/index.html"  # 1 November, its last
    runs = indexed_again(monkeypatch)
    newsletters = content / "posts/newsletters.md"
    newsletters.write_text(newsletters.read_text() + "\nOne more paragraph.\n")
    build_readers(out, content, DELETE_OUTPUT_DIRECTORY=False)
    search.index_site(out, tmp_path / "cache")
    assert runs == ["2023-3"]


def test_only_pages_marked_for_pagefind_are_in_a_shard(tmp_path):
    site = tmp_path / "site"
    pages = {
        "posts/a/index.html": '<html lang="en"><meta property="article:published_time" '
        'content="2024-05-01T09:00:00+00:00"><article data-pagefind-body>A</article></html>',
        "about/index.html": '<html lang="en"><main data-pagefind-body>About</main></html>',
        # A listing that quotes the attribute in a post's summary: text, not markup.
        "index.html": '<html lang="en"><p>Mark it with data-pagefind-body &lt;b&gt;</p></html>',
        "tags/index.html": '<html lang="en"><main>Tags</main></html>',
        "pagefind/old.html": "<html><main data-pagefind-body>Old</main></html>",
    }
    write_files(site, pages)
    planned = {s.name: s.pages for s in search.plan_shards(site)}
    assert planned == {"2024-1": ("posts/a/index.html",), "pages": ("about/index.html",)}


def test_a_failed_shard_keeps_the_last_index_and_the_next_run_recovers(tmp_path, content):
    import sys

    out = tmp_path / "output"
    cache = tmp_path / "cache"
    build_readers(out, content, DELETE_OUTPUT_DIRECTORY=False)
    search.index_site(out, cache)
    before = shard_files(out)
    new_post(content, "harbour-lights", "2026-02-01 09:00")
    build_readers(out, content, DELETE_OUTPUT_DIRECTORY=False)
    broken = [sys.executable, "-c", "import sys; sys.exit('pagefind: cannot read the pages')"]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(search, "PAGEFIND", broken)
        with pytest.raises(search.SearchIndexError, match=r"exit 1.*shard 2026-1.*\n.*cannot read"):
            search.index_site(out, cache)
    assert shard_files(out) == before  # the output's index is the last complete one
    assert not (cache / search.STAGING).exists() and not (cache / search.SOURCES).exists()
    assert search.index_site(out, cache).shards == ("2026-1",)
    assert differences(out / search.BUNDLE, cold_index(tmp_path, out)) == []


def test_an_index_it_cannot_trust_is_redone_whole(tmp_path, content):
    out, cache = tmp_path / "output", tmp_path / "cache"
    build_readers(out, content, DELETE_OUTPUT_DIRECTORY=False)
    # A whole-site bundle as the index was before it had shards: replaced, nothing of it left.
    stale = out / search.BUNDLE
    stale.mkdir()
    (stale / "pagefind.js").write_text("// an older index")
    (stale / "pagefind-entry.json").write_text("{}")
    assert search.index_site(out, cache).shards == tuple(YEARS)
    assert sorted(p.name for p in stale.iterdir()) == [*YEARS, "shards.json"]
    # A run that stopped between moving shards in and recording them: no state, so all again.
    (cache / search.STATE_FILE).unlink()
    assert search.index_site(out, cache).shards == tuple(YEARS)
    assert search.index_site(out, cache).skipped is True


def test_a_shard_digests_what_pagefind_reads_not_what_follows_the_post(tmp_path):
    post = (
        '<html lang="en"><head><title>{title}</title></head><body><article data-pagefind-body>'
        "<h1>{title}</h1><p>Text<article>quoted</article></p></article>"
        '<aside class="related">{related}</aside></body></html>'
    )
    page = post.format(title="Knots", related="Ferries").encode()
    read = search.what_pagefind_reads(page)
    assert read.endswith(b"quoted</article></p></article>")  # the body element, nested and all
    assert search.what_pagefind_reads(post.format(title="Knots", related="Maps").encode()) == read
    assert (
        search.what_pagefind_reads(post.format(title="Bends", related="Ferries").encode()) != read
    )
    # Pagefind attributes after the body (a filter there) or a body never closed: the page.
    filtered = page.replace(b'class="related"', b'data-pagefind-filter="tag"')
    assert search.what_pagefind_reads(filtered) == filtered
    unclosed = page[: page.index(b"<aside")].replace(b"</article></p></article>", b"</p>")
    assert search.what_pagefind_reads(unclosed) == unclosed


@pytest.mark.browser
def test_a_deleted_post_is_no_longer_found_in_the_browser(tmp_path, content):
    from playwright.sync_api import sync_playwright

    from test_browser import CHROMIUM, FLAGS, serving

    with serving(tmp_path / "output") as base, sync_playwright() as p:
        release_build(tmp_path, content, base)
        (content / "posts/knots.md").unlink()
        release_build(tmp_path, content, base)
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            page = browser.new_page()
            page.goto(f"{base}/search/?q=zeppelin", wait_until="load")
            page.locator("#search-results li").first.wait_for()  # 2023's shard, kept as it was
            assert page.locator("#search-results h2 a").all_inner_texts() == [
                "Airships over the harbour"
            ]
            page.get_by_label("Search the posts").fill("bowline")
            page.wait_for_function(
                "document.getElementById('search-status').textContent.includes('bowline')"
                " || !document.querySelector('#search-results a[href*=airships]')"
            )
            links = [a.get_attribute("href") for a in page.locator("#search-results a").all()]
            assert not [href for href in links if "/posts/knots/" in href]
        finally:
            browser.close()


def test_the_plan_reads_only_the_pages_written_since_and_plans_what_a_fresh_one_does(
    tmp_path, content, monkeypatch
):
    out = release_build(tmp_path, content)
    cache = tmp_path / "cache"
    assert (cache / search.PAGES_FILE).is_file()
    described = calls_of(monkeypatch, search, "_describe")
    first = search.plan_shards(out, cache)
    assert first == search.plan_shards(out)  # the second, with nothing kept, reads every page
    pages = sum(1 for p in out.rglob("*.html") if search.BUNDLE not in p.parts)
    assert len(described) == pages  # ... and the first none: every page as the build left it
    # A post rewritten with the same length and its times set back: its ctime still moved,
    # so it is read again, and the changed word is in its shard's digest.
    post = out / "posts" / "winter-swim" / "index.html"
    times = post.stat()
    post.write_bytes(post.read_bytes().replace(b"<h1", b"<h1 data-x", 1)[: times.st_size])
    os.utime(post, ns=(times.st_atime_ns, times.st_mtime_ns))
    described.clear()
    again = search.plan_shards(out, cache)
    assert described == [post.read_bytes()]
    assert again == search.plan_shards(out) != first
