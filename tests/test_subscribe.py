"""Sign-up everywhere it belongs: home, /subscribe/ and after each post, for every provider.

Each provider's build of the blog (tests/data/blog) is read as HTML: a Buttondown form, an SMTP
``mailto:`` link with words about what happens next, or (outbox) feeds only, never a dead form;
and /subscribe/ prints every feed's full address as plain, selectable text.
"""

import pytest

from conftest import build_into, soup
from theme_support import ACTIONS, ESSAY_URL, PROVIDERS, SMTP

PAGES = ["index.html", "subscribe/index.html", f"{ESSAY_URL}index.html"]


@pytest.fixture(scope="module", params=list(PROVIDERS))
def built(request, tmp_path_factory):
    out = tmp_path_factory.mktemp(f"subscribe-{request.param}") / "output"
    build_into(out, **PROVIDERS[request.param])
    return request.param, out


@pytest.mark.parametrize("page", PAGES)
def test_every_page_that_should_offers_the_sign_up(built, page):
    provider, out = built
    box = soup(out / page).select("section.subscribe")
    assert len(box) == 1, f"{page}: one sign-up box"
    form, links = box[0].select("form"), box[0].select('a[href^="mailto:"]')
    if provider in ACTIONS:
        assert form[0]["action"] == ACTIONS[provider] and form[0]["method"] == "post"
        assert form[0].select_one('input[type="email"]')["id"] == "subscribe-email"
    elif provider == "smtp":
        assert not form
        assert links[0]["href"] == "mailto:join@happeningnow.example?subject=subscribe"
        assert "What happens next" in box[0].get_text()
    else:
        assert not form and not links  # No provider to post to: never a form that goes nowhere.


def test_the_subscribe_page_prints_full_feed_addresses(built):
    _, out = built
    page = soup(out / "subscribe/index.html")
    addresses = [c.get_text() for c in page.select("code.feed-address")]
    assert addresses == [
        "http://127.0.0.1:8000/feeds/all.atom.xml",
        "http://127.0.0.1:8000/feeds/all.rss.xml",
        "http://127.0.0.1:8000/feeds/feed.json",
    ]
    # The copy buttons wait for the script: without JavaScript, only the selectable text shows.
    buttons = page.select("button.copy")
    assert len(buttons) == 3 and all(b.has_attr("hidden") for b in buttons)
    assert "at the foot of each post" not in page.get_text()


def test_production_addresses_use_the_public_site(tmp_path):
    from happening.build import PROD_SETTINGS

    out = tmp_path / "output"
    build_into(out, settings=PROD_SETTINGS, SITEURL="https://blog.example")
    page = soup(out / "subscribe/index.html")
    first = page.select_one("code.feed-address").get_text()
    assert first == "https://blog.example/feeds/all.atom.xml"


def test_the_header_subscribe_link_leads_to_the_sign_up(built):
    _, out = built
    nav = soup(out / "index.html").select_one("nav.site-nav")
    link = nav.find("a", string="Subscribe")
    assert link["href"] == "/subscribe/"  # The page opens with the sign-up, right under its title.
    header = soup(out / "subscribe/index.html").select_one("article.post > header")
    assert header.find_next_sibling()["id"] == "subscribe"


def test_the_outbox_build_says_once_that_readers_cannot_subscribe_yet(tmp_path, capsys):
    build_into(tmp_path / "outbox", NEWSLETTER_PROVIDER="outbox")
    said = capsys.readouterr().out
    assert said.count("readers cannot subscribe by email yet") == 1
    assert "set NEWSLETTER_PROVIDER" in said
    build_into(tmp_path / "smtp", **SMTP)
    assert "cannot subscribe" not in capsys.readouterr().out
