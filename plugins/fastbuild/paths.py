"""Make each source path relative to the content folder once per build, not at every use.

Pelican's ``Content.get_relative_source_path`` runs ``os.path.relpath`` (two ``abspath`` and a
walk over both paths) each time a post's URL, its folder or a ``{filename}`` link is worked out:
~15,000 times for 1,000 posts, the same few thousand answers. The answer depends only on the
content folder and the path (and, for a relative one, the working folder), so from
``initialized`` to ``finalized`` each one is computed once; relative paths are left alone.
"""

import os

from pelican.contents import Content

from . import fence


class _State:
    def __init__(self):
        self.memo = {}  # (settings PATH, source path) -> the relative path


state = _State()


def _memoised(original):
    def get_relative_source_path(self, source_path=None):
        base = self.settings["PATH"]
        path = source_path or self.source_path
        if path is None or not os.path.isabs(os.path.join(base, path)) or not os.path.isabs(base):
            return original(self, source_path)  # The answer would depend on the working folder.
        key = (base, path)
        found = state.memo.get(key)
        if found is None:
            found = state.memo[key] = original(self, source_path)
        return found

    return get_relative_source_path


def start(*_):
    """``initialized``: remember relative paths from here on."""
    state.memo = {}
    fence.patch(Content, "get_relative_source_path", _memoised)


def stop(*_):
    """``finalized``: forget them (the patch itself goes with ``fence.restore``)."""
    state.memo = {}
