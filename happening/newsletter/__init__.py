"""Every new post reaches email subscribers exactly once: send, status, preview, baseline."""

from .errors import ArchiveGuard, NewsletterError, ProviderError, SettingError
from .inbox import check_inbox
from .posts import Site
from .preview import preview
from .report import format_report, format_status
from .send import REFUSED, Report, baseline, send, status

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
