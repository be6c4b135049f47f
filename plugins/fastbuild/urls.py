"""Work out each post's URL once per build, not once per page that links to it.

Pelican recomputes ``article.url`` (a copy of the metadata, a path made relative, a format
string) on every access, and a listing page reads it for each post it lists: at 1,000 posts that
is ~50,000 computations of 1,000 values. While pages are written nothing can change a URL any
more (the writer is created after every generator and plugin has finished with the content), so
from ``get_writer`` to ``finalized`` each ``(post, url|save_as)`` is computed once and kept.
"""

from pelican.contents import Content

from . import fence


class _State:
    def __init__(self):
        self.memo = None  # id(content), key -> (content, value); None outside the writing phase


state = _State()


def _memoised(original):
    def get_url_setting(self, key):
        memo = state.memo
        if memo is None:
            return original(self, key)
        hit = memo.get((id(self), key))
        if hit is not None and hit[0] is self:
            return hit[1]
        value = original(self, key)
        memo[(id(self), key)] = (self, value)
        return value

    return get_url_setting


def start(pelican_object):
    """``get_writer``: the content is final; remember URLs from here on."""
    fence.patch(Content, "get_url_setting", _memoised)
    state.memo = {}


def stop(*_):
    """``finalized``: forget them, so the next build (live preview) starts afresh."""
    state.memo = None
