"""Every new post reaches email subscribers exactly once: send, status, preview, baseline."""

from .errors import ArchiveGuard, NewsletterError, ProviderError, SettingError
from .posts import Site
from .report import format_report, format_status
from .send import REFUSED, Report, baseline, preview, send, status

__all__ = [
    "ArchiveGuard",
    "NewsletterError",
    "REFUSED",
    "ProviderError",
    "Report",
    "SettingError",
    "Site",
    "baseline",
    "format_report",
    "format_status",
    "preview",
    "send",
    "status",
]
