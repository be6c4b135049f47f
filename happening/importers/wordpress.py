"""WordPress's export (Tools -> Export: WXR, an RSS 2.0 file with ``wp:`` elements).

Pelican's own ``pelican-import`` does two parts of the job well and is reused for them: reading
the file (``file_to_soup``) and turning WordPress's stored post body into HTML
(``decode_wp_content``: its automatic paragraphs and ``[caption]`` shortcodes). Its ``wp2fields``
is not used: it drops the ``<guid>`` (the feed id we keep as ``Id:``), the ``<link>`` (the old
URL we redirect from), the excerpt, the GMT date and the modified date.

Per item (WXR 1.2, as WordPress writes it): ``title``, ``link``, ``guid``, ``dc:creator``,
``content:encoded``, ``excerpt:encoded``, ``wp:post_id``, ``wp:post_date_gmt``,
``wp:post_modified_gmt``, ``wp:post_name``, ``wp:status`` (publish, draft, pending, private,
future), ``wp:post_type`` (post, page, attachment...), ``wp:post_password``, and
``category`` elements with ``domain="category"`` or ``domain="post_tag"``.
"""

from pathlib import Path
from urllib.parse import urlsplit

from pelican.tools.pelican_import import decode_wp_content, file_to_soup

from .model import ExportError, ImportedPost
from .timestamps import parse_time

NO_DATE = "0000-00-00 00:00:00"


def read(path, *, old_url: str) -> list[ImportedPost]:
    path = Path(path)
    try:
        soup = file_to_soup(str(path))
    except (OSError, UnicodeDecodeError) as exc:
        raise ExportError(f"import: cannot read {path} ({exc})") from None
    channel = soup.rss.channel if soup.rss else None
    if channel is None:
        raise ExportError(f"import: {path.name} is not a WXR file (no <rss><channel>)")
    authors = {_text(a, "author_login"): _text(a, "author_display_name") for a in channel("author")}
    posts = []
    for number, item in enumerate(channel.find_all("item"), 1):
        if _text(item, "post_type") != "post":
            continue
        posts.append(_post(item, f"{path.name} item {number}", authors))
    return sorted(posts, key=lambda p: p.date)


def _text(node, name) -> str:
    found = node.find(name)
    return (found.get_text() if found else "").strip()


def _post(item, where, authors) -> ImportedPost:
    slug = _text(item, "post_name") or _text(item, "post_id")
    guid = _text(item, "guid")
    if not slug or not guid:
        raise ExportError(f"import: {where} has no wp:post_name or guid")
    try:
        date = _gmt(_text(item, "post_date_gmt")) or _gmt(_text(item, "post_date"))
        modified = _gmt(_text(item, "post_modified_gmt"))
    except ValueError as exc:
        raise ExportError(f"import: {where}: a date is unreadable ({exc})") from None
    if date is None:
        raise ExportError(f"import: {where} has no date")
    status = _text(item, "status")
    draft = ""
    if status != "publish":
        draft = f"{status or 'unpublished'} on WordPress"
    elif _text(item, "post_password"):
        draft = "password-protected on WordPress"
    link = _text(item, "link")
    old = urlsplit(link)
    categories = [c.get_text() for c in item.find_all("category", {"domain": "category"})]
    creator = _text(item, "creator")
    return ImportedPost(
        source="wordpress",
        guid=guid,
        title=_text(item, "title") or slug,
        slug=slug,
        date=date,
        modified=modified,
        html=decode_wp_content(_text(item, "encoded")),
        summary=" ".join(_excerpt(item).split()),
        tags=[t.get_text() for t in item.find_all("category", {"domain": "post_tag"})],
        category=categories[0] if categories else "",
        author=authors.get(creator) or creator,
        # ?p=123 links cannot be a static page; a pretty permalink can.
        old_paths=[old.path] if old.path and old.path != "/" and not old.query else [],
        draft_reason=draft,
    )


def _excerpt(item) -> str:
    for node in item.find_all("encoded"):
        if node.prefix == "excerpt":
            return node.get_text()
    return ""


def _gmt(value: str):
    if not value or value == NO_DATE:
        return None
    return parse_time(value)
