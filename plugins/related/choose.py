"""Which posts to suggest after a post: the same thread first, then the most tags in common.

Within the thread, the posts it follows or that follow it come before the rest of the
conversation; among the others, the posts sharing more tags first. Ties go to the newer post,
then the slug, so the choice never depends on file order. A post is never related to itself
(nor to its own translation: the same post in another language).
"""


class Candidates:
    """The posts to choose from, indexed by tag once (not once per post: that was quadratic)."""

    def __init__(self, posts):
        self.posts = list(posts)
        self.position = {id(post): n for n, post in enumerate(self.posts)}
        self.tags = [{t.slug for t in getattr(post, "tags", None) or []} for post in self.posts]
        self.by_tag = {}
        for n, slugs in enumerate(self.tags):
            for slug in slugs:
                self.by_tag.setdefault(slug, []).append(n)


def related_posts(article, candidates, limit=3) -> list:
    """Up to ``limit`` posts from ``candidates`` (a list or :class:`Candidates`) for ``article``,
    best first."""
    if not isinstance(candidates, Candidates):
        candidates = Candidates(candidates)
    direct = {id(a) for a in [*getattr(article, "follows", []), *getattr(article, "followups", [])]}
    thread = {id(a) for a in getattr(article, "thread", None) or []}
    tags = {t.slug for t in getattr(article, "tags", None) or []}
    # Only a post in the thread or sharing a tag can be chosen; met in the candidates' order, so
    # that equal ranks keep the order they always had.
    reachable = {candidates.position[i] for i in thread if i in candidates.position}
    for slug in tags:
        reachable.update(candidates.by_tag.get(slug, ()))
    scored = []
    for n in sorted(reachable):
        other = candidates.posts[n]
        if other is article or other.slug == article.slug:
            continue
        shared = len(tags & candidates.tags[n])
        in_thread = id(other) in thread
        if not in_thread and not shared:
            continue
        rank = (id(other) in direct, in_thread, shared, other.date, other.slug)
        scored.append((rank, other))
    scored.sort(key=lambda pair: pair[0], reverse=True)
    return [other for _, other in scored[:limit]]
