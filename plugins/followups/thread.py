"""Follow-up threads: a post says which earlier posts it follows up with ``Follows: slug[, slug]``.

Each post gets ``article.follows`` (the posts it follows up, in the order written) and
``article.followups`` (the posts that follow it up, newest first), so templates only loop over
lists. A post in a chain (each part follows exactly the one before, and is followed by at most
one) also gets ``article.part = (n, m)``: "Part n of m". A slug that names no published post fails
the build: a broken thread would otherwise ship silently as a missing link.

Drafts may follow drafts, so a whole series can be previewed before any of it is published
(the live preview renders drafts under /drafts/); a published post never lists or follows one.

Order comes from the thread, never from the files: posts with the same ``Date:`` (``post.new``
stamps the minute, so a series written quickly shares one) are ordered by their place in the
``Follows:`` chain, on the home page, in archives and in the follow-ups box alike.
"""

import logging

from pelican import signals

from happening.errors import ContentError
from happening.sourceline import located

from .neighbours import link_neighbours
from .threads import link_threads

log = logging.getLogger(__name__)

KEY = "follows"


class FollowupError(ContentError):
    """A ``Follows:`` value names no published post (or the post itself); names its line."""


def slugs(value) -> list[str]:
    """The slugs in a ``Follows:`` value: comma-separated, blanks ignored, order kept."""
    if isinstance(value, list | tuple):
        value = ",".join(str(v) for v in value)
    return [s.strip() for s in str(value or "").split(",") if s.strip()]


def _public(generator):
    # Hidden posts (Status: hidden) are published at their address, just not listed: they can
    # be followed up and can follow.
    return [*generator.articles, *getattr(generator, "hidden_articles", [])]


def _drafts(generator):
    return list(getattr(generator, "drafts", []))


def depths(articles) -> dict[int, int]:
    """How many ``Follows:`` steps lie behind each post (0: it follows nothing known), by id()."""
    by_slug = {a.slug: a for a in articles}
    found: dict[int, int] = {}

    def depth(article, seen=()):
        if id(article) not in found:
            earlier = [by_slug[s] for s in slugs(article.metadata.get(KEY)) if s in by_slug]
            earlier = [e for e in earlier if e is not article and e not in seen]
            found[id(article)] = 1 + max((depth(e, (*seen, article)) for e in earlier), default=-1)
        return found[id(article)]

    for article in articles:
        depth(article)
    return found


def thread_key(articles):
    """A sort key: the date, then the place in the thread, for posts that share a date."""
    deep = depths(articles)
    return lambda a: (a.date, deep.get(id(a), 0))


def order_by_thread(generator):
    """Before Pelican files posts under tags and dates: break date ties by thread order."""
    if generator.settings.get("ARTICLE_ORDER_BY", "reversed-date") != "reversed-date":
        return  # The writer chose another order; leave it.
    key = thread_key([*_public(generator), *_drafts(generator)])
    generator.articles.sort(key=key, reverse=True)
    if hasattr(generator, "drafts"):
        generator.drafts.sort(key=key, reverse=True)


def link_followups(generator):
    """Set ``follows``, ``followups`` and ``part`` on every post and draft."""
    public, drafts = _public(generator), _drafts(generator)
    published = {a.slug: a for a in public}
    with_drafts = {**{d.slug: d for d in drafts}, **published}
    everything = [*public, *drafts]
    for article in everything:
        article.follows = []
        article.followups = []
        article.part = None
    public_ids = {id(a) for a in public}
    sequels = {id(a): [] for a in everything}  # Every follow-up, drafts too: the preview's view.
    for article in everything:
        is_draft = id(article) not in public_ids
        for slug in slugs(article.metadata.get(KEY)):
            original = (with_drafts if is_draft else published).get(slug)
            if original is None or original is article:
                raise FollowupError(_unknown(article, slug, generator), *located(article, KEY))
            article.follows.append(original)
            sequels[id(original)].append(article)
            # A published post lists only published follow-ups; a draft lists its draft sequels.
            if not is_draft or id(original) not in public_ids:
                original.followups.append(article)
    key = thread_key(everything)
    for article in everything:
        article.followups.sort(key=key, reverse=True)
    for article in everything:
        # A published post counts the published parts; a draft, the series as it will be.
        if id(article) in public_ids:
            article.part = _part(article, lambda a: a.followups)
        else:
            article.part = _part(article, lambda a: sequels[id(a)])
    link_threads(public)
    for draft in getattr(generator, "drafts", []):
        draft.thread, draft.thread_root = [], None
    link_neighbours(generator, key)


def _part(article, sequels_of):
    """``(n, m)`` when ``article`` is part n of a chain of m >= 2 posts, else None.

    A chain is a line: each part follows exactly the one before and is followed by at most one
    (an essay with two separate follow-ups is a thread, not a series).
    """

    def single(items):
        return items[0] if len(items) == 1 else None

    root, seen = article, {id(article)}
    while (parent := single(root.follows)) is not None and single(sequels_of(parent)) is root:
        if id(parent) in seen:
            return None  # Posts that follow each other round in a circle are no series.
        root = parent
        seen.add(id(root))
    chain = [root]
    while (child := single(sequels_of(chain[-1]))) is not None and len(child.follows) == 1:
        if child in chain:
            break
        chain.append(child)
    if len(chain) > 1 and article in chain:
        return (chain.index(article) + 1, len(chain))
    return None


def _unknown(article, slug, generator):
    drafts = {d.slug for d in _drafts(generator)}
    if slug == article.slug:
        why = "a post cannot follow itself"
    elif slug in drafts:
        why = "that post is a draft or dated in the future, so it is not published"
    else:
        why = "no published post has that slug"
    return (
        f"followups: Follows: {slug!r}: {why}; "
        "write the Slug: of an earlier published post (comma-separate several)"
    )


def register():
    signals.article_generator_pretaxonomy.connect(order_by_thread)
    signals.article_generator_finalized.connect(link_followups)
