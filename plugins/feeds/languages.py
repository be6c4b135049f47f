"""One feed per language on a site with translations (Pelican's ``TRANSLATION_FEED_*``).

The site-wide feeds keep every original post, whatever its language; a reader of one language
subscribes to ``feeds/all-<lang>.atom.xml`` (``FEEDS_TRANSLATION_ATOM``), which holds that
language's posts, translations included. A site in one language writes none.
"""

from collections import defaultdict
from dataclasses import replace

from .config import ATOM_TYPE, RSS_TYPE, FeedsConfig
from .writer import Written, write_feeds


def by_language(articles, translations) -> dict[str, list]:
    """Posts grouped by language, or {} when the site has only one."""
    groups = defaultdict(list)
    for article in [*articles, *translations]:
        groups[article.lang].append(article)
    return dict(sorted(groups.items())) if len(groups) > 1 else {}


def language_feeds(config: FeedsConfig, articles, translations) -> dict[str, list[dict]]:
    """For templates: each language's feeds, as ``site_feeds`` lists the site's."""
    kinds = [("Atom feed", ATOM_TYPE, config.translation_atom)]
    kinds.append(("RSS feed", RSS_TYPE, config.translation_rss))
    return {
        lang: [
            {"title": f"{title} ({lang})", "type": kind, "url": path.format(lang=lang)}
            for title, kind, path in kinds
            if path
        ]
        for lang in by_language(articles, translations)
    }


def write_language_feeds(
    config: FeedsConfig, articles, translations, output, *, listing=None, entries=None, cache=None
) -> list[Written]:
    """Write each language's Atom (and RSS, if configured) feed of its posts.

    ``listing``, ``entries`` and ``cache`` as for :func:`writer.write_feeds`.
    """
    written = []
    if not (config.translation_atom or config.translation_rss):
        return written
    for lang, posts in by_language(articles, translations).items():
        one_language = replace(
            config,
            atom=config.translation_atom and config.translation_atom.format(lang=lang),
            rss=config.translation_rss and config.translation_rss.format(lang=lang),
            json=None,
            # Only the language's own feeds: with a pattern left set, write_feeds would also
            # remove that pattern's feeds (thread, tag...) as stale, since it wrote none of them.
            category_atom=None,
            tag_atom=None,
            thread_atom=None,
            lang=lang,
        )
        written += write_feeds(
            one_language, posts, [], [], output, listing=listing, entries=entries, cache=cache
        )
    return written
