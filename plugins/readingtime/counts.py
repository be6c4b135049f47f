"""Word counts kept across builds, by the digest of the very body they were counted from.

Counting a post's words strips its tags and splits its text: ~0.13 ms a post, 0.13 s of every
build at 1,000 posts, though a release after one new post counts the same 1,000 bodies as the
last one. Hashing a body is ~6x cheaper than counting it, so a build that loads and keeps
Pelican's content cache (``LOAD_CONTENT_CACHE``, ``CACHE_CONTENT``: the release's production
build, the preview's) keeps ``{sha256(body): words}`` in ``CACHE_PATH`` beside Pelican's own
caches; a body with other bytes has another digest and is counted. The file also holds a digest
of the counting code (this package's modules), so a changed way of counting starts afresh.
Only the bodies of the last build are kept: the file does not grow with every edit.
"""

import json
import logging
from pathlib import Path

from happening import bodydigest
from happening.atomic import write_atomically

log = logging.getLogger(__name__)

FILE = "readingtime-words.json"
FORMAT = 2  # Bump when the file's layout changes.


def _code_digest() -> str:
    """The bytes of the modules that count (and digest): another way of counting, other counts."""
    return bodydigest.code_digest(FORMAT, sorted(Path(__file__).parent.glob("*.py")))


class Kept:
    """One build's counts: those loaded from the last build's file, and those of this one."""

    def __init__(self, settings=None):
        settings = settings or {}
        self.settings = settings  # The build's own dict: its posts share it (minutes.py).
        folder = settings.get("CACHE_PATH")
        load = bool(folder and settings.get("LOAD_CONTENT_CACHE"))
        self.path = Path(folder) / FILE if folder else None
        self.save_to = self.path if folder and settings.get("CACHE_CONTENT") else None
        # A build keeping no cache counts every body, as before: nothing to hash.
        self.active = load or self.save_to is not None
        self.code = _code_digest() if self.active else None
        self.stored = self._load() if load else {}
        self.now = {}

    def _load(self) -> dict:
        try:
            found = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        if not isinstance(found, dict) or found.get("code") != self.code:
            return {}
        words = found.get("words")
        return words if isinstance(words, dict) else {}

    def words(self, body: str, count) -> int:
        """The words of ``body``: as kept for the same bytes, else ``count(body)``."""
        if not self.active:
            return count(body)
        digest = bodydigest.of(body)  # Shared with plugins/images, which asks for the same body.
        found = self.now.get(digest)
        if found is None:
            found = self.stored.get(digest)
            if not isinstance(found, int):
                found = count(body)
            self.now[digest] = found
        return found

    def save(self):
        """Keep this build's counts for the next, when the build keeps its caches."""
        if self.save_to is None or self.now == self.stored:
            return
        text = json.dumps({"code": self.code, "words": self.now}, sort_keys=True)
        try:
            write_atomically(self.save_to, text, fsync=False)
        except OSError as exc:  # Only the next build's speed depends on it.
            log.debug("readingtime: could not keep %s (%s)", self.save_to, exc)
