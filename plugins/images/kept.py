"""Rewritten bodies kept across builds, by the body's digest and the answers of its look-ups.

Rewriting the images of a body (markup.py) runs two regexes over the whole body and builds two
paths a post: ~0.2 ms a body with pictures, ~0.1 s of every build at 1,000 posts, though a
release after one new post rewrites the same bodies as the last one. The rewrite is a function
of the body's characters, its folders, ``IMAGES_SIZES`` and what the build found of each picture
it names (its size, its ``srcset``): so each rewrite is kept, with the picture look-ups it made
and their answers, in order, by ``sha256(body)`` and the folders, in ``CACHE_PATH`` beside
Pelican's caches (a build that loads and keeps its content cache: the release's, the preview's).

A kept rewrite is used only when the same look-ups, made again in this build (once a picture a
build, as markup.py always does them), give the same answers: a picture resized or replaced, a
``srcset`` width or path changed, gives another answer and the body is rewritten. Making the
look-ups also plans this build's ``srcset`` copies exactly as a rewrite would. The file holds a
digest of the rewriting code (this package's modules, ``happening/pictures.py`` and
``happening/bodydigest.py``), so changed
code starts afresh; only the last build's bodies are kept.
"""

import logging
import marshal
import os
from pathlib import Path

from happening import bodydigest, pictures

log = logging.getLogger(__name__)

FILE = "images-rewrites.marshal"
FORMAT = 1  # Bump when the file's layout changes.


def _code_digest(settings) -> str:
    """The rewriting code and the settings a rewrite reads besides its look-ups' answers."""
    from . import variants  # noqa: PLC0415 - a sibling that imports nothing of this module

    files = [*sorted(Path(__file__).parent.glob("*.py")), pictures.__file__]
    return bodydigest.code_digest(FORMAT, files, variants.setting(settings, "IMAGES_SIZES"))


class Kept:
    """One build's rewrites: those of the last build's file, and those made in this one."""

    def __init__(self, settings):
        folder = settings.get("CACHE_PATH")
        load = bool(folder and settings.get("LOAD_CONTENT_CACHE"))
        self.save_to = Path(folder) / FILE if folder and settings.get("CACHE_CONTENT") else None
        # A build keeping no cache rewrites every body, as before: nothing to hash.
        self.active = load or self.save_to is not None
        self.code = _code_digest(settings) if self.active else None
        self.stored = self._load(Path(folder) / FILE) if load else {}
        self.now = {}
        self.rewritten = 0  # Bodies this build rewrote: none, and the file holds them all.

    def _load(self, path) -> dict:
        try:
            found = marshal.loads(path.read_bytes())
        except (OSError, ValueError, EOFError, TypeError):
            return {}
        if not isinstance(found, dict) or found.get("code") != self.code:
            return {}
        entries = found.get("entries")
        return entries if isinstance(entries, dict) else {}

    def rewrite(self, body, root, folder, rewrite, look_up):
        """``body`` rewritten: as kept when ``look_up`` answers each kept look-up as then, else
        ``rewrite(body, lookups)``, which appends its look-ups and their answers to the list."""
        if not self.active:
            return rewrite(body, [])
        key = f"{bodydigest.of(body)}\0{root}\0{folder}"  # Hashed once for readingtime too.
        entry = self.now.get(key) or self.stored.get(key)
        if entry is not None and _same_answers(entry, look_up):
            self.now[key] = entry
            return entry[0]
        lookups = []
        rewritten = rewrite(body, lookups)
        self.now[key] = (rewritten, tuple(lookups))
        self.rewritten += 1
        return rewritten

    def save(self):
        """Keep this build's rewrites for the next, when the build keeps its caches."""
        if self.save_to is None or (not self.rewritten and self.now.keys() == self.stored.keys()):
            return
        data = marshal.dumps({"code": self.code, "entries": self.now})
        part = self.save_to.with_name(self.save_to.name + ".part")
        try:
            self.save_to.parent.mkdir(parents=True, exist_ok=True)
            part.write_bytes(data)
            os.replace(part, self.save_to)  # A build stopped mid-write leaves the last file.
        except OSError as exc:  # Only the next build's speed depends on it.
            log.debug("images: could not keep %s (%s)", self.save_to, exc)


def _same_answers(entry, look_up) -> bool:
    """Whether each look-up of a kept rewrite gets the answer it got then (made again here)."""
    try:
        rewritten, lookups = entry
        if not isinstance(rewritten, str):
            return False
        return all(look_up(kind, src) == answer for kind, src, answer in lookups)
    except (TypeError, ValueError):  # A damaged entry: rewritten again.
        return False
