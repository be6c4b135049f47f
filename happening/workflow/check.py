"""`check`: find what a reader would trip over in a built site before it goes out.

It reads the output folder the way a browser and a feed reader would (links, images, feeds,
page weight) and the sources the way the email side will (summaries, post ids, forgotten
drafts). Errors stop `publish`; warnings are shown and let it go on.
"""

import json
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo

import feedparser
from bs4 import BeautifulSoup

from happening.dates import aware
from happening.errors import UserError
from happening.plugins import redirects
from happening.postid import post_id

from .config import setting
from .newpost import SUMMARY_PLACEHOLDER
from .posts import metadata_line, read_posts

log = logging.getLogger(__name__)

ERROR, WARNING = "error", "warning"
# Attributes that load or link to something, by tag; images are weighed apart from pages.
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
# <link rel=...> kinds that point at a file of ours, and those that load with the page.
MUST_EXIST = {"stylesheet", "icon", "apple-touch-icon", "manifest", "preload", "alternate"}
MUST_EXIST |= {"modulepreload", "canonical"}
WEIGHED = {"stylesheet", "modulepreload"}
SKIP_SCHEMES = ("mailto:", "tel:", "javascript:", "data:", "sms:")


class CheckFailed(UserError):
    """`check` found errors; publishing stops until they are fixed."""


@dataclass(frozen=True)
class Problem:
    level: str  # ERROR or WARNING
    kind: str  # link, file, alt, summary, feed, post id, draft, weight, post
    where: str  # a path relative to the output folder or the project
    line: int | None
    message: str

    @property
    def location(self):
        return f"{self.where}:{self.line}" if self.line else self.where


@dataclass
class Report:
    output: Path
    pages: int = 0
    feeds: int = 0
    posts: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self):
        return [p for p in self.problems if p.level == ERROR]

    @property
    def warnings(self):
        return [p for p in self.problems if p.level == WARNING]

    @property
    def ok(self):
        return not self.errors

    def raise_for_errors(self):
        if self.errors:
            raise CheckFailed(
                f"check: {len(self.errors)} error(s) in {self.output.name}/; fix them, build "
                "and run `invoke check` again"
            )


def check_site(settings, output=None, *, now=None) -> Report:
    """Check the built site in ``output`` (default OUTPUT_PATH) and the posts under PATH."""
    output = Path(output or settings["OUTPUT_PATH"])
    if not output.is_dir() or not (output / "index.html").is_file():
        raise CheckFailed(f"check: {output} has no built site; run `invoke build` first")
    report = Report(output)
    budget = setting(settings, "CHECK_PAGE_BUDGET_KB")
    # Paths are shown from the project folder (output/about/index.html) when the site is in it.
    project = Path(settings["PATH"]).resolve().parent
    shown = (
        output.resolve().relative_to(project)
        if output.resolve().is_relative_to(project)
        else Path()
    )
    _check_pages(report, output, settings.get("SITEURL") or "", budget, shown)
    _check_feeds(report, output, shown)
    for where, message in redirects.broken_targets(output):
        report.problems.append(Problem(ERROR, "redirect", where, None, message))
    zone = ZoneInfo(settings.get("TIMEZONE") or "UTC")
    _check_sources(report, settings, (now or datetime.now(UTC)).astimezone(zone))
    report.problems.sort(key=lambda p: (p.level != ERROR, p.where, p.line or 0, p.kind))
    return report


# -- Pages: links, files, alt text, weight -----------------------------------------------------


def _check_pages(report, output, siteurl, budget_kb, shown):
    pages = sorted(output.rglob("*.html"))
    report.pages = len(pages)
    parsed = {}

    def page(path):
        if path not in parsed:
            parsed[path] = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        return parsed[path]

    # (kind, missing file) -> [(page, line, url)]: one row per missing target, however many
    # pages point at it (a broken link in the footer is one problem, not one per page).
    broken = defaultdict(list)
    for path in pages:
        doc = page(path)
        rel = (shown / path.relative_to(output)).as_posix()
        weight = path.stat().st_size
        for tag in doc.find_all(list(LINKING)):
            if tag.name == "img" and not tag.has_attr("alt"):
                report.problems.append(
                    Problem(
                        ERROR, "alt", rel, tag.sourceline, f"image {tag.get('src')!r} has no alt"
                    )
                )
            for attr in LINKING[tag.name]:
                for url in _urls(tag, attr):
                    target, fragment = _resolve(url, path, output, siteurl)
                    if target is None:
                        continue
                    if not target.is_file():
                        kind = "link" if tag.name in ("a", "iframe") else "file"
                        broken[(kind, target)].append((rel, tag.sourceline, url))
                        continue
                    if _weighs(tag):
                        weight += target.stat().st_size
                    if (
                        fragment
                        and target.suffix == ".html"
                        and not _has_anchor(page(target), fragment)
                    ):
                        report.problems.append(
                            Problem(
                                WARNING, "link", rel, tag.sourceline, f"no #{fragment} in {url}"
                            )
                        )
        if weight > budget_kb * 1024:
            report.problems.append(
                Problem(
                    ERROR,
                    "weight",
                    rel,
                    None,
                    f"{weight / 1024:.1f} KB of HTML, CSS and JS is over the "
                    f"{budget_kb} KB budget (CHECK_PAGE_BUDGET_KB); trim it or raise the budget",
                )
            )
    for (kind, _), seen in broken.items():
        rel, line, url = seen[0]
        what = "links to" if kind == "link" else "loads"
        more = f" (and {len(seen) - 1} more page(s))" if len(seen) > 1 else ""
        report.problems.append(
            Problem(ERROR, kind, rel, line, f"{what} {url!r}, which is not in the site{more}")
        )


def _urls(tag, attr):
    value = tag.get(attr)
    if not value:
        return []
    if attr == "srcset":
        return [part.strip().split()[0] for part in value.split(",") if part.strip()]
    if tag.name == "link" and not MUST_EXIST & set(tag.get("rel") or []):
        # Preconnect, dns-prefetch and the like name servers, not files the site must have.
        return []
    return [value.strip()]


def _weighs(tag):
    """Whether the browser downloads what ``tag`` points at with the page (images aside)."""
    rel = set(tag.get("rel") or [])
    return tag.name == "script" or (tag.name == "link" and bool(WEIGHED & rel))


def _resolve(url, page, output, siteurl):
    """The file ``url`` points to in ``output`` and its fragment, or (None, "") if external."""
    if url.lower().startswith(SKIP_SCHEMES):
        return None, ""
    if siteurl and url.startswith(siteurl.rstrip("/") + "/"):
        url = url[len(siteurl.rstrip("/")) :]
    elif siteurl and url == siteurl:
        url = "/"
    parts = urlsplit(url)
    if parts.scheme or parts.netloc:
        return None, ""
    base_path = urlsplit(siteurl).path.rstrip("/") if siteurl else ""
    path = unquote(parts.path)
    if not path:
        target = page
    elif path.startswith("/"):
        if base_path and path.startswith(base_path + "/"):
            path = path[len(base_path) :]
        target = output / path.lstrip("/")
    else:
        target = page.parent / path
    if path.endswith("/") or target.is_dir():
        target = target / "index.html"
    return target, parts.fragment


def _has_anchor(doc, fragment):
    return doc.find(id=fragment) is not None or doc.find("a", attrs={"name": fragment}) is not None


# -- Feeds -------------------------------------------------------------------------------------


def _feed_files(output):
    found = set(output.glob("feeds/**/*.xml")) | set(output.glob("feeds/**/*.json"))
    found |= set(output.rglob("*.atom.xml")) | set(output.rglob("*.rss.xml"))
    return sorted(p for p in found if p.is_file())


def _check_feeds(report, output, shown):
    for path in _feed_files(output):
        report.feeds += 1
        rel = (shown / path.relative_to(output)).as_posix()
        if path.suffix == ".json":
            _check_json_feed(report, path, rel)
            continue
        parsed = feedparser.parse(path.read_bytes())
        if parsed.bozo:
            exc = parsed.get("bozo_exception")
            benign = isinstance(exc, feedparser.CharacterEncodingOverride)
            line = exc.getLineNumber() if hasattr(exc, "getLineNumber") else None
            report.problems.append(
                Problem(WARNING if benign else ERROR, "feed", rel, line, f"feedparser: {exc}")
            )
            if not benign:
                continue
        if not parsed.get("version"):
            report.problems.append(
                Problem(ERROR, "feed", rel, None, "feedparser does not recognise it as a feed")
            )
            continue
        _duplicate_ids(report, rel, [entry.get("id") for entry in parsed.entries])


def _check_json_feed(report, path, rel):
    """feedparser 6 reads no JSON Feed, so check what readers need: valid JSON, the spec's keys."""
    try:
        feed = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        line = getattr(exc, "lineno", None)
        report.problems.append(Problem(ERROR, "feed", rel, line, f"not valid JSON: {exc}"))
        return
    items = feed.get("items") if isinstance(feed, dict) else None
    version = str(feed.get("version", "")) if isinstance(feed, dict) else ""
    if not version.startswith("https://jsonfeed.org/version/") or not isinstance(items, list):
        report.problems.append(
            Problem(ERROR, "feed", rel, None, "not a JSON Feed (needs version and items)")
        )
        return
    missing = [
        n for n, item in enumerate(items, 1) if not (isinstance(item, dict) and item.get("id"))
    ]
    if missing:
        report.problems.append(
            Problem(ERROR, "feed", rel, None, f"item(s) {missing} have no id (JSON Feed needs one)")
        )
    _duplicate_ids(report, rel, [item.get("id") for item in items if isinstance(item, dict)])


def _duplicate_ids(report, rel, entry_ids):
    ids = defaultdict(int)
    for entry_id in entry_ids:
        if entry_id:
            ids[entry_id] += 1
    for entry_id, count in ids.items():
        if count > 1:
            report.problems.append(
                Problem(ERROR, "post id", rel, None, f"{count} entries share the id {entry_id!r}")
            )


# -- Sources: summaries, ids, drafts -----------------------------------------------------------


def _check_sources(report, settings, now):
    project = Path(settings["PATH"]).resolve().parent
    articles, unreadable = read_posts(settings)
    report.posts = len(articles)

    def rel(path):
        path = Path(path).resolve()
        return path.relative_to(project).as_posix() if path.is_relative_to(project) else str(path)

    for bad in unreadable:
        report.problems.append(Problem(ERROR, "post", rel(bad.path), None, bad.reason))
    ids = defaultdict(list)
    for article in articles:
        source = article.source_path
        ids[post_id(article, settings)].append(article)
        if article.status == "draft":
            # Dated before today: a draft started today (post.new dates it now) is not stale.
            date = aware(article.date, settings.get("TIMEZONE"))
            if date.astimezone(now.tzinfo).date() < now.date():
                report.problems.append(
                    Problem(
                        WARNING,
                        "draft",
                        rel(source),
                        metadata_line(source, "Status"),
                        f"still a draft, dated {article.date:%Y-%m-%d}: publish it (delete the "
                        "Status: line) or give it a later Date:",
                    )
                )
            continue  # A draft's summary can wait until it is published.
        summary = article.metadata.get("summary")
        if not summary:
            report.problems.append(
                Problem(
                    WARNING,
                    "summary",
                    rel(source),
                    1,
                    "no Summary: (the dek shown under the title, in feeds and emails)",
                )
            )
        elif SUMMARY_PLACEHOLDER in summary:
            report.problems.append(
                Problem(
                    ERROR,
                    "summary",
                    rel(source),
                    metadata_line(source, "Summary"),
                    "Summary: is still post.new's placeholder; write the dek",
                )
            )
    for pid, same in ids.items():
        if len(same) > 1:
            files = ", ".join(rel(a.source_path) for a in same)
            report.problems.append(
                Problem(
                    ERROR,
                    "post id",
                    rel(same[0].source_path),
                    metadata_line(same[0].source_path, "Slug"),
                    f"{files} share the id {pid!r}; give one a different Slug: or an Id:",
                )
            )
