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
config. It follows Pelican's cache settings: entries are kept with ``CACHE_CONTENT`` and reused
with ``LOAD_CONTENT_CACHE``. A full write removes the entries it did not use, so the folder
holds one build's entries, not every edit's.
"""

import hashlib
import logging
import os
import pickle
import sys
from importlib import metadata
from pathlib import Path

from happening.plugins.fastbuild import pages

log = logging.getLogger(__name__)

FOLDER = "feeds"
FORMAT = 2  # Bump when what a cached entry holds changes.
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
        if not self.save or not self.folder.is_dir():
            return
        for path in self.folder.iterdir():
            if path.suffix == ".pickle" and path.stem not in self.used:
                path.unlink(missing_ok=True)
