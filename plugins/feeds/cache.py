"""Each post's feed pieces kept between builds, by a digest of everything they show.

Making a post's entry (its HTML made absolute, feedgen's Atom entry and RSS item, serialised)
is most of what writing the feeds costs, and after one new post all the others are the same.
So :class:`EntryCache` keeps every entry in ``CACHE_PATH/feeds/<digest>.pickle``, where the
digest covers:

- every value the entry is made from (:class:`entries.Inputs`: the post's id, address, title,
  dates, summary, terms, authors, thread and image), so an edit to any of them is a new digest;
- the body by what its HTML is made from, not the HTML itself: the body as read, what each of
  its ``{filename}``/``{static}`` links points at now (fastbuild's page cache hashes both once a
  build, ``pages.body_digest``), the post's source path (a relative link is resolved from it)
  and every setting but where the build writes (Pelican fills ``{tag}``, ``{index}``... links
  from them). So an unchanged
  post's entry costs a dict lookup, not a ``get_content`` of its body. Without the page cache
  (or with a setting that has no stable description), the body with its links filled in;
- the feeds' settings (:class:`config.FeedsConfig`, whole);
- the code that turns those into bytes (this package and ``happening/urls.py``) and the
  versions of Python, feedgen and lxml.

Nothing else reaches an entry: :func:`entries.build_post` reads only its inputs and the
config. A whole feed document is made of its entries' keys, its own title and addresses and the
config, so a build that finds a feed file as it left it, for the same such key, leaves it and
loads none of its entries (:class:`FeedFiles`: after one new post, the ~45 tag and category
feeds that do not list it).

It follows Pelican's cache settings: entries are kept with ``CACHE_CONTENT`` and reused with
``LOAD_CONTENT_CACHE``. A full write removes the entries it did not use (nor listed in a feed it
left alone), so the folder holds one build's entries, not every edit's.
"""

import hashlib
import json
import logging
import os
import pickle
import sys
import time
from importlib import metadata
from pathlib import Path

from happening.filestat import KeptByStat, stat_of
from happening.plugins.fastbuild import pages

log = logging.getLogger(__name__)

FOLDER = "feeds"
FORMAT = 2  # Bump when what a cached entry holds changes.
FILES = "feed-files.json"  # Beside the entries (see FeedFiles).
# A file changed this recently may change again within the file system's clock tick, keeping its
# size and times (git's "racy" files): its key is not kept until it has been still this long.
RACY_NS = 2_000_000_000
# Settings that say where a build writes, keeps its caches and how Jinja loads templates: they
# never change a body's HTML, and a build into another folder may reuse the entries.
BODY_BLIND = frozenset({"OUTPUT_PATH", "CACHE_PATH", "JINJA_ENVIRONMENT"})
_HERE = Path(__file__).resolve().parent
_CODE = [*sorted(_HERE.glob("*.py")), _HERE.parents[1] / "happening" / "urls.py"]


def code_key() -> bytes:
    """The code and library versions that turn an entry's inputs into bytes."""
    h = hashlib.blake2b(digest_size=16)
    h.update(repr((FORMAT, sys.version)).encode())
    for name in ("feedgen", "lxml"):
        h.update(f"{name}={metadata.version(name)}".encode())
    for path in _CODE:
        h.update(path.name.encode() + b"\0" + path.read_bytes())
    return h.digest()


class EntryCache:
    """``{digest: Post}`` on disk; ``get`` and ``put`` by the entry's inputs and the config."""

    def __init__(self, folder: Path, *, load=True, save=True, settings=None):
        self.folder = Path(folder)
        self.load, self.save = load, save
        self.used: set[str] = set()
        self._code = code_key()
        # None: bodies are keyed by their HTML (see made_from).
        self._settings = None
        if settings is not None:
            self._settings = pages.settings_digest(settings, leave_out=BODY_BLIND)
        # Whole feed documents are known unchanged only by a build that both keeps and reuses.
        self.files = FeedFiles(self.folder, self._code) if load and save else None

    @classmethod
    def of(cls, settings):
        """The cache Pelican's settings ask for, or None (no CACHE_PATH, or caching off)."""
        load = bool(settings.get("LOAD_CONTENT_CACHE"))
        save = bool(settings.get("CACHE_CONTENT"))
        if not settings.get("CACHE_PATH") or not (load or save):
            return None
        folder = Path(settings["CACHE_PATH"]) / FOLDER
        return cls(folder, load=load, save=save, settings=settings)

    def made_from(self, article):
        """What ``article``'s body HTML is made from, or None: then ``inputs`` must hold the
        HTML itself (``entries.inputs(..., content=True)``)."""
        if self._settings is None or hasattr(article, "_get_content"):
            # A plugin gives this body through get_content's hook (fenced with get_content).
            return None
        body = pages.body_digest(article)
        return None if body is None else (body, article.source_path, self._settings)

    def key(self, inputs, config, made_from=None) -> str:
        """The entry's digest: ``inputs`` (with its ``content`` or, instead, ``made_from``)."""
        h = hashlib.blake2b(self._code, digest_size=20)
        # repr: every field is a str, number, date, tuple or dict of them; dicts keep their
        # insertion order, which make_post fixes, so equal inputs give equal text.
        h.update(repr((inputs, config, made_from)).encode())
        return h.hexdigest()

    def get(self, key):
        self.used.add(key)
        if not self.load:
            return None
        try:
            with open(self.folder / f"{key}.pickle", "rb") as f:
                return pickle.load(f)
        except FileNotFoundError:
            return None
        except Exception as exc:  # noqa: BLE001 - a damaged entry is only made again.
            log.debug("feeds: ignoring the cached entry %s (%s)", key, exc)
            return None

    def put(self, key, post):
        if not self.save:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        target = self.folder / f"{key}.pickle"
        tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        try:
            with open(tmp, "wb") as f:
                pickle.dump(post, f, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, target)  # Another build reading it sees the whole entry or none.
        except OSError as exc:  # A read-only cache only costs the next build its speed.
            tmp.unlink(missing_ok=True)
            log.debug("feeds: could not keep the entry %s (%s)", key, exc)

    def prune(self):
        """Remove the entries this build did not use (after a full write of every feed)."""
        if self.files is not None:
            self.files.save()
        if not self.save or not self.folder.is_dir():
            return
        for path in self.folder.iterdir():
            if path.suffix == ".pickle" and path.stem not in self.used:
                path.unlink(missing_ok=True)


class FeedFiles:
    """The feed documents the last build left, each by a key of everything it is made of.

    A feed's bytes are made of its kind, path, title and alternate page, the keys of the entries
    it lists in order (each covers all its entry shows, see :class:`EntryCache`), the feeds'
    settings and the code. After one new post most of a site's feeds (every tag and category
    that does not list it) are the same: when the key is the one the file at that path was left
    with, and the file still has the stat it had then, the file already holds those bytes, and
    making it again (loading its entries, assembling and comparing ~50 documents) is skipped.
    """

    def __init__(self, folder: Path, code: bytes):
        self.path = Path(folder) / FILES
        self._code = code
        try:
            stored = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            stored = None
        self.kept = KeptByStat(stored)
        self._settled = time.time_ns() - RACY_NS

    def key(self, made_of, config) -> str:
        h = hashlib.blake2b(self._code, digest_size=20)
        h.update(repr((made_of, config)).encode())
        return h.hexdigest()

    def unchanged(self, output: Path, path: str, made_of, config) -> int | None:
        """The size of the feed at ``output/path`` if it holds what ``made_of`` makes, else None."""
        try:
            stat = stat_of(output / path)
        except OSError:
            return None
        if self.kept.get(path, stat) != self.key(made_of, config):
            self.kept.now.pop(path, None)
            return None
        return stat[0]

    def note(self, output: Path, path: str, made_of, config):
        """``output/path`` now holds what ``made_of`` makes (written or found so)."""
        try:
            stat = stat_of(output / path)
        except OSError:
            return
        if max(stat[1], stat[2]) < self._settled:
            self.kept.put(path, stat, self.key(made_of, config))

    def save(self):
        if not self.kept.changed:
            return
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_text(json.dumps(self.kept.now, sort_keys=True), encoding="utf-8")
            os.replace(tmp, self.path)
        except OSError as exc:  # A read-only cache only costs the next build its speed.
            tmp.unlink(missing_ok=True)
            log.debug("feeds: could not keep %s (%s)", self.path, exc)
