"""The Pelican side: settings checked once, ``site_feeds`` in the context, feeds written.

The state is the settings checked at the start of a build and the feeds being written, reset in
``finalized`` so nothing leaks into the next autoreload build; the entries kept between builds
are on disk (``cache.py``), by a digest of what each shows, and an entry in memory lives only as
long as one call to :func:`writer.write_feeds`.

With ``fork`` and a second core, the feeds are written in a forked process (``happening.forked``)
from the moment the first post page is about to be written (``article_generator_write_article``:
every plugin is done with the posts, and the writer exists, so the child inherits what fastbuild
sets up for writing, such as each URL worked out once) while this process writes the pages:
nothing the feeds show changes after that, and the feeds were a few seconds on one core at the
end of the article pages (~4 s and ~16 MB of the main process's peak memory at 5,000 posts).
``finalized`` waits for it, then sends ``feed_written`` for each feed and logs what it logged,
as if written here.
"""

import logging
from types import SimpleNamespace

from pelican import signals
from pelican.generators import ArticlesGenerator

from happening import forked

from .cache import EntryCache
from .config import load_config
from .languages import language_feeds, write_language_feeds
from .threads import link_thread_feeds, thread_feeds
from .writer import site_feeds, write_feeds

log = logging.getLogger(__name__)

# generator: the ArticlesGenerator whose feeds this build writes, until start_writing decides
# where; writing: the forked process writing them (None: here, at the end of the article pages).
_state = SimpleNamespace(config=None, generator=None, writing=None)


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
            _state.generator = generator


def start_writing(generator, content=None):
    """``article_generator_write_article``, the first of the build: write the feeds in a forked
    process while the pages are written (see the module docstring)."""
    if _state.generator is not generator:
        return  # Decided already (or not the generator whose posts the feeds list).
    _state.generator = None
    if _state.writing is not None or not forked.possible():
        return
    config = _state.config or load_config(generator.settings)
    if _writes_a_feed(config):  # (A build reading posts for the newsletter writes none.)
        _state.writing = forked.Forked(_write_all_noting_signals, generator, config)


def _writes_a_feed(config) -> bool:
    patterns = (config.atom, config.rss, config.json, config.category_atom, config.tag_atom)
    return any((*patterns, config.thread_atom, config.translation_atom, config.translation_rss))


def _write_all_noting_signals(generator, config):
    """In the forked process: every feed, and the ``feed_written`` senders in order."""
    sent = []

    def note(sender, **_):
        sent.append(sender)

    signals.feed_written.connect(note)  # (A weak reference: ``note`` lives until we return.)
    return _write_all(generator, config), sent


def write(generator, writer):
    """Write the feeds once the posts are final (after the article pages are written), unless
    a forked process already is."""
    if _state.writing is None:
        _report(_write_all(generator, _state.config or load_config(generator.settings)))


def _report(written):
    log.info("feeds: wrote %d file(s), %d bytes", len(written), sum(w.size for w in written))


def finish_writing():
    """Wait for the forked process; announce each feed it wrote as if written here."""
    writing, _state.writing = _state.writing, None
    if writing is None:
        return
    try:
        written, sent = writing.result()
    except forked.ForkedFailed as exc:
        raise RuntimeError(f"feeds: writing the feeds failed: {exc}") from None
    for path in sent:
        signals.feed_written.send(path, context=None, feed=None)
    _report(written)


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
    try:
        finish_writing()
    finally:
        _state.config = _state.generator = None


def abandon(pelican):
    """``initialized``: a build that failed before ``finalized`` may have left a forked process
    writing; wait for it (its feeds are that build's, and this one writes its own)."""
    writing, _state.writing = _state.writing, None
    _state.config = _state.generator = None
    if writing is not None:
        try:
            writing.result(relog=False)  # That build's warnings are not this one's.
        except forked.ForkedFailed as exc:
            log.debug("feeds: the last build's feeds failed: %s", exc)


def register():
    signals.initialized.connect(abandon)
    signals.article_generator_finalized.connect(add_context)
    signals.all_generators_finalized.connect(link_threads)
    signals.article_generator_write_article.connect(start_writing)
    signals.article_writer_finalized.connect(write)
    signals.finalized.connect(reset)
