"""Reading time from a post's words; the pace is the ``READING_WORDS_PER_MINUTE`` setting.

Every post's words are counted as Pelican makes the post (``content_object_init``): in a cold
build the main process is then mostly waiting for the Markdown workers, whereas once every post
is read (``article_generator_finalized``, where ``article.reading_time`` is set) the build runs
on one core (~1 s at 5,000 posts). The count is kept with the very body it was made from and
used only if the post still has that body then: a plugin connected after this one (one listed
later in ``PLUGINS``) may rewrite the body as the post is made (plugins/images adds figure
captions), and such a post is counted again.
"""

import logging
import math
import re
import weakref

from pelican import signals
from pelican.contents import Article

from happening.errors import SettingError

log = logging.getLogger(__name__)

DEFAULT_WPM = 230  # A common adult silent-reading pace for non-fiction prose.
_TAG = re.compile(r"<[^>]+>")


class ReadingTimeError(SettingError):
    """``READING_WORDS_PER_MINUTE`` is not a positive whole number."""


def minutes(html: str, wpm: int = DEFAULT_WPM) -> int:
    """Whole minutes to read ``html`` at ``wpm``, never less than one."""
    words = len(_TAG.sub(" ", html or "").split())
    return max(1, math.ceil(words / wpm))


def _pace(settings) -> int:
    wpm = settings.get("READING_WORDS_PER_MINUTE", DEFAULT_WPM)
    if isinstance(wpm, bool) or not isinstance(wpm, int) or wpm <= 0:
        raise ReadingTimeError(
            f"readingtime: READING_WORDS_PER_MINUTE is {wpm!r}; set a positive whole number "
            f"(default {DEFAULT_WPM})"
        )
    return wpm


def reading_time(article, wpm=None) -> int:
    """The reading time this plugin gives ``article`` (the live preview asks it after an edit)."""
    # _content is the HTML before Pelican resolves {filename} links: the words are the same,
    # and resolving links here, before static files are known, would log false warnings.
    return minutes(article._content, wpm or _pace(article.settings))


# post -> (the body it was counted from, the pace, its minutes); by identity, gone with the post,
# and emptied at the end of each build.
_counted = weakref.WeakKeyDictionary()


def count_early(content):
    """``content_object_init``: count a post's words now, while the workers convert the rest."""
    if not isinstance(content, Article):
        return
    try:
        wpm = _pace(content.settings)
    except ReadingTimeError:
        return  # add_reading_time names the setting, once, as the build's error.
    _counted[content] = (content._content, wpm, reading_time(content, wpm))


def add_reading_time(generator):
    wpm = _pace(generator.settings)
    for article in [*generator.articles, *getattr(generator, "drafts", [])]:
        body, pace, counted = _counted.get(article, (None, None, None))
        # ``is``: the very string counted (a rewritten body is another object).
        same = counted is not None and body is article._content and pace == wpm
        article.reading_time = counted if same else reading_time(article, wpm)
    _counted.clear()


def forget(*_):
    """``finalized``: nothing counted is kept into the next build (the live preview's)."""
    _counted.clear()


def register():
    signals.content_object_init.connect(count_early)
    signals.article_generator_finalized.connect(add_reading_time)
    signals.finalized.connect(forget)
