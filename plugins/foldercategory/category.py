"""``USE_FOLDER_AS_CATEGORY`` as Pelican documents it: a *subfolder* of the articles is a category.

Pelican implements it as "the folder the file is in", so with ``ARTICLE_PATHS = ["posts"]`` every
post without ``Category:`` lands in a category called "posts". A post whose folder is one of
``ARTICLE_PATHS`` itself gets ``DEFAULT_CATEGORY`` instead, as a post at the top of ``content/``
does in Pelican's own layout; ``posts/travel/x.md`` is still in "travel". (A post in ``posts/``
that writes ``Category: posts`` itself is taken for one that did not: name the category otherwise.)
"""

import posixpath

from pelican import signals
from pelican.urlwrappers import Category


def root_folder_category(relative_source: str, category: str, settings) -> bool:
    """True when ``category`` is only the name of the article folder the post sits at the top of."""
    if not settings.get("USE_FOLDER_AS_CATEGORY"):
        return False
    folder = posixpath.dirname(relative_source.replace("\\", "/"))
    roots = {p.strip("/") for p in settings.get("ARTICLE_PATHS", []) if p.strip("/")}
    return folder in roots and posixpath.basename(folder) == category


def use_default_category(generator):
    """Before Pelican groups posts by category: undo the article folder's name as a category."""
    settings = generator.settings
    default = Category(settings["DEFAULT_CATEGORY"], settings)
    for article in [*generator.articles, *generator.translations, *generator.drafts]:
        category = getattr(article, "category", None)
        if category is None or not root_folder_category(
            article.get_relative_source_path(), category.name, settings
        ):
            continue
        article.category = default
        article.metadata["category"] = default


def register():
    signals.article_generator_pretaxonomy.connect(use_default_category)
