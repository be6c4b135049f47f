"""Draw one social card with Pillow: the site's name, the post's title and its dek.

The layout mirrors the theme: its background, text, muted and accent colours (the light scheme's
tokens in ``theme/static/css/site.css``; a test keeps the two in step), the title and the dek
in the text face as on the post's page, the site's name and address in the interface face.
Nothing random and no timestamp goes into the PNG, so the same inputs give the same bytes.

The card is a palette PNG, drawn so that it is cheap to make: a card has four flat colours and
anti-aliased text, so text is drawn as coverage masks ("L") that become palette indices
directly (the background, then 85 shades from the background to each of the three text
colours), at most 1 of 255 from an RGB drawing. What takes the time is the glyphs and the
compression, so neither is done twice in a process: what every card of a site shows (the
stripe, the site's name and address, the rule) is drawn once into a shared layer that each card
starts from; each word is drawn once per face, size and ink and then placed at its whole-pixel
pen position (titles and deks share most of their words); and the PNG writer (png.py)
compresses only the rows a card's own text covers. ~12 ms a card became ~1.3 ms for the bench
corpus's titles and ~5 ms for English prose (~38 ms before: long titles were measured word by
word, again at each size), for ~31 KB.
"""

import functools
import logging
import math
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageFont

from . import png

log = logging.getLogger(__name__)

WIDTH, HEIGHT = 1200, 630  # what Facebook, Mastodon, Bluesky and X all show uncropped
MARGIN = 80
# Bump when the drawing changes, so every cached card is drawn again.
LAYOUT_VERSION = 4

# The light scheme's tokens in site.css (tests/test_socialcards.py compares them).
COLOURS = {"bg": "#fdfcfa", "text": "#1f1d1a", "muted": "#5b564f", "accent": "#a3330f"}
INKS = ("accent", "text", "muted")  # the colours text is drawn in, in the order drawn
# Shades per ink: 85 x 3 inks + the background fill the 256 entries of a palette. A step of
# 1/85 between shades is under 2 of 255 in any channel between these colours: unseen.
SHADES = 85


@dataclass(frozen=True)
class Faces:
    """Font files for the card's three kinds of text; None falls back to Pillow's own face."""

    title: Path | None
    text: Path | None
    name: Path | None

    def font(self, which: str, size: int) -> ImageFont.FreeTypeFont:
        return _font(getattr(self, which), size)


@functools.cache
def _font(path: Path | None, size: int) -> ImageFont.FreeTypeFont:
    # Loading a face is ~2 ms, and a card uses four or five: once per process and size instead.
    # A FreeTypeFont keeps no state between texts it draws, so sharing it changes no pixel.
    if path is None:
        return ImageFont.load_default(size)
    return ImageFont.truetype(str(path), size)


def render_card(title: str, dek: str, site_name: str, faces: Faces, host: str = "") -> bytes:
    """The card as PNG bytes; ``host`` (the site's address, if public) is written at the foot."""
    layer, inked = _shared_layer(site_name, faces, host)
    card = _Card(layer.image.copy(), list(inked))
    width = WIDTH - 2 * MARGIN

    # The longest title that fits in four lines, at the largest of these sizes.
    for size in (76, 66, 58, 50):
        lines, cut = wrap(title, faces.title, size, width, max_lines=4)
        if not cut:
            break
    y = MARGIN + 60
    line_height = int(size * 1.18)
    for line in lines:
        _draw_line(card, line, faces.title, size, "text", MARGIN, y)
        y += line_height

    if dek:
        foot = HEIGHT - MARGIN - 10
        y += 24
        room = max(0, (foot - 40 - y) // 46)
        for line in wrap(dek, faces.text, 34, width, max_lines=min(3, room))[0]:
            _draw_line(card, line, faces.text, 34, "muted", MARGIN, y)
            y += 46
    # Only the rows this card's own text covers are compressed anew.
    changed = [(top, bottom) for _, top, _, bottom in card.boxes[len(inked) :]]
    return layer.encode(card.image, changed)


class _Card:
    """A card being drawn: its palette indices, and the box of each text drawn on it."""

    def __init__(self, image, boxes):
        self.image = image
        self.boxes = boxes


@functools.lru_cache(maxsize=8)  # one per site (and per preview address) in a process
def _shared_layer(site_name: str, faces: Faces, host: str) -> tuple[png.Layer, tuple]:
    """What every card of a site shows, and the boxes where it has ink: drawn once per
    process, each card starts from a copy."""
    card = _Card(Image.new("L", (WIDTH, HEIGHT), 0), [])  # index 0: the background
    _draw_run(card, site_name, faces.name, 34, "accent", MARGIN, MARGIN - 10)
    foot = HEIGHT - MARGIN - 10
    if host:
        _draw_run(card, host, faces.name, 28, "muted", MARGIN, foot)
    # The solid shapes have no anti-aliased edges: drawn straight in their inks' full shade.
    solid = ImageDraw.Draw(card.image)
    solid.rectangle((0, 0, 24, HEIGHT), fill=_FULL["accent"])
    card.boxes.append((0, 0, 25, HEIGHT))
    if host:
        solid.line((MARGIN, foot - 24, WIDTH - MARGIN, foot - 24), fill=_FULL["muted"], width=2)
        card.boxes.append((MARGIN, foot - 25, WIDTH - MARGIN + 1, foot - 22))
    return png.Layer(card.image, bytes(_PALETTE)), tuple(card.boxes)


def _draw_line(card, words, face, size, ink, x, y):
    """Draw a line's words with its pen starting at ``(x, y)``.

    Each word is drawn once per process (``_run``) and placed at its whole-pixel pen position:
    titles share most of their words, and rasterising the glyphs was most of a card's time.
    A line in a right-to-left script is drawn whole, so that its words come in reading order.
    """
    if any(unicodedata.bidirectional(c) in ("R", "AL") for word in words for c in word):
        _draw_run(card, " ".join(words), face, size, ink, x, y)
        return
    space = _length(face, size, " ")
    pen = float(x)
    for word in words:
        _draw_run(card, word, face, size, ink, round(pen), y)
        pen += _length(face, size, word) + space


def _draw_run(card, text, face, size, ink, x, y):
    """Draw ``text`` (no line break) in ``ink`` with its pen at ``(x, y)``."""
    shades, dx, dy = _run(face, size, ink, text)
    left, top = x + dx, y + dy
    right, bottom = left + shades.width, top + shades.height
    box = (left, top, right, bottom)
    if any(x0 < right and left < x1 and y0 < bottom and top < y1 for x0, y0, x1, y1 in card.boxes):
        # A glyph reaching into a neighbour's box (a j's tail under the line above): inks never
        # overlap and the background is index 0, so the lighter of the two is the ink's shade
        # where it covers a pixel and what was there elsewhere.
        card.image.paste(ImageChops.lighter(card.image.crop(box), shades), box)
    else:
        card.image.paste(shades, box)  # only background there: the box is copied as it is
    card.boxes.append(box)


# Bounded: a cold build meets thousands of words; the common ones stay (a title's word at 76 px
# is ~10 KB of shades, so ~20 MB at most).
@functools.lru_cache(maxsize=2048)
def _run(face: Path | None, size: int, ink: str, text: str):
    """``text`` drawn once: its palette indices in ``ink``, and their offset from the pen."""
    font = _font(face, size)
    ascent, descent = font.getmetrics()
    # Drawn into room to spare and then cut to the ink: asking Pillow for the text's box
    # first would lay it out twice. The room holds glyphs that reach past their advance and
    # the font's ascent (a j's tail, an accent above a capital).
    pad = size
    length = math.ceil(_length(face, size, text))
    mask = Image.new("L", (length + 2 * pad, ascent + descent + 2 * pad), 0)
    # Drawn at whole pixels, as draw.text would draw it straight onto the card at (x, y).
    ImageDraw.Draw(mask).text((pad, pad), text, font=font, fill=255)
    box = mask.getbbox() or (pad, pad, pad + 1, pad + 1)
    coverage = mask.crop(box)
    # Coverage to this ink's palette indices: bytes.translate maps every pixel in one pass.
    shades = Image.frombytes("L", coverage.size, coverage.tobytes().translate(_TABLE[ink]))
    return shades, box[0] - pad, box[1] - pad


@functools.lru_cache(maxsize=8192)
def _length(face: Path | None, size: int, text: str) -> float:
    return _font(face, size).getlength(text)


def _rgb(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))


def _shade(coverage: int) -> int:
    return round(coverage * SHADES / 255)  # 0 (none) .. SHADES (all ink)


def _tables():
    bg = _rgb(COLOURS["bg"])
    palette = list(bg)
    index = {}
    for number, ink in enumerate(INKS):
        colour = _rgb(COLOURS[ink])
        first = 1 + number * SHADES  # the palette index of this ink's faintest shade
        for shade in range(1, SHADES + 1):
            # What drawing the ink at this coverage onto the background gives.
            palette += [
                round(b + (c - b) * shade / SHADES) for b, c in zip(bg, colour, strict=True)
            ]
        index[ink] = [first + _shade(a) - 1 if _shade(a) else 0 for a in range(256)]
    return palette, index


_PALETTE, _INDEX = _tables()
_FULL = {ink: table[255] for ink, table in _INDEX.items()}  # each ink's solid shade
_TABLE = {ink: bytes(table) for ink, table in _INDEX.items()}  # the same, for bytes.translate


def wrap(text: str, face, size: int, width: int, max_lines: int):
    """``text`` broken at spaces into lines (lists of words) no wider than ``width``, and
    whether it was cut short: then the last line ends in an ellipsis."""
    if max_lines < 1:
        return [], bool(text.split())
    space = _length(face, size, " ")
    lines: list[list[str]] = []
    current: list[str] = []
    used = 0.0
    for word in text.split():
        length = _length(face, size, word)
        if not current or used + space + length <= width:
            used += (space if current else 0) + length
            current.append(word)
            continue
        lines.append(current)
        current, used = [word], length
    if current:
        lines.append(current)
    cut = len(lines) > max_lines
    if cut:
        lines = lines[:max_lines]
        last = lines[-1]

        def too_wide(words):
            ended = [*words[:-1], words[-1] + "…"]
            return sum(_length(face, size, w) for w in ended) + space * (len(ended) - 1) > width

        while last[-1] and too_wide(last):
            if len(last) > 1:
                last.pop()
            else:
                last[-1] = last[-1][:-1]
        last[-1] += "…"
    return lines or [[""]], cut
