"""One feed entry per post, built once per build and shared by every feed the post appears in.

The expensive part of a feed is the post's HTML: it is parsed and made absolute once here, then
the same :class:`Post` (its feedgen entry and its JSON Feed item) goes into the site-wide Atom, RSS
and JSON feeds and into each category and tag feed.
"""

import copy
from dataclasses import dataclass
from datetime import datetime

from feedgen.entry import FeedEntry

from happening.dates import aware
from happening.plugins.fastbuild.fence import content_unkept
from happening.postid import post_id
from happening.urls import absolutise, plain_text

from .config import FeedsConfig
from .extension import AtomEntryExtension, RssEntryExtension

RSS_EXT = "feeds_rss"
ATOM_EXT = "feeds_atom"
# JSON Feed extension (its spec: a key starting with "_"); the README's Feeds section documents it.
JSON_THREAD = "_thread"


class SharedEntry(FeedEntry):
    """A feedgen entry whose Atom element is built once and copied into each Atom feed.

    A post can sit in the site-wide feed and in several category and tag feeds; lxml copies an
    element faster than feedgen rebuilds it, and an element can have only one parent.
    """

    _atom = None

    def atom_entry(self, extensions=True):
        if self._atom is None:
            self._atom = super().atom_entry(extensions)
        return copy.deepcopy(self._atom)


@dataclass
class Post:
    id: str
    url: str
    title: str
    published: datetime
    updated: datetime
    entry: FeedEntry
    item: dict  # the JSON Feed item


def make_post(article, config: FeedsConfig) -> Post:
    """The feed form of ``article``: permanent id, absolute URLs, published and updated apart."""
    pid = _id(article)
    url = config.absolute(article.url)
    # Pelican makes a post's dates aware; a date set by another plugin may not be, and feedgen
    # refuses a naive one.
    zone = article.settings.get("TIMEZONE")
    published = aware(article.date, zone)
    modified = getattr(article, "modified", None)
    modified = aware(modified, zone) if modified else None
    updated = max(published, modified) if modified else published
    # {filename} and {static} links come out absolute; anything else relative is resolved
    # against the post's own address, as a browser on the post's page would.
    # Without memoising it: the entry is dropped after its last feed, the body need not stay.
    content_html = absolutise(content_unkept(article, config.site_url), url)
    summary_html = absolutise(article.summary, url)
    summary_text = plain_text(summary_html)
    terms = _terms(article)
    authors = [str(a) for a in getattr(article, "authors", None) or []]

    parents = [(_id(p), config.absolute(p.url)) for p in getattr(article, "follows", None) or []]
    thread = getattr(article, "thread_feed", None)
    thread_url = config.feed_link(thread["url"]) if thread else None
    image = _image(article, config)

    entry = SharedEntry()
    entry.register_extension(RSS_EXT, RssEntryExtension, atom=False, rss=True)
    entry.register_extension(ATOM_EXT, AtomEntryExtension, atom=True, rss=False)
    entry.id(pid)  # also the RSS guid, marked isPermaLink="false": a tag: URI is not a link
    entry.title(article.title)
    entry.link(href=url, rel="alternate", type="text/html")
    entry.published(published)
    entry.updated(updated)
    for name in authors:
        entry.author(name=name)
    if terms:
        entry.category([{"term": term} for term in terms])
    if not config.summary_only:
        entry.content(content_html, type="html")
    if summary_html:
        entry.summary(summary_html, type="html")
    elif config.summary_only:
        entry.summary(content_html, type="html")
    rss = getattr(entry, RSS_EXT)
    rss.creators = authors
    rss.modified = updated
    rss.image = image
    atom = getattr(entry, ATOM_EXT)
    atom.in_reply_to = parents
    followups = getattr(article, "followups", None) or []
    if thread_url and followups:
        atom.replies = (thread_url, len(followups))
    atom.image = image

    item = {
        "id": pid,
        "url": url,
        "title": article.title,
        "content_html": summary_html if config.summary_only and summary_html else content_html,
        "date_published": published.isoformat(),
        "date_modified": updated.isoformat(),
    }
    if summary_text:
        item["summary"] = summary_text
    if image:
        item["image"] = image["url"]
    if authors:
        item["authors"] = [{"name": name} for name in authors]
    if terms:
        item["tags"] = terms
    lang = getattr(article, "lang", None)
    if lang and lang != config.lang:
        item["language"] = lang
    if thread_url:
        item[JSON_THREAD] = {
            "in_reply_to": [{"id": ref, "url": href} for ref, href in parents],
            "root": _id(article.thread_root),
            "feed_url": thread_url,
        }
    return Post(pid, url, article.title, published, updated, entry, item)


def newest_first(articles, limit=None):
    """``articles`` newest first, at most ``limit`` (ties broken by id, never by file order).

    Choosing happens on the articles, before any is turned into a feed entry, so a post that
    is in no feed costs nothing.
    """
    ordered = sorted(articles, key=lambda a: (a.date, _id(a)), reverse=True)
    return ordered if limit is None else ordered[:limit]


def _id(article):
    return getattr(article, "post_id", None) or post_id(article, article.settings)


def _image(article, config):
    """The post's picture for feed readers: what its ``og:image`` is (plugins/socialcards)."""
    image = getattr(article, "social_image", None)
    if not image:
        return None
    return {**image, "url": config.absolute(image["url"])}


def _terms(article):
    terms = []
    category = getattr(article, "category", None)
    for term in [category, *(getattr(article, "tags", None) or [])]:
        name = str(term) if term else ""
        if name and name not in terms:
            terms.append(name)
    return terms
