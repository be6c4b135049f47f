"""feedgen extensions for what feedgen does not write itself, without patching the library.

- the ``<?xml-stylesheet?>`` instruction that makes a feed opened in a browser read as a page;
- WebSub ``rel="hub"`` links in RSS (feedgen keeps only ``rel="self"`` there; Atom gets its hub
  links through feedgen's own ``link()``);
- ``dc:creator`` and ``dcterms:modified`` on RSS items: RSS's ``<author>`` must be an email
  address, and RSS has no element for the last update;
- threads (RFC 4685) on Atom entries: ``thr:in-reply-to`` for each post a follow-up answers, a
  ``replies`` link to the thread's feed on a post that has follow-ups;
- the post's image (its social card, or its cover) as ``media:thumbnail`` (Media RSS), which
  feed readers show beside the entry; Atom and RSS have no image element of their own.
"""

from feedgen.ext.base import BaseEntryExtension, BaseExtension
from lxml import etree

ATOM_NS = "http://www.w3.org/2005/Atom"
DC_NS = "http://purl.org/dc/elements/1.1/"
DCTERMS_NS = "http://purl.org/dc/terms/"
MEDIA_NS = "http://search.yahoo.com/mrss/"
THR_NS = "http://purl.org/syndication/thread/1.0"


def _stylesheet(root, href):
    if href:
        # A processing instruction before the root element: readers ignore it, browsers apply it.
        pi = etree.ProcessingInstruction("xml-stylesheet", f'type="text/xsl" href="{href}"')
        root.addprevious(pi)


class AtomExtension(BaseExtension):
    """Feed level, Atom only: the stylesheet instruction, and the prefixes entries use."""

    def __init__(self):
        self.stylesheet = None

    def extend_ns(self):
        return {"thr": THR_NS, "media": MEDIA_NS}

    def extend_atom(self, feed):
        _stylesheet(feed, self.stylesheet)
        return feed


class RssExtension(BaseExtension):
    """Feed level, RSS only: the stylesheet instruction and the WebSub hub links."""

    def __init__(self):
        self.stylesheet = None
        self.hubs = ()

    def extend_ns(self):
        return {"dc": DC_NS, "dcterms": DCTERMS_NS, "media": MEDIA_NS}

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
        self.image = None

    def extend_rss(self, item):
        for name in self.creators:
            etree.SubElement(item, f"{{{DC_NS}}}creator").text = name
        if self.modified is not None:
            etree.SubElement(item, f"{{{DCTERMS_NS}}}modified").text = self.modified.isoformat()
        _thumbnail(item, self.image)
        return item


class AtomEntryExtension(BaseEntryExtension):
    """Entry level, Atom only: the thread it belongs to (RFC 4685) and its image."""

    def __init__(self):
        self.in_reply_to = ()  # (the parent's id, its page's URL) for each post this answers
        self.replies = None  # (the thread feed's URL, how many posts follow this one up)
        self.image = None

    def extend_atom(self, entry):
        for ref, href in self.in_reply_to:
            etree.SubElement(
                entry, f"{{{THR_NS}}}in-reply-to", ref=ref, href=href, type="text/html"
            )
        if self.replies:
            href, count = self.replies
            link = etree.SubElement(entry, f"{{{ATOM_NS}}}link", rel="replies", href=href)
            link.set("type", "application/atom+xml")
            link.set(f"{{{THR_NS}}}count", str(count))
        _thumbnail(entry, self.image)
        return entry


def _thumbnail(parent, image):
    """``media:thumbnail`` for ``image`` (a dict with an absolute ``url``, width and height)."""
    if image:
        element = etree.SubElement(parent, f"{{{MEDIA_NS}}}thumbnail", url=image["url"])
        for key in ("width", "height"):
            if image.get(key):
                element.set(key, str(image[key]))


# The one place a feed's own extension is registered: every feed of a kind, and the frame its
# entries are serialised in (entries.serialised), then declare the same namespaces.
_FEED_EXTENSIONS = {"atom": ("feeds_atom", AtomExtension), "rss": ("feeds_rss", RssExtension)}


def extend_feed(fg, kind):
    """Register our feed-level extension for ``kind`` ("atom" or "rss") on ``fg``; return it."""
    name, extension = _FEED_EXTENSIONS[kind]
    fg.register_extension(name, extension, atom=kind == "atom", rss=kind == "rss")
    return getattr(fg, name)
