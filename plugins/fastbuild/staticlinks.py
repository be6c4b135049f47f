"""Pelican's search of a body for ``{static}`` and ``{attach}`` links, answered from links.py.

For every post and page, on every build, Pelican runs its intrasite-link regex over the whole body
to list the static files it links (``Content.get_static_links``): ~0.1 ms a body (~0.1 s of a
reused build's main process at 1,000 posts). The page cache searches every body with the same
regex again (``pages._body_hash``), so both take the matches from links.py, which searches a body
once a build and not at all when the last build kept the answer for the same bytes; the paths
are made from the matches as Pelican makes them (``fence.static_links_of``).

A link counts only when the part the regex names ``what`` is exactly ``static`` or ``attach``, and
that part is text of the body: a body holding neither word has none, whatever
``INTRASITE_LINK_REGEX`` is, so it gets the empty set Pelican would have found without a search.
"""

from pelican.contents import Content

from . import fence, links

KINDS = ("static", "attach")  # The ``what`` values get_static_links keeps (fence.py).


def start():
    """``initialized`` (after fence.restore and links.start): static links from links.py."""
    fence.patch(Content, "get_static_links", _from_kept_links)


def _from_kept_links(original):
    def get_static_links(self):
        body = self._content
        if not isinstance(body, str):
            return original(self)  # Pelican's own way with a body it cannot search either.
        if not any(kind in body for kind in KINDS):
            return set()
        return fence.static_links_of(self, links.of(self)[1])

    return get_static_links
