"""Which posts to suggest after a post: the same thread first, then the most tags in common.

Within the thread, the posts it follows or that follow it come before the rest of the
conversation; among the others, the posts sharing more tags first. Ties go to the newer post,
then the slug, so the choice never depends on file order. A post is never related to itself
(nor to its own translation: the same post in another language).
"""


def related_posts(article, candidates, limit=3) -> list:
    """Up to ``limit`` posts from ``candidates`` for ``article``, best first."""
    direct = {id(a) for a in [*getattr(article, "follows", []), *getattr(article, "followups", [])]}
    thread = {id(a) for a in getattr(article, "thread", None) or []}
    tags = {t.slug for t in getattr(article, "tags", None) or []}
    scored = []
    for other in candidates:
        if other is article or other.slug == article.slug:
            continue
        shared = len(tags & {t.slug for t in getattr(other, "tags", None) or []})
        in_thread = id(other) in thread
        if not in_thread and not shared:
            continue
        rank = (id(other) in direct, in_thread, shared, other.date, other.slug)
        scored.append((rank, other))
    scored.sort(key=lambda pair: pair[0], reverse=True)
    return [other for _, other in scored[:limit]]
