"""Every new post reaches email subscribers exactly once: send, status, preview, baseline."""

from .errors import ArchiveGuard, NewsletterError, ProviderError, SettingError
from .posts import Site
from .preview import preview
from .report import format_report, format_status
from .send import Report, baseline, send, status

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
    "send",
    "status",
]
