"""Social cards: every post has an og:image that exists at its stated size; cards are cached."""

import io
import json
import re
import shutil
from pathlib import Path

import pytest
from PIL import Image, ImageChops

from conftest import ROOT, soup
from happening.plugins import socialcards
from happening.plugins.socialcards import drawing, render
from readers_support import READERS, SITEURL, build_readers


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("cards") / "output"
    build_readers(out)
    return out


def meta(page, prop):
    tag = page.find("meta", attrs={"property": prop}) or page.find("meta", attrs={"name": prop})
    return tag["content"] if tag else None


def post_pages(site):
    return sorted((site / "posts").glob("*/index.html"))


def test_every_post_has_an_og_image_whose_file_exists_at_the_stated_size(site):
    pages = post_pages(site)
    assert len(pages) >= 22
    for path in pages:
        page = soup(path)
        url = meta(page, "og:image")
        assert url.startswith(f"{SITEURL}/"), path
        file = site / url.removeprefix(f"{SITEURL}/")
        with Image.open(file) as image:
            size = image.size
        assert size == (int(meta(page, "og:image:width")), int(meta(page, "og:image:height")))
        assert meta(page, "og:image:alt")
        assert meta(page, "twitter:card") == "summary_large_image"


def test_a_post_without_a_picture_gets_its_own_1200_by_630_card(site):
    page = soup(site / "posts/tide-tables/index.html")
    assert meta(page, "og:image") == f"{SITEURL}/cards/tide-tables.png"
    assert (meta(page, "og:image:width"), meta(page, "og:image:height")) == ("1200", "630")
    assert meta(page, "og:image:alt") == (
        "Reading tide tables: High water, low water and the rule of twelfths."
    )


def test_a_cover_or_the_posts_first_image_wins_over_the_card(site):
    cover = soup(site / "posts/airships/index.html")
    assert meta(cover, "og:image") == f"{SITEURL}/images/cover.png"
    assert (meta(cover, "og:image:width"), meta(cover, "og:image:height")) == ("800", "420")
    first = soup(site / "posts/photo-essay/index.html")
    assert meta(first, "og:image") == f"{SITEURL}/images/quay.png"
    assert meta(first, "og:image:alt") == "The quay at night, lamps reflected in the water"


def test_the_home_page_shows_the_sites_card(site):
    assert meta(soup(site / "index.html"), "og:image") == f"{SITEURL}/cards/site.png"


def test_feeds_carry_the_card_as_the_entrys_image(site):
    items = {i["url"]: i for i in json.loads((site / "feeds/feed.json").read_text())["items"]}
    assert items[f"{SITEURL}/posts/tide-tables/"]["image"] == f"{SITEURL}/cards/tide-tables.png"
    assert items[f"{SITEURL}/posts/airships/"]["image"] == f"{SITEURL}/images/cover.png"
    atom = (site / "feeds/all.atom.xml").read_text()
    assert f'<media:thumbnail url="{SITEURL}/cards/tide-tables.png" width="1200"' in atom


def test_cards_are_drawn_again_only_when_their_text_changes(tmp_path, monkeypatch):
    content = tmp_path / "content"
    shutil.copytree(READERS, content)
    drawn = []
    real = render.render_card
    monkeypatch.setattr(
        "happening.plugins.socialcards.drawing.render_card",
        lambda title, *args: drawn.append(title) or real(title, *args),
    )
    out = tmp_path / "output"
    build_readers(out, content, DELETE_OUTPUT_DIRECTORY=False)
    assert len(drawn) == 22  # 20 posts without a picture, the translation, the site
    first = (out / "cards/tide-tables.png").stat().st_mtime_ns
    drawn.clear()
    build_readers(out, content, DELETE_OUTPUT_DIRECTORY=False)
    assert drawn == []
    assert (out / "cards/tide-tables.png").stat().st_mtime_ns == first  # not even rewritten
    post = content / "posts/tide-tables.md"
    post.write_text(post.read_text().replace("Title: Reading tide tables", "Title: Tides"))
    build_readers(out, content, DELETE_OUTPUT_DIRECTORY=False)
    assert drawn == ["Tides"]


def test_cards_drawn_by_many_processes_are_the_bytes_drawn_by_one(tmp_path, monkeypatch):
    # A cold build with many cards draws them in forked processes: same files, same bytes.
    one, many = tmp_path / "one", tmp_path / "many"
    build_readers(one / "output")  # Each build has its own empty cache beside its output.
    monkeypatch.setattr(drawing, "MIN_POOL", 1)
    monkeypatch.setattr(drawing, "CHUNK", 2)
    monkeypatch.setattr(drawing, "_cores", lambda: 2)  # Even on a one-core machine.
    pools = []
    real_pool = drawing.ProcessPoolExecutor
    monkeypatch.setattr(
        drawing, "ProcessPoolExecutor", lambda *a, **k: pools.append(a) or real_pool(*a, **k)
    )
    build_readers(many / "output")
    assert pools == [(2,)], "the cards were not drawn in a pool"
    cards = sorted(p.name for p in (one / "output/cards").glob("*.png"))
    assert len(cards) == 22
    assert sorted(p.name for p in (many / "output/cards").glob("*.png")) == cards
    for name in cards:
        assert (one / "output/cards" / name).read_bytes() == (
            many / "output/cards" / name
        ).read_bytes(), name
    assert not list((many / "output-cache").rglob("*.tmp")), "a partial card was left behind"


def test_the_same_card_is_the_same_bytes():
    faces = socialcards.settings.load_settings({"SITENAME": "A blog"}).faces
    one = socialcards.render_card("A title", "A dek", "A blog", faces)
    assert one == socialcards.render_card("A title", "A dek", "A blog", faces)
    with Image.open(io.BytesIO(one)) as image:
        assert image.size == (socialcards.WIDTH, socialcards.HEIGHT) == (1200, 630)


def test_the_cards_colours_are_the_themes_light_tokens():
    css = Path(ROOT / "theme/static/css/site.css").read_text()
    root = css.split(":root {", 1)[1].split("}", 1)[0]
    tokens = dict(re.findall(r"--([a-z-]+):\s*(#[0-9a-f]{6});", root))
    for name, colour in render.COLOURS.items():
        assert tokens[name] == colour, name


def _rgb(colour):
    return tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))


def test_a_card_is_a_palette_png_of_the_themes_colours_and_shades_between_them():
    faces = socialcards.settings.load_settings({"SITENAME": "A blog"}).faces
    data = socialcards.render_card("A title", "A dek", "A blog", faces, "blog.example")
    with Image.open(io.BytesIO(data)) as card:
        assert card.mode == "P"  # one byte a pixel: quick to encode, half the RGB card's size
        rgb = card.convert("RGB")
    bg, accent, text, muted = (_rgb(render.COLOURS[k]) for k in ("bg", "accent", "text", "muted"))
    assert rgb.getpixel((600, 600)) == bg
    assert rgb.getpixel((10, 300)) == accent  # the stripe down the left edge
    line_y = render.HEIGHT - render.MARGIN - 10 - 24
    assert rgb.getpixel((600, line_y)) == muted  # the rule above the site's address
    colours = {colour for _, colour in rgb.getcolors(256)}
    assert {bg, accent, text, muted} <= colours  # every ink appears at full strength
    # Anti-aliased edges: each other colour lies between the background and one of the inks.
    for colour in colours:
        assert any(
            all(min(b, c) <= x <= max(b, c) for x, b, c in zip(colour, bg, ink, strict=True))
            for ink in (accent, text, muted)
        ), colour


def test_a_card_draws_text_as_an_rgb_drawing_would_within_one_level(tmp_path):
    # The card drawn as before this change (RGB, each text in its colour over the background),
    # against the palette card: a reader cannot tell them apart.
    from PIL import ImageDraw

    faces = socialcards.settings.load_settings({"SITENAME": "A blog"}).faces
    title, dek = "Tide tables", "High water, low water and twelfths."
    card = Image.open(io.BytesIO(socialcards.render_card(title, dek, "A blog", faces))).convert(
        "RGB"
    )
    reference = Image.new("RGB", card.size, render.COLOURS["bg"])
    draw = ImageDraw.Draw(reference)
    draw.rectangle((0, 0, 24, render.HEIGHT), fill=render.COLOURS["accent"])
    m = render.MARGIN
    name_font = faces.font("name", 34)
    draw.text((m, m - 10), "A blog", font=name_font, fill=render.COLOURS["accent"])
    draw.text((m, m + 60), title, font=faces.font("title", 76), fill=render.COLOURS["text"])
    y = m + 60 + int(76 * 1.18) + 24
    draw.text((m, y), dek, font=faces.font("text", 34), fill=render.COLOURS["muted"])
    difference = ImageChops.difference(card, reference)
    assert max(high for _, high in difference.getextrema()) <= 1
    assert card.getbbox() == reference.getbbox()


def test_a_font_is_loaded_once_per_process_and_size(monkeypatch):
    loaded = []
    real = render.ImageFont.truetype
    monkeypatch.setattr(render.ImageFont, "truetype", lambda *a: loaded.append(a) or real(*a))
    render._font.cache_clear()
    faces = socialcards.settings.load_settings({"SITENAME": "A blog"}).faces
    first = socialcards.render_card("A title", "A dek", "A blog", faces, "blog.example")
    once = len(loaded)
    assert socialcards.render_card("A title", "A dek", "A blog", faces, "blog.example") == first
    socialcards.render_card("Another title", "Another dek", "A blog", faces, "blog.example")
    assert len(loaded) == once == len(set(loaded))


def test_fediverse_creator_and_rel_me_come_from_the_settings(tmp_path):
    out = tmp_path / "output"
    profiles = ["https://mastodon.example/@ada", "https://github.com/ada"]
    build_readers(out, FEDIVERSE_CREATOR="@ada@mastodon.example", REL_ME=profiles)
    for path in (out / "index.html", out / "posts/tide-tables/index.html"):
        page = soup(path)
        assert meta(page, "fediverse:creator") == "@ada@mastodon.example"
        assert [link["href"] for link in page.head.find_all("link", rel="me")] == profiles


def test_without_those_settings_no_fediverse_tags_are_written(site):
    page = soup(site / "posts/tide-tables/index.html")
    assert meta(page, "fediverse:creator") is None
    assert page.head.find_all("link", rel="me") == []


def test_the_first_image_is_found_without_rendering_the_whole_body(tmp_path, monkeypatch):
    from pelican.contents import Article
    from pelican.settings import DEFAULT_CONFIG

    from happening.plugins.socialcards.own_image import own_image

    (tmp_path / "images").mkdir()
    Image.new("RGB", (64, 40)).save(tmp_path / "images" / "figure.png")
    settings = {**DEFAULT_CONFIG, "PATH": str(tmp_path), "SITEURL": SITEURL}
    context = {"localsiteurl": SITEURL, "generated_content": {}, "static_content": {}}
    body = (
        '<p>See <a href="{filename}/other.md">the other post</a>.</p>\n'
        '<p><img alt="A &quot;figure&quot;" src="{static}/images/figure.png"></p>'
    )
    article = Article(
        body,
        {"title": "Figures", "slug": "figures"},
        settings=settings,
        source_path=str(tmp_path / "figures.md"),
        context=context,
    )
    expected = {
        "url": "images/figure.png",
        "alt": 'A "figure"',
        "width": 64,
        "height": 40,
        "type": "image/png",
    }

    def whole_body(*_):
        raise AssertionError("the whole body was rendered to find its first image")

    monkeypatch.setattr(Article, "content", property(whole_body))
    assert own_image(article, tmp_path, SITEURL) == expected
