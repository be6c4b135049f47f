"""Sign-up and the local preview in a real browser (Debian's chromium), per provider.

The form (Buttondown), the ``mailto:`` address (SMTP) or feeds only (outbox) on the home page,
/subscribe/ and a post, each page without axe violations; and `serve` after a production
`publish` still showing the styled local build, every link on this machine.
"""

import shutil
import threading
from contextlib import contextmanager

import pytest
from pelican.server import ComplexHTTPRequestHandler, RootedHTTPServer
from playwright.sync_api import sync_playwright

from conftest import BLOG, ROOT
from test_browser import (
    CHROMIUM,
    FLAGS,
    assert_no_axe_violations,
    no_horizontal_overflow,
    open_page,
    serving,
)
from theme_support import ACTIONS, ESSAY_URL, PROVIDERS, build_theme_site

pytestmark = pytest.mark.browser

PAGES = ["", "subscribe/", ESSAY_URL]
LIGHT = "rgb(253, 252, 250)"
MAILTO = "mailto:join@happeningnow.example?subject=subscribe"


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module", params=list(PROVIDERS))
def provider_site(request, tmp_path_factory):
    out = tmp_path_factory.mktemp(f"signup-{request.param}") / "output"
    with serving(out) as base:
        settings = {"SITEURL": base, "DELETE_OUTPUT_DIRECTORY": False, **PROVIDERS[request.param]}
        build_theme_site(out, BLOG, prod=True, **settings)
        yield request.param, base


@pytest.mark.parametrize("path", PAGES)
def test_the_sign_up_is_on_every_page_it_belongs(browser, provider_site, path):
    provider, base = provider_site
    with open_page(browser, f"{base}/{path}", 390, "light") as (page, failed):
        assert failed == []
        assert no_horizontal_overflow(page)
        box = page.locator("section.subscribe")
        assert box.count() == 1 and box.is_visible()
        if provider in ACTIONS:
            assert box.locator("form").get_attribute("action") == ACTIONS[provider]
            email = box.get_by_label("Email address")
            assert email.is_visible() and email.get_attribute("type") == "email"
            assert box.get_by_role("button", name="Subscribe").is_visible()
        elif provider == "smtp":
            link = box.get_by_role("link", name="join@happeningnow.example")
            assert link.get_attribute("href") == MAILTO
        else:
            assert box.locator("form").count() == 0
        assert_no_axe_violations(page)


def test_feed_addresses_copy_with_a_script_and_read_without_one(browser, provider_site):
    _, base = provider_site
    with open_page(browser, f"{base}/subscribe/", 1280, "dark") as (page, _):
        first = page.locator("code.feed-address").first
        assert first.inner_text() == f"{base}/feeds/all.atom.xml"
        button = page.get_by_role("button", name="Copy the Atom feed address")
        assert button.is_visible()  # The script showed it: 127.0.0.1 is a secure context.
        page.context.grant_permissions(["clipboard-read", "clipboard-write"])
        button.click()
        page.get_by_role("status").filter(has_text="Copied").wait_for()
        assert page.evaluate("navigator.clipboard.readText()") == f"{base}/feeds/all.atom.xml"
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"{base}/subscribe/")
        assert page.locator("code.feed-address").first.is_visible()
        assert not page.locator("button.copy").first.is_visible()  # No dead button.
    finally:
        context.close()


# -- `serve` after `publish`: production builds into its own folder -----------------------------
@contextmanager
def serving_like_invoke_serve(folder):
    """What `invoke serve` runs (Pelican's handler, rooted at ``folder``), on a free port."""
    server = RootedHTTPServer(str(folder), ("127.0.0.1", 0), ComplexHTTPRequestHandler)
    server.RequestHandlerClass.log_message = lambda *args: None
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_serve_after_publish_still_shows_the_styled_local_build(browser, tmp_path):
    from happening.build import build
    from happening.workflow.publish import publish

    # A project folder with the real settings files, so their own OUTPUT_PATHs are what is tested.
    project = tmp_path / "project"
    project.mkdir()
    for name in ("pelicanconf.py", "publishconf.py"):
        shutil.copy(ROOT / name, project / name)
    (project / "theme").symlink_to(ROOT / "theme")
    shutil.copytree(BLOG, project / "content")
    cache = {"CACHE_PATH": str(tmp_path / "cache")}
    local = build(project / "pelicanconf.py", **cache).output
    publish("dir", settings_file=project / "publishconf.py", PUBLISH_DIR=str(tmp_path / "public"))
    assert local == project / "output" and (project / "output-production/index.html").is_file()

    with (
        serving_like_invoke_serve(local) as base,
        open_page(browser, f"{base}/{ESSAY_URL}", 1280, "light") as (page, failed),
    ):
        assert failed == []  # The stylesheet and favicon come from this machine.
        assert page.evaluate("getComputedStyle(document.body).backgroundColor") == LIGHT
        hrefs = page.eval_on_selector_all("a[href], link[href]", "els => els.map(e => e.href)")
        away = [h for h in hrefs if "happeningnow.example" in h]
        assert away == [] and hrefs
