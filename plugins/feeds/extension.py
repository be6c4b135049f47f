"""feedgen extensions for what feedgen does not write itself, without patching the library.

- the ``<?xml-stylesheet?>`` instruction that makes a feed opened in a browser read as a page;
- WebSub ``rel="hub"`` links in RSS (feedgen keeps only ``rel="self"`` there; Atom gets its hub
  links through feedgen's own ``link()``);
- ``dc:creator`` and ``dcterms:modified`` on RSS items: RSS's ``<author>`` must be an email
  address, and RSS has no element for the last update.
"""

from feedgen.ext.base import BaseEntryExtension, BaseExtension
from lxml import etree

ATOM_NS = "http://www.w3.org/2005/Atom"
DC_NS = "http://purl.org/dc/elements/1.1/"
DCTERMS_NS = "http://purl.org/dc/terms/"


def _stylesheet(root, href):
    if href:
        # A processing instruction before the root element: readers ignore it, browsers apply it.
        pi = etree.ProcessingInstruction("xml-stylesheet", f'type="text/xsl" href="{href}"')
        root.addprevious(pi)


class AtomExtension(BaseExtension):
    """Feed level, Atom only: the stylesheet instruction."""

    def __init__(self):
        self.stylesheet = None

    def extend_atom(self, feed):
        _stylesheet(feed, self.stylesheet)
        return feed


class RssExtension(BaseExtension):
    """Feed level, RSS only: the stylesheet instruction and the WebSub hub links."""

    def __init__(self):
        self.stylesheet = None
        self.hubs = ()

    def extend_ns(self):
        return {"dc": DC_NS, "dcterms": DCTERMS_NS}

    def extend_rss(self, feed):
        _stylesheet(feed, self.stylesheet)
        channel = feed.find("channel")
        for hub in self.hubs:
            etree.SubElement(channel, f"{{{ATOM_NS}}}link", href=hub, rel="hub")
        return feed


class RssEntryExtension(BaseEntryExtension):
    """Item level, RSS only: who wrote it and when it last changed."""

    def __init__(self):
        self.creators = ()
        self.modified = None

    def extend_rss(self, item):
        for name in self.creators:
            etree.SubElement(item, f"{{{DC_NS}}}creator").text = name
        if self.modified is not None:
            etree.SubElement(item, f"{{{DCTERMS_NS}}}modified").text = self.modified.isoformat()
        return item
