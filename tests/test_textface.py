"""The theme's text face: fetched by ./inv, subset to Latin, WOFF2, preloaded, within budget."""

import os
import subprocess

from fontTools.ttLib import TTFont

from conftest import ROOT, soup
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


def _font_current(project):
    """``./inv``'s own check, run on ``project``: 0 when it skips starting Python for the font."""
    inv = (ROOT / "inv").read_text()
    start = inv.index("font_current() {")
    function = inv[start : inv.index("\n}\n", start) + 3]
    return subprocess.run(
        ["bash", "-c", f"{function}font_current"], cwd=project, check=False
    ).returncode


def test_inv_skips_the_font_check_only_while_the_stamp_vouches_for_every_file(tmp_path):
    recipe = tmp_path / "happening/textface.py"
    recipe.parent.mkdir()
    recipe.write_text("# the recipe\n")
    made = [f.relative_to(ROOT) for f in textface.MADE]
    for rel in made:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_bytes(b"font")
    stamp = tmp_path / textface.STAMP.relative_to(ROOT)
    text = textface.stamp_text()
    assert text.splitlines() == [textface.spec_digest(), *(str(rel) for rel in made)]
    stamp.write_text(text)
    os.utime(recipe, ns=(stamp.stat().st_mtime_ns - 10**9,) * 2)
    assert _font_current(tmp_path) == 0

    (tmp_path / made[0]).unlink()  # a made file gone: Python fetches it again
    assert _font_current(tmp_path) == 1
    (tmp_path / made[0]).write_bytes(b"font")
    os.utime(recipe, ns=(stamp.stat().st_mtime_ns + 10**9,) * 2)  # the recipe edited since
    assert _font_current(tmp_path) == 1
    os.utime(recipe, ns=(stamp.stat().st_mtime_ns - 10**9,) * 2)
    stamp.write_text(textface.spec_digest())  # an older stamp, with no files listed
    assert _font_current(tmp_path) == 1
    stamp.unlink()
    assert _font_current(tmp_path) == 1


def test_the_stamp_is_current_after_inv():
    assert textface.STAMP.read_text() == textface.stamp_text()
