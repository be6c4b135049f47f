"""JSON Feed 1.1 rules written from the spec (jsonfeed.org/version/1.1), and their own tests.

``problems(doc)`` lists every way ``doc`` breaks them; an empty list means it is valid.
"""

from datetime import datetime

import pytest

VERSION = "https://jsonfeed.org/version/1.1"
FEED_STRINGS = {
    "title",
    "home_page_url",
    "feed_url",
    "description",
    "user_comment",
    "next_url",
    "icon",
    "favicon",
    "language",
}
ITEM_STRINGS = {
    "url",
    "external_url",
    "title",
    "content_html",
    "content_text",
    "summary",
    "image",
    "banner_image",
    "language",
}
FEED_KEYS = FEED_STRINGS | {"version", "authors", "author", "expired", "hubs", "items"}
ITEM_KEYS = ITEM_STRINGS | {
    "id",
    "date_published",
    "date_modified",
    "authors",
    "author",
    "tags",
    "attachments",
}


def problems(doc) -> list[str]:
    found = []
    if not isinstance(doc, dict):
        return ["the top level must be an object"]
    if doc.get("version") != VERSION:
        found.append(f"version must be {VERSION!r}, not {doc.get('version')!r}")
    if not isinstance(doc.get("title"), str) or not doc.get("title"):
        found.append("title is required and must be a string")
    found += _strings(doc, FEED_STRINGS, "feed")
    found += _unknown(doc, FEED_KEYS, "feed")
    if "expired" in doc and not isinstance(doc["expired"], bool):
        found.append("expired must be a boolean")
    found += _authors(doc.get("authors"), "feed")
    hubs = doc.get("hubs", [])
    if not isinstance(hubs, list):
        found.append("hubs must be an array")
    else:
        for hub in hubs:
            if not (isinstance(hub, dict) and _str(hub.get("type")) and _str(hub.get("url"))):
                found.append(f"each hub needs string type and url: {hub!r}")
    items = doc.get("items")
    if not isinstance(items, list):
        return [*found, "items is required and must be an array"]
    ids = []
    for n, item in enumerate(items):
        found += [f"items[{n}]: {p}" for p in _item(item)]
        ids.append(item.get("id") if isinstance(item, dict) else None)
    if len(set(ids)) != len(ids):
        found.append("item ids must be unique")
    return found


def _item(item):
    if not isinstance(item, dict):
        return ["must be an object"]
    found = []
    if not _str(item.get("id")):
        found.append("id is required and must be a non-empty string")
    if not ("content_html" in item or "content_text" in item):
        found.append("content_html or content_text is required")
    found += _strings(item, ITEM_STRINGS, "item")
    found += _unknown(item, ITEM_KEYS, "item")
    for key in ("date_published", "date_modified"):
        if key in item and not _rfc3339(item[key]):
            found.append(f"{key} must be an RFC 3339 date-time: {item[key]!r}")
    tags = item.get("tags", [])
    if not (isinstance(tags, list) and all(_str(t) for t in tags)):
        found.append("tags must be an array of strings")
    found += _authors(item.get("authors"), "item")
    for attachment in item.get("attachments", []):
        if not (_str(attachment.get("url")) and _str(attachment.get("mime_type"))):
            found.append("each attachment needs url and mime_type")
    return found


def _authors(authors, where):
    if authors is None:
        return []
    if not isinstance(authors, list):
        return [f"{where} authors must be an array"]
    return [
        f"{where} author needs at least one of name, url, avatar (strings): {a!r}"
        for a in authors
        if not (isinstance(a, dict) and any(_str(a.get(k)) for k in ("name", "url", "avatar")))
    ]


def _strings(obj, keys, where):
    return [f"{where} {k} must be a string" for k in keys if k in obj and not _str(obj[k])]


def _unknown(obj, keys, where):
    # Extensions are allowed, but only under keys starting with an underscore.
    return [f"{where} has unknown key {k!r}" for k in obj if k not in keys and k[:1] != "_"]


def _str(value):
    return isinstance(value, str) and value != ""


def _rfc3339(value):
    if not isinstance(value, str) or "T" not in value:
        return False
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return parsed.tzinfo is not None


# -- The validator itself (tests/test_feeds.py checks our feeds with it) ---------------------------

GOOD = {
    "version": VERSION,
    "title": "A blog",
    "items": [{"id": "1", "content_html": "<p>x</p>", "date_published": "2024-01-01T09:00:00Z"}],
}


@pytest.mark.parametrize(
    "change, problem",
    [
        ({"version": "https://jsonfeed.org/version/1"}, "version"),
        ({"title": None}, "title"),
        ({"items": None}, "items"),
        ({"hubs": [{"url": "https://hub.example/"}]}, "hub"),
        ({"feed_url": 3}, "feed_url"),
        ({"surprise": 1}, "unknown key"),
        ({"items": [{"id": "1"}]}, "content_html or content_text"),
        ({"items": [{"id": 1, "content_text": "x"}]}, "id is required"),
        ({"items": [{"id": "1", "content_text": "x", "date_published": "3 May"}]}, "RFC 3339"),
        ({"items": [{"id": "1", "content_text": "x", "tags": "a"}]}, "tags"),
    ],
)
def test_the_validator_catches_each_rule(change, problem):
    assert problems(GOOD) == []
    assert any(problem in p for p in problems({**GOOD, **change}))
