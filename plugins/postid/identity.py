"""The postid plugin: every post gets its permanent id, and no two posts share one.

The id itself is :func:`happening.postid.post_id` (its docstring says how it is made); this
plugin sets ``article.post_id`` for templates and fails the build on a duplicate.
"""

from pelican import signals

from happening.errors import UserError
from happening.postid import post_id


class DuplicatePostId(UserError):
    """Two posts share an id: feeds and the newsletter would treat them as one post."""


def check_unique(generator):
    """Fail the build when two posts (published or draft, translations too) share an id."""
    seen = {}
    everything = [
        *generator.articles,
        *generator.translations,
        *generator.drafts,
        *generator.drafts_translations,
    ]
    for article in everything:
        pid = post_id(article, generator.settings)
        article.post_id = pid  # Templates and plugins read it from here.
        other = seen.setdefault(pid, article)
        if other is not article:
            raise DuplicatePostId(
                f"postid: {_rel(other)} and {_rel(article)} have the same id {pid!r}; "
                "give one of them a different Slug: or an explicit Id:"
            )


def _rel(article):
    return article.relative_source_path or article.source_path


def register():
    signals.article_generator_finalized.connect(check_unique)
