"""The site's search index: Pagefind run over the built pages, in shards, once they are written.

Pagefind (PyPI ``pagefind[bin]``, its Rust indexer) reads HTML and writes a bundle: the index in
fragments, one per language (each page's ``<html lang>``), and ``pagefind.js``, which only the
search page loads. The theme marks what to index (``data-pagefind-body`` on a post's text, its
title and date as ``data-pagefind-meta``), so listings, tags and the search page itself stay out
of the results.

Pagefind has no incremental mode (pagefind/pagefind#71): one run re-reads every page. So the
pages are split into **shards** that rarely change together, each its own bundle written by its
own Pagefind run, and only the shards whose pages changed are indexed again:

- a post (a page with ``article:published_time``, which the theme writes on every post) goes
  to the shard of its year, and a year of more than :data:`POSTS_PER_SHARD` posts is cut, in
  date order, into shards of that many (``2024-1``, ``2024-2``...). A new post changes only the
  newest shard, an edit only its post's shard; deleting or back-dating a post shifts the later
  posts of its year only;
- any other indexed page (one with ``data-pagefind-body`` and no date) goes to ``pages``;
- a page with no ``data-pagefind-body`` (listings, tags, the search page) is in no shard, as a
  whole-site Pagefind run leaves it out too. A change to it re-indexes nothing.

A shard is indexed again when its digest changes: of its pages' paths and of the bytes Pagefind
reads in each (:func:`what_pagefind_reads`: up to the end of the indexed element, so not the
related reading and neighbours' links after it, which a new post changes on older posts).

Each shard's bundle is ``pagefind/<shard>/``, and :data:`ENTRY` lists them with their languages:
the search page (``theme/static/js/search.js``) fetches it on the first query and merges the
shards with Pagefind's multisite search (``mergeIndex``), which ranks all results together.

It is a step after the build, not a Pelican plugin: it must see every page as written. Pagefind
runs in its own processes, so a caller can do other work while it indexes (:func:`start_index`;
a release checks the site meanwhile). The shards are written into the cache folder and moved
into the output only once every one of them is complete.
"""

import hashlib
import importlib.metadata
import json
import logging
import os
import re
import shutil
import subprocess
import sys
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from happening import forked
from happening.atomic import write_atomically
from happening.errors import UserError
from happening.filestat import KeptByStat, tree

log = logging.getLogger(__name__)

BUNDLE = "pagefind"  # inside the output folder: one bundle per shard, BUNDLE/<shard>/
ENTRY = f"{BUNDLE}/shards.json"  # written last: the index is complete; the search page reads it
STATE_FILE = "search-shards.json"  # in the cache folder: each shard's digest, as indexed
STAGING = "search-bundle"  # in the cache folder: the shards' bundles until all are complete
SOURCES = "search-pages"  # in the cache folder: each shard's pages (copies), Pagefind's --site
PAGES_FILE = "search-plan.json"  # in the cache folder: what each page showed the plan, by stat
POSTS_PER_SHARD = 100  # ~0.5 s of Pagefind on a slow laptop: what an edit or a new post waits
PAGES_SHARD = "pages"
# Pagefind's ready-made search UIs: the search page has its own (search.js), so no reader ever
# loads these; a bundle per shard would otherwise carry ~600 KB of them each.
UNUSED = (
    "pagefind-ui.js",
    "pagefind-ui.css",
    "pagefind-modular-ui.js",
    "pagefind-modular-ui.css",
    "pagefind-component-ui.js",
    "pagefind-component-ui.css",
    "pagefind-highlight.js",
)

# Found with bytes.find, not a regular expression over the page: a release reads every page.
_BODY = b"data-pagefind-body"
_PUBLISHED = b'<meta property="article:published_time" content="'
_TAG_NAME = re.compile(rb"<([a-zA-Z][a-zA-Z0-9-]*)")
_AFTER_NAME = (b" ", b"\t", b"\n", b"\r", b"=", b"/", b">")


def _indexer():
    """Pagefind's own binary, from the pagefind[bin] package: ``python -m pagefind`` runs the
    same, but after a Python start (~0.1 s; 1 s on a loaded laptop), paid once per shard."""
    try:
        import pagefind_bin  # Installed with pagefind[bin]; without it, pagefind finds one.

        return [str(pagefind_bin.get_executable())]
    except (ImportError, FileNotFoundError):
        return [sys.executable, "-m", "pagefind"]  # which says what is missing


PAGEFIND = _indexer()


class SearchIndexError(UserError):
    """Pagefind failed; the message has its output."""


@dataclass
class Indexed:
    seconds: float
    skipped: bool  # no shard's pages changed since the last index
    shards: tuple = ()  # the names of the shards indexed again


@dataclass(frozen=True)
class Shard:
    """One Pagefind bundle's worth of pages: ``pages`` are paths relative to the output."""

    name: str
    pages: tuple
    digest: str  # of the pages' paths and of what Pagefind reads in each


def index_site(output: Path, cache: Path) -> Indexed:
    """Index ``output`` with Pagefind, only the shards whose pages changed since last time."""
    return start_index(output, cache).wait()


def start_index(output: Path, cache: Path, files: dict | None = None) -> "Indexing":
    """Start indexing the shards of ``output`` whose pages changed since the last index;
    :meth:`Indexing.wait` waits for it. ``files``: as in :func:`plan_shards`."""
    output, cache = Path(output), Path(cache)
    planned = plan_shards(output, cache, files)
    indexed = _indexed(output, cache)
    stale = [
        shard for shard in planned if indexed.get(shard.name, {}).get("digest") != shard.digest
    ]
    gone = set(indexed) - {shard.name for shard in planned}
    if not stale and not gone:
        log.info("search: no page changed; the index is up to date")
        return Indexing(output, cache, planned, [], indexed, skipped=True)
    return Indexing(output, cache, planned, stale, indexed, skipped=False)


def plan_shards(output: Path, cache: Path | None = None, files: dict | None = None) -> list:
    """The shards of the pages in ``output`` Pagefind indexes, sorted by name (see the module).

    ``cache``: the folder where what each page showed of itself last time is kept by the page's
    stat (:data:`PAGES_FILE`), so only the pages written since are read (a tenth after one new
    post; reading and digesting all of them was ~0.3 s of every release).
    ``files``: every file of ``output`` with its stat (``happening.filestat.tree``), as the
    caller has just taken them (a release, after its build), so the folder is not walked again.
    """
    output = Path(output)
    known = _Pages(output, cache)
    posts, others = defaultdict(list), []
    # Each stat taken before the page is read: a write in between changes it for next time.
    files = files if files is not None else tree(output)
    for rel in _html_pages(files):
        path = os.path.join(output, rel)
        stat = files[rel]
        described = known.get(rel, stat)
        if described is None:
            described = _describe(Path(path).read_bytes())
            known.put(rel, stat, described)
        if not described:
            continue  # Pagefind leaves it out: no data-pagefind-body.
        date, digest = described
        if date is not None:
            posts[date[:4]].append((date, rel, digest))
        else:
            others.append((rel, digest))
    known.save()
    shards = []
    for year, dated in posts.items():
        dated.sort()
        for start in range(0, len(dated), POSTS_PER_SHARD):
            chunk = [described for _, *described in dated[start : start + POSTS_PER_SHARD]]
            shards.append(_shard(f"{year}-{start // POSTS_PER_SHARD + 1}", chunk))
    if others:
        shards.append(_shard(PAGES_SHARD, others))
    return sorted(shards, key=lambda shard: shard.name)


def _html_pages(files):
    """Every ``.html`` file of ``files`` (an output folder's tree) but the index's own, in the
    order of their path's parts (as sorted ``Path`` objects are)."""
    bundle = f"{BUNDLE}/"
    found = [rel for rel in files if rel.endswith(".html") and not rel.startswith(bundle)]
    return sorted(found, key=lambda rel: rel.split("/"))


def _describe(html):
    """What the plan takes of a page: ``[]`` when Pagefind leaves it out, else its date (None
    for a page that is not a post) and the digest of what Pagefind reads of it."""
    if _last_body(html) is None:
        return []
    digest = hashlib.sha256(what_pagefind_reads(html)).hexdigest()
    published = html.find(_PUBLISHED)
    if published < 0:
        return [None, digest]
    start = published + len(_PUBLISHED)
    return [html[start : html.find(b'"', start)].decode(), digest]


class _Pages(KeptByStat):
    """What :func:`_describe` found in each page of one output folder, kept by the page's
    stat in ``cache`` (none: nothing kept); dropped whole when this module's code changes."""

    def __init__(self, output, cache):
        self.path = Path(cache) / PAGES_FILE if cache is not None else None
        self.code = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()
        self.where = str(Path(output).resolve())
        stored = None
        try:
            found = json.loads(self.path.read_text(encoding="utf-8")) if self.path else {}
            if found.get("code") == self.code and found.get("output") == self.where:
                stored = found["pages"]
        except (OSError, ValueError, KeyError, AttributeError):
            stored = None  # Damaged or missing: every page is read, as the first time.
        super().__init__(stored)

    def save(self):
        if self.path is not None and self.changed:
            kept = {"code": self.code, "output": self.where, "pages": self.now}
            write_atomically(self.path, json.dumps(kept), fsync=False)


def what_pagefind_reads(html: bytes) -> bytes:
    """The page up to the end of its last ``data-pagefind-body`` element, or all of it.

    Pagefind reads the page's language, its head and the body elements; what follows them
    (a post's related reading, its neighbours' links) it never indexes, and it is what a new
    post changes on older posts: left out, their shards are not indexed again for it. Any
    Pagefind attribute after the body (a filter or meta placed there) keeps the whole page.
    """
    body = _last_body(html)
    end = _element_end(html, *body) if body else None
    if end is None or b"data-pagefind-" in html[end:]:
        return html
    return html[:end]


def _last_body(html):
    """Where the last tag carrying ``data-pagefind-body`` starts, and its name; None if none
    does (in a post's text the words would be escaped, never inside a tag)."""
    at = len(html)
    while (found := html.rfind(_BODY, 0, at)) >= 0:
        opening = html.rfind(b"<", 0, found)
        tag = _TAG_NAME.match(html, opening) if opening >= 0 else None
        after = html[found + len(_BODY) : found + len(_BODY) + 1]
        if tag and b">" not in html[opening:found] and after in _AFTER_NAME:
            return opening, tag[1].lower()
        at = found
    return None


def _element_end(html, start, name):
    """Where the element whose start tag is at ``start`` ends (after its end tag, the elements
    of the same name inside it counted), or None if it never does."""
    opening, closing = b"<" + name, b"</" + name
    depth, at = 0, start
    while (close := html.find(closing, at)) >= 0:
        nested = html.find(opening, at)
        pos, step = (nested, 1) if 0 <= nested < close else (close, -1)
        at = pos + (len(opening) if step == 1 else len(closing))
        if html[at : at + 1] not in _AFTER_NAME:
            continue  # another tag whose name starts the same: <articles>, <main-menu>
        depth += step
        if depth == 0:
            end = html.find(b">", at)
            return end + 1 if end >= 0 else None
    return None


def _shard(name, described):
    h = hashlib.sha256()
    for rel, digest in described:
        h.update(f"{rel}\0{digest}\0".encode())
    return Shard(name, tuple(rel for rel, _ in described), h.hexdigest())


class Indexing:
    """Pagefind runs, one per stale shard, started by :func:`start_index`; ``wait()`` ends them.

    Each shard is indexed into a folder in the cache, from a folder of copies of its pages
    (Pagefind reads a whole folder; the copies keep each page's path, so its URL). The bundles are
    moved into the output only once all are complete, so whatever reads the output meanwhile
    (release's check) sees no half-written ``pagefind/``, only the pages, which Pagefind reads
    and never changes.
    """

    def __init__(self, output, cache, planned, stale, indexed, *, skipped):
        self.output, self.cache = output, cache
        self.planned, self.stale, self.indexed = planned, stale, indexed
        self.started = time.perf_counter()
        self.staging, self.sources = cache / STAGING, cache / SOURCES
        self.result = Indexed(0.0, skipped=True) if skipped else None
        self.runs = []
        if skipped:
            return
        shutil.rmtree(self.staging, ignore_errors=True)
        shutil.rmtree(self.sources, ignore_errors=True)
        self.staging.mkdir(parents=True)
        # As many Pagefinds at a time as there are cores: a cold index of many small shards
        # is quicker side by side (one run alone leaves cores idle while it starts and writes
        # its bundle); more at once would only compete for the cores.
        self.pool = ThreadPoolExecutor(max(1, min(len(stale), forked.cores())))
        self.runs = [(shard, self.pool.submit(self._pagefind, shard)) for shard in stale]

    def _pagefind(self, shard):
        # Its pages copied here, in the pool's thread, while the caller goes on (a release
        # checks the site): a folder and a file made per page, ~0.05 s of its main thread.
        _copy_pages(self.output, self.sources / shard.name, shard.pages)
        command = [*PAGEFIND, "--site", str((self.sources / shard.name).resolve()), "--quiet"]
        command += ["--output-path", str((self.staging / shard.name).resolve())]
        ran = subprocess.run(command, capture_output=True, text=True)
        # The copies it read are done with: removed here, while the caller still works (each
        # folder's removal waits on the disk: ~0.03 s of a release's wait for the index).
        shutil.rmtree(self.sources / shard.name, ignore_errors=True)
        return ran

    def wait(self) -> Indexed:
        """Wait for Pagefind, move the new shards into the output; raise if any run failed."""
        if self.result is not None:
            return self.result
        done = [(shard, run.result()) for shard, run in self.runs]
        self.pool.shutdown()
        shutil.rmtree(self.sources, ignore_errors=True)
        failed = [(shard, ran) for shard, ran in done if ran.returncode != 0]
        seconds = time.perf_counter() - self.started
        if failed:
            shutil.rmtree(self.staging, ignore_errors=True)
            self.result = Indexed(seconds, skipped=False)
            shard, ran = failed[0]
            raise SearchIndexError(
                f"search: pagefind failed (exit {ran.returncode}) indexing {self.output} "
                f"(shard {shard.name}):\n" + (ran.stderr or ran.stdout).strip()
            )
        self._move_in()
        self.result = Indexed(
            time.perf_counter() - self.started,
            skipped=False,
            shards=tuple(shard.name for shard in self.stale),
        )
        log.info(
            "search: indexed %d of %d shard(s) of %s in %.2fs",
            len(self.stale),
            len(self.planned),
            self.output,
            self.result.seconds,
        )
        return self.result

    def _move_in(self):
        bundle, state_file = self.output / BUNDLE, self.cache / STATE_FILE
        # Until the new state is written, the output's bundles are not the recorded ones: a
        # crash in between leaves no state, and the next index redoes every shard.
        state_file.unlink(missing_ok=True)
        (self.output / ENTRY).unlink(missing_ok=True)
        stale = {shard.name for shard in self.stale}
        kept = {shard.name for shard in self.planned} - stale
        bundle.mkdir(parents=True, exist_ok=True)
        for old in bundle.iterdir():
            if old.name in kept:
                continue
            if old.is_dir():  # a stale or deleted shard
                shutil.rmtree(old)
            else:  # the shards.json just removed, or a whole-site bundle of an older version
                old.unlink()
        shards = {name: self.indexed[name] for name in kept}
        for shard in self.stale:
            built = self.staging / shard.name
            for unused in UNUSED:
                (built / unused).unlink(missing_ok=True)
            entry = _sort_languages(built / "pagefind-entry.json")
            shutil.move(built, bundle / shard.name)
            shards[shard.name] = {"digest": shard.digest, "languages": sorted(entry["languages"])}
        shutil.rmtree(self.staging, ignore_errors=True)
        listing = [
            {"path": f"{name}/", "languages": shards[name]["languages"]} for name in sorted(shards)
        ]
        _write_json(self.output / ENTRY, {"shards": listing})  # what the search page fetches
        _write_json(state_file, {"pagefind": _pagefind_version(), "shards": shards})


def _indexed(output, cache):
    """The shards in ``output``'s bundle as the last index recorded them, if it can be trusted:
    ``{name: {"digest", "languages"}}``; empty (index everything) when it cannot."""
    try:
        state = json.loads((cache / STATE_FILE).read_text(encoding="utf-8"))
        listed = json.loads((output / ENTRY).read_text(encoding="utf-8"))["shards"]
    except (OSError, ValueError, KeyError):
        return {}
    shards = state.get("shards", {})
    # Another Pagefind writes other bundles; and the output must hold the very shards recorded.
    if state.get("pagefind") != _pagefind_version():
        return {}
    if sorted(shards) != [item["path"].rstrip("/") for item in listed]:
        return {}
    if not all((output / BUNDLE / name / "pagefind-entry.json").is_file() for name in shards):
        return {}
    return shards


def _copy_pages(output, folder, pages):
    """``folder`` holding a copy of each of ``pages`` at its own path.

    Copies, not hard links: linking and unlinking a page changes its ctime, the very mark by
    which the plan, `check` and the deploy tell a page written since (``happening.filestat``),
    so every page of a shard indexed again would look rewritten to all three. A shard's pages
    are a few megabytes at most.
    """
    for rel in pages:
        target = folder / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(output / rel, target)


def _sort_languages(entry_file):
    """Pagefind's ``pagefind-entry.json``, its languages in a fixed order: Pagefind writes them
    in any order, and the same pages must give the same bundle, byte for byte."""
    entry = json.loads(entry_file.read_text(encoding="utf-8"))
    entry["languages"] = dict(sorted(entry["languages"].items()))
    entry_file.write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")), "utf-8")
    return entry


def _write_json(path, data):
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    # Readable by all (0644): shards.json is served to readers. No fsync: a crash before the
    # next index only makes it redo every shard (no state file, see _move_in).
    write_atomically(path, text + "\n", fsync=False, mode=0o644)


def _pagefind_version():
    try:
        return importlib.metadata.version("pagefind")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"
