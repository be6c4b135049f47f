"""The newsletter's errors: each one a one-line message a writer can act on.

A bad setting is the project's one :class:`~happening.errors.SettingError`, re-exported here so
the providers keep importing every error they raise from one place.
"""

from happening.errors import ContentError, SettingError, UserError

__all__ = ["ArchiveGuard", "BadNewsletterField", "NewsletterError", "ProviderError", "SettingError"]


class NewsletterError(UserError):
    """Something about the newsletter the writer can fix; the message says what."""


class BadNewsletterField(NewsletterError, ContentError):
    """A post's own newsletter metadata (``Newsletter:``) is unusable; names its file and line."""


class ArchiveGuard(NewsletterError):
    """No ledger yet: sending now would email every post in the archive."""


class ProviderError(NewsletterError):
    """The email service refused or failed; nothing was recorded as sent that was not."""
