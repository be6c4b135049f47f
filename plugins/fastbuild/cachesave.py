"""Pelican's content cache pickled to its file in a forked child, while the build goes on.

With the reader cache on (the release's production build, the preview's), every build ends its
reading by pickling every post's body and metadata back to ``CACHE_PATH`` (~14 MB at 1,000
posts, ~45 ms of the main process), though nothing of this build reads that file again: only
the next build does. So the pickling and the writing run in a forked child, a copy of the
process at the moment Pelican asks (the very same objects, so the very same bytes), on the
second core while the main process goes on to the pages; the build waits for the child at
``finalized``, before the cache can be read again, and its warnings are logged here as
Pelican's own would have been. With no second core, or no fork, Pelican saves as it does.
"""

import logging

from pelican.cache import FileDataCacher

from happening import forked

from . import fence

log = logging.getLogger(__name__)

# A cache of fewer files is pickled here: a fork costs more than pickling a few posts (the pages').
MIN_ENTRIES = 100


class _State:
    def __init__(self):
        self.saving = []  # The children writing a cache file, oldest first.


state = _State()


def start(*_):
    """``initialized`` (after fence.restore): a cache is saved in a child from here on."""
    finish()  # A build that failed before ``finalized``: its children are waited for first.
    if forked.possible():
        fence.patch(FileDataCacher, "save_cache", _saved_in_child)


def _saved_in_child(original):
    def save_cache(self):
        if not fence.caches_data(self) or fence.cached_entries(self) < MIN_ENTRIES:
            return original(self)  # Nothing to write, or too little to fork for.
        state.saving.append(forked.Forked(original, self, level=logging.WARNING))
        return None

    return save_cache


def finish(*_):
    """``finalized``: wait for every child still writing; log what it logged."""
    while state.saving:
        child = state.saving.pop(0)
        try:
            child.result()
        except forked.ForkedFailed as exc:  # Only the next build's speed depends on it.
            log.warning("fastbuild: could not save Pelican's content cache (%s)", exc)
