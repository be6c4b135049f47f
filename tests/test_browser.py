"""The essay in a real browser (Debian's chromium): phone and desktop, light and dark.

The site is built with production settings for a local server on 127.0.0.1 and a Buttondown
sign-up form, then checked the way a reader meets it: no sideways scrolling, a visible labelled
email field that the keyboard reaches, and no axe-core violations. Screenshots go to artifacts/.
"""

import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import sync_playwright

from conftest import ROOT
from theme_support import ESSAY_URL, build_real_site, build_theme_site

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = ROOT / "artifacts"


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):  # Keep pytest's output for failures.
        pass


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The real essay, built for and served from a server on 127.0.0.1."""
    out = tmp_path_factory.mktemp("browser") / "output"
    out.mkdir()
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(out)))
    base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        build_real_site(out, SITEURL=base, DELETE_OUTPUT_DIRECTORY=False)
        yield base
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield chromium
        chromium.close()


def open_page(browser, url, width, scheme):
    context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme)
    page = context.new_page()
    failed = []
    page.on("requestfailed", lambda r: failed.append(r.url))
    page.on("response", lambda r: r.status >= 400 and failed.append(f"{r.status} {r.url}"))
    page.goto(url, wait_until="load")
    return context, page, failed


def no_horizontal_overflow(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def assert_no_axe_violations(page):
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [390, 1280])
def test_essay_reads_well_and_the_subscribe_form_is_reachable(browser, site, width, scheme):
    context, page, failed = open_page(browser, f"{site}/{ESSAY_URL}", width, scheme)
    try:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"essay-{width}-{scheme}.png"), full_page=True)
        assert failed == []  # Every request answered, favicon included.
        assert no_horizontal_overflow(page)
        background = page.evaluate("getComputedStyle(document.body).backgroundColor")
        assert background == ("rgb(253, 252, 250)" if scheme == "light" else "rgb(23, 23, 26)")

        email = page.get_by_label("Email address")
        assert email.is_visible() and email.get_attribute("type") == "email"
        assert page.get_by_role("button", name="Subscribe").is_visible()
        for _ in range(80):  # Tab through the page as a keyboard user would.
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.id") == "subscribe-email":
                break
        else:
            pytest.fail("Tab never reached the subscribe form's email field")
        outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
        assert outline == "solid"  # A visible focus ring.
        assert_no_axe_violations(page)
    finally:
        context.close()


@pytest.mark.parametrize("width, scheme", [(320, "light"), (1280, "dark")])
def test_home_page_has_no_overflow_and_no_axe_violations(browser, site, width, scheme):
    context, page, failed = open_page(browser, f"{site}/", width, scheme)
    try:
        assert failed == []
        assert no_horizontal_overflow(page)
        assert_no_axe_violations(page)
    finally:
        context.close()


def test_the_essay_fits_the_narrowest_phone(browser, site):
    context, page, _ = open_page(browser, f"{site}/{ESSAY_URL}", 320, "light")
    try:
        assert no_horizontal_overflow(page)
    finally:
        context.close()


@pytest.fixture(scope="module")
def test_site_url(tmp_path_factory):
    """tests/data/site (follow-ups, long-form blocks, two index pages), feeds-only subscribe box."""
    out = tmp_path_factory.mktemp("browser-test-site") / "output"
    out.mkdir()
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(out)))
    base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        build_theme_site(out, prod=True, SITEURL=base, DELETE_OUTPUT_DIRECTORY=False)
        yield base
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize(
    "path, width, scheme",
    [
        ("posts/typography-and-the-long-read/", 390, "dark"),
        ("posts/first-light/", 1280, "light"),
        ("posts/light-once-more/", 390, "light"),
        ("page/2/", 390, "dark"),
        ("archives/", 1280, "dark"),
        ("tags/", 390, "light"),
        ("404.html", 390, "dark"),
    ],
)
def test_other_pages_have_no_overflow_and_no_axe_violations(
    browser, test_site_url, path, width, scheme
):
    context, page, failed = open_page(browser, f"{test_site_url}/{path}", width, scheme)
    try:
        assert failed == []
        assert no_horizontal_overflow(page)
        assert_no_axe_violations(page)
    finally:
        context.close()
