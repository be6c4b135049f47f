"""The social cards' settings: defaults in one place, checked once per build."""

import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from happening import textface
from happening.errors import SettingError

from .render import Faces

log = logging.getLogger(__name__)

# The theme's text face (Source Serif 4, as TrueType: happening/textface.py) for the title and
# dek; for the site's name the sans the theme's interface stack meets on Linux (Debian's
# fonts-dejavu-core, which chromium pulls in). A missing file draws in Pillow's built-in face.
DEJAVU = Path("/usr/share/fonts/truetype/dejavu")
DEFAULTS = {
    "SOCIALCARDS_PATH": "cards",  # the output folder the cards are written to
    "SOCIALCARDS_OWN_IMAGES": True,  # a post's Cover: or first image wins over its card
    # Font files (TrueType or OpenType): the title's, the dek's and the site name's.
    "SOCIALCARDS_FONTS": {
        "title": textface.CARDS["bold"],
        "text": textface.CARDS["regular"],
        "name": DEJAVU / "DejaVuSans-Bold.ttf",
    },
}


class SocialCardsSettingsError(SettingError):
    """A SOCIALCARDS_* setting has a value the plugin cannot use."""


@dataclass(frozen=True)
class CardSettings:
    path: str
    own_images: bool
    site_name: str
    host: str  # the public site's address without the scheme ("" in a preview)
    faces: Faces
    faces_digest: str  # of the font files' bytes: part of every card's cache key


def load_settings(settings) -> CardSettings:
    path = settings.get("SOCIALCARDS_PATH", DEFAULTS["SOCIALCARDS_PATH"])
    if not isinstance(path, str) or not path.strip("/") or path.startswith("/"):
        raise SocialCardsSettingsError(
            f"socialcards: SOCIALCARDS_PATH = {path!r} must be a folder inside the output, "
            f"such as {DEFAULTS['SOCIALCARDS_PATH']!r}"
        )
    fonts = {**DEFAULTS["SOCIALCARDS_FONTS"], **(settings.get("SOCIALCARDS_FONTS") or {})}
    unknown = sorted(set(fonts) - {"title", "text", "name"})
    if unknown:
        raise SocialCardsSettingsError(
            f"socialcards: SOCIALCARDS_FONTS has {unknown!r}; its keys are 'title', 'text', 'name'"
        )
    faces = {}
    for key, value in fonts.items():
        file = Path(value) if value else None
        if file is not None and not file.is_file():
            # Not an error: a machine without the font still builds, with Pillow's own face.
            log.info("socialcards: no font file %s; the %s is drawn in Pillow's face", file, key)
            file = None
        faces[key] = file
    return CardSettings(
        path=path.strip("/"),
        own_images=bool(settings.get("SOCIALCARDS_OWN_IMAGES", True)),
        site_name=str(settings.get("SITENAME") or ""),
        host=urlsplit(str(settings.get("SITEURL") or "")).netloc,
        faces=Faces(**faces),
        faces_digest=_digest_files(faces[k] for k in ("title", "text", "name")),
    )


def _digest_files(paths) -> str:
    h = hashlib.sha256()
    for path in paths:
        h.update(path.read_bytes() if path else b"pillow-default")
        h.update(b"\0")
    return h.hexdigest()
