"""Ghost's JSON export (Settings -> Labs -> Export), with the body as html, lexical or mobiledoc.

The format (docs.ghost.org/migration/custom, "JSON file structure"): ``{"db": [{"meta": ...,
"data": {...}}]}`` (the ``db`` wrapper is optional), where ``data`` mirrors Ghost's tables:
``posts`` (``id``, ``uuid``, ``title``, ``slug``, ``html``, ``lexical``, ``mobiledoc``,
``type`` post|page, ``status`` published|draft|scheduled, ``visibility``
public|members|paid|tiers, ``published_at``, ``updated_at``, ``custom_excerpt``,
``plaintext``), ``tags`` and ``posts_tags``, ``users`` and ``posts_authors``. Ghost writes its
own address in bodies as ``__GHOST_URL__`` so an export can move.

Ghost's RSS gives each item ``<guid isPermaLink="false">`` the post's ``id``, and its default
permalink is ``/<slug>/``: both are kept.
"""

import json
from pathlib import Path

from .ghost_bodies import lexical_html, mobiledoc_html
from .model import ExportError, ImportedPost
from .timestamps import parse_time

URL_PLACEHOLDER = "__GHOST_URL__"
SUMMARY_CHARS = 200


def read(path, *, old_url: str) -> list[ImportedPost]:
    path = Path(path)
    try:
        doc = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise ExportError(f"import: {path} is not a JSON file ({exc})") from None
    data = _data(doc, path)
    tags = {t.get("id"): t for t in data.get("tags") or []}
    users = {u.get("id"): u for u in data.get("users") or []}
    post_tags = _joined(data.get("posts_tags"), "tag_id", tags)
    post_authors = _joined(data.get("posts_authors"), "author_id", users)
    posts = []
    for number, row in enumerate(data.get("posts") or []):
        if row.get("type", "post") != "post" or row.get("page") in (1, True):
            continue  # Pages are the writer's to move by hand: they have no feed id.
        where = f"{path.name} posts[{number}]"
        posts.append(_post(row, where, old_url, post_tags, post_authors))
    return sorted(posts, key=lambda p: p.date)


def _data(doc, path) -> dict:
    if isinstance(doc, dict) and isinstance(doc.get("db"), list) and doc["db"]:
        doc = doc["db"][0]
    if not isinstance(doc, dict) or not isinstance(doc.get("data"), dict):
        raise ExportError(f'import ghost: {path.name} has no "data"; is it Ghost\'s JSON export?')
    return doc["data"]


def _joined(rows, key, table) -> dict[str, list[dict]]:
    found: dict[str, list] = {}
    for row in sorted(rows or [], key=lambda r: r.get("sort_order") or 0):
        if row.get(key) in table:
            found.setdefault(row.get("post_id"), []).append(table[row[key]])
    return found


def _post(row, where, old_url, post_tags, post_authors) -> ImportedPost:
    for key in ("id", "slug"):
        if not row.get(key):
            raise ExportError(f"import: {where} has no {key!r}")
    try:
        date = parse_time(row.get("published_at") or row.get("created_at") or "")
        modified = parse_time(row.get("updated_at") or "")
    except ValueError as exc:
        raise ExportError(f"import: {where}: a date is not ISO 8601 ({exc})") from None
    if date is None:
        raise ExportError(f"import: {where} has neither published_at nor created_at")
    html = _html(row, where).replace(URL_PLACEHOLDER, old_url)
    status, visibility = row.get("status") or "draft", row.get("visibility") or "public"
    draft = ""
    if status != "published":
        draft = f"{status} on Ghost"
    elif visibility != "public":
        draft = f"for {visibility} only on Ghost: publish it to give it to everyone"
    tags = [t.get("name") for t in post_tags.get(row["id"], []) if t.get("name")]
    authors = [u.get("name") for u in post_authors.get(row["id"], []) if u.get("name")]
    return ImportedPost(
        source="ghost",
        guid=str(row["id"]),
        title=(row.get("title") or "").strip() or row["slug"],
        slug=row["slug"],
        date=date,
        modified=modified,
        html=html,
        summary=(row.get("custom_excerpt") or "").strip() or _excerpt(row.get("plaintext")),
        tags=[t for t in tags if not t.startswith("#")],  # "#name" tags are Ghost-internal.
        author=authors[0] if authors else "",
        old_paths=[f"/{row['slug']}/"],
        draft_reason=draft,
        # Ghost emails a post when it is published, if it was sent as a newsletter at all.
        emailed_at=date if status == "published" and row.get("newsletter_id") else None,
    )


def _html(row, where) -> str:
    if row.get("html"):
        return row["html"]
    try:
        if row.get("lexical"):
            return lexical_html(json.loads(row["lexical"]))
        if row.get("mobiledoc"):
            return mobiledoc_html(json.loads(row["mobiledoc"]))
    except (ValueError, TypeError, KeyError, IndexError) as exc:
        raise ExportError(
            f"import: {where}: its lexical/mobiledoc body is unreadable "
            f"({type(exc).__name__}: {exc})"
        ) from None
    return ""


def _excerpt(plaintext) -> str:
    """Ghost's own fallback dek: the start of the text, cut at a word."""
    text = " ".join(str(plaintext or "").split())
    if len(text) <= SUMMARY_CHARS:
        return text
    return text[:SUMMARY_CHARS].rsplit(" ", 1)[0] + "…"
