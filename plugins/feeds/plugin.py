"""The Pelican side: settings checked once, ``site_feeds`` in the context, feeds written.

The only state is the settings checked at the start of a build, reset in ``finalized`` so nothing
leaks into the next autoreload build; the entries kept between builds are on disk (``cache.py``),
by a digest of what each shows, and an entry in memory lives only as long as one call to
:func:`writer.write_feeds`.
"""

import logging
from types import SimpleNamespace

from pelican import signals
from pelican.generators import ArticlesGenerator

from .cache import EntryCache
from .config import load_config
from .languages import language_feeds, write_language_feeds
from .threads import link_thread_feeds, thread_feeds
from .writer import site_feeds, write_feeds

log = logging.getLogger(__name__)

_state = SimpleNamespace(config=None)


def add_context(generator):
    """Check the settings and give every template ``site_feeds`` before any page is written."""
    config = _state.config = load_config(generator.settings)
    generator.context["site_feeds"] = site_feeds(config)
    generator.context["language_feeds"] = language_feeds(
        config, generator.articles, generator.translations
    )
    if config.is_local:
        log.info(
            "feeds: no SITEURL or FEED_DOMAIN; feed links point at %s (FEEDS_LOCAL_URL)",
            config.site_url,
        )


def link_threads(generators):
    """Give each post its thread feed's address once every plugin has linked the posts.

    Here rather than in ``add_context``: the followups plugin sets ``article.thread`` in the same
    signal as ``add_context`` and may run after it; every page is rendered after this one.
    """
    config = _state.config
    for generator in generators:
        if config is not None and isinstance(generator, ArticlesGenerator):
            link_thread_feeds(config, generator.articles)


def write(generator, writer):
    """Write the feeds once the posts are final (after the article pages are written)."""
    written = _write_all(generator, _state.config or load_config(generator.settings))
    log.info("feeds: wrote %d file(s), %d bytes", len(written), sum(w.size for w in written))


def rewrite_for(generator, article, entries) -> int:
    """Write again only the feeds that list ``article``, whose body alone changed since the build.

    For the live preview's hot path (``happening/workflow/hotpath.py``), after the build that
    made ``generator``: ``entries`` is the feed entries it keeps between edits, without the
    edited post's. Returns how many feeds were written.
    """
    config = load_config(generator.settings)
    return len(_write_all(generator, config, listing=article, entries=entries))


def _write_all(generator, config, **only):
    """Every feed of the build (``only``: the hot path's ``listing`` and ``entries``).

    A full write takes entries from, and keeps them in, the cache Pelican's cache settings ask
    for; the hot path keeps its own in memory between edits.
    """
    cache = None if only else EntryCache.of(generator.settings)
    written = write_feeds(
        config,
        generator.articles,
        generator.categories,
        sorted(generator.tags.items()),
        generator.output_path,
        threads=thread_feeds(config, generator.articles),
        cache=cache,
        **only,
    )
    written += write_language_feeds(
        config,
        generator.articles,
        generator.translations,
        generator.output_path,
        cache=cache,
        **only,
    )
    if cache is not None:
        cache.prune()
    return written


def reset(pelican):
    _state.config = None


def register():
    signals.article_generator_finalized.connect(add_context)
    signals.all_generators_finalized.connect(link_threads)
    signals.article_writer_finalized.connect(write)
    signals.finalized.connect(reset)
