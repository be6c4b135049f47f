"""Every old URL an import redirects (``plugins/redirects``) must land on a page that exists."""

from happening.plugins import redirects

from .model import ERROR, Problem


def check(site) -> list[Problem]:
    return [
        Problem(ERROR, "redirect", where, None, message)
        for where, message in redirects.broken_targets(site.output)
    ]
