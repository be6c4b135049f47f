"""Which public sign-up form the subscribe box shows: the configured provider class says.

The newsletter's provider classes own their sign-up form (``Provider.public_form``, from
``BUTTONDOWN_USERNAME``, ``LISTMONK_URL`` + ``LISTMONK_LIST_UUID``, ``MAILCHIMP_FORM_ACTION``...);
this plugin only asks the one ``NEWSLETTER_PROVIDER`` names and puts two context values in, so
templates never probe settings:

- ``subscribe_form``: ``None``, or a dict ``{"provider", "action", "email_name", "hidden"}``
  where ``hidden`` is a list of ``(name, value)`` pairs for hidden inputs;
- ``subscribe_url``: the optional sign-up page to link to (``NEWSLETTER_SUBSCRIBE_URL``), or None.

A provider without a public endpoint (``outbox``, ``smtp``) or one whose public settings are
missing gets no form: the box then offers feeds only, never a form that posts nowhere.
"""

import logging

from pelican import signals

from happening.errors import UserError
from happening.newsletter import providers
from happening.newsletter.errors import SettingError
from happening.newsletter.providers.base import check_form_url

log = logging.getLogger(__name__)


class SubscribeError(UserError):
    """A public sign-up setting is set but unusable; the message names it and the fix."""


def form_for(settings) -> dict | None:
    """The sign-up form for the configured provider, or ``None`` when it has no public one."""
    name = str(settings.get("NEWSLETTER_PROVIDER") or "outbox").strip().lower()
    if name not in providers.REGISTRY:
        return None  # The newsletter's own check names a bad NEWSLETTER_PROVIDER when it runs.
    try:
        return providers.provider_class(name).public_form(settings)
    except SettingError as exc:
        raise SubscribeError(str(exc)) from None


def signup_url(settings) -> str | None:
    url = str(settings.get("NEWSLETTER_SUBSCRIBE_URL") or "").strip()
    if not url:
        return None
    try:
        check_form_url("NEWSLETTER_SUBSCRIBE_URL", url, "the full address of your sign-up page")
    except SettingError as exc:
        raise SubscribeError(str(exc)) from None
    return url


def add_to_context(generator):
    # generator_init fires once per generator; they share one context, so this runs cheaply.
    generator.context["subscribe_form"] = form_for(generator.settings)
    generator.context["subscribe_url"] = signup_url(generator.settings)


def register():
    signals.generator_init.connect(add_to_context)
