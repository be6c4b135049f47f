"""The theme's text face: fetched by ./inv, subset to Latin, WOFF2, preloaded, within budget."""

from fontTools.ttLib import TTFont

from conftest import soup
from happening import textface
from theme_support import ESSAY_URL


def test_the_web_font_is_a_latin_subset_in_woff2():
    assert textface.up_to_date()  # ./inv wrote it from the pinned package
    font = TTFont(textface.WEB)
    assert font.flavor == "woff2"
    covered = set(font.getBestCmap())
    assert {ord(c) for c in "Aaz09é—“”…€"} <= covered
    assert ord("Ж") not in covered and len(covered) < 250  # Latin only
    assert "OFL" in textface.LICENSE.read_text() or "Open Font" in textface.LICENSE.read_text()


def test_every_page_preloads_the_face_the_stylesheet_asks_for(real_site_prod):
    page = soup(real_site_prod / ESSAY_URL / "index.html")
    (preload,) = page.find_all("link", rel="preload")
    assert preload["as"] == "font" and preload["type"] == "font/woff2"
    assert preload.has_attr("crossorigin")  # fonts are fetched in CORS mode, or loaded twice
    assert preload["href"].endswith("/theme/fonts/source-serif-4-latin-400.woff2")
    assert (real_site_prod / "theme/fonts/source-serif-4-latin-400.woff2").is_file()
