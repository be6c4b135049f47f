"""One feed entry per post, made once and shared by every feed the post appears in.

The expensive part of a feed is the post's HTML: it is made absolute once here, and the post's
Atom entry and RSS item are serialised once; every feed that lists the post (site-wide Atom,
RSS and JSON, each category, tag and thread feed) then takes the same bytes. Making a post
happens in two steps, so a build can keep entries between runs (``cache.py``): the values the
entry shows are gathered from the article (:func:`inputs`), then turned into its pieces
(:func:`build_post`), which reads nothing but those values and the config.
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import NamedTuple

from feedgen.entry import FeedEntry
from feedgen.feed import FeedGenerator

from happening.dates import aware
from happening.plugins.fastbuild.fence import content_unkept
from happening.postid import post_id
from happening.urls import absolutise, plain_text

from .config import FeedsConfig
from .extension import AtomEntryExtension, RssEntryExtension, extend_feed

RSS_EXT = "feeds_rss"
ATOM_EXT = "feeds_atom"
# JSON Feed extension (its spec: a key starting with "_"); the README's Feeds section documents it.
JSON_THREAD = "_thread"
# The feed-level date of a feed with no posts yet: fixed, so an empty site still builds the same.
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass
class Post:
    id: str
    url: str
    title: str
    published: datetime
    updated: datetime
    atom: bytes  # its <entry>, as it reads inside every Atom feed of the site
    rss: bytes  # its <item>, as it reads inside every RSS feed
    item: dict  # the JSON Feed item


class Inputs(NamedTuple):
    """Everything a post's feed entry shows: all :func:`build_post` may read of the article."""

    id: str
    url: str  # absolute
    title: str
    published: datetime
    updated: datetime
    content: str | None  # the body as the site shows it ({filename} links resolved), not yet
    # absolute; None until a cache keyed by what it is made from needs it (with_content)
    summary: str  # the summary's HTML, not yet absolute
    terms: tuple  # the category, then the tags
    authors: tuple
    parents: tuple  # (id, absolute URL) of each post this one follows up
    thread_url: str | None  # the thread feed's address
    thread_root: str | None  # the id of the thread's first post
    followups: int
    image: dict | None  # absolute url, width, height
    lang: str | None


def make_post(article, config: FeedsConfig) -> Post:
    """The feed form of ``article``: permanent id, absolute URLs, published and updated apart."""
    return build_post(inputs(article, config), config)


def inputs(article, config: FeedsConfig, *, content=True) -> Inputs:
    """What the entry of ``article`` shows, read from the article once.

    ``content=False`` leaves the body's HTML out (None): a cache that keys the body by what it
    is made from asks for it (:func:`with_content`) only when the entry must be made.
    """
    url = config.absolute(article.url)
    # Pelican makes a post's dates aware; a date set by another plugin may not be, and feedgen
    # refuses a naive one.
    zone = article.settings.get("TIMEZONE")
    published = aware(article.date, zone)
    modified = getattr(article, "modified", None)
    modified = aware(modified, zone) if modified else None
    updated = max(published, modified) if modified else published
    parents = [(_id(p), config.absolute(p.url)) for p in getattr(article, "follows", None) or []]
    thread = getattr(article, "thread_feed", None)
    thread_url = config.feed_link(thread["url"]) if thread else None
    return Inputs(
        id=_id(article),
        url=url,
        title=article.title,
        published=published,
        updated=updated,
        # Without memoising it: the entry is dropped after its last feed, the body need not stay.
        content=content_unkept(article, config.site_url) if content else None,
        summary=article.summary or "",
        terms=tuple(_terms(article)),
        authors=tuple(str(a) for a in getattr(article, "authors", None) or []),
        parents=tuple(parents),
        thread_url=thread_url,
        thread_root=_id(article.thread_root) if thread_url else None,
        followups=len(getattr(article, "followups", None) or []),
        image=_image(article, config),
        lang=getattr(article, "lang", None),
    )


def with_content(shown: Inputs, article, config: FeedsConfig) -> Inputs:
    """``shown`` with the body's HTML, as :func:`inputs` reads it."""
    return shown._replace(content=content_unkept(article, config.site_url))


def build_post(post: Inputs, config: FeedsConfig) -> Post:
    """The entry's pieces: its Atom and RSS bytes as every feed holds them, its JSON Feed item."""
    # {filename} and {static} links come out absolute; anything else relative is resolved
    # against the post's own address, as a browser on the post's page would.
    content_html = absolutise(post.content, post.url)
    summary_html = absolutise(post.summary, post.url)
    entry = make_entry(post, config, content_html, summary_html)
    return Post(
        post.id,
        post.url,
        post.title,
        post.published,
        post.updated,
        atom=serialised(entry, "atom"),
        rss=serialised(entry, "rss"),
        item=_item(post, config, content_html, summary_html),
    )


def make_entry(post: Inputs, config: FeedsConfig, content_html, summary_html) -> FeedEntry:
    """The feedgen entry of ``post``, its HTML already absolute."""
    entry = FeedEntry()
    entry.register_extension(RSS_EXT, RssEntryExtension, atom=False, rss=True)
    entry.register_extension(ATOM_EXT, AtomEntryExtension, atom=True, rss=False)
    entry.id(post.id)  # also the RSS guid, marked isPermaLink="false": a tag: URI is not a link
    entry.title(post.title)
    entry.link(href=post.url, rel="alternate", type="text/html")
    entry.published(post.published)
    entry.updated(post.updated)
    for name in post.authors:
        entry.author(name=name)
    if post.terms:
        entry.category([{"term": term} for term in post.terms])
    if not config.summary_only:
        entry.content(content_html, type="html")
    if summary_html:
        entry.summary(summary_html, type="html")
    elif config.summary_only:
        entry.summary(content_html, type="html")
    rss = getattr(entry, RSS_EXT)
    rss.creators = list(post.authors)
    rss.modified = post.updated
    rss.image = post.image
    atom = getattr(entry, ATOM_EXT)
    atom.in_reply_to = list(post.parents)
    if post.thread_url and post.followups:
        atom.replies = (post.thread_url, post.followups)
    atom.image = post.image
    return entry


def serialised(entry: FeedEntry, kind: str) -> bytes:
    """``entry``'s bytes inside any feed of ``kind`` ("atom" or "rss"), as feedgen writes them.

    lxml writes an element the same way in every document whose root declares the same
    namespaces, and every feed's root declares those of feedgen and of our feed extension
    (``extension.extend_feed``): so the entry is written once inside an empty frame feed and
    cut out of it. ``writer.atom`` and ``writer.rss`` put the pieces back together.
    """
    fg = frame(kind)
    closing = CLOSING[kind]
    empty = render(fg, kind)
    fg.add_entry(entry, order="append")
    full = render(fg, kind)
    head = empty[: -len(closing)]
    if not (empty.endswith(closing) and full.startswith(head) and full.endswith(closing)):
        raise RuntimeError(f"feeds: feedgen {kind} output changed shape; see entries.serialised")
    return full[len(head) : -len(closing)]


# How an Atom feed and an RSS feed end: the entries go just before.
CLOSING = {"atom": b"</feed>", "rss": b"</channel></rss>"}


def frame(kind: str) -> FeedGenerator:
    """A feed with no entries whose root declares what every feed of ``kind`` declares."""
    fg = FeedGenerator()
    fg.id("urn:happening:frame")
    fg.title("frame")
    fg.subtitle("frame")
    fg.link(href="http://frame.invalid/", rel="alternate")
    fg.updated(EPOCH)
    extend_feed(fg, kind)
    return fg


def render(fg: FeedGenerator, kind: str) -> bytes:
    return fg.atom_str(pretty=False) if kind == "atom" else fg.rss_str(pretty=False)


def _item(post: Inputs, config: FeedsConfig, content_html, summary_html) -> dict:
    summary_text = plain_text(summary_html)
    item = {
        "id": post.id,
        "url": post.url,
        "title": post.title,
        "content_html": summary_html if config.summary_only and summary_html else content_html,
        "date_published": post.published.isoformat(),
        "date_modified": post.updated.isoformat(),
    }
    if summary_text:
        item["summary"] = summary_text
    if post.image:
        item["image"] = post.image["url"]
    if post.authors:
        item["authors"] = [{"name": name} for name in post.authors]
    if post.terms:
        item["tags"] = list(post.terms)
    if post.lang and post.lang != config.lang:
        item["language"] = post.lang
    if post.thread_url:
        item[JSON_THREAD] = {
            "in_reply_to": [{"id": ref, "url": href} for ref, href in post.parents],
            "root": post.thread_root,
            "feed_url": post.thread_url,
        }
    return item


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
