"""The theme's text face, fetched from its pinned npm package and cut down for the web.

Source Serif 4 (Adobe, SIL Open Font License) from Fontsource's ``@fontsource/source-serif-4``
package, an exact version: a maintained, versioned release of the font, so no font file is
committed here. ``./inv`` runs this once per machine (and again when the pin changes):
``npm pack`` downloads the package, fontTools subsets the regular weight to the Latin text the
blog uses and writes it as WOFF2 for the pages, and converts the package's Latin regular and
bold to TrueType for the social cards (Pillow reads TrueType, not WOFF2).

Only the regular weight is served: with the essay's HTML and CSS it has to fit the 40 KB read
budget (``tests/test_theme.py``); the browser draws headings' bold from it. Without npm or the
registry, ``./inv`` stops with this module's message: a theme that names a missing font file
would show readers a failed request.
"""

import hashlib
import logging
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from happening.errors import UserError

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "@fontsource/source-serif-4@5.3.1"
# What a blog in English (and its Western European translations) sets: Basic Latin, Latin-1,
# the dashes, curly quotes, ellipsis, the OE ligatures, bullet and euro. A character outside
# it is drawn by the next font of the stack, as before.
UNICODES = (
    "U+0020-007E,U+00A0-00FF,U+0152-0153,U+2013-2014,U+2018-2019,U+201C-201D,U+2022,U+2026,U+20AC"
)
# Kerning only: the fi/fl ligatures cost 550 bytes (and their glyphs) of a budget of 40 KB.
FEATURES = ["kern"]
WEB = ROOT / "theme/static/fonts/source-serif-4-latin-400.woff2"  # served, preloaded
LICENSE = ROOT / "theme/static/fonts/OFL.txt"  # the licence travels with the served font
CARDS = {  # for the social cards only, never served
    "regular": ROOT / "theme/fonts/source-serif-4-400.ttf",
    "bold": ROOT / "theme/fonts/source-serif-4-700.ttf",
}
SOURCES = {
    WEB: "source-serif-4-latin-400-normal.woff2",
    CARDS["regular"]: "source-serif-4-latin-400-normal.woff2",
    CARDS["bold"]: "source-serif-4-latin-700-normal.woff2",
}
STAMP = ROOT / "theme/fonts/.stamp"
MADE = (WEB, LICENSE, *CARDS.values())  # every file fetch() writes, listed in the stamp


class TextFaceError(UserError):
    """The font could not be fetched or cut; the message says what to install or check."""


def spec_digest() -> str:
    """What the files are made from: the package, the subset, this module's recipe."""
    recipe = f"{PACKAGE}|{UNICODES}|{','.join(FEATURES)}|{sorted(SOURCES.values())}|3"
    return hashlib.sha256(recipe.encode()).hexdigest()


def stamp_text() -> str:
    """The stamp: the spec's digest, then each file made from it (relative to the project), so
    ``./inv`` can tell without starting Python that the font is there and current."""
    return "\n".join([spec_digest(), *(f.relative_to(ROOT).as_posix() for f in MADE)]) + "\n"


def up_to_date() -> bool:
    if not STAMP.is_file() or not all(f.is_file() for f in MADE):
        return False
    # The first line alone: a stamp from before the list of files was added still counts.
    return STAMP.read_text().split("\n", 1)[0] == spec_digest()


def fetch() -> None:
    """Download the pinned package and write the web font, its licence and the cards' fonts."""
    npm = shutil.which("npm")
    if npm is None:
        raise TextFaceError(
            f"textface: npm is not installed; it fetches the theme's font ({PACKAGE}). "
            "Install it (apt-get install npm) and run ./inv again"
        )
    with tempfile.TemporaryDirectory() as tmp:
        ran = subprocess.run(
            [npm, "pack", PACKAGE, "--silent", "--pack-destination", tmp],
            capture_output=True,
            text=True,
            check=False,
        )
        tarballs = list(Path(tmp).glob("*.tgz"))
        if ran.returncode != 0 or not tarballs:
            raise TextFaceError(
                f"textface: npm pack {PACKAGE} failed: {(ran.stderr or ran.stdout).strip()}"
            )
        with tarfile.open(tarballs[0]) as tar:
            tar.extractall(tmp, filter="data")
        files = Path(tmp) / "package/files"
        _subset(files / SOURCES[WEB], WEB)
        for target in CARDS.values():
            _truetype(files / SOURCES[target], target)
        LICENSE.write_bytes((Path(tmp) / "package/LICENSE").read_bytes())
    STAMP.parent.mkdir(parents=True, exist_ok=True)
    STAMP.write_text(stamp_text())


def _subset(source: Path, target: Path) -> None:
    from fontTools import subset  # only here: ./inv's other runs never import fontTools
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.flavor = "woff2"
    options.layout_features = FEATURES
    options.hinting = False  # modern rasterisers ignore it; it was a third of the bytes
    options.desubroutinize = True  # WOFF2's Brotli compresses plain outlines better
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6, 13]  # names, version and the licence
    font = TTFont(source)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=subset.parse_unicodes(UNICODES))
    subsetter.subset(font)
    target.parent.mkdir(parents=True, exist_ok=True)
    subset.save_font(font, str(target), options)


def _truetype(source: Path, target: Path) -> None:
    from fontTools.ttLib import TTFont

    font = TTFont(source)
    font.flavor = None  # WOFF2 decompressed, every glyph kept: a card's title may need any
    target.parent.mkdir(parents=True, exist_ok=True)
    font.save(str(target))


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    logging.getLogger("fontTools").setLevel(logging.WARNING)  # it narrates every table
    if up_to_date():
        current = stamp_text()
        if STAMP.read_text() != current:
            STAMP.write_text(current)  # An older stamp, without the files: ./inv reads them.
        return 0
    try:
        fetch()
    except TextFaceError as exc:
        print(exc, file=sys.stderr)
        return 1
    log.info("textface: %s subset to %s (%d bytes)", PACKAGE, WEB.name, WEB.stat().st_size)
    return 0


if __name__ == "__main__":
    sys.exit(main())
