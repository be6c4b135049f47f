"""Reading time from a post's words; the pace is the ``READING_WORDS_PER_MINUTE`` setting."""

import logging
import math
import re

from pelican import signals

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


def add_reading_time(generator):
    wpm = _pace(generator.settings)
    for article in [*generator.articles, *getattr(generator, "drafts", [])]:
        article.reading_time = reading_time(article, wpm)


def register():
    signals.article_generator_finalized.connect(add_reading_time)
