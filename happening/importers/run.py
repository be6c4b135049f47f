"""``invoke import``: an export becomes posts, images, redirects and ledger records.

The steps, each skipped for what is already there (so a second run changes nothing):

1. read the export (one module per source) into :class:`~.model.ImportedPost` objects;
2. write each post to ``content/posts/<slug>.md`` unless a file with that name exists (one with
   the same ``Id:`` is the earlier import, perhaps edited since: kept as it is);
3. copy the images the export holds to ``content/images/<slug>/``; list the remote ones;
4. add a line per old URL to the redirect table (``content/redirects.txt``);
5. record every post that went out before (or was public) as sent in the ledger.

``dry_run`` does every step's reading and deciding, and writes nothing.
"""

import logging
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from bs4 import BeautifulSoup
from pelican.settings import read_settings

from happening.build import PROD_SETTINGS
from happening.newsletter.config import Config
from happening.newsletter.ledger import Ledger
from happening.plugins.redirects import add_lines, listed, table_path

from . import feed, ghost, substack, wordpress
from .files import ExportFiles
from .ledger import record_as_sent
from .model import ExportError, ImportedPost
from .writer import markdown_file

log = logging.getLogger(__name__)

SOURCES = {
    "substack": substack.read,
    "ghost": ghost.read,
    "wordpress": wordpress.read,
    "feed": feed.read,
}
_ID_LINE = re.compile(r"^Id:\s*(.+?)\s*$", re.MULTILINE)


@dataclass
class Outcome:
    """What happened (or, in a dry run, would happen) to one imported post."""

    post: ImportedPost
    file: str  # Relative to the project folder.
    action: str  # "written", "unchanged" (the earlier import's file), "clash" (another post's)
    recorded: bool = False
    images: list[str] = field(default_factory=list)  # Copied into content/images/.
    remote: list[str] = field(default_factory=list)  # Still on the old host: for the writer.


@dataclass
class ImportReport:
    source: str
    dry_run: bool
    outcomes: list[Outcome] = field(default_factory=list)
    # Added now: (old path, new url, note); a note means "commented out until published".
    redirects: list[tuple[str, str, str]] = field(default_factory=list)
    redirect_file: str = ""
    ledger_file: str = ""
    # Posts already in content/posts/ that a new ledger does not cover (see import_export).
    others_unrecorded: int = 0


def import_export(
    source: str,
    path,
    *,
    old_url: str = "",
    dry_run: bool = False,
    settings_file=PROD_SETTINGS,
    overrides: dict | None = None,
) -> ImportReport:
    """Import ``path`` (an export of ``source``) into the site that ``settings_file`` describes."""
    if source not in SOURCES:
        raise ExportError(f"import: {source!r} is not a source; use one of {', '.join(SOURCES)}")
    path = Path(path) if "://" not in str(path) else path
    if isinstance(path, Path) and not path.exists():
        raise ExportError(f"import: {path} does not exist")
    if old_url and not str(old_url).startswith(("https://", "http://")):
        raise ExportError(
            f"import: --old-url {old_url!r} is not an address; write it as the old feed did, "
            "e.g. https://you.substack.com"
        )
    settings = read_settings(str(settings_file), override=overrides or {})
    root = Path(settings_file).resolve().parent
    content = Path(settings["PATH"])
    posts_dir = content / (settings.get("ARTICLE_PATHS") or ["posts"])[0]
    posts = SOURCES[source](path, old_url=(old_url or "").rstrip("/"))

    report = ImportReport(source, dry_run)
    shown = content.resolve().parent  # Paths are shown from the project folder: content/posts/...
    files = _export_files(path)
    ledger = Ledger(Config(root, settings).path("NEWSLETTER_LEDGER"))
    table_file = table_path(settings)
    known = listed(table_file)
    fresh_ledger = not ledger.exists
    report.redirect_file = _shown(table_file, shown)
    report.ledger_file = _shown(ledger.path, shown)
    for post in posts:
        target = posts_dir / f"{post.slug}.md"
        outcome = Outcome(post, _shown(target, shown), _action(target, post.guid))
        report.outcomes.append(outcome)
        if outcome.action == "clash":
            continue  # Another post has this name: nothing of this one is written.
        local = _images(post, files, content, outcome, dry_run)
        if outcome.action == "written" and not dry_run:
            target.parent.mkdir(parents=True, exist_ok=True)
            category = settings.get("DEFAULT_CATEGORY") or "misc"
            target.write_text(markdown_file(post, category=category, images=local), "utf-8")
        url = _article_url(settings, post)
        # A draft is not on the site yet: its redirect waits, commented out, for publication.
        note = "switch on once the draft is published" if post.draft else ""
        for old in post.old_paths:
            if old not in known and old.rstrip("/") != "/" + url.rstrip("/"):
                known.add(old)
                report.redirects.append((old, url, note))
        if _goes_in_ledger(post):
            if dry_run:
                outcome.recorded = ledger.get(post.guid) is None
            else:
                outcome.recorded = record_as_sent(
                    ledger,
                    post.guid,
                    finished=post.emailed_at or post.date,
                    title=post.title,
                    url=url,
                    slug=post.slug,
                    source=target.relative_to(content).as_posix(),
                    date=post.date,
                )
    if report.redirects and not dry_run:
        add_lines(table_file, report.redirects)
    if fresh_ledger and any(o.recorded for o in report.outcomes):
        # With no ledger, `send` refuses to email the archive; the ledger this import starts
        # lifts that guard for the posts that were here before, so the writer must hear of them.
        ours = {posts_dir / f"{o.post.slug}.md" for o in report.outcomes}
        others = [p for p in posts_dir.glob("*.md") if p not in ours] if posts_dir.is_dir() else []
        report.others_unrecorded = len(others)
    return report


def _goes_in_ledger(post: ImportedPost) -> bool:
    # A post readers had (emailed, or public on the old site) must never be emailed again; a
    # draft nobody ever received is left out, so that publishing it here emails it once.
    return post.emailed_at is not None or not post.draft


def _action(target: Path, guid: str) -> str:
    if not target.exists():
        return "written"
    found = _ID_LINE.search(target.read_text(encoding="utf-8", errors="replace"))
    return "unchanged" if found and found.group(1) == guid else "clash"


def _images(post, files, content, outcome, dry_run) -> dict[str, str]:
    """Copy the images the export holds; return ``{url: name under images/}`` for the writer."""
    local = {}
    soup = BeautifulSoup(post.html or "", "html.parser")
    for url in dict.fromkeys(img["src"] for img in soup.find_all("img", src=True)):
        found = files.find_url(url) if files else None
        if found is None:
            outcome.remote.append(url)
            continue
        name = f"{post.slug}/{PurePosixPath(found).name}"
        local[url] = name
        outcome.images.append(name)
        destination = content / "images" / name
        if not dry_run and not destination.exists():
            destination.parent.mkdir(parents=True, exist_ok=True)
            destination.write_bytes(files.read(found))
    return local


def _export_files(path) -> ExportFiles | None:
    if not isinstance(path, Path):
        return None  # A feed URL: its images are all remote.
    return ExportFiles(path if path.is_dir() or path.suffix == ".zip" else path.parent)


def _article_url(settings, post: ImportedPost) -> str:
    # Where the post lives once published (a draft's too: that is where its redirect will go).
    pattern = settings.get("ARTICLE_URL") or "{slug}.html"
    return pattern.format(slug=post.slug, date=post.date, lang=settings.get("DEFAULT_LANG"))


def _shown(path: Path, root: Path) -> str:
    path = Path(path).resolve()
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)
