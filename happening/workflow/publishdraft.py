"""`post.publish SLUG`: turn a draft into a published post in one step, and show what goes out.

It removes the draft's ``Status: draft`` line, sets ``Date:`` to now (unless ``keep_date``, for
a post meant to carry the day it was written), builds the local site, runs ``check``, writes the
email preview, and names the one command that releases it. A build or check that fails puts the
file back as it was, so a post is never left half published.

The date matters: ``post.new`` stamps the time a draft was started, so without this a post
written over a week would come out dated the day it was begun, below posts published since.
"""

import difflib
import logging
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from happening import newsletter
from happening.build import DEV_SETTINGS, PROD_SETTINGS, build, load_settings
from happening.errors import UserError
from happening.plugins.followups.thread import slugs as follows_slugs
from happening.sourceline import shown

from .check import check_site
from .posts import read_posts

log = logging.getLogger(__name__)

RELEASE_COMMAND = "./inv release"


class PublishDraftError(UserError):
    """The draft cannot be published as asked; the message says what to change."""


@dataclass
class PublishedDraft:
    path: Path
    slug: str
    date: str  # The Date: line's value, as written.
    report: object  # check's Report for the local build.
    previews: list[Path] = field(default_factory=list)
    release: str = RELEASE_COMMAND


def publish_draft(
    slug,
    *,
    keep_date=False,
    now=None,
    settings_file=DEV_SETTINGS,
    email_settings_file=PROD_SETTINGS,
    on_check=None,
    **overrides,
) -> PublishedDraft:
    """Publish the draft whose ``Slug:`` is ``slug``; see the module docstring for the steps.

    ``overrides`` are Pelican settings for both builds (tests pass ``PATH``, ``OUTPUT_PATH``...);
    ``on_check(report)`` sees the check report before a failing one raises.
    """
    settings = load_settings(settings_file, **overrides)
    draft = _find_draft(str(slug or "").strip(), settings)
    path = Path(draft.source_path)
    before = path.read_text(encoding="utf-8")
    zone = ZoneInfo(settings.get("TIMEZONE") or "UTC")
    when = None if keep_date else (now or datetime.now(zone)).strftime("%Y-%m-%d %H:%M:%S")
    path.write_text(published_text(before, when), encoding="utf-8")
    try:
        built = build(settings_file, **overrides)
        report = check_site(settings, built.output)
        if on_check is not None:
            on_check(report)
        report.raise_for_errors()
        # The email reads the posts with the production settings, into its own folder.
        email_overrides = {k: v for k, v in overrides.items() if k != "OUTPUT_PATH"}
        site = newsletter.Site(email_settings_file, email_overrides)
        previews = newsletter.preview(site, post=draft.slug, local_output=built.output)
    except UserError as exc:
        path.write_text(before, encoding="utf-8")  # Still a draft: fix, then publish again.
        raise PublishDraftError(
            f"{exc}\n  {shown(path, settings['PATH'])} is still a draft; fix it, then run "
            f"`./inv post.publish {draft.slug}` again"
        ) from None
    except BaseException:
        path.write_text(before, encoding="utf-8")
        raise
    date = when or str(draft.metadata.get("date", ""))
    log.info("Published %s (Date: %s)", path, date)
    return PublishedDraft(path, draft.slug, date, report, previews)


def published_text(text: str, date: str | None) -> str:
    """``text`` without its ``Status: draft`` line and, when ``date`` is given, with that Date:.

    Only the metadata header (up to the first blank line) is touched; the body is the writer's.
    """
    lines = text.splitlines(keepends=True)
    end = next((i for i, line in enumerate(lines) if not line.strip()), len(lines))
    header, body = lines[:end], lines[end:]
    newline = "\r\n" if "\r\n" in text else "\n"
    kept = [line for line in header if _key(line) != "status"]
    if date is not None:
        dated = [i for i, line in enumerate(kept) if _key(line) == "date"]
        if dated:
            kept[dated[0]] = f"Date: {date}{newline}"
        else:
            kept.append(f"Date: {date}{newline}")
    return "".join(kept + body)


def _key(line: str) -> str:
    name, colon, _ = line.partition(":")
    return name.strip().lower() if colon else ""


def _find_draft(slug, settings):
    if not slug or slug.startswith("-"):
        raise PublishDraftError(
            "post.publish: give the draft's slug, e.g. `./inv post.publish my-next-essay`"
        )
    articles, _ = read_posts(settings)
    by_slug = {a.slug: a for a in articles}
    article = by_slug.get(slug)
    if article is None:
        drafts = sorted(a.slug for a in articles if a.status == "draft")
        closest = difflib.get_close_matches(slug, drafts, n=3, cutoff=0.3)
        hint = ", ".join(closest or drafts) or "none"
        hint = f"closest: {hint}" if closest else f"drafts: {hint}"
        raise PublishDraftError(f"post.publish: no post has the slug {slug!r}; {hint}")
    where = shown(article.source_path, settings["PATH"])
    if article.status != "draft":
        raise PublishDraftError(
            f"post.publish: {where} is not a draft (Status: {article.status}); nothing to do"
        )
    for followed in follows_slugs(article.metadata.get("follows")):
        earlier = by_slug.get(followed)
        if earlier is not None and earlier.status == "draft":
            raise PublishDraftError(
                f"post.publish: {where} follows {followed!r}, still a draft; publish it first: "
                f"`./inv post.publish {followed}`"
            )
    return article
