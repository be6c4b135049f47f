"""Threads in feeds: which posts a follow-up answers, and one Atom feed per thread.

The followups plugin works out each post's thread (``article.thread``, oldest first, and
``article.thread_root``); here that becomes the thread's feed address, given to the pages (the
"follow this thread" link) and to the entries (RFC 4685's ``replies`` link, JSON Feed's
``_thread``), and the list of thread feeds the writer writes.
"""

from dataclasses import dataclass

from .config import FeedsConfig

# RFC 4685, Atom Threading Extensions.
THR_NS = "http://purl.org/syndication/thread/1.0"


@dataclass
class ThreadFeed:
    path: str  # relative to the output folder, like article.url
    title: str
    root: object  # the essay that opened the thread
    members: list  # the listed posts of the thread, oldest first


def thread_feeds(config: FeedsConfig, articles) -> list[ThreadFeed]:
    """One feed per thread among the listed ``articles``; none when FEEDS_THREAD_ATOM is off."""
    if not config.thread_atom:
        return []
    listed = {id(a) for a in articles}
    feeds = {}
    for article in articles:
        root = getattr(article, "thread_root", None)
        if root is None or id(root) in feeds:
            continue
        members = [a for a in article.thread if id(a) in listed]
        path = config.thread_atom.format(slug=root.slug)
        title = f"{config.title}: the thread of {root.title}"
        feeds[id(root)] = ThreadFeed(path, title, root, members)
    return list(feeds.values())


def link_thread_feeds(config: FeedsConfig, articles):
    """Give every listed post ``thread_feed``: its thread feed's ``url`` and ``title``, or None.

    A plain dict, so templates, feed entries and fastbuild's page digest all read it simply.
    """
    by_root = {
        id(feed.root): {"url": feed.path, "title": feed.title}
        for feed in thread_feeds(config, articles)
    }
    for article in articles:
        article.thread_feed = by_root.get(id(getattr(article, "thread_root", None)))
