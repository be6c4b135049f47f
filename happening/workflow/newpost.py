"""`post.new`: start a draft with complete metadata, so the writer only has to write."""

import difflib
import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from pelican.utils import slugify

from happening.build import DEV_SETTINGS, load_settings
from happening.errors import UserError
from happening.sourceline import shown

from .posts import read_posts

log = logging.getLogger(__name__)

# `check` reports a post whose Summary: is still this, so a placeholder never reaches readers.
SUMMARY_PLACEHOLDER = "TODO: the dek, one or two sentences shown under the title and in emails."
PREVIEW_ROOT = "http://127.0.0.1:8000/"


class NewPostError(UserError):
    """The post cannot be created as asked; the message says what to change."""


@dataclass
class NewPost:
    path: Path
    slug: str
    preview_url: str
    follows: list[str]


def new_post(
    title,
    *,
    follows=None,
    tags=None,
    date=None,
    category=None,
    settings=None,
    now=None,
) -> NewPost:
    """Write ``<PATH>/posts/<date>-<slug>.md`` as a draft and return where it is.

    ``follows`` and ``tags`` are comma-separated strings or lists; ``date`` is ``YYYY-MM-DD`` or
    ``YYYY-MM-DD HH:MM`` (default: now, in TIMEZONE).
    """
    settings = settings if settings is not None else load_settings(DEV_SETTINGS)
    title = " ".join(str(title or "").split())
    if not title:
        raise NewPostError('post.new: give the post a title, e.g. post.new "My next essay"')
    if title.startswith("-"):
        # invoke hands a positional argument whatever comes next, `--help` included.
        raise NewPostError(
            f"post.new: {title!r} looks like an option, not a title; for the options run "
            "`./inv --help post.new`"
        )
    slug = slugify(title, regex_subs=settings["SLUG_REGEX_SUBSTITUTIONS"])
    if not slug:
        raise NewPostError(f"post.new: the title {title!r} has no letters or digits for a slug")
    when = _parse_date(date, settings, now)

    articles, _ = read_posts(settings)
    by_slug = {a.slug: a for a in articles}
    if slug in by_slug:
        raise NewPostError(
            f"post.new: the slug {slug!r} is already used by "
            f"{shown(by_slug[slug].source_path, settings['PATH'])}; choose another title"
        )
    wanted = _split(follows)
    for followed in wanted:
        if followed not in by_slug:
            raise NewPostError(_unknown_slug(followed, sorted(by_slug)))
    if category is None:
        category = str(by_slug[wanted[0]].category) if wanted else settings.get("DEFAULT_CATEGORY")

    folder = Path(settings["PATH"]) / settings["ARTICLE_PATHS"][0]
    path = folder / f"{when:%Y-%m-%d}-{slug}.md"
    if path.exists():
        raise NewPostError(f"post.new: {path} already exists; it was not changed")
    lines = [
        f"Title: {title}",
        f"Slug: {slug}",
        f"Date: {when:%Y-%m-%d %H:%M}",
        f"Category: {category}",
    ]
    if _split(tags):
        lines.append(f"Tags: {', '.join(_split(tags))}")
    lines.append(f"Summary: {SUMMARY_PLACEHOLDER}")
    lines.append("Status: draft")
    if wanted:
        lines.append(f"Follows: {', '.join(wanted)}")
    # No {filename} example here: a link to a file that does not exist fails the strict build.
    body = (
        "Start writing here.\n\n"
        "Replace the Summary: above with the dek, and delete the Status: line to publish.\n"
    )
    folder.mkdir(parents=True, exist_ok=True)
    # "x" mode: even a file that appeared since the check above is never overwritten.
    try:
        with path.open("x", encoding="utf-8") as out:
            out.write("\n".join(lines) + "\n\n" + body)
    except FileExistsError:
        raise NewPostError(f"post.new: {path} already exists; it was not changed") from None
    url = PREVIEW_ROOT + settings["DRAFT_URL"].format(slug=slug)
    log.info("Created %s", path)
    return NewPost(path, slug, url, wanted)


def _parse_date(value, settings, now):
    zone = ZoneInfo(settings.get("TIMEZONE") or "UTC")
    if value is None or value == "":
        current = now or datetime.now(zone)
        return current.replace(second=0, microsecond=0)
    try:
        return datetime.fromisoformat(str(value).strip())
    except ValueError:
        raise NewPostError(
            f"post.new: --date {value!r} is not a date; use YYYY-MM-DD or 'YYYY-MM-DD HH:MM'"
        ) from None


def _split(value):
    if not value:
        return []
    items = value.split(",") if isinstance(value, str) else list(value)
    return [item.strip() for item in items if item.strip()]


def _unknown_slug(slug, known):
    closest = difflib.get_close_matches(slug, known, n=3, cutoff=0.3)
    if closest:
        hint = "closest: " + ", ".join(closest)
    elif known:
        hint = "posts are: " + ", ".join(known[:5]) + (" ..." if len(known) > 5 else "")
    else:
        hint = "there are no posts yet"
    return f"post.new: --follows {slug!r} is not the slug of any post; {hint}"
