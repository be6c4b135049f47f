"""Follow-up threads: a post says which earlier posts it follows up with ``Follows: slug[, slug]``.

Each published post gets ``article.follows`` (the posts it follows up, in the order written) and
``article.followups`` (the published posts that follow it up, newest first), so templates only
loop over lists. A slug that names no published post fails the build: a broken thread would
otherwise ship silently as a missing link.
"""

import logging

from pelican import signals

from happening.errors import UserError

from .neighbours import link_neighbours
from .threads import link_threads

log = logging.getLogger(__name__)

KEY = "follows"


class FollowupError(UserError):
    """A ``Follows:`` value names no published post (or the post itself)."""


def slugs(value) -> list[str]:
    """The slugs in a ``Follows:`` value: comma-separated, blanks ignored, order kept."""
    if isinstance(value, list | tuple):
        value = ",".join(str(v) for v in value)
    return [s.strip() for s in str(value or "").split(",") if s.strip()]


def link_followups(generator):
    """Set ``follows`` and ``followups`` on every post; drafts may follow, never be listed."""
    # Hidden posts (Status: hidden) are published at their address, just not listed: they can
    # be followed up and can follow; drafts can follow (for the live preview) but never be listed.
    public = [*generator.articles, *getattr(generator, "hidden_articles", [])]
    published = {a.slug: a for a in public}
    everything = [*public, *getattr(generator, "drafts", [])]
    for article in everything:
        article.follows = []
        article.followups = []
    for article in everything:
        for slug in slugs(article.metadata.get(KEY)):
            original = published.get(slug)
            if original is None or original is article:
                raise FollowupError(_unknown(article, slug, generator))
            article.follows.append(original)
            if article in public:
                original.followups.append(article)
    for article in public:
        article.followups.sort(key=lambda a: a.date, reverse=True)
    link_threads(public)
    for draft in getattr(generator, "drafts", []):
        draft.thread, draft.thread_root = [], None
    link_neighbours(generator)


def _unknown(article, slug, generator):
    where = article.relative_source_path or article.source_path
    drafts = {d.slug for d in getattr(generator, "drafts", [])}
    if slug == article.slug:
        why = "a post cannot follow itself"
    elif slug in drafts:
        why = "that post is a draft or dated in the future, so it is not published"
    else:
        why = "no published post has that slug"
    return (
        f"followups: {where}: Follows: {slug!r}: {why}; "
        "write the Slug: of an earlier published post (comma-separate several)"
    )


def register():
    signals.article_generator_finalized.connect(link_followups)
