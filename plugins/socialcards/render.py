"""Draw one social card with Pillow: the site's name, the post's title and its dek.

The layout mirrors the theme: its background, text, muted and accent colours (the light scheme's
tokens in ``theme/static/css/site.css``; a test keeps the two in step), the title and the dek
in the text face as on the post's page, the site's name and address in the interface face.
Nothing random and no timestamp goes into the PNG, so the same inputs give the same bytes.
"""

import io
import logging
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

log = logging.getLogger(__name__)

WIDTH, HEIGHT = 1200, 630  # what Facebook, Mastodon, Bluesky and X all show uncropped
MARGIN = 80
# Bump when the drawing changes, so every cached card is drawn again.
LAYOUT_VERSION = 2

# The light scheme's tokens in site.css (tests/test_socialcards.py compares them).
COLOURS = {"bg": "#fdfcfa", "text": "#1f1d1a", "muted": "#5b564f", "accent": "#a3330f"}


@dataclass(frozen=True)
class Faces:
    """Font files for the card's three kinds of text; None falls back to Pillow's own face."""

    title: Path | None
    text: Path | None
    name: Path | None

    def font(self, which: str, size: int) -> ImageFont.FreeTypeFont:
        path = getattr(self, which)
        if path is None:
            return ImageFont.load_default(size)
        return ImageFont.truetype(str(path), size)


def render_card(title: str, dek: str, site_name: str, faces: Faces, host: str = "") -> bytes:
    """The card as PNG bytes; ``host`` (the site's address, if public) is written at the foot."""
    image = Image.new("RGB", (WIDTH, HEIGHT), COLOURS["bg"])
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 24, HEIGHT), fill=COLOURS["accent"])
    width = WIDTH - 2 * MARGIN

    name_font = faces.font("name", 34)
    draw.text((MARGIN, MARGIN - 10), site_name, font=name_font, fill=COLOURS["accent"])

    # The longest title that fits in four lines, at the largest of these sizes.
    for size in (76, 66, 58, 50):
        title_font = faces.font("title", size)
        lines = wrap(draw, title, title_font, width, max_lines=4)
        if lines[-1] == lines[-1].rstrip("…"):
            break
    y = MARGIN + 60
    line_height = int(size * 1.18)
    for line in lines:
        draw.text((MARGIN, y), line, font=title_font, fill=COLOURS["text"])
        y += line_height

    foot = HEIGHT - MARGIN - 10
    if host:
        draw.line((MARGIN, foot - 24, WIDTH - MARGIN, foot - 24), fill=COLOURS["muted"], width=2)
        draw.text((MARGIN, foot), host, font=faces.font("name", 28), fill=COLOURS["muted"])
    if dek:
        dek_font = faces.font("text", 34)
        y += 24
        room = max(0, (foot - 40 - y) // 46)
        for line in wrap(draw, dek, dek_font, width, max_lines=min(3, room)):
            draw.text((MARGIN, y), line, font=dek_font, fill=COLOURS["muted"])
            y += 46

    out = io.BytesIO()
    # zlib level 6: a third quicker to write than 9, for 40 KB instead of 27 KB a card.
    image.save(out, format="PNG", compress_level=6)
    return out.getvalue()


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
