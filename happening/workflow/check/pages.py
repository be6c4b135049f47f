"""Pages: links and files that are not in the site, missing alt text, missing anchors, and the
weight of what a reader loads before first paint (HTML, CSS and its fonts, scripts; images
and other content that loads after are not counted).

A page whose bytes and link targets are as the last check saw them has the same findings: they
are taken from ``cache.PageFindings`` and only placed in the sources again."""

import functools
import posixpath
from collections import defaultdict
from urllib.parse import unquote, urlsplit

from ..config import setting
from .cache import PageFindings
from .model import ERROR, WARNING

SKIP_SCHEMES = ("mailto:", "tel:", "javascript:", "data:", "sms:")


def check(site):
    siteurl = site.settings.get("SITEURL") or ""
    budget_kb = setting(site.settings, "CHECK_PAGE_BUDGET_KB")
    # A page's findings from the last check, where its bytes and every file its links were
    # resolved against are the same (after one new post, nine pages in ten).
    kept = PageFindings(site.settings.get("CACHE_PATH"), site.output, f"{siteurl} {budget_kb}")
    changed = kept.changed(site.files, site.keys, site.scan)
    # What a URL comes to, worked out once per URL (and page folder, for a relative one): most
    # are the same absolute URLs on every page, ~65,000 links at 1,000 posts.
    outcomes = {}
    problems = []
    # (kind, missing file) -> [(page, line, url)]: one row per missing target, however many
    # pages point at it (a broken link in the footer is one problem, not one per page).
    broken = defaultdict(list)
    for page, key in site.keys.items():
        found = kept.get(page, key, changed, site.weight_of)
        if found is None:
            scan = site.scan(page)
            found = _findings(site, page, scan, outcomes, siteurl, budget_kb)
            kept.put(page, key, scan, found)
        own, missing = found[0], found[1]
        for level, kind, line, message, needles in own:
            problems.append(site.problem(level, kind, page, line, message, needles))
        for kind, target, line, url in missing:
            broken[(kind, target)].append((page, line, url))
    kept.save(site.files)
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


def _findings(site, page, scan, outcomes, siteurl, budget_kb):
    """What one page's links, images and weight come to, as plain tuples (kept for the next
    check, ``cache.PageFindings``): its own problems as ``(level, kind, line, message,
    needles)``, its links to missing files as ``(kind, target, line, url)``, every output file
    its links were resolved against, and ``(file, weight)`` of each file it loads."""
    own, missing, looked_at, loads = [], [], set(), {}
    weight = scan.size
    for src, line in scan.no_alt:
        own.append((ERROR, "alt", line, f"image {src!r} has no alt", (src,)))
    folder = None
    for tag, url, line, loading in scan.refs:  # a Ref's fields (scan.py)
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
        target, absent, bad_fragment, names = outcome
        looked_at.update(names)
        if target is None:
            continue
        if absent:
            missing.append(("link" if tag in ("a", "iframe") else "file", target, line, url))
            continue
        if loading:
            loads[target] = site.weight_of(target)
            weight += loads[target]
        if bad_fragment:
            own.append((WARNING, "link", line, f"no #{bad_fragment} in {url}", (url,)))
    if weight > budget_kb * 1024:
        message = (
            f"{weight / 1024:.1f} KB of HTML, CSS, fonts and scripts before first paint "
            f"is over the {budget_kb} KB budget (CHECK_PAGE_BUDGET_KB); readers on slow "
            "connections wait for it: trim it or raise the budget"
        )
        own.append((WARNING, "weight", None, message, ()))
    return tuple(own), tuple(missing), tuple(sorted(looked_at)), tuple(loads.items())


def _outcome(site, url, page, siteurl):
    """``(target, missing, bad fragment, looked at)`` of ``url`` on ``page``: the output file it
    points to (None: external, nothing to check), whether the site lacks it, the ``#fragment``
    the target has no anchor for ("" when it has, or the URL names none), and the output files
    whose appearing, vanishing or change of anchors could change the other three."""
    target, fragment = resolve(url, page, siteurl, site.files)
    if target is None:
        return None, False, "", ()
    # A folder's URL resolves to its index.html when there is one: both names count.
    if target.endswith("/index.html"):
        looked_at = (target, target[: -len("/index.html")])
    else:
        looked_at = (target, f"{target}/index.html")
    if target not in site.files:
        return target, True, "", looked_at
    anchors = site.scan(target).anchors if target in site.scans else None
    bad = fragment if fragment and anchors is not None and fragment not in anchors else ""
    return target, False, bad, looked_at


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
