"""Every new post reaches email subscribers exactly once: send, status, preview, baseline."""

import importlib

from .errors import ArchiveGuard, NewsletterError, ProviderError, SettingError
from .posts import Site
from .preview import preview
from .send import REFUSED, Report, baseline, send, status

# Imported when first asked for: a build imports this package (the subscribe plugin asks the
# providers for their forms) and a release sends, but neither reads the inbox nor prints a
# report, and those bring the mailbox's parsing, its recipients and suppressions, and rich's
# tables (~0.04 s of every build's and release's start). Each name differs from its module's,
# so importing the module never puts the module where the name is looked for.
_LATER = {"check_inbox": "inbox", "format_report": "report", "format_status": "report"}


def __getattr__(name):
    module = _LATER.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = globals()[name] = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    return value


__all__ = [
    "ArchiveGuard",
    "NewsletterError",
    "REFUSED",
    "ProviderError",
    "Report",
    "SettingError",
    "Site",
    "baseline",
    "check_inbox",
    "format_report",
    "format_status",
    "preview",
    "send",
    "status",
]
