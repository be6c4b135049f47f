"""Wiring: which Pelican signals the fast paths listen to."""

from pelican import signals

from . import pages, parallel, settings, urls


def register():
    signals.initialized.connect(settings.check)
    signals.readers_init.connect(parallel.use_parallel_reader)
    signals.article_generator_init.connect(parallel.prefetch)
    signals.page_generator_init.connect(parallel.prefetch)
    signals.all_generators_finalized.connect(parallel.shutdown)
    signals.all_generators_finalized.connect(pages.start)
    signals.get_writer.connect(urls.start)
    signals.get_writer.connect(pages.use_caching_writer)
    signals.article_writer_finalized.connect(pages.flush_helpers)
    signals.page_writer_finalized.connect(pages.flush_helpers)
    signals.finalized.connect(parallel.shutdown)
    signals.finalized.connect(pages.finish)
    signals.finalized.connect(urls.stop)
