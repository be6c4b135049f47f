"""The site's search index: Pagefind run over the built pages, once they are written.

Pagefind (PyPI ``pagefind[bin]``, its Rust indexer) reads the HTML in the output folder and
writes ``pagefind/``: the index in fragments, one per language (each page's ``<html lang>``),
and ``pagefind.js``, which only the search page loads. The theme marks what to index
(``data-pagefind-body`` on a post's text, its title and date as ``data-pagefind-meta``), so
listings, tags and the search page itself stay out of the results.

It is a step after the build, not a Pelican plugin: it must see every page as written, and a
rebuild in which no page changed (most of a writer's day: the same pages, byte for byte,
through fastbuild's page cache) skips it, by a digest of the pages kept in the cache folder.
Pagefind runs in its own process, so a caller can do other work while it indexes
(:func:`start_index`; a release checks the site meanwhile).
"""

import hashlib
import logging
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from happening.errors import UserError

log = logging.getLogger(__name__)

BUNDLE = "pagefind"  # inside the output folder; the search page loads BUNDLE/pagefind.js
ENTRY = f"{BUNDLE}/pagefind-entry.json"  # Pagefind writes it last: the index is complete
DIGEST_FILE = "search-pages.sha256"  # in the cache folder
PAGEFIND = [sys.executable, "-m", "pagefind"]  # the indexer, as the pagefind[bin] package runs it
STAGING = "search-bundle"  # in the cache folder: Pagefind's output until it is complete


class SearchIndexError(UserError):
    """Pagefind failed; the message has its output."""


@dataclass
class Indexed:
    seconds: float
    skipped: bool  # no page changed since the last index


def index_site(output: Path, cache: Path) -> Indexed:
    """Index ``output`` with Pagefind unless its pages are the ones indexed last time."""
    return start_index(output, cache).wait()


class Indexing:
    """A Pagefind run in its own process, started by :func:`start_index`; ``wait()`` ends it.

    Pagefind writes into a folder in the cache and the bundle is moved into the output only once
    it is complete, so whatever reads the output meanwhile (release's check) sees no half-written
    ``pagefind/``, only the pages, which Pagefind reads and never changes.
    """

    def __init__(self, output: Path, cache: Path, digest: str, *, skipped: bool):
        self.output, self.cache, self.digest = output, cache, digest
        self.started = time.perf_counter()
        self.staging = cache / STAGING
        self.process = None
        self.result = Indexed(0.0, skipped=True) if skipped else None
        if skipped:
            return
        # Pagefind adds files named by their content and never removes the last index's: start
        # clean, or an output kept between builds would carry every old index with it.
        shutil.rmtree(output / BUNDLE, ignore_errors=True)
        shutil.rmtree(self.staging, ignore_errors=True)
        cache.mkdir(parents=True, exist_ok=True)
        command = [*PAGEFIND, "--site", str(output), "--quiet"]
        command += ["--output-path", str(self.staging.resolve())]
        self.process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )

    def wait(self) -> Indexed:
        """Wait for Pagefind, move its bundle into the output; raise if it failed."""
        if self.result is not None:
            return self.result
        stdout, stderr = self.process.communicate()
        if self.process.returncode != 0:
            shutil.rmtree(self.staging, ignore_errors=True)
            self.result = Indexed(time.perf_counter() - self.started, skipped=False)
            raise SearchIndexError(
                f"search: pagefind failed (exit {self.process.returncode}) indexing "
                f"{self.output}:\n" + (stderr or stdout).strip()
            )
        shutil.move(self.staging, self.output / BUNDLE)
        (self.cache / DIGEST_FILE).write_text(self.digest)
        self.result = Indexed(time.perf_counter() - self.started, skipped=False)
        log.info("search: indexed %s in %.2fs", self.output, self.result.seconds)
        return self.result


def start_index(output: Path, cache: Path) -> Indexing:
    """Start indexing ``output`` with Pagefind, unless its pages are the ones indexed last time;
    :meth:`Indexing.wait` waits for it."""
    output, cache = Path(output), Path(cache)
    digest = pages_digest(output)
    stamp = cache / DIGEST_FILE
    skipped = (output / ENTRY).is_file() and stamp.is_file() and stamp.read_text() == digest
    if skipped:
        log.info("search: no page changed; the index is up to date")
    return Indexing(output, cache, digest, skipped=skipped)


def pages_digest(output: Path) -> str:
    """A digest of every HTML page in ``output`` (paths and bytes), Pagefind's own left out."""
    h = hashlib.sha256()
    for page in sorted(output.rglob("*.html")):
        relative = page.relative_to(output).as_posix()
        if relative.startswith(f"{BUNDLE}/"):
            continue
        h.update(relative.encode() + b"\0" + page.read_bytes() + b"\0")
    return h.hexdigest()
