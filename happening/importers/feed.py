"""Any Atom or RSS feed (a file or a URL) of a blog that is moving, read with feedparser.

Pelican's ``feed2fields`` is not reused: it keeps neither the entry's id (our ``Id:``, so that
readers who move to the new feed see nothing new) nor its link (the old URL to redirect from),
and it dates posts by their last update. feedparser (already a dependency) does the parsing.
"""

import calendar
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import feedparser
import requests
from pelican.utils import slugify

from .model import ExportError, ImportedPost

TIMEOUT = 30


def read(path, *, old_url: str) -> list[ImportedPost]:
    source = str(path)
    if source.startswith(("http://", "https://")):
        try:
            response = requests.get(source, timeout=TIMEOUT)
            response.raise_for_status()
        except requests.RequestException as exc:
            raise ExportError(f"import: cannot fetch {source} ({type(exc).__name__})") from None
        parsed, name = feedparser.parse(response.content), source
    else:
        parsed, name = feedparser.parse(Path(path).read_bytes()), Path(path).name
    if parsed.bozo and not parsed.entries:
        raise ExportError(f"import: {name} is not an Atom or RSS feed ({parsed.bozo_exception})")
    posts = []
    for number, entry in enumerate(parsed.entries, 1):
        posts.append(_post(entry, f"{name} entry {number}"))
    return sorted(posts, key=lambda p: p.date)


def _post(entry, where) -> ImportedPost:
    guid = entry.get("id") or entry.get("link")
    title = entry.get("title") or ""
    when = entry.get("published_parsed") or entry.get("updated_parsed")
    if not guid or not when:
        raise ExportError(f"import: {where} has no id or no date")
    link = urlsplit(entry.get("link") or "")
    slug = [p for p in link.path.split("/") if p][-1:] or [slugify(title)]
    slug = slug[0].removesuffix(".html")
    content = entry.get("content")
    html = content[0].value if content else entry.get("summary", "")
    updated = entry.get("updated_parsed")
    return ImportedPost(
        source="feed",
        guid=guid,
        title=title or slug,
        slug=slug,
        date=_aware(when),
        modified=_aware(updated) if updated else None,
        html=html,
        summary=" ".join((entry.get("summary") or "").split()) if content else "",
        tags=[t.get("term") for t in entry.get("tags") or [] if t.get("term")],
        author=entry.get("author") or "",
        old_paths=[link.path] if link.path and link.path != "/" else [],
    )


def _aware(struct) -> datetime:
    return datetime.fromtimestamp(calendar.timegm(struct), UTC)
