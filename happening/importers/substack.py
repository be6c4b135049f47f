"""Substack's export zip: ``posts.csv``, one ``posts/<post_id>.html`` per post, the email list.

The format, as Substack writes it (Settings -> Exports; described in the migration guides of
portage.tools/routes/substack and dev.roecms.com/documentation/substack-imports):

- ``posts.csv``: one row per post with ``post_id`` (``<number>.<slug>``), ``post_date`` (ISO
  8601, UTC), ``is_published`` (``true``/``false``), ``email_sent_at`` (empty if never
  emailed), ``inbox_sent_at``, ``type`` (``newsletter``, ``podcast``, ``thread``...),
  ``audience`` (``everyone``, ``only_free``, ``only_paid``, ``founding``), ``title``,
  ``subtitle``, ``podcast_url``; some exports add a ``slug`` column;
- ``posts/<post_id>.html``: the post's body (a draft may have none);
- ``email_list.<publication>.csv``: the subscribers (read by ``newsletter.subscribers``).

Substack's feed (``/feed``) gives each item the guid ``<publication URL>/p/<slug>``, and a post
lives at ``/p/<slug>``: so the old address is needed (``--old-url``) and every post redirects
from ``/p/<slug>``.
"""

import csv
import io

from .files import ExportFiles
from .model import ExportError, ImportedPost
from .timestamps import parse_time

NEEDED = ("post_id", "post_date", "is_published", "title")
PUBLIC = {"everyone", "only_free", ""}
BODY_TYPES = {"newsletter", "podcast", ""}


def read(path, *, old_url: str) -> list[ImportedPost]:
    """Every newsletter and podcast post in the export, oldest first."""
    if not old_url:
        raise ExportError(
            "import: give the publication's address with --old-url "
            "(https://<name>.substack.com or your custom domain): Substack's feed ids are built "
            "from it, and keeping them is what stops feed readers showing the archive as new"
        )
    files = ExportFiles(path)
    if not files.has("posts.csv"):
        raise ExportError(
            f"import: {files.label('posts.csv')} is missing; is {path} "
            "the zip from Substack's Settings -> Exports?"
        )
    label = files.label("posts.csv")
    reader = csv.DictReader(io.StringIO(files.text("posts.csv")))
    missing = [c for c in NEEDED if c not in (reader.fieldnames or ())]
    if missing:
        raise ExportError(f"import: {label} row 1 has no column {', '.join(missing)}")
    posts = []
    for row in reader:
        where = f"{label} row {reader.line_num}"
        kind = (row.get("type") or "").strip()
        if kind not in BODY_TYPES:
            continue  # Threads and notes are conversations, not posts.
        posts.append(_post(row, where, files, old_url.rstrip("/")))
    return sorted(posts, key=lambda p: p.date)


def _post(row, where, files, old_url) -> ImportedPost:
    post_id = (row.get("post_id") or "").strip()
    number, _, id_slug = post_id.partition(".")
    slug = (row.get("slug") or "").strip() or id_slug
    if not number or not slug:
        raise ExportError(f"import: {where}: post_id {post_id!r} is not <number>.<slug>")
    try:
        date = parse_time(row.get("post_date"))
        emailed = parse_time(row.get("email_sent_at"))
    except ValueError as exc:
        raise ExportError(f"import: {where}: a date is not ISO 8601 ({exc})") from None
    if date is None:
        raise ExportError(f"import: {where}: post_date is empty")
    html = _body(files, post_id, slug, where, published=_true(row.get("is_published")))
    audience = (row.get("audience") or "").strip()
    draft = ""
    if not _true(row.get("is_published")):
        draft = "a draft on Substack"
    elif audience not in PUBLIC:
        draft = f"paid-only on Substack (audience {audience}): publish it to give it to everyone"
    post = ImportedPost(
        source="substack",
        guid=f"{old_url}/p/{slug}",
        title=(row.get("title") or "").strip() or slug,
        slug=slug,
        date=date,
        html=html,
        summary=(row.get("subtitle") or "").strip(),
        old_paths=[f"/p/{slug}"],
        draft_reason=draft,
        emailed_at=emailed,
        audio=(row.get("podcast_url") or "").strip(),
    )
    if (row.get("type") or "").strip() == "podcast":
        post.category = "Podcast"
    return post


def _body(files, post_id, slug, where, *, published) -> str:
    for name in (f"posts/{post_id}.html", f"posts/{post_id}.{slug}.html"):
        if files.has(name):
            return files.text(name)
    if published:
        raise ExportError(f"import: {where}: posts/{post_id}.html is not in the export")
    return ""  # A draft that was never written has no file.


def _true(value) -> bool:
    return str(value or "").strip().lower() in ("true", "1", "yes")
