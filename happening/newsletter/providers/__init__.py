"""Email providers: one module per service, one contract (:class:`base.Provider`)."""

import importlib

from ..errors import SettingError
from .base import Delivery, Provider

NAMES = {
    "outbox": "OutboxProvider",
    "smtp": "SmtpProvider",
    "buttondown": "ButtondownProvider",
    "listmonk": "ListmonkProvider",
    "mailchimp": "MailchimpProvider",
}


def get(config, **overrides) -> Provider:
    """The provider ``NEWSLETTER_PROVIDER`` names, built from ``config`` (``overrides`` win)."""
    name = config.provider
    if name not in NAMES:
        raise SettingError(
            f"newsletter: NEWSLETTER_PROVIDER = {name!r} is not one of {', '.join(NAMES)}"
        )
    module = importlib.import_module(f"{__name__}.{name}")
    return getattr(module, NAMES[name])(config, **overrides)


__all__ = ["Delivery", "Provider", "get"]
