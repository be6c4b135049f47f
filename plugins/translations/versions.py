"""A post's or page's language versions, put where the theme reads them.

Pelican pairs translations by slug (``ARTICLE_TRANSLATION_ID``) and keeps the original in
``articles`` and the others in ``translations``; each side knows the other through
``.translations``. The theme needs every version, itself included, in one stable order (for the
``hreflang`` alternates and the language switch), and a readable name for each language:
``content.language_versions`` and ``language_names`` in the context give it that.
"""

from pelican import signals

# The language switch names each language in itself, as a reader looks for it. Codes that are
# not here are shown as written (`Lang: tlh` shows "tlh"); LANGUAGE_NAMES in the settings adds
# or renames.
LANGUAGE_NAMES = {
    "ar": "العربية",
    "ca": "Català",
    "cs": "Čeština",
    "da": "Dansk",
    "de": "Deutsch",
    "el": "Ελληνικά",
    "en": "English",
    "es": "Español",
    "fi": "Suomi",
    "fr": "Français",
    "he": "עברית",
    "hu": "Magyar",
    "it": "Italiano",
    "ja": "日本語",
    "ko": "한국어",
    "nl": "Nederlands",
    "no": "Norsk",
    "pl": "Polski",
    "pt": "Português",
    "ru": "Русский",
    "sv": "Svenska",
    "tr": "Türkçe",
    "uk": "Українська",
    "zh": "中文",
}


def versions(content) -> list:
    """Every language version of ``content``, itself included, default language first."""
    default = content.settings.get("DEFAULT_LANG", "en")
    found = [content, *getattr(content, "translations", [])]
    return sorted(found, key=lambda c: (c.lang != default, c.lang))


def mark_versions(generator):
    """``language_versions`` on every post and page with a translation ([] otherwise)."""
    for name in (
        "articles",
        "translations",
        "hidden_articles",
        "pages",
        "hidden_pages",
        "hidden_translations",
    ):
        for content in getattr(generator, name, []):
            content.language_versions = versions(content) if content.translations else []


def add_names(generator):
    """``language_names`` in the context: code -> the language's own name, for the switch."""
    names = {**LANGUAGE_NAMES, **(generator.settings.get("LANGUAGE_NAMES") or {})}
    generator.context["language_names"] = names


def register():
    signals.generator_init.connect(add_names)
    signals.article_generator_finalized.connect(mark_versions)
    signals.page_generator_finalized.connect(mark_versions)
