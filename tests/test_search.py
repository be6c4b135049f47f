"""Search: Pagefind's index after the build, a search page that works with and without
JavaScript, and nothing of it on any post page."""

import json
import shutil
from collections import Counter

import pytest

from conftest import soup
from happening import search
from readers_support import READERS, build_readers
from theme_support import ESSAY_URL, build_real_site


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The readers' site, built and indexed as `./inv preview` does."""
    out = tmp_path_factory.mktemp("search") / "output"
    build_readers(out, search=True)
    return out


def test_pagefind_indexes_every_post_once_per_language(site):
    languages = Counter()
    for shard in json.loads((site / search.ENTRY).read_text())["shards"]:
        entry = json.loads(
            (site / search.BUNDLE / shard["path"] / "pagefind-entry.json").read_text()
        )
        languages.update({lang: info["page_count"] for lang, info in entry["languages"].items()})
        assert (site / search.BUNDLE / shard["path"] / "pagefind.js").is_file()
    assert languages == {"en": 22, "fr": 1}  # the posts only: no listing, tag or search page


def test_a_rebuild_with_no_changed_page_skips_the_index_and_a_change_redoes_it(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(READERS, content)
    out, cache = tmp_path / "output", tmp_path / "output-cache"
    build_readers(out, content, DELETE_OUTPUT_DIRECTORY=False)
    assert search.index_site(out, cache).skipped is False
    assert search.index_site(out, cache).skipped is True
    post = content / "posts/knots.md"
    post.write_text(post.read_text().replace("bowline makes", "bowline, the king of knots, makes"))
    build_readers(out, content, DELETE_OUTPUT_DIRECTORY=False)
    again = search.index_site(out, cache)
    assert again.skipped is False and again.shards == ("2024-1",)  # the shard of knots' year


def test_the_search_form_works_without_javascript(site):
    page = soup(site / "search/index.html")
    form = page.select_one("form.search-form[role=search]")
    assert form["method"] == "get" and form["action"].endswith("/search/")
    field = form.select_one("input[type=search][name=q]")
    assert page.select_one(f"label[for={field['id']}]")
    browse = [a["href"] for a in page.select(".search-browse a")]
    assert [h.rsplit("/", 2)[-2] for h in browse] == ["archives", "tags"]
    assert page.find("noscript")  # says why there are no results without JavaScript


def test_no_post_page_loads_anything_of_search(site, tmp_path):
    essay_site = tmp_path / "essay"
    build_real_site(essay_site, search=True)
    pages = [essay_site / ESSAY_URL / "index.html", *sorted(site.glob("posts/*/index.html"))]
    assert len(pages) > 20
    for path in pages:
        html = path.read_text()
        assert "pagefind" not in html.replace("data-pagefind-", ""), path
        assert "search.js" not in html and "<script src" not in html, path


def test_posts_mark_what_pagefind_indexes(site):
    page = soup(site / "posts/airships/index.html")
    body = page.select_one("[data-pagefind-body]")
    assert body.find("h1").get_text() == "Airships over the harbour"
    assert body.select_one("[data-pagefind-meta]")["data-pagefind-meta"] == "date:21 March 2023"
    assert page.select_one(".post-footer")["data-pagefind-ignore"] is not None


# -- In the browser ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """The readers' site, indexed, on a server on 127.0.0.1, and a headless chromium."""
    from playwright.sync_api import sync_playwright

    from test_browser import CHROMIUM, FLAGS, serving

    out = tmp_path_factory.mktemp("search-browser") / "output"
    with serving(out) as base, sync_playwright() as p:
        build_readers(out, SITEURL=base, DELETE_OUTPUT_DIRECTORY=False, search=True)
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield base, browser
        browser.close()


def open_page(browser, url, requests):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.on("request", lambda r: requests.append(r.url))
    page.goto(url, wait_until="load")
    return context, page


@pytest.mark.browser
def test_typing_a_query_shows_the_right_post(served):
    base, browser = served
    requests = []
    context, page = open_page(browser, f"{base}/search/", requests)
    try:
        assert not [r for r in requests if "/pagefind/" in r]  # nothing until the reader types
        page.get_by_label("Search the posts").press_sequentially("zeppelin", delay=20)
        result = page.locator("#search-results li").first
        result.wait_for()
        assert page.locator("#search-results li").count() == 1
        link = result.locator("h2 a")
        assert link.inner_text() == "Airships over the harbour"
        assert link.get_attribute("href").endswith("/posts/airships/")
        assert result.locator(".post-meta").inner_text() == "21 March 2023"
        assert "zeppelin" in result.locator("mark").first.inner_text().lower()
        assert page.locator("#search-status").inner_text() == "1 post matches:"
        from axe_playwright_python.sync_playwright import Axe

        results = Axe().run(page)  # with results shown: WCAG 2.2 AA as every page
        assert results.violations_count == 0, results.generate_report()
    finally:
        context.close()


@pytest.mark.browser
def test_a_submitted_query_in_the_address_shows_its_results(served):
    base, browser = served
    context, page = open_page(browser, f"{base}/search/?q=bowline", [])
    try:
        page.locator("#search-results li").first.wait_for()
        titles = page.locator("#search-results h2 a").all_inner_texts()
        assert titles[0] == "Six knots worth knowing"
        # A shard with no word starting "bowline" searches its longest prefix that it has
        # (Pagefind's fallback, pagefind/pagefind#315): the bread's "bowl", ranked below.
        assert titles[1:] == ["Baking bread in a small kitchen"]
        assert page.get_by_label("Search the posts").input_value() == "bowline"
    finally:
        context.close()


@pytest.mark.browser
def test_a_post_page_requests_nothing_of_search(served):
    base, browser = served
    requests = []
    context, _ = open_page(browser, f"{base}/posts/airships/", requests)
    context.close()
    assert requests and not [r for r in requests if "pagefind" in r or "search.js" in r]


@pytest.mark.browser
def test_results_from_the_oldest_and_the_newest_shard_are_ranked_together(served):
    base, browser = served
    requests = []
    context, page = open_page(browser, f"{base}/search/?q=water", requests)
    try:
        page.locator("#search-results li").first.wait_for()
        titles = page.locator("#search-results h2 a").all_inner_texts()
        # Two posts of 2023 (shard 2023-1) and one of 2026 (2026-1), in one list.
        assert sorted(titles) == [
            "Harbour lights at night",
            "Reading tide tables",
            "Swimming through the winter",
        ]
        hrefs = [a.get_attribute("href") for a in page.locator("#search-results h2 a").all()]
        assert all(href.startswith("/posts/") for href in hrefs), hrefs  # every shard alike
        dates = page.locator("#search-results .post-meta").all_inner_texts()
        assert "5 January 2026" in dates and len(dates) == 3  # each result's date still shows
        assert page.locator("#search-status").inner_text() == "3 posts match:"
        # Pagefind loaded from the first English shard, the others merged; none of French only.
        loaded = {r.split("/pagefind/")[1].split("/")[0] for r in requests if "/pagefind/" in r}
        assert loaded == {"shards.json", "2023-1", "2024-1", "2025-1", "2026-1"}
    finally:
        context.close()
