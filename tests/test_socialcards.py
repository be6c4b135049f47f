"""Social cards: every post has an og:image that exists at its stated size; cards are cached."""

import io
import json
import re
import shutil
import unicodedata
import zlib
from pathlib import Path
from types import SimpleNamespace

import pytest
from PIL import Image, ImageChops, ImageDraw, ImageFilter

import happening.forked
from conftest import ROOT, calls_of, soup
from happening.build import BuildError
from happening.plugins import socialcards
from happening.plugins.socialcards import drawing, png, render
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
    # A cold build with many cards draws them in processes forked before the pages are
    # written: same files, same bytes, and the copies in the output are the cache's.
    one, many = tmp_path / "one", tmp_path / "many"
    build_readers(one / "output")  # Each build has its own empty cache beside its output.
    monkeypatch.setattr(drawing, "MIN_POOL", 1)
    monkeypatch.setattr(happening.forked, "cores", lambda: 2)  # Even on a one-core machine.
    forked = []
    real_fork = drawing._fork
    monkeypatch.setattr(
        drawing, "_fork", lambda jobs, *copies: forked.append(len(jobs)) or real_fork(jobs)
    )
    build_readers(many / "output")
    assert sorted(forked) == [11, 11], "the cards were not drawn by two forked processes"
    cards = sorted(p.name for p in (one / "output/cards").glob("*.png"))
    assert len(cards) == 22
    assert sorted(p.name for p in (many / "output/cards").glob("*.png")) == cards
    for name in cards:
        assert (one / "output/cards" / name).read_bytes() == (
            many / "output/cards" / name
        ).read_bytes(), name
    assert not list((many / "output-cache").rglob("*.tmp")), "a partial card was left behind"


def test_cached_cards_are_copied_into_an_empty_output_by_the_forked_drawers(tmp_path, monkeypatch):
    # A cold build into an empty folder with a warm cache (a production build, CI) copies
    # every card while the pages are written, not at the end: the same files, no card drawn.
    warm = tmp_path / "warm"
    build_readers(warm / "output")
    monkeypatch.setattr(drawing, "MIN_COPIES", 1)
    monkeypatch.setattr(happening.forked, "cores", lambda: 2)
    copied, real_fork = [], drawing._fork
    monkeypatch.setattr(
        drawing,
        "_fork",
        lambda jobs, copies: copied.append((len(jobs), len(copies))) or real_fork(jobs, copies),
    )
    shutil.rmtree(warm / "output")
    at_the_end = calls_of(monkeypatch, shutil, "copy2")  # the build's own copies, in this process
    build_readers(warm / "output")
    assert copied == [(0, 11), (0, 11)], "the cached cards were not copied by two processes"
    assert not [p for p in at_the_end if "socialcards" in str(p)], "a card was copied at the end"
    cards = sorted((warm / "output/cards").glob("*.png"))
    assert len(cards) == 22
    cache = warm / "output-cache/socialcards"
    cached = {p.read_bytes() for p in cache.glob("*.png")}
    assert all(card.read_bytes() in cached for card in cards)
    build_readers(warm / "output", DELETE_OUTPUT_DIRECTORY=False)  # every copy already there
    assert len(copied) == 2, "processes were forked to copy nothing"


def test_a_card_that_fails_in_a_drawer_fails_the_build_with_its_own_error(tmp_path, monkeypatch):
    # The drawer says nothing and exits; the build draws the card again itself, and the error
    # is raised there as if no drawer had been involved. The other cards are all drawn.
    monkeypatch.setattr(drawing, "MIN_POOL", 1)
    monkeypatch.setattr(happening.forked, "cores", lambda: 2)
    real = render.render_card

    def render_card(title, *args):
        if title == "Reading tide tables":
            raise ValueError("no card for the tide tables")
        return real(title, *args)

    monkeypatch.setattr(drawing, "render_card", render_card)
    out = tmp_path / "output"
    with pytest.raises(BuildError, match="ValueError: no card for the tide tables"):
        build_readers(out)
    assert len(list((tmp_path / "output-cache/socialcards").glob("*.png"))) == 21


def test_an_output_card_that_is_not_the_cached_copy_is_copied_again(tmp_path):
    cache, target = tmp_path / "cached.png", tmp_path / "out.png"
    cache.write_bytes(b"the card")
    drawing.deliver(cache, target)
    assert target.read_bytes() == b"the card"
    copied = target.stat().st_mtime_ns
    drawing.deliver(cache, target)
    assert target.stat().st_mtime_ns == copied  # the same copy: not even opened
    target.write_bytes(b"an edit!")  # same size, its own time
    drawing.deliver(cache, target)
    assert target.read_bytes() == b"the card"


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


def _word_positions(line, font, x):
    # Where the card puts each word of a line: at whole pixels, a space's width apart.
    pen = float(x)
    for word in line:
        yield word, round(pen)
        pen += font.getlength(word) + font.getlength(" ")


def _layout(title, dek, faces):
    """The card's lines as render.py breaks them: (ink, font, words, x, y) for each."""
    width, m = render.WIDTH - 2 * render.MARGIN, render.MARGIN
    for size in (76, 66, 58, 50):
        lines, cut = render.wrap(title, faces.title, size, width, max_lines=4)
        if not cut:
            break
    y = m + 60
    for line in lines:
        yield "text", faces.font("title", size), line, m, y
        y += int(size * 1.18)
    if dek:
        y += 24
        room = max(0, (render.HEIGHT - m - 10 - 40 - y) // 46)
        for line in render.wrap(dek, faces.text, 34, width, max_lines=min(3, room))[0]:
            yield "muted", faces.font("text", 34), line, m, y
            y += 46


def _right_to_left(line):
    return any(unicodedata.bidirectional(c) in ("R", "AL") for word in line for c in word)


def _drawn_afresh(title, dek, site_name, faces, host=""):
    """The card's palette indices with every part drawn on it by Pillow alone: no shared layer
    copied, no word kept from another card, no compressed rows reused. Each text is drawn on
    its own and combined as the card combines them: the lighter (the more inked) index wins."""
    card = Image.new("L", (render.WIDTH, render.HEIGHT), 0)

    def text(ink, xy, string, font):
        nonlocal card
        mask = Image.new("L", card.size, 0)
        ImageDraw.Draw(mask).text(xy, string, font=font, fill=255)
        card = ImageChops.lighter(card, mask.point(render._INDEX[ink]))

    m, foot = render.MARGIN, render.HEIGHT - render.MARGIN - 10
    text("accent", (m, m - 10), site_name, faces.font("name", 34))
    if host:
        text("muted", (m, foot), host, faces.font("name", 28))
    for ink, font, line, x, y in _layout(title, dek, faces):
        if _right_to_left(line):  # drawn whole, so that its words come in reading order
            text(ink, (x, y), " ".join(line), font)
            continue
        for word, at in _word_positions(line, font, x):
            text(ink, (at, y), word, font)
    solid = ImageDraw.Draw(card)
    solid.rectangle((0, 0, 24, render.HEIGHT), fill=render._FULL["accent"])
    if host:
        solid.line((m, foot - 24, render.WIDTH - m, foot - 24), fill=render._FULL["muted"], width=2)
    return card.tobytes()


def _indices(data):
    with Image.open(io.BytesIO(data)) as card:
        assert card.mode == "P" and card.size == (render.WIDTH, render.HEIGHT)
        return card.tobytes()


CARDS = [
    ("Reading tide tables", "High water, low water and the rule of twelfths.", "tides.example"),
    ("A title with a jump, a quay and “quotes” — Ågot’s", "", ""),
    ("One more", "A dek on its own. " * 12, "blog.example"),
    # Descenders over a line of tall accents: boxes that overlap, so combined, not copied.
    ("gjpqy gjpqy gjpqy gjpqy Ǻ̂̂ Ǻ̂̂ Ǻ̂̂ Ǻ̂̂", "", ""),
]


@pytest.mark.parametrize(("title", "dek", "host"), CARDS)
def test_a_card_is_the_pixels_of_drawing_all_of_it_afresh(title, dek, host):
    # The shared layer (drawn once per process), the words kept from earlier cards and the rows
    # compressed once change no pixel: the card equals one drawn whole, with nothing reused.
    faces = socialcards.settings.load_settings({"SITENAME": "A blog"}).faces
    for other_title, other_dek, _ in CARDS:  # the caches now hold other cards' words and rows
        socialcards.render_card(other_title, other_dek, "A blog", faces, host)
    warm = socialcards.render_card(title, dek, "A blog", faces, host)
    assert _indices(warm) == _drawn_afresh(title, dek, "A blog", faces, host)
    _forget_kept_drawings()
    assert socialcards.render_card(title, dek, "A blog", faces, host) == warm  # same bytes


def _forget_kept_drawings():
    render._run.cache_clear()
    render._length.cache_clear()
    render._shared_layer.cache_clear()


def test_a_card_draws_text_as_an_rgb_drawing_would_within_one_level(tmp_path):
    # The card drawn in RGB (each text in its colour over the background, as before the palette),
    # against the palette card: a reader cannot tell them apart.
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
    for ink, font, line, x, y in _layout(title, dek, faces):
        for word, at in _word_positions(line, font, x):
            draw.text((at, y), word, font=font, fill=render.COLOURS[ink])
    difference = ImageChops.difference(card, reference)
    assert max(high for _, high in difference.getextrema()) <= 1
    assert card.getbbox() == reference.getbbox()


def test_each_word_is_where_drawing_its_line_whole_puts_it_within_a_pixel(tmp_path):
    # Words are drawn one by one from whole pixels; Pillow drawing the line whole rounds each
    # glyph's pen position along the line. Every glyph lands within a pixel of the other: unseen.
    faces = socialcards.settings.load_settings({"SITENAME": "A blog"}).faces
    title = "Reading the tide tables of a quayside harbour, AVA’s “Type” way"
    font = faces.font("title", 76)
    whole = Image.new("L", (render.WIDTH * 2, 200), 0)
    ImageDraw.Draw(whole).text((0, 50), title, font=font, fill=255)
    one_by_one = Image.new("L", whole.size, 0)
    for word, at in _word_positions(title.split(), font, 0):
        ImageDraw.Draw(one_by_one).text((at, 50), word, font=font, fill=255)
    assert whole.getbbox() == one_by_one.getbbox() or _within(whole.getbbox(), one_by_one.getbbox())
    for this, that in ((whole, one_by_one), (one_by_one, whole)):
        ink = this.point(lambda v: 255 if v > 128 else 0)  # the glyphs' cores, not their edges
        near = that.filter(ImageFilter.MaxFilter(3)).point(lambda v: 255 if v > 0 else 0)
        assert ImageChops.subtract(ink, near).getbbox() is None  # no ink a pixel from the other's


def _within(box, other, pixels=1):
    return all(abs(a - b) <= pixels for a, b in zip(box, other, strict=True))


def test_a_long_title_wraps_into_four_lines_at_a_smaller_size_then_ends_in_an_ellipsis():
    faces = socialcards.settings.load_settings({"SITENAME": "A blog"}).faces
    width = render.WIDTH - 2 * render.MARGIN
    medium = "Notes on reading tide tables, the rule of twelfths and why harbours differ " * 2
    lines, cut = render.wrap(medium, faces.title, 76, width, max_lines=4)
    assert cut  # too long at the largest size...
    lines, cut = render.wrap(medium, faces.title, 50, width, max_lines=4)
    assert not cut and len(lines) <= 4  # ...and it fits at a smaller one, every word kept
    assert " ".join(" ".join(line) for line in lines) == " ".join(medium.split())
    endless = "Tide tables and the rule of twelfths " * 12
    lines, cut = render.wrap(endless, faces.title, 50, width, max_lines=4)
    font = faces.font("title", 50)
    assert cut and len(lines) == 4 and lines[-1][-1].endswith("…")
    for line in lines:
        assert font.getlength(" ".join(line)) <= width + 1, line
    data = socialcards.render_card(endless, "", "A blog", faces)
    assert _indices(data) == _drawn_afresh(endless, "", "A blog", faces)


DEJAVU = Path("/usr/share/fonts/truetype/dejavu")


@pytest.mark.parametrize(
    "title",
    [
        "Παλίρροιες και ρεύματα στο λιμάνι",  # Greek: words placed one by one
        "Приливы и отливы: правило двенадцатых",  # Cyrillic
        "גאות ושפל בנמל הישן",  # Hebrew: right to left, each line drawn whole
    ],
)
def test_a_non_latin_title_is_drawn_in_a_face_that_has_its_letters(title):
    # The default faces are cut down to Latin; a site that writes in another script names
    # faces that have its letters (SOCIALCARDS_FONTS), here DejaVu, which Debian ships.
    faces = socialcards.settings.load_settings(
        {
            "SITENAME": "A blog",
            "SOCIALCARDS_FONTS": {
                "title": DEJAVU / "DejaVuSans-Bold.ttf",
                "text": DEJAVU / "DejaVuSans.ttf",
            },
        }
    ).faces
    assert faces.title == DEJAVU / "DejaVuSans-Bold.ttf", "Debian's fonts-dejavu-core is missing"
    data = socialcards.render_card(title, "", "A blog", faces)
    assert data == socialcards.render_card(title, "", "A blog", faces)
    assert _indices(data) == _drawn_afresh(title, "", "A blog", faces)
    # Its letters, not the face's box for a missing one: no two words look alike.
    font = faces.font("title", 76)
    long_words = [word for word in title.split() if len(word) > 3]
    assert len({_drawn_word(word, font) for word in long_words}) == len(long_words)


def _drawn_word(word, font):
    left, top, right, bottom = font.getbbox(word)
    mask = Image.new("L", (right - left, bottom - top), 0)
    ImageDraw.Draw(mask).text((-left, -top), word, font=font, fill=255)
    return mask.tobytes()


def test_the_png_writer_joins_compressed_rows_into_the_cards_exact_pixels():
    # Rows kept compressed from the shared layer, rows compressed for this card, spans that
    # overlap, touch, or reach past either edge: any inflater reads back the exact pixels.
    layer_image = Image.new("L", (render.WIDTH, render.HEIGHT), 0)
    ImageDraw.Draw(layer_image).rectangle((0, 0, 24, render.HEIGHT), fill=7)
    layer = png.Layer(layer_image, bytes(render._PALETTE))
    card = layer_image.copy()
    ImageDraw.Draw(card).rectangle((100, 0, 900, 40), fill=90)
    ImageDraw.Draw(card).ellipse((300, 200, 700, 330), fill=200)
    ImageDraw.Draw(card).rectangle((50, 600, 1199, 629), fill=3)
    spans = [(-5, 41), (200, 300), (290, 331), (600, 700)]
    data = layer.encode(card, spans)
    assert _indices(data) == card.tobytes()
    with Image.open(io.BytesIO(data)) as decoded:
        assert decoded.getpalette() == render._PALETTE
    # The pieces kept from this card change no byte of the next with the same pixels.
    assert png.Layer(layer_image, bytes(render._PALETTE)).encode(card, spans) == data
    # The layer's rows are packed at zlib's level 6, a card's text rows at level 1: the same
    # pixels as a layer piece or as a text span are other bytes, but the same picture.
    whole_as_text = png.Layer(layer_image, bytes(render._PALETTE)).encode(
        layer_image, [(0, render.HEIGHT)]
    )
    assert _indices(layer.encode(layer_image, [])) == _indices(whole_as_text)
    assert _indices(whole_as_text) == layer_image.tobytes()


def test_every_piece_is_zlibs_deflate_whose_bytes_do_not_vary_between_processes():
    # ISA-L packed the same rows into other bytes in another process, twice (bench/RESULTS.md,
    # the eleventh and twelfth rounds): a release and a cold build wrote cards one byte apart.
    # Every piece is zlib's raw deflate (RFC 1951) of the unfiltered scanlines (PNG spec 9.2,
    # filter type 0), ended by a sync flush: a function of the rows, the level and zlib's version.
    layer_image = Image.new("L", (render.WIDTH, render.HEIGHT), 0)
    ImageDraw.Draw(layer_image).rectangle((0, 0, 24, render.HEIGHT), fill=7)
    card = layer_image.copy()
    ImageDraw.Draw(card).rectangle((100, 80, 900, 120), fill=90)
    layer = png.Layer(layer_image, bytes(render._PALETTE))

    def deflated(image, top, bottom, level):
        scanlines = b"".join(
            b"\0" + image.crop((0, y, render.WIDTH, y + 1)).tobytes() for y in range(top, bottom)
        )
        deflater = zlib.compressobj(level, zlib.DEFLATED, -15)
        return deflater.compress(scanlines) + deflater.flush(zlib.Z_SYNC_FLUSH), scanlines

    data, adler, length = layer.piece(0, 80)
    expected, scanlines = deflated(layer_image, 0, 80, png.LAYER_LEVEL)
    assert data == expected and (adler, length) == (zlib.adler32(scanlines), len(scanlines))
    text, _ = deflated(card, 80, 121, png.LEVEL)
    assert text in layer.encode(card, [(80, 121)])
    assert png.ENCODER.startswith(f"zlib {zlib.ZLIB_RUNTIME_VERSION} ")


def test_adler32_of_two_pieces_joins_as_of_the_whole():
    import random
    import zlib

    rng = random.Random(15)
    for _ in range(50):
        first = rng.randbytes(rng.randint(0, 3000))
        second = bytes([rng.choice((0, 0, 0, 255))]) * rng.randint(0, 70000)
        joined = png._adler_join(zlib.adler32(first), zlib.adler32(second), len(second))
        assert joined == zlib.adler32(first + second)


def test_a_font_is_loaded_once_per_process_and_size(monkeypatch):
    loaded = []
    real = render.ImageFont.truetype
    monkeypatch.setattr(render.ImageFont, "truetype", lambda *a: loaded.append(a) or real(*a))
    render._font.cache_clear()
    _forget_kept_drawings()  # else earlier tests' words are drawn from memory, with no font
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


def test_a_picture_replaced_under_the_same_name_is_measured_again(tmp_path):
    from happening.plugins.socialcards.own_image import _describe

    (tmp_path / "images").mkdir()
    picture = tmp_path / "images" / "header.png"
    Image.new("RGB", (64, 40)).save(picture)
    article = SimpleNamespace(url="posts/one/")
    first = _describe("{static}/images/header.png", "A header", tmp_path, SITEURL, article)
    Image.new("RGB", (30, 20)).save(tmp_path / "images" / "new.png")
    (tmp_path / "images" / "new.png").replace(picture)  # a new file (inode) at the old name
    again = _describe("/images/header.png", "A header", tmp_path, SITEURL, article)
    assert (first["width"], first["height"], again["width"], again["height"]) == (64, 40, 30, 20)
