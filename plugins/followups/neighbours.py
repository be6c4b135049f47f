"""Previous/next links: each published post's older and newer neighbour by date."""


def link_neighbours(generator, key=None):
    """Set ``article.prev_article`` (older) and ``article.next_article`` (newer), or None.

    ``key`` orders posts that share a date (the thread's order); by default, the date alone.
    """
    ordered = sorted(generator.articles, key=key or (lambda a: a.date))
    for i, article in enumerate(ordered):
        article.prev_article = ordered[i - 1] if i > 0 else None
        article.next_article = ordered[i + 1] if i + 1 < len(ordered) else None
