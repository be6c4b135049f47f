"""Run Pelican in-process and treat every warning it logs as a failed build.

A warning from Pelican is always something wrong with the content or the settings (a post it
could not read, a link that points nowhere), so a build that logged one is not a build we publish.
"""

import logging
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from pelican import Pelican, signals
from pelican.generators import ArticlesGenerator
from pelican.log import console
from pelican.settings import read_settings

from happening import search as site_search
from happening.errors import UserError

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[1]
DEV_SETTINGS = ROOT / "pelicanconf.py"
PROD_SETTINGS = ROOT / "publishconf.py"


class BuildError(UserError):
    """The build logged warnings or errors; the message lists them (each names its file)."""


@dataclass
class BuildResult:
    """What one build produced: where, how fast, and Pelican's own objects for callers to read."""

    output: Path
    seconds: float
    articles: int
    pages: int
    warnings: list[str] = field(default_factory=list)
    settings: dict = field(default_factory=dict, repr=False)
    generators: list = field(default_factory=list, repr=False)

    @property
    def published(self) -> list:
        """The published posts (Pelican keeps drafts, hidden and future posts apart)."""
        return [
            article
            for generator in self.generators
            if isinstance(generator, ArticlesGenerator)
            for article in generator.articles
        ]


# Warnings Pelican recovers from by itself, with nothing wrong in the content: an unreadable
# content cache (written by another Python, or before GZIP_CACHE changed) is simply rebuilt.
RECOVERED = ("Cannot unpickle cache",)


class _Collector(logging.Handler):
    """Keeps every WARNING-or-worse record logged while Pelican runs."""

    def __init__(self):
        super().__init__(level=logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record):
        message = record.getMessage().strip()
        if message.startswith(RECOVERED):
            return
        # Pelican logs "Could not process <file>" from inside its `except` without the reason;
        # the exception being handled is still current here, so name it for the writer.
        handling = sys.exc_info()[1]
        if handling is not None and str(handling) not in message:
            message = f"{message}: {type(handling).__name__}: {handling}"
        self.messages.append(message)


# Pelican reads and links every post under these settings but renders and writes no page: an
# empty *_SAVE_AS makes its writer return before rendering, while every URL stays as configured.
# For callers that need the posts, not the site (the newsletter reads them before each send).
# CATEGORY_SAVE_AS stays: Pelican gives a post its DEFAULT_CATEGORY only while it is set.
READ_ONLY = {
    **{
        f"{kind}_SAVE_AS": ""
        for kind in (
            "ARTICLE",
            "ARTICLE_LANG",
            "PAGE",
            "PAGE_LANG",
            "DRAFT",
            "DRAFT_LANG",
            "DRAFT_PAGE",
            "DRAFT_PAGE_LANG",
            "TAG",
            "AUTHOR",
            "YEAR_ARCHIVE",
            "MONTH_ARCHIVE",
            "DAY_ARCHIVE",
        )
    },
    "DIRECT_TEMPLATES": [],
    **{
        f"FEEDS_{feed}": None
        for feed in ("ATOM", "RSS", "JSON", "CATEGORY_ATOM", "TAG_ATOM", "THREAD_ATOM")
    },
    "FEEDS_STYLESHEET": None,
}


def load_settings(settings_file=DEV_SETTINGS, **overrides):
    """Pelican's settings from ``settings_file``, paths resolved against the file's folder."""
    return read_settings(str(settings_file), override=overrides or None)


def build(
    settings_file=DEV_SETTINGS, *, strict=True, quiet=False, search=False, **overrides
) -> BuildResult:
    """Build the site; raise :class:`BuildError` if Pelican logged any warning and ``strict``.

    ``overrides`` are Pelican settings (``OUTPUT_PATH``, ``PATH``, ``LOAD_CONTENT_CACHE``...).
    ``quiet`` hides Pelican's "Done: Processed ..." line, for builds the writer did not ask for
    (the newsletter reading the posts); warnings are still collected. ``search`` then indexes
    the pages with Pagefind (:mod:`happening.search`), as ``build``, ``preview`` and ``publish``
    do; tests and the newsletter's reading builds leave it off.
    """
    settings = load_settings(settings_file, **overrides)
    collector = _Collector()
    root = logging.getLogger()
    root.addHandler(collector)
    start = time.perf_counter()
    was_quiet, console.quiet = console.quiet, quiet or console.quiet
    try:
        pelican = Pelican(settings)
        generators = _run(pelican)
    except UserError:
        raise
    except Exception as exc:  # Pelican raises plain exceptions for broken content or themes.
        collector.messages.append(f"{type(exc).__name__}: {exc}")
        generators = []
    finally:
        console.quiet = was_quiet
        root.removeHandler(collector)
    seconds = time.perf_counter() - start
    problems = _dedupe(collector.messages)
    if problems and strict:
        raise BuildError(
            f"build: {len(problems)} problem(s) with {Path(settings_file).name}; "
            "fix them and build again:\n  " + "\n  ".join(problems)
        )
    if search and generators and not problems:
        site_search.index_site(Path(settings["OUTPUT_PATH"]), Path(settings["CACHE_PATH"]))
    articles = sum(len(getattr(g, "articles", [])) for g in generators)
    pages = sum(len(getattr(g, "pages", [])) for g in generators)
    return BuildResult(
        Path(settings["OUTPUT_PATH"]), seconds, articles, pages, problems, settings, generators
    )


def _run(pelican):
    """``Pelican.run()``, returning the generators so callers can count what was built."""
    generators = []

    def keep(gens):
        generators.extend(gens)

    signals.all_generators_finalized.connect(keep)
    try:
        pelican.run()
    finally:
        signals.all_generators_finalized.disconnect(keep)
    return generators


def _dedupe(messages):
    seen = []
    for message in messages:
        if message not in seen:
            seen.append(message)
    return seen
