"""The Pelican side: ``article.related`` for every listed post, once the threads are linked.

Run when every generator is done, so the followups plugin has set each post's thread whatever
the order of ``PLUGINS``; every page is rendered after this. Only listed posts are suggested
(never a draft or a hidden post); a translation is suggested from among its own language's.
"""

from pelican import signals
from pelican.generators import ArticlesGenerator

from happening.errors import SettingError

from .choose import Candidates

DEFAULT_LIMIT = 3


def link_related(generators):
    for generator in generators:
        if not isinstance(generator, ArticlesGenerator):
            continue
        limit = generator.settings.get("RELATED_POSTS_MAX", DEFAULT_LIMIT)
        if not isinstance(limit, int) or isinstance(limit, bool) or limit < 0:
            raise SettingError(
                f"related: RELATED_POSTS_MAX = {limit!r} must be a whole number of posts "
                f"(0 turns related reading off; the default is {DEFAULT_LIMIT})"
            )
        by_lang = {}
        for article in generator.articles + generator.translations:
            by_lang.setdefault(article.lang, []).append(article)
        candidates = {lang: Candidates(posts) for lang, posts in by_lang.items()}
        nothing = Candidates([])
        for article in [*generator.articles, *generator.translations]:
            article.related = candidates[article.lang].related(article, limit)
        for article in [*getattr(generator, "hidden_articles", []), *generator.drafts]:
            article.related = candidates.get(article.lang, nothing).related(article, limit)


def register():
    signals.all_generators_finalized.connect(link_related)
