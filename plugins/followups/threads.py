"""Threads: an essay and every post that follows it up, directly or through another follow-up.

``Follows:`` links a post to the posts it answers; a thread is everything those links connect.
Feeds (``thr:in-reply-to``, one Atom feed per thread) and related reading read the result, so it
is worked out once, here: ``article.thread`` is the whole conversation oldest first (empty for a
post nobody follows up and that follows nothing), ``article.thread_root`` its oldest post.
"""


def link_threads(public):
    """Set ``thread`` and ``thread_root`` on every post in ``public`` (after ``follows``)."""
    neighbours = {id(a): [] for a in public}
    for article in public:
        for earlier in article.follows:
            if id(earlier) in neighbours:
                neighbours[id(article)].append(earlier)
                neighbours[id(earlier)].append(article)
    seen = set()
    for article in public:
        article.thread, article.thread_root = [], None
    for start in public:
        if id(start) in seen:
            continue
        members, stack = [], [start]
        seen.add(id(start))
        while stack:
            current = stack.pop()
            members.append(current)
            for other in neighbours[id(current)]:
                if id(other) not in seen:
                    seen.add(id(other))
                    stack.append(other)
        if len(members) < 2:
            continue
        # Oldest first; the slug breaks a tie so two posts of one minute keep one order.
        members.sort(key=lambda a: (a.date, a.slug))
        for member in members:
            member.thread, member.thread_root = members, members[0]
