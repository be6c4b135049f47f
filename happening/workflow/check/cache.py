"""The last check's page scans, kept by the page's bytes, so an unchanged page is not re-read
(and, the same way, the sources' metadata headers: ``sources.py``); each output file's digest,
kept by its stat, so a file the build did not write again is not even read (and, the same way,
each source's ``Summary:`` as written, which `check` reads after a build); and each page's
findings, kept with what they depended on.

A scan depends only on the page's bytes and the code that scans it (this package, lxml), so
the key is a hash of the bytes and the cache is dropped whole when the code changes. A page's
findings depend on the other files too (a link's target, an anchor, a stylesheet's weight), so
:class:`PageFindings` keeps with them every output file their links were resolved against, and
they are taken again only while the page's bytes and each of those files are as they were.
"""

import hashlib
import logging
import marshal
import os
import pickle
import sys
from pathlib import Path

import lxml

from happening.filestat import KeptByStat, stat_of

from .scan import Scan

log = logging.getLogger(__name__)

PAGES_FILE = "check-pages.marshal"
HEADERS_FILE = "check-headers.pickle"
DIGESTS_FILE = "check-digests.marshal"
SUMMARIES_FILE = "check-summaries.marshal"
FINDINGS_FILE = "check-findings.marshal"


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
    """``{digest: value}`` loaded from CACHE_PATH; ``save()`` keeps only what this run used.

    ``name`` and ``code``: another file of the same kind, valid while ``code`` is the same
    (the sources' headers: read by this package's code with the settings). The file is read
    at the first ``get``: a check that needs none of it (the sources a build just read) does
    not pay for loading it, and leaves it as it is.
    """

    def __init__(self, folder, *, name, code=None):
        self.path = Path(folder) / name if folder else None
        self.code = code or code_key()
        self._old, self.used = None, {}

    @property
    def old(self):
        if self._old is None:
            self._old = {}
            if self.path and self.path.is_file():
                try:
                    stored = self._load(self.path)
                    if stored.get("code") == self.code:
                        self._old = stored["scans"]
                except Exception as exc:  # noqa: BLE001 - a damaged cache only costs a full scan.
                    log.debug("check: ignoring %s (%s)", self.path, exc)
        return self._old

    def get(self, key):
        found = self.old.get(key)
        if found is not None:
            self.used[key] = found
        return found

    def put(self, key, value):
        self.used[key] = value

    def save(self):
        if not self.path or self._old is None or self.used.keys() == self._old.keys():
            return  # Not read, or every entry as it was last time: the file already holds this.
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(".tmp")
            self._dump({"code": self.code, "scans": self.used}, tmp)
            os.replace(tmp, self.path)
        # A read-only cache folder, or a value that cannot be pickled (a setting a plugin put
        # in a tag), only costs the next check its speed.
        except (OSError, pickle.PicklingError, TypeError, ValueError, AttributeError) as exc:
            log.debug("check: could not save %s (%s)", self.path, exc)

    def _load(self, path):
        with open(path, "rb") as f:
            return pickle.load(f)

    def _dump(self, stored, path):
        with open(path, "wb") as f:
            pickle.dump(stored, f, protocol=5)


class PageScans(ScanCache):
    """The pages' scans, each kept as its own ``marshal`` bytes and turned back into a
    :class:`Scan` only when asked for (:func:`as_scan`): after one new post a check needs the
    scans of the pages it works out again and the anchors of the pages they link to, and
    loading all ~1,600 of a 1,000-post site (~100,000 links) took 0.1 s. Unpickling as many
    objects took ten times as long again."""

    def __init__(self, folder):
        # marshal's format may change with Python's version: part of the key.
        super().__init__(folder, name=PAGES_FILE, code=f"{code_key()}-{sys.version}")

    def _load(self, path):
        # loads() of the whole file: load() on the file reads it in a small read per object.
        with open(path, "rb") as f:
            return marshal.loads(f.read())

    def _dump(self, stored, path):
        plain = {
            key: scan if isinstance(scan, bytes) else marshal.dumps(astuple(scan))
            for key, scan in stored["scans"].items()
        }
        with open(path, "wb") as f:
            marshal.dump({"code": stored["code"], "scans": plain}, f)


def as_scan(kept) -> Scan:
    """A :class:`Scan` from what :class:`PageScans` keeps (its bytes, or a scan made this run)."""
    return Scan(*marshal.loads(kept)) if isinstance(kept, bytes) else kept


def astuple(scan: Scan) -> tuple:
    return (scan.size, tuple(map(tuple, scan.refs)), scan.anchors, scan.no_alt)


class StatFile(KeptByStat):
    """:class:`happening.filestat.KeptByStat` in a marshal file of CACHE_PATH, valid while
    ``code`` is the same (an output folder's path: another folder's files have other stats)."""

    def __init__(self, folder, name, code):
        self.path = Path(folder) / name if folder else None
        self.code = code
        stored = None
        if self.path and self.path.is_file():
            try:
                with open(self.path, "rb") as f:
                    found = marshal.loads(f.read())
                if found.get("code") == code:
                    stored = found["files"]
            except Exception as exc:  # noqa: BLE001 - a damaged file only costs reading all.
                log.debug("check: ignoring %s (%s)", self.path, exc)
        super().__init__(stored)

    def save(self):
        if not self.path or not self.changed:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(".tmp")
            with open(tmp, "wb") as f:
                marshal.dump({"code": self.code, "files": self.now}, f)
            os.replace(tmp, self.path)
        except (OSError, ValueError) as exc:  # A read-only folder only costs the next check.
            log.debug("check: could not save %s (%s)", self.path, exc)


class Digests:
    """Each file of one output folder with its :func:`digest`, kept by the file's stat
    (``happening.filestat``) from the last check of that folder: after one new post, nine in
    ten of a site's files are as the last check read them, and reading and hashing them all
    was a tenth of a second of every release."""

    def __init__(self, folder, output, stats=None):
        self.output = str(output)
        # ``stats``: each output file's stat as the caller just took it (happening.filestat.tree)
        self.stats = stats or {}
        # This package's code too: the digests are the keys of its other caches.
        where = Path(output).resolve()
        self.kept = StatFile(folder, DIGESTS_FILE, code=f"{code_key()} {where}")

    def of(self, rel):
        """``(digest, bytes)`` of the output file ``rel``; bytes None when its stat is the one
        recorded with the digest (the file was not read)."""
        path = os.path.join(self.output, rel)
        # Taken before reading: a write in between then changes it for next time.
        stat = self.stats.get(rel) or stat_of(path)
        known = self.kept.get(rel, stat)
        if known is not None:
            return known, None
        with open(path, "rb") as f:
            data = f.read()
        key = digest(data)
        self.kept.put(rel, stat, key)
        return key, data

    def save(self):
        self.kept.save()


def anchors_key(scan: Scan) -> str:
    """What a page offers links from elsewhere: its anchors, as one digest (not :func:`digest`,
    which stands for reading a file's bytes)."""
    joined = "\0".join(sorted(scan.anchors)).encode()
    return hashlib.blake2b(joined, digest_size=16).hexdigest()


class PageFindings:
    """Each page's findings from the last check of one output folder, with what they depended on.

    A record is ``(page digest, anchors key, findings)``; ``findings`` is what ``pages.py``
    worked out for the page: its problems (not yet placed in a source: the sources may have
    changed), its links to missing files, every output file its links were resolved against
    (``looked_at``), and the weight of each file it loads. After one new post, nine in ten pages
    are the same bytes linking to files that did not change: their findings are the last ones.
    ``code``: what else the findings depend on (SITEURL, the page budget); the folder's path,
    this package's code and lxml's version are added.
    """

    def __init__(self, folder, output, code):
        self.path = Path(folder) / FINDINGS_FILE if folder else None
        self.code = f"{code_key()} {Path(output).resolve()} {code}"
        self.stored, self.files = {}, frozenset()
        if self.path and self.path.is_file():
            try:
                with open(self.path, "rb") as f:
                    found = marshal.loads(f.read())
                if found.get("code") == self.code:
                    self.stored, self.files = found["pages"], found["files"]
            except Exception as exc:  # noqa: BLE001 - a damaged file only costs a full check.
                log.debug("check: ignoring %s (%s)", self.path, exc)
        self.now = {}

    def changed(self, files, keys, scan_of) -> set:
        """The output files a link may now resolve to differently: those that appeared or
        vanished since the last check, and the pages whose anchors changed. ``files``: every
        output file now; ``keys``: each page's digest now; ``scan_of(page)``: its scan."""
        changed = set(self.files.symmetric_difference(files))
        for page, (old_digest, old_anchors, _) in self.stored.items():
            new_digest = keys.get(page)
            # The same bytes have the same anchors: only a page written anew is looked at.
            rewritten = new_digest is not None and new_digest != old_digest
            if rewritten and anchors_key(scan_of(page)) != old_anchors:
                changed.add(page)
        return changed

    def get(self, page, page_digest, changed, weight_of):
        """The last findings of ``page`` if they still hold: the same bytes, none of the files
        they depended on in ``changed``, and each file it loads as heavy as it was."""
        record = self.stored.get(page)
        if record is None or record[0] != page_digest:
            return None
        findings = record[2]
        if not changed.isdisjoint(findings[2]):
            return None
        if any(weight_of(target) != weight for target, weight in findings[3]):
            return None
        self.now[page] = record
        return findings

    def put(self, page, page_digest, scan, findings):
        self.now[page] = (page_digest, anchors_key(scan), findings)

    def save(self, files):
        if not self.path or (self.now == self.stored and self.files == files):
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(".tmp")
            with open(tmp, "wb") as f:
                marshal.dump({"code": self.code, "files": frozenset(files), "pages": self.now}, f)
            os.replace(tmp, self.path)
        except (OSError, ValueError) as exc:  # A read-only folder only costs the next check.
            log.debug("check: could not save %s (%s)", self.path, exc)
