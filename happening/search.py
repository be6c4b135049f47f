"""The site's search index: Pagefind run over the built pages, once they are written.

Pagefind (PyPI ``pagefind[bin]``, its Rust indexer) reads the HTML in the output folder and
writes ``pagefind/``: the index in fragments, one per language (each page's ``<html lang>``),
and ``pagefind.js``, which only the search page loads. The theme marks what to index
(``data-pagefind-body`` on a post's text, its title and date as ``data-pagefind-meta``), so
listings, tags and the search page itself stay out of the results.

It is a step after the build, not a Pelican plugin: it must see every page as written, and a
rebuild in which no page changed (most of a writer's day: the same pages, byte for byte,
through fastbuild's page cache) skips it, by a digest of the pages kept in the cache folder.
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


class SearchIndexError(UserError):
    """Pagefind failed; the message has its output."""


@dataclass
class Indexed:
    seconds: float
    skipped: bool  # no page changed since the last index


def index_site(output: Path, cache: Path) -> Indexed:
    """Index ``output`` with Pagefind unless its pages are the ones indexed last time."""
    start = time.perf_counter()
    output, cache = Path(output), Path(cache)
    digest = pages_digest(output)
    stamp = cache / DIGEST_FILE
    if (output / ENTRY).is_file() and stamp.is_file() and stamp.read_text() == digest:
        log.info("search: no page changed; the index is up to date")
        return Indexed(time.perf_counter() - start, skipped=True)
    # Pagefind adds files named by their content and never removes the last index's: start
    # clean, or an output kept between builds would carry every old index with it.
    shutil.rmtree(output / BUNDLE, ignore_errors=True)
    command = [sys.executable, "-m", "pagefind", "--site", str(output), "--quiet"]
    ran = subprocess.run(command, capture_output=True, text=True, check=False)
    if ran.returncode != 0:
        raise SearchIndexError(
            f"search: pagefind failed (exit {ran.returncode}) indexing {output}:\n"
            + (ran.stderr or ran.stdout).strip()
        )
    cache.mkdir(parents=True, exist_ok=True)
    stamp.write_text(digest)
    seconds = time.perf_counter() - start
    log.info("search: indexed %s in %.2fs", output, seconds)
    return Indexed(seconds, skipped=False)


def pages_digest(output: Path) -> str:
    """A digest of every HTML page in ``output`` (paths and bytes), Pagefind's own left out."""
    h = hashlib.sha256()
    for page in sorted(output.rglob("*.html")):
        relative = page.relative_to(output).as_posix()
        if relative.startswith(f"{BUNDLE}/"):
            continue
        h.update(relative.encode() + b"\0" + page.read_bytes() + b"\0")
    return h.hexdigest()
