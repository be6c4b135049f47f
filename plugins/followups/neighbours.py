"""Previous/next links: each published post's older and newer neighbour by date."""


def link_neighbours(generator):
    """Set ``article.prev_article`` (older) and ``article.next_article`` (newer), or None."""
    ordered = sorted(generator.articles, key=lambda a: a.date)
    for i, article in enumerate(ordered):
        article.prev_article = ordered[i - 1] if i > 0 else None
        article.next_article = ordered[i + 1] if i + 1 < len(ordered) else None
