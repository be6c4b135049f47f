"""The last check's page scans, kept by the page's bytes, so an unchanged page is not re-read
(and, the same way, the sources' metadata headers: ``sources.py``).

A scan depends only on the page's bytes and the code that scans it (this package, lxml), so
the key is a hash of the bytes and the cache is dropped whole when the code changes. Findings
are not cached: they depend on the other pages (a link's target, an anchor) and are worked out
again from the scans every time, which is cheap.
"""

import hashlib
import logging
import os
import pickle
from pathlib import Path

import lxml

log = logging.getLogger(__name__)

CACHE_FILE = "check-pages.pickle"
HEADERS_FILE = "check-headers.pickle"


def code_key():
    """The scanner's code and lxml's version: a change to either invalidates every scan."""
    h = hashlib.blake2b(digest_size=16)
    h.update(lxml.__version__.encode())
    for module in sorted(Path(__file__).parent.glob("*.py")):
        h.update(module.name.encode() + b"\0" + module.read_bytes())
    return h.hexdigest()


def digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


class ScanCache:
    """``{digest: Scan}`` loaded from CACHE_PATH; ``save()`` keeps only what this run used.

    ``name`` and ``code``: another file of the same kind, valid while ``code`` is the same
    (the sources' headers: read by this package's code with the settings).
    """

    def __init__(self, folder, *, name=CACHE_FILE, code=None):
        self.path = Path(folder) / name if folder else None
        self.code = code or code_key()
        self.old, self.used = {}, {}
        if self.path and self.path.is_file():
            try:
                with open(self.path, "rb") as f:
                    stored = pickle.load(f)
                if stored.get("code") == self.code:
                    self.old = stored["scans"]
            except Exception as exc:  # noqa: BLE001 - a damaged cache only costs a full scan.
                log.debug("check: ignoring %s (%s)", self.path, exc)

    def get(self, key):
        found = self.old.get(key)
        if found is not None:
            self.used[key] = found
        return found

    def put(self, key, value):
        self.used[key] = value

    def save(self):
        if not self.path or self.used.keys() == self.old.keys():
            return  # Every page as it was last time: the file already holds exactly this.
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(".tmp")
            with open(tmp, "wb") as f:
                pickle.dump({"code": self.code, "scans": self.used}, f, protocol=5)
            os.replace(tmp, self.path)
        # A read-only cache folder, or a value that cannot be pickled (a setting a plugin put
        # in a tag), only costs the next check its speed.
        except (OSError, pickle.PicklingError, TypeError, AttributeError) as exc:
            log.debug("check: could not save %s (%s)", self.path, exc)
