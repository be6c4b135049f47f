"""Draw one social card with Pillow: the site's name, the post's title and its dek.

The layout mirrors the theme: its background, text, muted and accent colours (the light scheme's
tokens in ``theme/static/css/site.css``; a test keeps the two in step), the title and the dek
in the text face as on the post's page, the site's name and address in the interface face.
Nothing random and no timestamp goes into the PNG, so the same inputs give the same bytes.

The card is a palette PNG, drawn so that it is cheap to make: a card has four flat colours and
anti-aliased text, so each text colour is drawn as its own coverage mask ("L") and the masks
become palette indices directly (the background, then 85 shades from the background to each of
the three text colours). An RGB card took ~40 ms (25 ms of it PNG filtering and compressing 3
bytes a pixel) for 60 KB; quantizing it to 64 colours afterwards took ~55 ms more. This one takes
~12 ms for ~33 KB, and differs from the RGB drawing by at most 1 of 255 in any channel.
"""

import functools
import io
import logging
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageFont

log = logging.getLogger(__name__)

WIDTH, HEIGHT = 1200, 630  # what Facebook, Mastodon, Bluesky and X all show uncropped
MARGIN = 80
# Bump when the drawing changes, so every cached card is drawn again.
LAYOUT_VERSION = 3

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
    masks = {ink: Image.new("L", (WIDTH, HEIGHT), 0) for ink in INKS}
    pen = {ink: ImageDraw.Draw(mask) for ink, mask in masks.items()}
    width = WIDTH - 2 * MARGIN

    name_font = faces.font("name", 34)
    pen["accent"].text((MARGIN, MARGIN - 10), site_name, font=name_font, fill=255)

    # The longest title that fits in four lines, at the largest of these sizes.
    draw = pen["text"]
    for size in (76, 66, 58, 50):
        title_font = faces.font("title", size)
        lines = wrap(draw, title, title_font, width, max_lines=4)
        if lines[-1] == lines[-1].rstrip("…"):
            break
    y = MARGIN + 60
    line_height = int(size * 1.18)
    for line in lines:
        draw.text((MARGIN, y), line, font=title_font, fill=255)
        y += line_height

    foot = HEIGHT - MARGIN - 10
    muted = pen["muted"]
    if host:
        muted.text((MARGIN, foot), host, font=faces.font("name", 28), fill=255)
    if dek:
        dek_font = faces.font("text", 34)
        y += 24
        room = max(0, (foot - 40 - y) // 46)
        for line in wrap(muted, dek, dek_font, width, max_lines=min(3, room)):
            muted.text((MARGIN, y), line, font=dek_font, fill=255)
            y += 46

    card = _as_palette(masks)
    # The solid shapes have no anti-aliased edges: drawn straight in their inks' full shade.
    solid = ImageDraw.Draw(card)
    solid.rectangle((0, 0, 24, HEIGHT), fill=_FULL["accent"])
    if host:
        solid.line((MARGIN, foot - 24, WIDTH - MARGIN, foot - 24), fill=_FULL["muted"], width=2)
    out = io.BytesIO()
    # One byte a pixel, mostly runs of the background: zlib's level 3 packs a card in a few ms
    # to ~33 KB (level 6 takes twice as long for 29 KB; the RGB card was 60 KB).
    card.save(out, format="PNG", compress_level=3)
    return out.getvalue()


def _as_palette(masks) -> Image.Image:
    """The masks as one palette image: each pixel the shade of its ink that its coverage gives."""
    card = Image.new("L", (WIDTH, HEIGHT), 0)  # index 0: the background
    for ink, mask in masks.items():
        box = mask.getbbox()  # Only where the ink is: the text covers a fraction of the card.
        if box is None:
            continue
        shades = mask.crop(box).point(_INDEX[ink])
        # Inks never overlap on the card, and the background is index 0, so the lighter of
        # the two is the ink's shade where it covers a pixel and what was there elsewhere.
        card.paste(ImageChops.lighter(card.crop(box), shades), box)
    card.putpalette(_PALETTE)  # now a "P" image
    return card


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


def wrap(draw, text: str, font, width: int, max_lines: int) -> list[str]:
    """``text`` broken at spaces into lines no wider than ``width``; the last one ellipsised."""
    if max_lines < 1:
        return []
    words = text.split()
    lines: list[str] = []
    current = ""
    for word in words:
        trial = f"{current} {word}".strip()
        if draw.textlength(trial, font=font) <= width or not current:
            current = trial
            continue
        lines.append(current)
        current = word
    if current:
        lines.append(current)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        last = lines[-1]
        while last and draw.textlength(last + "…", font=font) > width:
            last = last.rsplit(" ", 1)[0] if " " in last else last[:-1]
        lines[-1] = last + "…"
    return lines or [""]
