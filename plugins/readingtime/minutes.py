"""Reading time from a post's words; the pace is the ``READING_WORDS_PER_MINUTE`` setting.

Every post's words are counted as Pelican makes the post (``content_object_init``): in a cold
build the main process is then mostly waiting for the Markdown workers, whereas once every post
is read (``article_generator_finalized``, where ``article.reading_time`` is set) the build runs
on one core (~1 s at 5,000 posts). The count is kept with the very body it was made from and
used only if the post still has that body then: a plugin connected after this one (one listed
later in ``PLUGINS``) may rewrite the body as the post is made (plugins/images adds figure
captions), and such a post is counted again. A build that keeps Pelican's content cache keeps
the counts too, by each body's digest (``counts.py``): a release counts only the new post.
"""

import logging
import math
import re
import weakref

from pelican import signals
from pelican.contents import Article

from happening import bodydigest
from happening.errors import SettingError

from . import counts

log = logging.getLogger(__name__)

DEFAULT_WPM = 230  # A common adult silent-reading pace for non-fiction prose.
_TAG = re.compile(r"<[^>]+>")


class ReadingTimeError(SettingError):
    """``READING_WORDS_PER_MINUTE`` is not a positive whole number."""


def minutes(html: str, wpm: int = DEFAULT_WPM) -> int:
    """Whole minutes to read ``html`` at ``wpm``, never less than one."""
    return _at_pace(words(html), wpm)


def words(html: str) -> int:
    """How many words ``html`` shows: its text between the tags, split at white space."""
    return len(_TAG.sub(" ", html or "").split())


def _at_pace(count, wpm):
    return max(1, math.ceil(count / wpm))


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
    wpm = wpm or _pace(article.settings)
    body = article._content
    if _kept is None or not body or _kept.settings is not article.settings:
        return minutes(body, wpm)
    return _at_pace(_kept.words(body, words), wpm)


# post -> (the body it was counted from, the pace, its minutes); by identity, gone with the post,
# and emptied at the end of each build.
_counted = weakref.WeakKeyDictionary()
# The running build's word counts by body digest (counts.Kept), opened at its first post and
# saved at its end; None between builds.
_kept = None


def _open_counts(settings):
    global _kept
    if _kept is None or _kept.settings is not settings:  # A build's posts share its settings.
        _kept = counts.Kept(settings)


def count_early(content):
    """``content_object_init``: count a post's words now, while the workers convert the rest."""
    if not isinstance(content, Article):
        return
    try:
        wpm = _pace(content.settings)
    except ReadingTimeError:
        return  # add_reading_time names the setting, once, as the build's error.
    _open_counts(content.settings)
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
    """``finalized``: nothing counted is kept into the next build (the live preview's) but the
    word counts by digest, saved for it when the build keeps its caches."""
    global _kept
    _counted.clear()
    if _kept is not None:
        _kept.save()
    _kept = None
    bodydigest.forget()


def register():
    signals.content_object_init.connect(count_early)
    signals.article_generator_finalized.connect(add_reading_time)
    signals.finalized.connect(forget)
