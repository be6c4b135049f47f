"""Run Pelican in-process; stop on what makes the output wrong, report the rest once.

Which of Pelican's warnings fail a build (a post it could not read, a link that points nowhere)
and which are deprecations reported once with a count is the policy in ``happening.build_log``.
"""

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

from pelican import Pelican, signals
from pelican.generators import ArticlesGenerator
from pelican.log import console
from pelican.settings import read_settings

from happening import build_log
from happening import search as site_search
from happening.errors import UserError
from happening.plugins.fastbuild import parallel

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[1]
DEV_SETTINGS = ROOT / "pelicanconf.py"
PROD_SETTINGS = ROOT / "publishconf.py"
# Where each settings file builds (their OUTPUT_PATH): the local preview that `serve` shows, and
# production (preview, publish, release), kept apart so one never overwrites the other.
LOCAL_OUTPUT = ROOT / "output"
PRODUCTION_OUTPUT = ROOT / "output-production"


class BuildError(UserError):
    """The build logged warnings or errors; the message lists them (each names its file).

    :attr:`problems` keeps them apart (``build_log.Problem``: message, file, line), so the live
    preview's error page can point at the first one's file and line.
    """

    def __init__(self, message, problems=()):
        super().__init__(message)
        self.problems = list(problems)


@dataclass
class BuildResult:
    """What one build produced: where, how fast, and Pelican's own objects for callers to read."""

    output: Path
    seconds: float
    articles: int
    pages: int
    warnings: list[str] = field(default_factory=list)
    deprecations: list[str] = field(default_factory=list)  # old syntax, reported, not failing
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
        for feed in (
            "ATOM",
            "RSS",
            "JSON",
            "CATEGORY_ATOM",
            "TAG_ATOM",
            "THREAD_ATOM",
            "TRANSLATION_ATOM",
            "TRANSLATION_RSS",
        )
    },
    "FEEDS_STYLESHEET": None,
}


def load_settings(settings_file=DEV_SETTINGS, **overrides):
    """Pelican's settings from ``settings_file``, paths resolved against the file's folder."""
    return read_settings(str(settings_file), override=overrides or None)


def build(
    settings_file=DEV_SETTINGS,
    *,
    strict=True,
    quiet=False,
    search=False,
    when_written=None,
    **overrides,
) -> BuildResult:
    """Build the site; raise :class:`BuildError` if Pelican logged any warning and ``strict``.

    ``overrides`` are Pelican settings (``OUTPUT_PATH``, ``PATH``, ``LOAD_CONTENT_CACHE``...).
    ``quiet`` hides Pelican's "Done: Processed ..." line, for builds the writer did not ask for
    (the newsletter reading the posts); warnings are still collected. ``search`` then indexes
    the pages with Pagefind (:mod:`happening.search`), as ``build``, ``preview`` and ``publish``
    do; tests and the newsletter's reading builds leave it off. ``when_written(generators)`` is
    called once every post and page is written (at Pelican's ``finalized``; in a fresh process,
    before the plugins' handlers of it), with the build's generators.
    """
    settings = load_settings(settings_file, **overrides)
    # The Markdown workers start converting now, while Pelican loads the plugins.
    parallel.start_early(settings)
    collector = build_log.Collector()
    build_log.fresh_pelican_log()
    root = logging.getLogger()
    root.addHandler(collector)
    start = time.perf_counter()
    was_quiet, console.quiet = console.quiet, quiet or console.quiet
    generators = []  # as all_generators_finalized hands them (_run)

    def written_all(_):
        when_written(list(generators))

    # Connected before Pelican registers the plugins' handlers: in a fresh process it runs
    # first of finalized's, so whatever it starts overlaps them.
    if when_written is not None:
        signals.finalized.connect(written_all)
    try:
        pelican = Pelican(settings)
        _run(pelican, generators)
    except UserError:
        raise
    except Exception as exc:  # Pelican raises plain exceptions for broken content or themes.
        collector.add(f"{type(exc).__name__}: {exc}")
        generators = []
    finally:
        if when_written is not None:
            signals.finalized.disconnect(written_all)
        console.quiet = was_quiet
        root.removeHandler(collector)
        parallel.shutdown()  # Already done by a build that got as far as reading; never left.
    seconds = time.perf_counter() - start
    if collector.problems:
        collector.locate(settings["PATH"])
    problems = [str(problem) for problem in collector.problems]
    deprecations = build_log.report_deprecations(collector)
    if problems and strict:
        raise BuildError(
            f"build: {len(problems)} problem(s) (settings: {Path(settings_file).name}); "
            "fix them and build again:\n  " + "\n  ".join(problems),
            collector.problems,
        )
    if search and generators and not problems:
        site_search.index_site(Path(settings["OUTPUT_PATH"]), Path(settings["CACHE_PATH"]))
    articles = sum(len(getattr(g, "articles", [])) for g in generators)
    pages = sum(len(getattr(g, "pages", [])) for g in generators)
    return BuildResult(
        Path(settings["OUTPUT_PATH"]),
        seconds,
        articles,
        pages,
        problems,
        deprecations,
        settings,
        generators,
    )


def _run(pelican, generators):
    """``Pelican.run()``, keeping its generators in ``generators`` so callers can count what was
    built."""

    def keep(gens):
        generators.extend(gens)

    signals.all_generators_finalized.connect(keep)
    try:
        pelican.run()
    finally:
        signals.all_generators_finalized.disconnect(keep)
