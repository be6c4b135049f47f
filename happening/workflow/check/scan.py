"""Read each built page once, with lxml, into the few facts the page checks need.

A scan is a plain tuple (what a page links to and loads, its anchors, its images without alt),
so pages can be scanned in worker processes and the results kept between runs: a page whose
bytes are unchanged since the last check is not parsed again (see ``cache.py``).
"""

from dataclasses import dataclass
from typing import NamedTuple

import lxml.html

# Attributes that load or link to something, by tag.
LINKING = {
    "a": ("href",),
    "link": ("href",),
    "img": ("src", "srcset"),
    "script": ("src",),
    "source": ("src", "srcset"),
    "video": ("src", "poster"),
    "audio": ("src",),
    "iframe": ("src",),
}
# <link rel=...> kinds that point at a file of ours, and those that load before first paint.
MUST_EXIST = {"stylesheet", "icon", "apple-touch-icon", "manifest", "preload", "alternate"}
MUST_EXIST |= {"modulepreload", "canonical"}
BLOCKING = {"stylesheet", "modulepreload"}


class Ref(NamedTuple):
    """One URL a page links to or loads; a scan holds each as a plain tuple of these fields
    (``for tag, url, line, loads in scan.refs``): a site has ~60 per page, and the scan cache
    loads every one of them on each check, as plain tuples ten times faster than as objects."""

    tag: str
    url: str
    line: int | None
    loads: bool  # fetched before first paint: a stylesheet, a script, a preloaded font


@dataclass(frozen=True)
class Scan:
    size: int
    refs: tuple  # of (tag, url, line, loads): a Ref's fields
    anchors: frozenset  # every id and <a name>
    no_alt: tuple  # (src, line) of each <img> without an alt attribute


_PARSER = lxml.html.HTMLParser(encoding="utf-8")


def scan(data: bytes) -> Scan:
    """The links, loads, anchors and alt-less images of one HTML page."""
    try:
        doc = lxml.html.document_fromstring(data, parser=_PARSER)
    except Exception:  # noqa: BLE001 - an empty or binary page: nothing to follow in it.
        return Scan(len(data), (), frozenset(), ())
    refs, no_alt = [], []
    anchors = set()
    for element in doc.iter():
        if not isinstance(element.tag, str):
            continue  # comments, processing instructions
        ident = element.get("id")
        if ident:
            anchors.add(ident)
        tag = element.tag
        if tag == "a" and element.get("name"):
            anchors.add(element.get("name"))
        attrs = LINKING.get(tag)
        if attrs is None:
            continue
        line = element.sourceline
        if tag == "img" and element.get("alt") is None:
            no_alt.append((element.get("src"), line))
        rel = set((element.get("rel") or "").lower().split())
        loads = tag == "script" or (tag == "link" and bool(BLOCKING & rel))
        if tag == "link" and "preload" in rel and element.get("as") in ("font", "style", "script"):
            loads = True
        for attr in attrs:
            for url in _urls(tag, attr, element.get(attr), rel):
                refs.append((tag, url, line, loads))
    return Scan(len(data), tuple(refs), frozenset(anchors), tuple(no_alt))


def _urls(tag, attr, value, rel):
    if not value:
        return []
    if attr == "srcset":
        return [part.strip().split()[0] for part in value.split(",") if part.strip()]
    if tag == "link" and not MUST_EXIST & rel:
        # Preconnect, dns-prefetch and the like name servers, not files the site must have.
        return []
    return [value.strip()]


def scan_files(paths):
    """``scan`` for each path: what a worker process runs over its share of the pages."""
    return [scan(open(path, "rb").read()) for path in paths]
