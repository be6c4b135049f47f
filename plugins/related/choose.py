"""Which posts to suggest after a post: the same thread first, then the most tags in common.

Within the thread, the posts it follows or that follow it come before the rest of the
conversation; among the others, the posts sharing more tags first. Ties go to the newer post,
then the slug, so the choice never depends on file order. A post is never related to itself
(nor to its own translation: the same post in another language).
"""

import heapq
from collections import Counter
from itertools import combinations

# Up to this many tags, the posts sharing m of them are found with set intersections (2^tags
# of them); a post with more is counted tag by tag.
MAX_SUBSETS_TAGS = 6


def _tag_slugs(post) -> set:
    return {t.slug for t in getattr(post, "tags", None) or []}


class Candidates:
    """The posts to choose from, indexed by tag, so each choice looks only at posts it may take.

    Comparing every post with every other made related reading grow with the square of the
    blog (~4 s of a 1,000-post build, 11 s at 5,000 even with this index while each candidate
    was ranked in full, on one core while the other waited). Only a post sharing a tag or a
    thread can be chosen; outside the thread only the number of shared tags and then the date
    and slug count, so the posts sharing the most tags are taken first, newest first.
    """

    def __init__(self, posts):
        self.posts = list(posts)
        self.positions = {}  # id(post) -> its places in the list
        self.by_slug = {}  # slug -> the places of the posts with that slug
        self.tagged = {}  # tag slug -> positions of the posts with that tag
        for i, post in enumerate(self.posts):
            self.positions.setdefault(id(post), []).append(i)
            self.by_slug.setdefault(post.slug, []).append(i)
            for slug in _tag_slugs(post):
                self.tagged.setdefault(slug, set()).add(i)
        # Each place's rank by (date, slug), newest first; equals keep the list's order, as a
        # stable sort of the whole list would.
        newest = sorted(
            range(len(self.posts)),
            key=lambda i: (self.posts[i].date, self.posts[i].slug),
            reverse=True,
        )
        self.recency = [0] * len(newest)
        for rank, i in enumerate(newest):
            self.recency[i] = rank
        self.pairs = {}  # (tag slug, tag slug), sorted -> positions of the posts with both

    def related(self, article, limit=3) -> list:
        """Up to ``limit`` of the candidates for ``article``, best first."""
        if limit <= 0:
            return []
        direct = {
            id(a) for a in [*getattr(article, "follows", []), *getattr(article, "followups", [])]
        }
        thread = {id(a) for a in getattr(article, "thread", None) or []}
        slugs = [slug for slug in _tag_slugs(article) if slug in self.tagged]
        never = set(self.positions.get(id(article), ())) | set(self.by_slug.get(article.slug, ()))
        # The thread and the posts it follows or that follow it first: few, ranked in full.
        linked = thread | direct
        members = {i for member in linked for i in self.positions.get(member, ())} - never
        scored = []
        for i in sorted(members):  # The list's order, so equal ranks keep it.
            other = self.posts[i]
            in_thread = id(other) in thread
            shared = sum(i in self.tagged[slug] for slug in slugs)
            if not in_thread and not shared:
                continue
            rank = (id(other) in direct, in_thread, shared, other.date, other.slug)
            scored.append((rank, other))
        # nlargest is documented as sorted(..., reverse=True)[:n], ties kept in order.
        chosen = [other for _, other in heapq.nlargest(limit, scored, key=lambda pair: pair[0])]
        # Then the others: the most tags in common, then the newest.
        skip = members | never
        groups = self._by_shared_tags(slugs) if len(chosen) < limit else ()
        for group in groups:
            best = heapq.nsmallest(limit - len(chosen), group - skip, key=self.recency.__getitem__)
            chosen += [self.posts[i] for i in best]
            if len(chosen) >= limit:
                break  # Before the next group is made: the posts sharing one tag are many.
        return chosen

    def _sharing(self, subset):
        """The places of the posts with every tag of ``subset``.

        Two tags' posts are intersected once a build and kept: every post with both tags asks
        again, and a third or fourth tag then intersects that small set (a set intersection
        walks the smaller one) instead of two tags' whole lists. With the stop before a group
        nobody takes, related reading at 5,000 posts went from ~1.4 s to ~0.7 s of the main
        process's one core, between reading and writing, while the other core waited.
        """
        if len(subset) == 1:
            return self.tagged[subset[0]]
        key = tuple(sorted(subset[:2]))
        both = self.pairs.get(key)
        if both is None:
            both = self.pairs[key] = self.tagged[key[0]] & self.tagged[key[1]]
        return both.intersection(*[self.tagged[slug] for slug in subset[2:]])

    def _by_shared_tags(self, slugs):
        """The places of the posts sharing exactly m of ``slugs``, for m from most to one."""
        if len(slugs) <= MAX_SUBSETS_TAGS:
            more = set()  # sharing more than m
            for m in range(len(slugs), 0, -1):
                at_least = set().union(
                    *[self._sharing(subset) for subset in combinations(slugs, m)]
                )
                yield at_least - more
                more = at_least
            return
        shared = Counter()
        for slug in slugs:
            shared.update(self.tagged[slug])
        by_count = {}
        for i, count in shared.items():
            by_count.setdefault(count, set()).add(i)
        for count in sorted(by_count, reverse=True):
            yield by_count[count]


def related_posts(article, candidates, limit=3) -> list:
    """Up to ``limit`` posts from ``candidates`` for ``article``, best first."""
    return Candidates(candidates).related(article, limit)
