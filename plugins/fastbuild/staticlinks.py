"""Pelican's search of a body for ``{static}`` and ``{attach}`` links, only where one can be.

For every post and page, on every build, Pelican runs its intrasite-link regex over the whole body
to list the static files it links (``Content.get_static_links``): ~0.1 ms a body, most of them
with no such link (~0.1 s of a reused build's main process at 1,000 posts). A link counts only
when the part the regex names ``what`` is exactly ``static`` or ``attach``, and that part is text
of the body: a body holding neither word has none, whatever ``INTRASITE_LINK_REGEX`` is, so it
gets the empty set Pelican would have found without being searched.
"""

from pelican.contents import Content

from . import fence

KINDS = ("static", "attach")  # The ``what`` values get_static_links keeps (fence.py).


def start():
    """``initialized`` (after fence.restore): search only the bodies that may link a file."""
    fence.patch(Content, "get_static_links", _searched_if_named)


def _searched_if_named(original):
    def get_static_links(self):
        body = self._content
        if isinstance(body, str) and not any(kind in body for kind in KINDS):
            return set()
        return original(self)

    return get_static_links
