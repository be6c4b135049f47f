"""What a build has read is frozen out of the collector while pages are written, and given back;
the main process keeps no post's body once its page is written.

(plugins/fastbuild/heap.py: only how long collections take changes; test_fastbuild.py shows the
pages are the same bytes.)
"""

import gc

from pelican import signals

from conftest import TEST_SITE, build_into
from happening.plugins.fastbuild import fence, heap

seen = {}


def _while_writing(generator, writer):
    seen["frozen"] = gc.get_freeze_count()


def _post_page(generator, content):
    # After fastbuild's own handler of the signal (connected when the plugin was registered).
    seen.setdefault("bodies kept", []).append(len(fence._memoised("get_content").cache))


def test_posts_are_frozen_while_writing_and_thawed_after(tmp_path):
    gc.unfreeze()
    seen.clear()
    signals.article_writer_finalized.connect(_while_writing)
    signals.article_generator_write_article.connect(_post_page)
    try:
        build_into(tmp_path / "out", TEST_SITE, FASTBUILD_WORKERS=2)
    finally:
        signals.article_writer_finalized.disconnect(_while_writing)
        signals.article_generator_write_article.disconnect(_post_page)
    assert seen["frozen"] > 1000, "the posts and context read are frozen while pages are written"
    assert gc.get_freeze_count() == 0, "the build gives every object back to the collector"
    # As each post page is about to be written, no body an earlier page read is still kept.
    assert len(seen["bodies kept"]) > 10 and set(seen["bodies kept"]) == {0}


def _reading(generator):
    seen["reading"] = gc.get_freeze_count()


def test_a_build_that_stopped_half_way_is_thawed_when_the_next_starts(tmp_path):
    gc.unfreeze()
    heap.freeze()  # As a build that raised after reading leaves it.
    assert gc.get_freeze_count() > 0
    signals.article_generator_init.connect(_reading)
    try:
        build_into(tmp_path / "out", TEST_SITE, FASTBUILD_WORKERS=2)
    finally:
        signals.article_generator_init.disconnect(_reading)
    assert seen["reading"] == 0, "the next build starts with nothing frozen"
