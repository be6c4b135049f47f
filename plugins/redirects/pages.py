"""Writes a redirect page for each line of the redirect table, and ``_redirects``, after a build.

A static host cannot answer 301 by itself, so each old path gets ``<old>/index.html`` with a
meta refresh, a canonical link (search engines move the old page's standing to the new one) and
a plain link for readers whose browser does not follow the refresh. Hosts that read a
``_redirects`` file (Netlify, Cloudflare Pages) answer a real 301 from it instead.
"""

import logging
from html import escape
from pathlib import Path

from pelican import signals

from .table import TableError, read_table, table_path

log = logging.getLogger(__name__)

HOSTS_FILE = "_redirects"
PAGE = """<!doctype html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<title>Moved: {title}</title>
<meta name="robots" content="noindex">
<meta http-equiv="refresh" content="0; url={href}">
<link rel="canonical" href="{canonical}">
</head>
<body>
<p>This page has moved to <a href="{href}">{shown}</a>.</p>
</body>
</html>
"""


def write_redirects(pelican) -> None:
    settings = pelican.settings
    try:
        table = read_table(table_path(settings), settings["PATH"])
    except TableError as exc:
        log.error("%s", exc, extra={"content_error": exc})  # The build stops, naming its line.
        return
    if not table:
        return
    output = Path(pelican.output_path)
    siteurl = (settings.get("SITEURL") or "").rstrip("/")
    hosts = []
    for old, new in table.items():
        target = new if "://" in new else "/" + new.lstrip("/")
        page = _page_file(output, old)
        if page is None or (page.exists() and not _ours(page)):
            log.warning("redirects: %s is a page of this site; its redirect is not written", old)
            continue
        page.parent.mkdir(parents=True, exist_ok=True)
        href = target if "://" in target else (siteurl + target if siteurl else target)
        page.write_text(
            PAGE.format(
                lang=escape(settings.get("DEFAULT_LANG") or "en"),
                title=escape(old),
                href=escape(href, quote=True),
                canonical=escape(href, quote=True),
                shown=escape(href),
            ),
            encoding="utf-8",
        )
        hosts.append(f"{old} {target} 301\n")
    (output / HOSTS_FILE).write_text("".join(hosts), encoding="utf-8")


def _page_file(output: Path, old: str) -> Path | None:
    relative = old.split("?", 1)[0].split("#", 1)[0].strip("/")
    if not relative or ".." in relative.split("/"):
        return None
    if relative.endswith((".html", ".htm")):
        return output / relative
    return output / relative / "index.html"


def _ours(page: Path) -> bool:
    # Rewriting our own redirect page is fine (a rebuild); overwriting a real page is not.
    text = page.read_text(encoding="utf-8", errors="replace")
    return "<title>Moved:" in text and 'http-equiv="refresh"' in text


def register():
    signals.finalized.connect(write_redirects)
