"""``sitemap.xml`` and ``robots.txt`` for search engines, written after every build."""

from .write import register, robots_txt, sitemap_xml

__all__ = ["register", "robots_txt", "sitemap_xml"]
