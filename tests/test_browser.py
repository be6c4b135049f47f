"""The essay in a real browser (Debian's chromium): phone and desktop, light and dark.

The essay is the copy in tests/data/blog, not the writer's content/. The site is built with
production settings for a local server on 127.0.0.1 and a Buttondown sign-up form, then checked
the way a reader meets it: no sideways scrolling, a visible labelled email field that the
keyboard reaches, and no axe-core violations. Screenshots go to artifacts/.
"""

import threading
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import sync_playwright

from conftest import ROOT
from theme_support import ESSAY_URL, build_real_site, build_theme_site

pytestmark = pytest.mark.browser  # `./inv test --quick` leaves these out.

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


@contextmanager
def serving(out):
    """A server on 127.0.0.1 for the folder ``out`` (made empty); yields its base URL.

    It starts before the build, so the site can be built for the address it is served from.
    """
    out.mkdir()
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(out)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The essay (tests/data/blog), built for and served from a server on 127.0.0.1."""
    out = tmp_path_factory.mktemp("browser") / "output"
    with serving(out) as base:
        build_real_site(out, SITEURL=base, DELETE_OUTPUT_DIRECTORY=False)
        yield base


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield chromium
        chromium.close()


@contextmanager
def open_page(browser, url, width, scheme):
    """``url`` loaded in a fresh context, with the requests that failed; closed after use."""
    context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme)
    try:
        page = context.new_page()
        failed = []
        page.on("requestfailed", lambda r: failed.append(r.url))
        page.on("response", lambda r: r.status >= 400 and failed.append(f"{r.status} {r.url}"))
        page.goto(url, wait_until="load")
        yield page, failed
    finally:
        context.close()


def no_horizontal_overflow(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def assert_no_axe_violations(page):
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [390, 1280])
def test_essay_reads_well_and_the_subscribe_form_is_reachable(browser, site, width, scheme):
    with open_page(browser, f"{site}/{ESSAY_URL}", width, scheme) as (page, failed):
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


@pytest.mark.parametrize("width, scheme", [(320, "light"), (1280, "dark")])
def test_home_page_has_no_overflow_and_no_axe_violations(browser, site, width, scheme):
    with open_page(browser, f"{site}/", width, scheme) as (page, failed):
        assert failed == []
        assert no_horizontal_overflow(page)
        assert_no_axe_violations(page)


def test_the_essay_fits_the_narrowest_phone(browser, site):
    with open_page(browser, f"{site}/{ESSAY_URL}", 320, "light") as (page, _):
        assert no_horizontal_overflow(page)


@pytest.fixture(scope="module")
def test_site_url(tmp_path_factory):
    """tests/data/site (follow-ups, long-form blocks, two index pages), feeds-only subscribe box."""
    out = tmp_path_factory.mktemp("browser-test-site") / "output"
    with serving(out) as base:
        build_theme_site(out, prod=True, SITEURL=base, DELETE_OUTPUT_DIRECTORY=False)
        yield base


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
    with open_page(browser, f"{test_site_url}/{path}", width, scheme) as (page, failed):
        assert failed == []
        assert no_horizontal_overflow(page)
        assert_no_axe_violations(page)
