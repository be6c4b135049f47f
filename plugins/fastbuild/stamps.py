"""Stamp each source file once per build, however many of Pelican's caches ask.

With ``CHECK_MODIFIED_METHOD = "sha256"`` (the production reuse, ``happening/workflow/reuse.py``)
a file's stamp is the hash of its bytes, and Pelican reads and hashes the file each time one of
its caches asks: the article generator's own cache (asked and told even while it is off), the
readers' cache, and fastbuild's prefetch asking the readers' cache what it holds: four reads and
hashes of every post a build. From ``initialized`` to ``finalized`` each path is stamped once and
every cache of the build shares the answer.

A file changed during the build keeps the stamp it had when first asked about, so what a cache
records can only be older than the bytes on disk: the next build stamps them again, sees the
difference and reads the file again (never the other way round).
"""

import os

from . import fence


class _State:
    def __init__(self):
        # absolute path -> the stamp Pelican's stamping function gave; None outside a build (the
        # live preview's hot path reads an edited file again between builds: stamped afresh).
        self.stamps = None


state = _State()


def _shared(stamp):
    def stamp_once(filename):
        stamps = state.stamps
        if stamps is None:
            return stamp(filename)
        path = os.path.abspath(filename)
        found = stamps.get(path)
        if found is None:
            # An OSError is not remembered: Pelican logs it and the next ask tries again.
            found = stamps[path] = stamp(filename)
        return found

    stamp_once.fastbuild_shared = True
    return stamp_once


def share(generator):
    """``article_generator_init``/``page_generator_init``: the generator's own cache and its
    readers' take their stamps from this build's table (``readers_init`` comes before the
    readers have made their cache)."""
    if generator.settings.get("CHECK_MODIFIED_METHOD") == "mtime":
        return  # A stat is as cheap as the lookup.
    for cacher in (generator, getattr(generator, "readers", None)):
        if cacher is not None:
            fence.wrap_file_stamps(cacher, _shared)


def start(*_):
    """``initialized``: a new build stamps every file again."""
    state.stamps = {}


def stop(*_):
    """``finalized``: stamps are taken afresh until the next build starts."""
    state.stamps = None
