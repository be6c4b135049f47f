"""Write the feeds: site-wide Atom, RSS 2.0 and JSON Feed 1.1; Atom per category, tag and thread."""

import json
import logging
from collections import Counter
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from urllib.parse import urlsplit
from xml.sax.saxutils import escape, quoteattr

from feedgen.feed import FeedGenerator
from pelican import signals

from .cache import EntryCache
from .config import ATOM_TYPE, JSON_TYPE, RSS_TYPE, FeedsConfig
from .entries import CLOSING, EPOCH, Post, build_post, inputs, newest_first, with_content
from .extension import extend_feed
from .threads import ThreadFeed

log = logging.getLogger(__name__)

JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"


@dataclass
class Written:
    path: str  # relative to the output folder, like article.url
    type: str
    size: int


def site_feeds(config: FeedsConfig) -> list[dict]:
    """The site-wide feeds for templates (autodiscovery, subscribe links), Atom, RSS, JSON."""
    feeds = [
        ("Atom feed", ATOM_TYPE, config.atom),
        ("RSS feed", RSS_TYPE, config.rss),
        ("JSON Feed", JSON_TYPE, config.json),
    ]
    return [{"title": t, "type": kind, "url": path} for t, kind, path in feeds if path]


def write_feeds(
    config: FeedsConfig,
    articles,
    categories,
    tags,
    output_path,
    threads: list[ThreadFeed] = (),
    *,
    listing=None,
    entries: dict | None = None,
    cache: EntryCache | None = None,
) -> list[Written]:
    """Write every configured feed into ``output_path``; return what was written.

    ``categories`` and ``tags`` are ``(taxonomy, articles)`` pairs as Pelican's generator holds
    them; ``threads`` the thread feeds (:func:`threads.thread_feeds`). Each post is turned into a
    feed entry once, however many feeds it appears in, and only if it appears in one.

    The live preview, after an edit to one post's body, passes that post as ``listing``: only the
    feeds that list it are written (nothing else can have changed), and ``entries``, the feed
    entries it keeps from one edit to the next (by ``id`` of the post, per feed language), so
    only the edited post's entry is made again.

    ``cache``: entries kept between builds (``cache.py``), by a digest of what each shows.
    """
    # A post's entry depends on the feed's language (JSON Feed's per-item "language").
    kept = None if entries is None else entries.setdefault(config.lang, {})
    posts: dict[int, Post] = {} if kept is None else kept

    def post(article):
        key = id(article)
        if key not in posts:
            posts[key] = _post(article, config, cache, entry_keys)
        return posts[key]

    # The feed documents this build need not make again (see cache.FeedFiles), by the keys of
    # the entries they list; only a build keeping and reusing the entries knows them.
    entry_keys: dict[int, tuple] = {}
    files = cache.files if cache is not None and listing is None else None

    def unchanged(path, kind, title, alternate, listed):
        """Whether the feed at ``path`` is, byte for byte, the one this build would write: if so
        it is announced as written and its Written returned."""
        if files is None:
            return None
        keys = [_entry_key(a, config, cache, entry_keys)[0] for a in listed]
        found = files.unchanged(output, path, (kind, path, title, alternate, keys), config)
        if found is not None:
            cache.used.update(keys)  # Its entries stay for the next feed listing them.
            signals.feed_written.send(str(output / path), context=None, feed=None)
            return Written(path, kind, found)
        return None

    def write(path, kind, data, title=None, alternate=None, listed=()):
        done = _write(output, path, kind, data)
        if files is not None:
            keys = [_entry_key(a, config, cache, entry_keys)[0] for a in listed]
            files.note(output, path, (kind, path, title, alternate, keys), config)
        return done

    # A post's entry is dropped once the last feed listing it is written: holding every entry
    # until the end cost ~19 MB of a 5,000-post build's peak memory.
    site_articles = newest_first(articles, config.max_items)
    # (path, title, alternate page, posts) of every Atom feed after the site-wide ones.
    # A thread feed lists its whole thread, however long: a reader subscribed to follow it.
    taxonomy_feeds = [
        (
            pattern.format(slug=taxonomy.slug),
            f"{config.title}: {taxonomy.name}",
            config.absolute(taxonomy.url),
            newest_first(members, config.taxonomy_max_items),
        )
        for pattern, groups in ((config.category_atom, categories), (config.tag_atom, tags))
        if pattern
        for taxonomy, members in groups
    ]
    taxonomy_feeds += [
        (thread.path, thread.title, config.absolute(thread.root.url), newest_first(thread.members))
        for thread in threads
    ]
    uses = Counter(id(a) for a in site_articles)
    uses.update(id(a) for *_, chosen in taxonomy_feeds for a in chosen)

    def release(listed):
        for article in listed:
            uses[id(article)] -= 1
            if not uses[id(article)] and kept is None:
                posts.pop(id(article), None)  # (None: only unchanged feeds listed it.)

    def wanted(listed):
        return listing is None or any(a is listing for a in listed)

    output = Path(output_path)
    written = []
    if wanted(site_articles):
        home, site_title = config.absolute(""), config.title
        site_wide = [
            (config.atom, ATOM_TYPE, lambda ps: atom(config, ps, config.atom, site_title, home)),
            (config.rss, RSS_TYPE, lambda ps: rss(config, ps, config.rss)),
            (config.json, JSON_TYPE, lambda ps: json_feed(config, ps, config.json)),
        ]
        for path, kind, make in site_wide:
            if not path:
                continue
            done = unchanged(path, kind, None, None, site_articles)
            if done is None:
                data = make([post(a) for a in site_articles])
                done = write(path, kind, data, listed=site_articles)
            written.append(done)
    release(site_articles)
    for path, title, alternate, listed in taxonomy_feeds:
        if wanted(listed):
            done = unchanged(path, ATOM_TYPE, title, alternate, listed)
            if done is None:
                data = atom(config, [post(a) for a in listed], path, title, alternate)
                done = write(path, ATOM_TYPE, data, title, alternate, listed)
            written.append(done)
        release(listed)
    if listing is not None:
        return written  # The stylesheet and the set of feeds are as the last build left them.
    if config.stylesheet:
        written.append(_write(output, config.stylesheet, "text/xsl", stylesheet(config)))
    # Last, and sparing every feed this build wrote: the patterns may share a folder.
    kept = {w.path for w in written}
    for pattern in (config.category_atom, config.tag_atom, config.thread_atom):
        if pattern:
            _remove_stale(output, pattern, kept)
    return written


def _entry_key(article, config, cache, known):
    """(key, inputs, made_from) of ``article``'s entry in ``cache``, once per post (``known``)."""
    found = known.get(id(article))
    if found is None:
        made_from = cache.made_from(article)
        shown = inputs(article, config, content=made_from is None)
        found = known[id(article)] = (cache.key(shown, config, made_from), shown, made_from)
    return found


def _post(article, config, cache, known):
    """The feed form of ``article``: from ``cache`` when an entry showing the same is there."""
    if cache is None:
        return build_post(inputs(article, config), config)
    key, shown, made_from = _entry_key(article, config, cache, known)
    found = cache.get(key)
    if found is None:
        if made_from is not None:  # Only now is the body's HTML needed.
            shown = with_content(shown, article, config)
        found = build_post(shown, config)
        cache.put(key, found)
    return found


def atom(config: FeedsConfig, posts, path, title, alternate) -> bytes:
    """An Atom 1.0 document of ``posts`` (already newest first)."""
    return _assemble(atom_generator(config, posts, path, title, alternate), "atom", posts)


def atom_generator(config: FeedsConfig, posts, path, title, alternate) -> FeedGenerator:
    """The Atom feed of ``posts`` without its entries (those are added as bytes)."""
    fg = _generator(config, posts, title, alternate)
    self_url = config.feed_link(path)
    fg.id(self_url)
    fg.link(href=self_url, rel="self", type=ATOM_TYPE)
    for hub in config.hubs:
        fg.link(href=hub, rel="hub")
    fg.link(href=alternate, rel="alternate", type="text/html")
    # Atom requires an author for every entry (RFC 4287, 4.1.1); with no AUTHOR configured the
    # blog itself stands as the feed's author, and no person is named.
    fg.author(name=config.author or config.title)
    if config.icon:
        fg.icon(config.absolute(config.icon))
    if config.logo:
        fg.logo(config.absolute(config.logo))
    extend_feed(fg, "atom").stylesheet = _stylesheet_href(config)
    return fg


def rss(config: FeedsConfig, posts, path) -> bytes:
    """An RSS 2.0 document of ``posts`` (already newest first)."""
    return _assemble(rss_generator(config, posts, path), "rss", posts)


def rss_generator(config: FeedsConfig, posts, path) -> FeedGenerator:
    """The RSS feed of ``posts`` without its items (those are added as bytes)."""
    home = config.absolute("")
    fg = _generator(config, posts, config.title, home)
    fg.link(href=config.feed_link(path), rel="self", type=RSS_TYPE)
    fg.link(href=home, rel="alternate", type="text/html")  # the last link is RSS's <link>
    fg.lastBuildDate(fg.updated())
    image = config.logo or config.icon
    if image:
        fg.image(url=config.absolute(image), title=config.title, link=home)
    extension = extend_feed(fg, "rss")
    extension.stylesheet = _stylesheet_href(config)
    extension.hubs = config.hubs
    return fg


def _assemble(fg, kind, posts) -> bytes:
    """The feed ``fg`` with each post's serialised entry, byte for byte what feedgen writes
    with the entries added (``entries.serialised``), without building and writing each again."""
    frame = fg.atom_str(pretty=False) if kind == "atom" else fg.rss_str(pretty=False)
    closing = CLOSING[kind]
    pieces = [p.atom if kind == "atom" else p.rss for p in posts]
    return b"".join([frame[: -len(closing)], *pieces, closing])


def json_feed(config: FeedsConfig, posts, path) -> bytes:
    """A JSON Feed 1.1 document of ``posts`` (already newest first)."""
    feed = {
        "version": JSON_FEED_VERSION,
        "title": config.title,
        "home_page_url": config.absolute(""),
        "feed_url": config.feed_link(path),
    }
    if config.subtitle:
        feed["description"] = config.subtitle
    if config.icon:
        feed["icon"] = feed["favicon"] = config.absolute(config.icon)
    if config.author:
        feed["authors"] = [{"name": config.author}]
    feed["language"] = config.lang
    if config.hubs:
        feed["hubs"] = [{"type": "WebSub", "url": hub} for hub in config.hubs]
    feed["items"] = [p.item for p in posts]
    return json.dumps(feed, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def stylesheet(config: FeedsConfig) -> bytes:
    """The XSLT that renders a feed as a page, pointed at this site's stylesheet and home."""
    text = resources.files(__package__).joinpath("feed.xsl").read_text(encoding="utf-8")
    return text.replace("@SITEURL@", escape(config.public_url, {'"': "&quot;"})).encode("utf-8")


def _generator(config, posts, title, alternate):
    fg = FeedGenerator()
    fg.title(title)
    fg.subtitle(config.subtitle or title)  # also RSS's required <description>
    fg.language(config.lang)
    # The feed changed when its newest change did: the latest entry update, not the build time,
    # so rebuilding unchanged content writes the same bytes.
    fg.updated(max((p.updated for p in posts), default=EPOCH))
    return fg


def _stylesheet_href(config):
    # Root-relative: browsers apply XSLT only from the feed's own origin, and the feed may be
    # served from FEED_DOMAIN, a CDN, or a preview on any host and port.
    if not config.stylesheet:
        return None
    return quoteattr(f"{urlsplit(config.feed_url).path}/{config.stylesheet}")[1:-1]


def _remove_stale(output: Path, pattern: str, kept: set[str]):
    """Remove the feeds of categories and tags that no longer exist.

    A development rebuild keeps the output folder (Pelican's writer and fastbuild's page cache
    rewrite it in place), so a tag's feed would outlive the tag's last post; a full build into an
    empty folder has no such feed. Only files that ``pattern`` could have produced, and that no
    feed of this build is (``kept``), are removed.
    """
    prefix, sep, suffix = pattern.partition("{slug}")
    if not sep or "/" in suffix or "{" in prefix + suffix:
        return
    folder, _, start = prefix.rpartition("/")
    directory = output / folder
    if not directory.is_dir():
        return
    for candidate in directory.iterdir():
        name = candidate.name
        path = f"{folder}/{name}" if folder else name
        if (
            candidate.is_file()
            and name.startswith(start)
            and name.endswith(suffix)
            and len(name) > len(start) + len(suffix)
            and path not in kept
        ):
            candidate.unlink()
            log.info("feeds: removed %s (its category, tag or thread has no posts any more)", path)


def _write(output: Path, path: str, kind: str, data: bytes) -> Written:
    target = output / path
    if _holds(target, data):
        # Left as it is: a deploy or a release that goes by the file's times sees it unchanged.
        log.debug("feeds: %s unchanged (%d bytes)", path, len(data))
    else:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        log.debug("feeds: wrote %s (%d bytes)", path, len(data))
    # Written or kept, it is this build's file (the release removes any file a build neither
    # writes nor announces as stale).
    signals.feed_written.send(str(target), context=None, feed=None)
    return Written(path, kind, len(data))


def _holds(target: Path, data: bytes) -> bool:
    """Whether ``target`` is a file holding exactly ``data``."""
    try:
        if target.stat().st_size != len(data):
            return False
        return target.read_bytes() == data
    except OSError:
        return False
