"""Naive date → aware, by one rule: a date without a zone is in the site's ``TIMEZONE``.

That is Pelican's own rule for a post's ``Date:`` (and Pelican assumes UTC when ``TIMEZONE`` is
unset), so a post date, ``NEWSLETTER_SINCE`` and ``--schedule`` written the same way mean the
same instant everywhere: in the feeds, the ledger and the email's ``Date`` header.
"""

from datetime import datetime, tzinfo
from zoneinfo import ZoneInfo


def aware(moment: datetime, timezone: str | tzinfo | None) -> datetime:
    """``moment`` unchanged if it has a zone, else the same wall-clock time in ``timezone``.

    ``timezone`` is the site's ``TIMEZONE`` (a name such as ``"Europe/Paris"``) or a ``tzinfo``;
    ``None`` or ``""`` means UTC, as in Pelican.
    """
    if moment.tzinfo is not None and moment.utcoffset() is not None:
        return moment
    zone = ZoneInfo(timezone or "UTC") if not isinstance(timezone, tzinfo) else timezone
    return moment.replace(tzinfo=zone)
