"""The live preview in a real browser (Debian's chromium): every save shows, errors show, 404s.

The site is a copy of tests/data/site served by ``livereload``'s own server on 127.0.0.1; the
test edits the copy as a writer saves a file and waits, with a deadline, for the open page to
show it (Playwright's ``expect`` retries across the page's reloads).
"""

import threading
import time

import pytest
from playwright.sync_api import expect, sync_playwright

from conftest import TEST_SITE, build_into
from happening.plugins.fastbuild import memory
from happening.workflow.serve import start_livereload, stop_livereload
from happening.workflow.siteserver import make_server
from test_browser import CHROMIUM, FLAGS, assert_no_axe_violations, no_horizontal_overflow

pytestmark = pytest.mark.browser  # `./inv test --quick` leaves these out.

SHOWS = 60_000  # ms: a deadline for a save to reach the page on a loaded machine.


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context()
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture
def live(site_copy, tmp_path):
    memory.forget()
    preview, server = start_livereload(
        port=0,
        PATH=str(site_copy),
        OUTPUT_PATH=str(tmp_path / "output"),
        CACHE_PATH=str(tmp_path / "cache"),
    )
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        stop_livereload(preview, server)
        memory.forget()


def save(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_two_saves_one_second_apart_both_reach_the_browser(live, page, site_copy):
    post = site_copy / "posts" / "first.md"
    page.goto(live + "/posts/first-light/")
    body = page.locator("body")
    expect(body).to_contain_text("The opening paragraph")

    first = time.monotonic()
    save(post, "The opening paragraph", "A typo'd paragrahp")
    expect(body).to_contain_text("A typo'd paragrahp", timeout=SHOWS)
    # The fix is saved 1 s after the typo (the old library ignored reloads for 3 s).
    time.sleep(max(0.0, first + 1.0 - time.monotonic()))
    save(post, "A typo'd paragrahp", "A fixed paragraph")
    expect(body).to_contain_text("A fixed paragraph", timeout=SHOWS)


def test_a_broken_save_shows_the_error_page_and_the_fix_clears_it(live, page, site_copy):
    post = site_copy / "posts" / "theme-filler-3.md"
    page.goto(live + "/posts/filler-post-3/")
    expect(page.locator("h1").first).to_contain_text("Filler post number 3")

    save(post, "Date: 2023-03-15 09:00", "Date: not-a-date")
    heading = page.locator("h1").first
    expect(heading).to_have_text("The build failed", timeout=SHOWS)
    where = page.locator(".where")
    expect(where).to_contain_text("content/posts/theme-filler-3.md:3")
    expect(where).to_contain_text("line 3")
    expect(page.locator("#build-error")).to_contain_text("not-a-date")

    save(post, "Date: not-a-date", "Date: 2023-03-15 09:00")
    expect(heading).to_contain_text("Filler post number 3", timeout=SHOWS)
    expect(page.locator("#build-error")).to_have_count(0)


def test_a_plugins_error_names_the_posts_file_and_line_then_the_fix_clears_it(
    live, page, site_copy
):
    # The followups plugin notices the bad slug; the page must name the post, not the plugin.
    post = site_copy / "posts" / "theme-followup-two.md"
    page.goto(live + "/posts/light-once-more/")
    heading = page.locator("h1").first
    expect(heading).to_contain_text("Light, once more")

    save(post, "Follows: light-revisited, first-light", "Follows: light-revisted, first-light")
    expect(heading).to_have_text("The build failed", timeout=SHOWS)
    expect(page.locator(".where")).to_have_text("In content/posts/theme-followup-two.md:6, line 6")
    error = page.locator("#build-error")
    expect(error).to_contain_text(
        "content/posts/theme-followup-two.md:6: followups: Follows: 'light-revisted'"
    )
    expect(error).not_to_contain_text(".py")

    save(post, "Follows: light-revisted, first-light", "Follows: light-revisited, first-light")
    expect(heading).to_contain_text("Light, once more", timeout=SHOWS)
    expect(page.locator("#build-error")).to_have_count(0)


def test_the_error_page_reads_on_a_phone_in_both_schemes(live, page, site_copy):
    save(site_copy / "posts" / "theme-filler-3.md", "Date: 2023-03-15 09:00", "Date: 2023-02-31")
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto(live + "/posts/filler-post-3/")
    expect(page.locator("h1").first).to_have_text("The build failed", timeout=SHOWS)
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        assert no_horizontal_overflow(page)  # The long file name and message wrap.
        assert_no_axe_violations(page)  # Contrast included: the red heading on dark too.


def test_livereload_answers_a_missing_path_with_the_themes_404(live, page):
    response = page.goto(live + "/no/such/page/")
    assert response.status == 404
    expect(page.locator("h1")).to_have_text("Page not found")
    expect(page).to_have_title("Page not found · Happening Now")


def test_serve_answers_a_missing_path_with_the_themes_404(tmp_path, page):
    out = tmp_path / "output"
    build_into(out, content=TEST_SITE)
    server = make_server(out, port=0)  # What `serve` listens with.
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        response = page.goto(f"http://127.0.0.1:{server.server_address[1]}/no/such/page/")
        assert response.status == 404
        expect(page.locator("h1")).to_have_text("Page not found")
        rules = page.evaluate("[...document.styleSheets].map(s => s.cssRules.length)")
        assert rules and all(rules)  # The theme's CSS loaded: the styled page, not a status line.
    finally:
        server.shutdown()
        server.server_close()
