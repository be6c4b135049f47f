"""Pages: links and files that are not in the site, missing alt text, missing anchors, and the
weight of what a reader loads before first paint (HTML, CSS and its fonts, scripts; images
and other content that loads after are not counted)."""

import functools
import posixpath
from collections import defaultdict
from urllib.parse import unquote, urlsplit

from ..config import setting
from .model import ERROR, WARNING

SKIP_SCHEMES = ("mailto:", "tel:", "javascript:", "data:", "sms:")


def check(site):
    problems = []
    siteurl = site.settings.get("SITEURL") or ""
    budget_kb = setting(site.settings, "CHECK_PAGE_BUDGET_KB")
    # (kind, missing file) -> [(page, line, url)]: one row per missing target, however many
    # pages point at it (a broken link in the footer is one problem, not one per page).
    broken = defaultdict(list)
    # What a URL comes to, worked out once per URL (and page folder, for a relative one): most
    # are the same absolute URLs on every page, ~65,000 links at 1,000 posts.
    outcomes = {}
    for page, scan in site.scans.items():
        weight = scan.size
        for src, line in scan.no_alt:
            problems.append(
                site.problem(ERROR, "alt", page, line, f"image {src!r} has no alt", (src,))
            )
        folder = None
        for tag, url, line, loads in scan.refs:  # a Ref's fields (scan.py)
            outcome = outcomes.get(url)  # an absolute URL: the same from every page
            if outcome is None:
                if url.startswith("/") or "://" in url or url.lower().startswith(SKIP_SCHEMES):
                    at = url
                elif not url or url.startswith(("#", "?")):
                    at = (url, page)
                else:
                    folder = posixpath.dirname(page) if folder is None else folder
                    at = (url, folder)
                outcome = outcomes.get(at)
                if outcome is None:
                    outcome = outcomes[at] = _outcome(site, url, page, siteurl)
            target, missing, bad_fragment = outcome
            if target is None:
                continue
            if missing:
                kind = "link" if tag in ("a", "iframe") else "file"
                broken[(kind, target)].append((page, line, url))
                continue
            if loads:
                weight += site.weight_of(target)
            if bad_fragment:
                message = f"no #{bad_fragment} in {url}"
                problems.append(site.problem(WARNING, "link", page, line, message, (url,)))
        if weight > budget_kb * 1024:
            problems.append(
                site.problem(
                    WARNING,
                    "weight",
                    page,
                    None,
                    f"{weight / 1024:.1f} KB of HTML, CSS, fonts and scripts before first paint "
                    f"is over the {budget_kb} KB budget (CHECK_PAGE_BUDGET_KB); readers on slow "
                    "connections wait for it: trim it or raise the budget",
                )
            )
    for (kind, _), seen in broken.items():
        # Name a page that comes from a source when there is one: that is where to fix it.
        seen.sort(key=lambda s: (s[0] not in site.sources.by_output, s[0]))
        page, line, url = seen[0]
        what = "links to" if kind == "link" else "loads"
        more = f" (and {len(seen) - 1} more page(s))" if len(seen) > 1 else ""
        problems.append(
            site.problem(
                ERROR, kind, page, line, f"{what} {url!r}, which is not in the site{more}", (url,)
            )
        )
    return problems


def _outcome(site, url, page, siteurl):
    """``(target, missing, bad fragment)`` of ``url`` on ``page``: the output file it points to
    (None: external, nothing to check), whether the site lacks it, and the ``#fragment`` the
    target has no anchor for ("" when it has, or the URL names none)."""
    target, fragment = resolve(url, page, siteurl, site.files)
    if target is None:
        return None, False, ""
    if target not in site.files:
        return target, True, ""
    anchors = site.scans[target].anchors if target in site.scans else None
    bad = fragment if fragment and anchors is not None and fragment not in anchors else ""
    return target, False, bad


def resolve(url, page, siteurl, files):
    """The output file ``url`` points to from ``page`` and its fragment; (None, "") if external.

    Paths are posix and relative to the output folder, as in ``files``.
    """
    if url.lower().startswith(SKIP_SCHEMES):
        return None, ""
    if siteurl and url.startswith(siteurl.rstrip("/") + "/"):
        url = url[len(siteurl.rstrip("/")) :]
    elif siteurl and url == siteurl:
        url = "/"
    parts = urlsplit(url)
    if parts.scheme or parts.netloc:
        return None, ""
    base_path = _base_path(siteurl)
    path = unquote(parts.path)
    if not path:
        target = page
    elif path.startswith("/"):
        if base_path and path.startswith(base_path + "/"):
            path = path[len(base_path) :]
        target = path.lstrip("/")
    else:
        target = posixpath.join(posixpath.dirname(page), path)
    target = posixpath.normpath(target) if target else "."
    if target == ".":
        target = "index.html"
    elif path.endswith("/") or f"{target}/index.html" in files:
        target = f"{target}/index.html"
    return target, parts.fragment


@functools.cache
def _base_path(siteurl):
    """SITEURL's path (``/blog`` in ``https://example.org/blog/``): the same for every URL."""
    return urlsplit(siteurl).path.rstrip("/") if siteurl else ""
