"""Which posts to suggest after a post: the same thread first, then the most tags in common.

Within the thread, the posts it follows or that follow it come before the rest of the
conversation; among the others, the posts sharing more tags first. Ties go to the newer post,
then the slug, so the choice never depends on file order. A post is never related to itself
(nor to its own translation: the same post in another language).
"""

import heapq
from collections import Counter


def _tag_slugs(post) -> set:
    return {t.slug for t in getattr(post, "tags", None) or []}


class Candidates:
    """The posts to choose from, indexed by tag, so each choice looks only at posts it may take.

    Comparing every post with every other made related reading grow with the square of the
    blog (~4 s of a 1,000-post build, on one core while the other waited); a post can only be
    chosen if it shares a tag or a thread, and the index finds exactly those.
    """

    def __init__(self, posts):
        self.posts = list(posts)
        self.positions = {}  # id(post) -> its places in the list
        self.tagged = {}  # tag slug -> positions of the posts with that tag
        for i, post in enumerate(self.posts):
            self.positions.setdefault(id(post), []).append(i)
            for slug in _tag_slugs(post):
                self.tagged.setdefault(slug, []).append(i)

    def related(self, article, limit=3) -> list:
        """Up to ``limit`` of the candidates for ``article``, best first."""
        direct = {
            id(a) for a in [*getattr(article, "follows", []), *getattr(article, "followups", [])]
        }
        thread = {id(a) for a in getattr(article, "thread", None) or []}
        shared = Counter()
        for slug in _tag_slugs(article):
            shared.update(self.tagged.get(slug, ()))
        reachable = set(shared)
        for member in thread:
            reachable.update(self.positions.get(member, ()))
        scored = []
        # In the candidates' own order, so equal ranks keep it (as a stable sort of all would).
        for i in sorted(reachable):
            other = self.posts[i]
            if other is article or other.slug == article.slug:
                continue
            rank = (id(other) in direct, id(other) in thread, shared[i], other.date, other.slug)
            scored.append((rank, other))
        # nlargest is documented as sorted(..., reverse=True)[:n], ties kept in order.
        return [other for _, other in heapq.nlargest(limit, scored, key=lambda pair: pair[0])]


def related_posts(article, candidates, limit=3) -> list:
    """Up to ``limit`` posts from ``candidates`` for ``article``, best first."""
    return Candidates(candidates).related(article, limit)
