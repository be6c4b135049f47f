"""Smaller copies of large pictures for ``srcset``: made once, kept in the cache, copied out.

A 3,000-pixel photo costs a phone several megabytes it cannot show. Each JPEG, PNG or WebP wider
than the smallest of ``IMAGES_SRCSET_WIDTHS`` gets a copy at each narrower width, named by the
picture's content hash and the width, in ``CACHE_PATH/images/``: a rebuild resizes nothing it has
resized before, and a changed picture gets new names (so no reader sees a stale one). The copies
are written to ``IMAGES_SRCSET_PATH`` in the output when the build ends.
"""

import hashlib
import logging
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from pelican import signals

log = logging.getLogger(__name__)

DEFAULTS = {
    "IMAGES_SRCSET_WIDTHS": [480, 960, 1440],
    "IMAGES_SRCSET_PATH": "images/srcset",
    # The width the picture takes in the layout: the reading column, or the whole phone screen.
    "IMAGES_SIZES": "(max-width: 42rem) 100vw, 40rem",
}
RESIZABLE = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG", ".webp": "WEBP"}


@dataclass
class Planned:
    """The copies this build needs: output path (relative) -> the cached file."""

    copies: dict = field(default_factory=dict)


_planned = Planned()


def setting(settings, name):
    return settings.get(name, DEFAULTS[name])


def srcset_for(source: Path, size, settings) -> str | None:
    """The ``srcset`` value for ``source`` (``size`` = its width, height), or None if small."""
    kind = RESIZABLE.get(source.suffix.lower())
    widths = sorted(w for w in setting(settings, "IMAGES_SRCSET_WIDTHS") if w < size[0])
    if not kind or not widths:
        return None
    data = source.read_bytes()
    digest = hashlib.sha256(data).hexdigest()[:12]
    cache = Path(settings["CACHE_PATH"]) / "images"
    folder = setting(settings, "IMAGES_SRCSET_PATH").strip("/")
    siteurl = settings.get("SITEURL", "")
    candidates = []
    for width in [*widths, size[0]]:
        name = f"{source.stem}-{digest}-{width}w{source.suffix.lower()}"
        cached = cache / name
        if not cached.exists():
            _resize(source, cached, width, size, kind)
        _planned.copies[f"{folder}/{name}"] = cached
        candidates.append(f"{siteurl}/{folder}/{name} {width}w")
    return ", ".join(candidates)


def _resize(source, cached, width, size, kind):
    from PIL import Image

    cached.parent.mkdir(parents=True, exist_ok=True)
    if width == size[0]:
        shutil.copyfile(source, cached)
        return
    height = round(size[1] * width / size[0])
    with Image.open(source) as image:
        smaller = image.resize((width, height), Image.Resampling.LANCZOS)
        options = {"quality": 82, "optimize": True} if kind in ("JPEG", "WEBP") else {}
        temporary = cached.with_suffix(cached.suffix + ".part")
        smaller.save(temporary, kind, **options)
        temporary.replace(cached)  # a build stopped mid-write leaves no half picture behind
    log.debug("images: made %s", cached.name)


def copy_out(pelican):
    """``finalized``: put this build's copies into the output (those already there are kept)."""
    global _planned
    out = Path(pelican.settings["OUTPUT_PATH"])
    for relative, cached in _planned.copies.items():
        target = out / relative
        if not target.exists() or target.stat().st_size != cached.stat().st_size:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(cached, target)
        # Part of this build even when kept: announced as Pelican's writer announces pages (a
        # reused release build removes output files nobody announced).
        signals.content_written.send(str(target), context=None)
    _planned = Planned()
