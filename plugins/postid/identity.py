"""The postid plugin: every post gets its permanent id, and no two posts share one.

The id itself is :func:`happening.postid.post_id` (its docstring says how it is made); this
plugin sets ``article.post_id`` for templates and fails the build on a duplicate.
"""

from pelican import signals

from happening.errors import ContentError
from happening.postid import post_id
from happening.sourceline import located


class DuplicatePostId(ContentError):
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
            # The second one read is where the writer looks: the first was fine until then.
            # Its line is the field the id came from (an explicit Id:, else the Slug:).
            key = "id" if article.metadata.get("id") else "slug"
            source, line = located(article, key)
            raise DuplicatePostId(
                f"postid: the id {pid!r} is also {located(other)[0]}'s; give one of them a "
                "different Slug: or an explicit Id:",
                source,
                line or located(article, "date")[1],
            )


def register():
    signals.article_generator_finalized.connect(check_unique)
