"""Write ``sitemap.xml`` (the home page, posts, pages) and ``robots.txt`` into the output.

A sitemap needs absolute URLs, so it is written only when ``SITEURL`` is absolute (production,
``invoke preview``); ``robots.txt`` is written and names the sitemap only then, unless the writer
has their own (a static file saved as ``robots.txt``, e.g. through ``EXTRA_PATH_METADATA``):
theirs wins. Translations are listed too, each with its language versions as
``xhtml:link`` alternates (Google's sitemap extension for hreflang).
"""

import logging
from pathlib import Path
from xml.sax.saxutils import escape

from pelican import signals

log = logging.getLogger(__name__)


class _Found:
    """What the generators found in this build; reset after each build (autoreload)."""

    def __init__(self):
        self.articles = []
        self.pages = []
        self.translations = []
        self.page_translations = []
        self.static_saved = set()  # where the writer's own static files are saved


_found = _Found()


def _absolute(siteurl: str) -> bool:
    return siteurl.startswith(("https://", "http://"))


def sitemap_xml(siteurl: str, articles, pages, translations=(), page_translations=()) -> str:
    """The sitemap: home page first, then posts newest first (translations among them), then
    pages and their translations."""
    newest = max((_lastmod(a) for a in articles), default=None)
    entries = [(f"{siteurl}/", newest, None)]
    newest_first = sorted([*articles, *translations], key=_lastmod, reverse=True)
    entries += [(f"{siteurl}/{a.url}", _lastmod(a), a) for a in newest_first]
    entries += [(f"{siteurl}/{p.url}", None, p) for p in [*pages, *page_translations]]
    lines = ['<?xml version="1.0" encoding="UTF-8"?>']
    lines.append(
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:xhtml="http://www.w3.org/1999/xhtml">'
    )
    for loc, lastmod, content in entries:
        when = f"<lastmod>{lastmod.isoformat()}</lastmod>" if lastmod else ""
        lines.append(f"  <url><loc>{escape(loc)}</loc>{when}{_alternates(siteurl, content)}</url>")
    lines.append("</urlset>")
    return "\n".join(lines) + "\n"


def _alternates(siteurl, content):
    """Every language version of a translated post or page, itself included."""
    if content is None or not getattr(content, "translations", None):
        return ""
    versions = sorted([content, *content.translations], key=lambda c: c.lang)
    return "".join(
        f'<xhtml:link rel="alternate" hreflang="{escape(v.lang)}" '
        f'href="{escape(siteurl)}/{escape(v.url)}"/>'
        for v in versions
    )


def robots_txt(siteurl: str) -> str:
    """Allow everything; point to the sitemap when there is one."""
    text = "User-agent: *\nAllow: /\n"
    if _absolute(siteurl):
        text += f"\nSitemap: {siteurl}/sitemap.xml\n"
    return text


def _lastmod(article):
    return getattr(article, "modified", None) or article.date


def collect_articles(generator):
    _found.articles = list(generator.articles)
    _found.translations = list(generator.translations)


def collect_pages(generator):
    _found.pages = list(generator.pages)
    _found.page_translations = list(generator.translations)


def collect_static(generator):
    _found.static_saved = {item.save_as for item in generator.staticfiles}


def write_files(pelican):
    global _found
    siteurl = pelican.settings.get("SITEURL", "")
    out = Path(pelican.settings["OUTPUT_PATH"])
    if "robots.txt" in _found.static_saved:
        log.info("sitemap: kept the site's own robots.txt (add a Sitemap: line to it yourself)")
    else:
        (out / "robots.txt").write_text(robots_txt(siteurl), encoding="utf-8")
    if _absolute(siteurl):
        xml = sitemap_xml(
            siteurl,
            _found.articles,
            _found.pages,
            _found.translations,
            _found.page_translations,
        )
        (out / "sitemap.xml").write_text(xml, encoding="utf-8")
    _found = _Found()


def register():
    signals.article_generator_finalized.connect(collect_articles)
    signals.page_generator_finalized.connect(collect_pages)
    signals.static_generator_finalized.connect(collect_static)
    signals.finalized.connect(write_files)
