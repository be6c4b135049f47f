"""Every new post reaches email subscribers exactly once: the Pelican plugin and its library."""

from .collect import register
from .errors import ArchiveGuard, NewsletterError, ProviderError, SettingError
from .posts import Site
from .report import format_report, format_status
from .send import Report, baseline, preview, send, status

__all__ = [
    "ArchiveGuard",
    "NewsletterError",
    "ProviderError",
    "Report",
    "SettingError",
    "Site",
    "baseline",
    "format_report",
    "format_status",
    "preview",
    "register",
    "send",
    "status",
]
