"""The Pelican side: ``article.related`` for every listed post, once the threads are linked.

Run when every generator is done, so the followups plugin has set each post's thread whatever
the order of ``PLUGINS``; every page is rendered after this. Only listed posts are suggested
(never a draft or a hidden post); a translation is suggested from among its own language's.

With ``fork`` and a second core, a blog of :data:`MIN_POSTS` posts or more has its related
reading chosen in a forked process (``happening.forked``) from ``all_generators_finalized``
to ``get_writer``, while this process does the other plugins' work of that signal (social
cards, the page cache's setup): ~0.03 s at 1,000 posts on a core that was waiting. No page is
written, and no post described, before ``get_writer``, where the choice is taken.
"""

import logging
from types import SimpleNamespace

from pelican import signals
from pelican.generators import ArticlesGenerator

from happening import forked
from happening.errors import SettingError

from .choose import Candidates

log = logging.getLogger(__name__)

DEFAULT_LIMIT = 3
# Fewer posts: choosing here takes less than forking (~4 ms) and taking the choice back.
MIN_POSTS = 200

# choosing: the forked process choosing, what it was given, and the posts its positions point
# into; None: none.
_state = SimpleNamespace(choosing=None)


def link_related(generators):
    """``all_generators_finalized``: choose every post's related reading (or start to)."""
    _abandon()
    work = []  # (listed posts, the others, limit), one per generator of posts
    for generator in generators:
        if not isinstance(generator, ArticlesGenerator):
            continue
        limit = generator.settings.get("RELATED_POSTS_MAX", DEFAULT_LIMIT)
        if not isinstance(limit, int) or isinstance(limit, bool) or limit < 0:
            raise SettingError(
                f"related: RELATED_POSTS_MAX = {limit!r} must be a whole number of posts "
                f"(0 turns related reading off; the default is {DEFAULT_LIMIT})"
            )
        listed = [*generator.articles, *generator.translations]
        others = [*getattr(generator, "hidden_articles", []), *generator.drafts]
        work.append((listed, others, limit))
    everything = [post for listed, others, _ in work for post in (*listed, *others)]
    if len(everything) >= MIN_POSTS and forked.possible():
        try:
            _state.choosing = (forked.Forked(_choose, work, everything), work, everything)
            return
        except OSError as exc:  # No fork now (memory, process limits): chosen here.
            log.debug("related: cannot choose in a forked process (%s)", exc)
    _apply(everything, _choose(work, everything))


def _choose(work, everything) -> list[list[int]]:
    """For each post of ``everything``, in order, the positions there of its related posts."""
    position = {id(post): n for n, post in enumerate(everything)}
    chosen = []
    for listed, others, limit in work:
        by_lang = {}
        for article in listed:
            by_lang.setdefault(article.lang, []).append(article)
        candidates = {lang: Candidates(posts) for lang, posts in by_lang.items()}
        nothing = Candidates([])
        for article in listed:
            chosen.append(candidates[article.lang].related(article, limit))
        for article in others:
            chosen.append(candidates.get(article.lang, nothing).related(article, limit))
    return [[position[id(post)] for post in related] for related in chosen]


def _apply(everything, chosen):
    for article, related in zip(everything, chosen, strict=True):
        article.related = [everything[n] for n in related]


def take_choice(*_):
    """``get_writer``: the forked process's choice, before any page is written. A failed child
    is not fatal: the related reading is chosen here instead."""
    choosing, _state.choosing = _state.choosing, None
    if choosing is None:
        return None  # No writer of ours: this listener only takes the choice.
    child, work, everything = choosing
    try:
        chosen = child.result()
    except forked.ForkedFailed as exc:
        log.debug("related: choosing in a forked process failed (%s); chosen here", exc)
        chosen = _choose(work, everything)
    _apply(everything, chosen)
    return None


def _abandon(*_):
    """A build that failed before ``get_writer`` left its child choosing: reaped, unused."""
    choosing, _state.choosing = _state.choosing, None
    if choosing is not None:
        try:
            choosing[0].result(relog=False)
        except forked.ForkedFailed as exc:
            log.debug("related: the last build's choice failed: %s", exc)


def register():
    signals.initialized.connect(_abandon)
    signals.all_generators_finalized.connect(link_related)
    signals.get_writer.connect(take_choice)
    signals.finalized.connect(_abandon)
