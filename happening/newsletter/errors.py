"""The newsletter's errors: each one a one-line message a writer can act on."""

from happening.errors import UserError


class NewsletterError(UserError):
    """Something about the newsletter the writer can fix; the message says what."""


class SettingError(NewsletterError):
    """A newsletter setting or environment variable is missing or has a bad value."""


class ArchiveGuard(NewsletterError):
    """No ledger yet: sending now would email every post in the archive."""


class ProviderError(NewsletterError):
    """The email service refused or failed; nothing was recorded as sent that was not."""
