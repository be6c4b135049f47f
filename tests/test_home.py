"""The home page: the site's name, its one-line promise and the sign-up, then posts with deks."""

import pytest

from conftest import soup
from readers_support import build_readers
from theme_support import BUTTONDOWN


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("home") / "output"
    build_readers(out, **BUTTONDOWN)
    return out


def test_the_home_page_opens_with_name_promise_and_sign_up_then_the_posts(site):
    page = soup(site / "index.html")
    main = page.find("main")
    assert page.find("h1").get_text(strip=True) == "Happening Now"
    order = [el for el in main.find_all(True) if el.get("class")]
    classes = [" ".join(el["class"]) for el in order]
    assert classes.index("tagline") < classes.index("subscribe") < classes.index("entries")
    assert (
        main.select_one(".tagline").get_text() == "Technology, culture and the people in between."
    )
    assert main.select_one(".subscribe input[type=email]")
    entries = main.select(".entry")
    assert len(entries) == 10  # DEFAULT_PAGINATION
    assert all(e.select_one(".dek").get_text(strip=True) for e in entries)


def test_later_pages_are_just_the_posts(site):
    page = soup(site / "page/2/index.html")
    assert page.select(".tagline") == [] and page.select(".subscribe") == []
    assert page.select(".entry")
