"""Wiring: which Pelican signals the fast paths listen to, and only on a Pelican they know."""

import logging

from pelican import signals

from . import (
    cachesave,
    fence,
    heap,
    links,
    membership,
    pages,
    parallel,
    paths,
    settings,
    stamps,
    staticlinks,
    templates,
    urls,
)

log = logging.getLogger(__name__)


def begin(pelican_object):
    """``initialized``: undo what a build that failed before ``finalized`` left; check settings."""
    heap.thaw()
    urls.stop()
    paths.stop()
    templates.release()
    fence.restore()
    settings.check(pelican_object)
    paths.start()
    stamps.start()
    links.start(pelican_object.settings)
    staticlinks.start()
    cachesave.start()


def generators_done(generators):
    """``all_generators_finalized``: the pool's work is read; the page cache starts; what is
    read now lives to the end of the build (heap.py)."""
    parallel.shutdown()
    pages.start(generators)
    heap.freeze()


def writer(pelican_object):
    """``get_writer``: every URL is final from here on; our writer when the page cache is on."""
    urls.start(pelican_object)
    return pages.use_caching_writer(pelican_object)


def finish(pelican_object):
    """``finalized``: in this order, so the last pages still see the patches they rely on."""
    parallel.shutdown()
    try:
        cachesave.finish()  # The content cache's file is whole before the build ends.
        pages.finish(pelican_object)
    finally:
        urls.stop()
        paths.stop()
        templates.release()
        stamps.stop()
        links.finish()
        fence.restore()
        # The site is written: nothing may keep this build's posts alive into the next one.
        fence.forget_memoised()
        heap.thaw()


HANDLERS = (
    (signals.initialized, begin),
    (signals.readers_init, parallel.use_parallel_reader),
    (signals.generator_init, templates.hold),
    (signals.article_generator_init, stamps.share),
    (signals.page_generator_init, stamps.share),
    (signals.article_generator_init, parallel.prefetch),
    (signals.page_generator_init, parallel.prefetch),
    (signals.article_generator_finalized, membership.index_taxonomies),
    (signals.all_generators_finalized, generators_done),
    (signals.get_writer, writer),
    (signals.article_generator_write_article, heap.drop_bodies),
    (signals.article_writer_finalized, pages.flush_helpers),
    (signals.page_writer_finalized, pages.flush_helpers),
    (signals.finalized, finish),
)


def register():
    # Signals are process-wide: an earlier build in this process may have connected the
    # handlers, so switching off means disconnecting them.
    reason = fence.problem()
    for signal, handler in HANDLERS:
        if reason is None:
            signal.connect(handler)
        else:
            signal.disconnect(handler)
    if reason is not None:
        log.info("%s", reason)
