"""Feeds: Atom and RSS that parse as XML and say which kind they are, JSON Feed with the keys
readers need, and no two entries of one feed sharing an id.

lxml reads the XML (a thousand full-content feeds in about a second, where feedparser took
most of a check sanitising every entry); feedparser is asked only about a feed lxml cannot
parse, for the message a feed reader's user would see. A feed's findings depend on its bytes
alone, so those of a feed unchanged since the last check are kept (``cache.py``), by its bytes
and where it is shown: after one new post most of a site's feeds did not change.
"""

import json
from collections import Counter
from importlib import metadata

from lxml import etree

from .cache import ScanCache, code_key
from .model import ERROR, WARNING, Problem

FINDINGS_FILE = "check-feeds.pickle"

ATOM = "{http://www.w3.org/2005/Atom}"
RSS1 = "{http://purl.org/rss/1.0/}"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)


def feed_files(site):
    found = {f for f in site.files if f.startswith("feeds/") and f.endswith((".xml", ".json"))}
    found |= {f for f in site.files if f.endswith((".atom.xml", ".rss.xml"))}
    return sorted(found)


def check(site):
    problems = []
    feeds = feed_files(site)
    site.report.feeds = len(feeds)
    # feedparser words the finding on a feed lxml cannot parse: its version is in the key too.
    code = f"{code_key()} feedparser={metadata.version('feedparser')}"
    kept = ScanCache(site.settings.get("CACHE_PATH"), name=FINDINGS_FILE, code=code)
    for rel in feeds:
        digested, data = site.digests.of(rel)
        shown = site.shown(rel)
        key = f"{digested} {shown}"
        found = kept.get(key)
        if found is None:
            data = data if data is not None else (site.output / rel).read_bytes()
            found = _json_feed(data, shown) if rel.endswith(".json") else _xml_feed(data, shown)
            kept.put(key, found)
        problems += found
    kept.save()
    return problems


def _xml_feed(data, shown):
    try:
        root = etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        return [_unparsable(data, shown, exc)]
    name = etree.QName(root).localname if isinstance(root.tag, str) else ""
    if root.tag == f"{ATOM}feed":
        ids = [e.findtext(f"{ATOM}id") for e in root.iterfind(f"{ATOM}entry")]
    elif name == "rss":
        ids = [item.findtext("guid") for item in root.iterfind("channel/item")]
    elif name == "RDF":
        ids = [
            item.get("{http://www.w3.org/1999/02/22-rdf-syntax-ns#}about")
            for item in root.iterfind(f"{RSS1}item")
        ]
    else:
        return [_problem(ERROR, shown, None, "not recognised as a feed (no Atom feed or RSS)")]
    return _duplicate_ids(shown, ids)


def _unparsable(data, shown, exc):
    """A feed lxml cannot parse, described as feedparser (a feed reader) describes it."""
    import feedparser

    parsed = feedparser.parse(data)
    problem = parsed.get("bozo_exception")
    if problem is not None and not isinstance(problem, feedparser.CharacterEncodingOverride):
        line = problem.getLineNumber() if hasattr(problem, "getLineNumber") else exc.lineno
        return _problem(ERROR, shown, line, f"feedparser: {problem}")
    return _problem(WARNING, shown, exc.lineno, f"not well-formed XML: {exc.msg}")


def _json_feed(data, shown):
    """feedparser 6 reads no JSON Feed, so check what readers need: valid JSON, the spec's keys."""
    try:
        feed = json.loads(data.decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        return [_problem(ERROR, shown, getattr(exc, "lineno", None), f"not valid JSON: {exc}")]
    items = feed.get("items") if isinstance(feed, dict) else None
    version = str(feed.get("version", "")) if isinstance(feed, dict) else ""
    if not version.startswith("https://jsonfeed.org/version/") or not isinstance(items, list):
        return [_problem(ERROR, shown, None, "not a JSON Feed (needs version and items)")]
    problems = []
    missing = [
        n for n, item in enumerate(items, 1) if not (isinstance(item, dict) and item.get("id"))
    ]
    if missing:
        problems.append(
            _problem(ERROR, shown, None, f"item(s) {missing} have no id (JSON Feed needs one)")
        )
    ids = [item.get("id") for item in items if isinstance(item, dict)]
    return problems + _duplicate_ids(shown, ids)


def _duplicate_ids(shown, entry_ids):
    counts = Counter(i for i in entry_ids if i)
    return [
        _problem(ERROR, shown, None, f"{count} entries share the id {entry_id!r}", "post id")
        for entry_id, count in counts.items()
        if count > 1
    ]


def _problem(level, where, line, message, kind="feed"):
    return Problem(level, kind, where, line, message)
