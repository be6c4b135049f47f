"""Pages: links and files that are not in the site, missing alt text, missing anchors, and the
weight of what a reader loads before first paint (HTML, CSS and its fonts, scripts; images
and other content that loads after are not counted)."""

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
    resolved = {}  # most links are the same absolute URLs on every page: resolved once each
    for page, scan in site.scans.items():
        weight = scan.size
        for src, line in scan.no_alt:
            problems.append(
                site.problem(ERROR, "alt", page, line, f"image {src!r} has no alt", (src,))
            )
        for tag, url, line, loads in scan.refs:  # a Ref's fields (scan.py)
            if url.startswith("/") or "://" in url or url.lower().startswith(SKIP_SCHEMES):
                at = url  # the same file from every page
            elif not url or url.startswith(("#", "?")):
                at = (url, page)
            else:
                at = (url, posixpath.dirname(page))
            found = resolved.get(at)
            if found is None:
                found = resolved[at] = resolve(url, page, siteurl, site.files)
            target, fragment = found
            if target is None:
                continue
            if target not in site.files:
                kind = "link" if tag in ("a", "iframe") else "file"
                broken[(kind, target)].append((page, line, url))
                continue
            if loads:
                weight += site.weight_of(target)
            anchors = site.scans[target].anchors if target in site.scans else None
            if fragment and anchors is not None and fragment not in anchors:
                problems.append(
                    site.problem(WARNING, "link", page, line, f"no #{fragment} in {url}", (url,))
                )
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
    base_path = urlsplit(siteurl).path.rstrip("/") if siteurl else ""
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
