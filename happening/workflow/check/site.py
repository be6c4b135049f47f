"""What every check reads: the output's files, each page's scan, the sources, and how a finding
on an output page is traced back to the Markdown file (and line) it came from."""

import contextlib
import os
import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from happening import forked

from .cache import Digests, ScanCache, as_scan
from .model import Problem, Report
from .scan import Scan, scan, scan_files
from .sources import Sources

# Below this many pages to parse, starting worker processes costs more than it saves (~0.15 s
# of parsing here, while this process reads the sources: after one new post, ~130 pages).
PARALLEL_FROM = 60
# ...and with nothing to do meanwhile (the sources read ahead): a forked child parses a page
# slower than this process (it copies the memory it touches), so ~130 pages took 0.06-0.066 s
# in two children against 0.037 s here. Where two children start to win was not measured; a
# check of every page (~1,600 at 1,000 posts) still takes them.
PARALLEL_ALONE = 400
FONT_FACE = re.compile(r"@font-face\s*{([^}]*)}", re.IGNORECASE)
NON_BLOCKING_FONT = re.compile(r"font-display\s*:\s*(swap|optional|fallback)", re.IGNORECASE)
CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")]+)['\"]?\s*\)", re.IGNORECASE)


@dataclass
class Site:
    settings: dict
    output: Path
    shown_output: Path  # how output paths are shown: output/ when it sits in the project
    now: datetime
    cache: ScanCache
    report: Report
    digests: Digests
    sources: Sources | None = None  # read by load()
    files: set = field(default_factory=set)  # every output file, posix, relative to output
    # output page (posix) -> Scan, or what the scan cache keeps of it: use scan(page)
    scans: dict = field(default_factory=dict)
    keys: dict = field(default_factory=dict)  # output page (posix) -> digest of its bytes
    _weights: dict = field(default_factory=dict, repr=False)

    def load(self, read_sources, files=None, overlapped=True):
        """Index the output (``files``: its tree, as the caller just took it; else it is
        walked), scan every page (from the cache, else in worker processes when there are
        many) and, meanwhile, read the sources with ``read_sources()``. ``overlapped=False``:
        that is no work (the sources were read ahead), so nothing runs beside the scans."""
        if files is not None:
            self.files.update(files)
        else:
            root = os.path.join(str(self.output), "")  # os.walk's folders start with it: cut,
            for dirpath, _, names in os.walk(root):  # not relpath (~1,800 folders)
                folder = os.path.join(dirpath, "")[len(root) :].replace(os.sep, "/")
                self.files.update(folder + name for name in names)
        todo = []
        for rel in sorted(f for f in self.files if f.endswith(".html")):
            key, data = self.digests.of(rel)
            self.keys[rel] = key
            found = self.cache.get(key)
            if found is None:
                todo.append(
                    (rel, key, data if data is not None else (self.output / rel).read_bytes())
                )
            else:
                self.scans[rel] = found
        with _scanning(self.output, todo, PARALLEL_FROM if overlapped else PARALLEL_ALONE) as scans:
            self.sources = read_sources()  # while the workers scan, if there are any
            for (rel, key, _), result in zip(todo, scans, strict=True):
                self.cache.put(key, result)
                self.scans[rel] = result
        self.cache.save()
        return self

    def scan(self, rel):
        """The :class:`Scan` of the output page ``rel``, made from the cache's bytes once."""
        found = self.scans[rel]
        if not isinstance(found, Scan):
            found = self.scans[rel] = as_scan(found)
        return found

    def shown(self, rel):
        return (self.shown_output / rel).as_posix()

    def problem(self, level, kind, page, line, message, needles=()):
        """A finding on output ``page``, placed in the source that made it when that is known.

        A post's or page's own output maps to its source file, at the first line holding one of
        ``needles`` (the URL as written, say). A finding on a listing (home, tags, archives) is
        placed in the source whose text holds the needle, as the text came from there; else it
        stays on the output page, where the theme put it.
        """
        source = self.sources.by_output.get(page)
        if source is not None:
            line_there = self.sources.line_of(source, *needles) if needles else None
            return Problem(level, kind, self.sources.shown(source), line_there, message)
        if needles:
            for item in (*self.sources.posts, *self.sources.pages):
                line_there = self.sources.line_of(item.source_path, *needles)
                if line_there:
                    where = self.sources.shown(item.source_path)
                    return Problem(level, kind, where, line_there, message)
        return Problem(level, kind, self.shown(page), line, message)

    def weight_of(self, rel):
        """Bytes a browser fetches for ``rel`` before first paint: a stylesheet with its fonts.

        A face with ``font-display: swap`` (or ``optional``, ``fallback``) is left out: the
        text paints at once in a fallback face, and the font replaces it when it arrives.
        """
        if rel not in self._weights:
            path = self.output / rel
            weight = path.stat().st_size
            if rel.endswith(".css"):
                text = path.read_text(encoding="utf-8", errors="replace")
                for block in FONT_FACE.findall(text):
                    if NON_BLOCKING_FONT.search(block):
                        continue
                    for url in CSS_URL.findall(block):
                        font = os.path.normpath(os.path.join(os.path.dirname(rel), url))
                        if url.startswith("/"):
                            font = url.lstrip("/")
                        font = font.split("?")[0].split("#")[0].replace(os.sep, "/")
                        if font in self.files:
                            weight += (self.output / font).stat().st_size
            self._weights[rel] = weight
        return self._weights[rel]


@contextmanager
def _scanning(output, todo, parallel_from=PARALLEL_FROM):
    """Scans of ``todo``'s pages in order (an iterable), made on every available core when there
    are ``parallel_from`` or more: the worker processes are at work from the start of the
    ``with`` block, so this process can do something else before it iterates (check reads the
    sources)."""
    workers = forked.cores()
    if len(todo) < parallel_from or workers < 2 or not forked.possible():
        yield [scan(data) for _, _, data in todo]
        return
    paths = [str(output / rel) for rel, _, _ in todo]
    size = -(-len(paths) // workers)
    # One forked child per core, each with a run of pages: it starts at once with this
    # process's imports, reads the files itself and sends back only the small scans. A pool
    # (concurrent.futures) cost this process ~0.02-0.03 s of CPU for ~130 pages, its threads,
    # queues and a fork per worker; these children ~0.016 s.
    children = [forked.Forked(scan_files, paths[i : i + size]) for i in range(0, len(paths), size)]
    scans = {}

    def scans_of(child):
        if child not in scans:
            scans[child] = child.result()  # a child's failure is the check's
        return scans[child]

    try:
        yield (result for child in children for result in scans_of(child))
    finally:
        for child in children:
            if child not in scans:  # The check stopped first: reaped, its scans unused.
                with contextlib.suppress(forked.ForkedFailed):
                    scans_of(child)
