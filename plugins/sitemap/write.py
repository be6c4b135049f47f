"""Write ``sitemap.xml`` (the home page, posts, pages) and ``robots.txt`` into the output.

A sitemap needs absolute URLs, so it is written only when ``SITEURL`` is absolute (production,
``invoke preview``); ``robots.txt`` is always written and names the sitemap only then.
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


_found = _Found()


def _absolute(siteurl: str) -> bool:
    return siteurl.startswith(("https://", "http://"))


def sitemap_xml(siteurl: str, articles, pages) -> str:
    """The sitemap: home page first, then posts newest first, then pages."""
    newest = max((_lastmod(a) for a in articles), default=None)
    entries = [(f"{siteurl}/", newest)]
    newest_first = sorted(articles, key=_lastmod, reverse=True)
    entries += [(f"{siteurl}/{a.url}", _lastmod(a)) for a in newest_first]
    entries += [(f"{siteurl}/{p.url}", None) for p in pages]
    lines = ['<?xml version="1.0" encoding="UTF-8"?>']
    lines.append('<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">')
    for loc, lastmod in entries:
        when = f"<lastmod>{lastmod.isoformat()}</lastmod>" if lastmod else ""
        lines.append(f"  <url><loc>{escape(loc)}</loc>{when}</url>")
    lines.append("</urlset>")
    return "\n".join(lines) + "\n"


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


def collect_pages(generator):
    _found.pages = list(generator.pages)


def write_files(pelican):
    global _found
    siteurl = pelican.settings.get("SITEURL", "")
    out = Path(pelican.settings["OUTPUT_PATH"])
    (out / "robots.txt").write_text(robots_txt(siteurl), encoding="utf-8")
    if _absolute(siteurl):
        xml = sitemap_xml(siteurl, _found.articles, _found.pages)
        (out / "sitemap.xml").write_text(xml, encoding="utf-8")
    _found = _Found()


def register():
    signals.article_generator_finalized.connect(collect_articles)
    signals.page_generator_finalized.connect(collect_pages)
    signals.finalized.connect(write_files)
