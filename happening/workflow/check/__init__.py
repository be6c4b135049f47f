"""`check`: find what a reader would trip over in a built site before it goes out.

It reads the output folder the way a browser and a feed reader would (links, images, feeds,
page weight) and the sources the way the email side will (summaries, post ids, forgotten
drafts), and reports each finding against the source file (and line) that causes it. Errors
stop `publish`; warnings are shown and let it go on.

One module per job: ``sources.py`` reads the content layout, ``scan.py`` reads one page,
``cache.py`` keeps scans of unchanged pages, ``site.py`` holds what the checks share and maps
a finding to its source; the checks themselves are ``pages.py``, ``feeds.py`` and
``posts.py``. A new check is a function ``check(site) -> list[Problem]`` added to ``CHECKS``.
"""

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from . import feeds, pages, posts, redirects, sources
from .cache import Digests, PageScans
from .model import ERROR, WARNING, CheckFailed, Problem, Report
from .site import Site

__all__ = [
    "CHECKS",
    "ERROR",
    "WARNING",
    "CheckFailed",
    "Problem",
    "Report",
    "check_site",
    "read_sources",
]

# Each takes the Site and returns its findings; they run in this order.
CHECKS = [pages.check, feeds.check, redirects.check, posts.check]


def check_site(
    settings,
    output=None,
    *,
    now=None,
    checks=None,
    generators=None,
    files=None,
    saved_as=None,
    read=None,
) -> Report:
    """Check the built site in ``output`` (default OUTPUT_PATH) and the sources under PATH.

    ``generators``: those of the build that made ``output`` in this process with ``settings``
    (``publish`` and ``release`` pass them), whose reading of the sources is taken instead of
    reading them again; the findings are the same. ``files``: every file of ``output`` with its
    stat (``happening.filestat.tree``) as that build left them, so the folder is not walked
    and its files not looked at again. ``saved_as``: where that build wrote each post and page
    (by source path, as ``reuse.production_build`` keeps them), not worked out again.
    ``read``: what :func:`read_sources` gave for that same build (a release reads them in a
    forked child as its build ends), taken instead of reading them here.
    """
    output = Path(output or settings["OUTPUT_PATH"])
    if not output.is_dir() or not (output / "index.html").is_file():
        raise CheckFailed(f"check: {output} has no built site; run `./inv build` first")
    report = Report(output)
    # Output paths are shown from the project folder (output/about/index.html) when inside it.
    project = Path(settings["PATH"]).resolve().parent
    resolved = output.resolve()
    shown = resolved.relative_to(project) if resolved.is_relative_to(project) else Path()
    zone = ZoneInfo(settings.get("TIMEZONE") or "UTC")
    site = Site(
        settings=settings,
        output=output,
        shown_output=shown,
        now=(now or datetime.now(UTC)).astimezone(zone),
        cache=PageScans(settings.get("CACHE_PATH")),
        report=report,
        digests=Digests(settings.get("CACHE_PATH"), output, files),
    )
    if read is not None:
        site.load(read_sources=lambda: read, files=files, overlapped=False)
    else:
        site.load(read_sources=lambda: sources.read(settings, generators, saved_as), files=files)
    report.pages = len(site.scans)
    for check in checks if checks is not None else CHECKS:
        report.problems.extend(check(site))
    site.digests.save()  # after the feeds' check, which takes their digests too
    report.problems.sort(key=lambda p: (p.level != ERROR, p.where, p.line or 0, p.kind))
    return report


def read_sources(settings, generators=None, saved_as=None):
    """The sources as :func:`check_site` reads them (``read``), to be read ahead in a forked
    child and sent back; None when one of them is a post as Pelican reads it (a reST file,
    say), which holds the whole site's context: the check then reads them itself."""
    found = sources.read(settings, generators, saved_as)
    if not all(isinstance(item, sources.Read) for item in (*found.posts, *found.pages)):
        return None
    return found
