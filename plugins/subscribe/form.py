"""Which public sign-up form the subscribe box shows: the configured provider class says.

The newsletter's provider classes own their sign-up form (``Provider.public_form``, from
``BUTTONDOWN_USERNAME``, ``LISTMONK_URL`` + ``LISTMONK_LIST_UUID``, ``MAILCHIMP_FORM_ACTION``,
``NEWSLETTER_SUBSCRIBE_ADDRESS``...); this plugin only asks the one ``NEWSLETTER_PROVIDER`` names
and puts three context values in, so templates never probe settings:

- ``subscribe_form``: ``None``, or a dict ``{"provider", "action", "email_name", "hidden"}``
  where ``hidden`` is a list of ``(name, value)`` pairs for hidden inputs; a provider that takes
  sign-ups by email (``smtp``) gives ``"mailto"`` (the link) and ``"address"`` instead of an action;
- ``subscribe_url``: the optional sign-up page to link to (``NEWSLETTER_SUBSCRIBE_URL``), or None;
- ``feed_base``: the absolute address the feeds are served from (``FEED_DOMAIN``, ``SITEURL``,
  else ``FEEDS_LOCAL_URL`` for a preview), so the subscribe page prints addresses a reader can
  paste into a feed reader.

A provider without a public endpoint (``outbox``) or one whose public settings are missing gets
no form: the box then offers feeds only, never a form that posts nowhere. The outbox says so once
per build, with what to set.
"""

import logging

from pelican import signals
from pelican.log import console

from happening.errors import UserError
from happening.newsletter import providers
from happening.newsletter.errors import SettingError
from happening.newsletter.providers.base import check_form_url
from happening.plugins.feeds.config import DEFAULTS as FEED_DEFAULTS

log = logging.getLogger(__name__)


class SubscribeError(UserError):
    """A public sign-up setting is set but unusable; the message names it and the fix."""


def _provider(settings):
    name = str(settings.get("NEWSLETTER_PROVIDER") or "outbox").strip().lower()
    if name not in providers.REGISTRY:
        return None  # The newsletter's own check names a bad NEWSLETTER_PROVIDER when it runs.
    return providers.provider_class(name)


def form_for(settings) -> dict | None:
    """The sign-up form for the configured provider, or ``None`` when it has no public one."""
    cls = _provider(settings)
    if cls is None:
        return None
    try:
        return cls.public_form(settings)
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


def feed_base(settings) -> str:
    """Where the feeds are served from, absolute, without a trailing slash."""
    for name in ("FEED_DOMAIN", "SITEURL", "FEEDS_LOCAL_URL"):
        value = str(settings.get(name) or "").strip()
        if value:
            return value.rstrip("/")
    return FEED_DEFAULTS["FEEDS_LOCAL_URL"].rstrip("/")


def notice(settings) -> str | None:
    """The provider's one line for a build whose readers cannot sign up by email, or None."""
    if form_for(settings) or signup_url(settings):
        return None
    cls = _provider(settings)
    return cls.signup_notice(settings) if cls is not None else None


def add_to_context(generator):
    # generator_init fires once per generator; they share one context, so this runs cheaply.
    generator.context["subscribe_form"] = form_for(generator.settings)
    generator.context["subscribe_url"] = signup_url(generator.settings)
    generator.context["feed_base"] = feed_base(generator.settings)


# (output folder, line) already said by this process: the live preview rebuilds the same site
# on every save, and the writer needs telling once, not at every save.
_said = set()


def say_notice(pelican):
    # Once per site and process, on Pelican's console as its "Done: ..." line is (a logged
    # warning would fail the strict build, and a log at INFO is hidden by default).
    line = notice(pelican.settings)
    said = (str(pelican.settings.get("OUTPUT_PATH")), line)
    if line and said not in _said:
        _said.add(said)
        console.print(line, markup=False, highlight=False, soft_wrap=True)


def register():
    signals.generator_init.connect(add_to_context)
    signals.initialized.connect(say_notice)
