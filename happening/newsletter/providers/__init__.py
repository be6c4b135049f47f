"""Email providers: one module per service, one contract (:class:`base.Provider`).

``REGISTRY`` is the one list of providers, name -> class. Config validation, the subscribe
plugin's sign-up form and the README's provider table (a test compares them) all read it, and
each class carries its own docs (see ``base``). An entry may be ``"module:Class"``, imported when
first asked for, so that a build whose provider is the outbox does not import ``requests``.
"""

import importlib

from ..errors import SettingError
from .base import Delivery, Provider, SentEmail

REGISTRY: dict[str, str | type[Provider]] = {
    "outbox": "outbox:OutboxProvider",
    "smtp": "smtp:SmtpProvider",
    "buttondown": "buttondown:ButtondownProvider",
    "listmonk": "listmonk:ListmonkProvider",
    "mailchimp": "mailchimp:MailchimpProvider",
}


def check_name(name):
    """Raise :class:`SettingError` unless ``name`` is a registered provider."""
    if name not in REGISTRY:
        raise SettingError(
            f"newsletter: NEWSLETTER_PROVIDER = {name!r} is not one of {', '.join(REGISTRY)}"
        )


def provider_class(name) -> type[Provider]:
    """The class registered as ``name``; raises :class:`SettingError` for an unknown one."""
    check_name(name)
    entry = REGISTRY[name]
    if isinstance(entry, str):
        module, _, attribute = entry.partition(":")
        entry = getattr(importlib.import_module(f"{__name__}.{module}"), attribute)
    return entry


def get(config, **options) -> Provider:
    """The provider ``NEWSLETTER_PROVIDER`` names, built from ``config``; ``options`` win."""
    return provider_class(config.provider)(config, **options)


__all__ = [
    "REGISTRY",
    "Delivery",
    "Provider",
    "SentEmail",
    "check_name",
    "get",
    "provider_class",
]
