"""Which public sign-up form the subscribe box shows, read from the newsletter settings.

The newsletter area owns the settings (``NEWSLETTER_PROVIDER``, ``BUTTONDOWN_USERNAME``,
``LISTMONK_URL`` + ``LISTMONK_LIST_UUID``, ``MAILCHIMP_FORM_ACTION``, ``NEWSLETTER_SUBSCRIBE_URL``);
this plugin only turns them into two context values, so templates never probe settings:

- ``subscribe_form``: ``None``, or a dict ``{"provider", "action", "email_name", "hidden"}``
  where ``hidden`` is a list of ``(name, value)`` pairs for hidden inputs;
- ``subscribe_url``: the optional sign-up page to link to, or ``None``.

A provider without a public endpoint (``outbox``, ``smtp``) or one whose public settings are
missing gets no form: the box then offers feeds only, never a form that posts nowhere.
"""

import logging
import re
from urllib.parse import urlsplit

from pelican import signals

from happening.errors import UserError

log = logging.getLogger(__name__)

BUTTONDOWN_ACTION = "https://buttondown.com/api/emails/embed-subscribe/{username}"
_USERNAME = re.compile(r"^[A-Za-z0-9_.-]+$")
_UUID = re.compile(r"^[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}$")


class SubscribeError(UserError):
    """A public sign-up setting is set but unusable; the message names it and the fix."""


def form_for(settings) -> dict | None:
    """The sign-up form for the configured provider, or ``None`` when it has no public one."""
    provider = str(settings.get("NEWSLETTER_PROVIDER") or "outbox").strip().lower()
    if provider == "buttondown":
        username = str(settings.get("BUTTONDOWN_USERNAME") or "").strip()
        if not username:
            return None
        if not _USERNAME.match(username):
            raise SubscribeError(
                f"subscribe: BUTTONDOWN_USERNAME is {username!r}; set your Buttondown username "
                "(letters, digits, '_', '.', '-'), as in buttondown.com/<username>"
            )
        action = BUTTONDOWN_ACTION.format(username=username)
        return _form(provider, action, "email", [("embed", "1")])
    if provider == "listmonk":
        root = str(settings.get("LISTMONK_URL") or "").strip().rstrip("/")
        uuid = str(settings.get("LISTMONK_LIST_UUID") or "").strip()
        if not (root and uuid):
            return None
        _check_url(
            "LISTMONK_URL", root, "your listmonk's public address, e.g. https://lists.example.org"
        )
        if not _UUID.match(uuid):
            raise SubscribeError(
                f"subscribe: LISTMONK_LIST_UUID is {uuid!r}; copy the list's UUID from "
                "listmonk (Lists -> the list -> UUID)"
            )
        return _form(provider, f"{root}/subscription/form", "email", [("l", uuid), ("nonce", "")])
    if provider == "mailchimp":
        action = str(settings.get("MAILCHIMP_FORM_ACTION") or "").strip()
        if not action:
            return None
        _check_url(
            "MAILCHIMP_FORM_ACTION",
            action,
            "the action URL of Mailchimp's embedded form "
            "(…list-manage.com/subscribe/post?u=…&id=…)",
        )
        return _form(provider, action, "EMAIL", [])
    return None


def signup_url(settings) -> str | None:
    url = str(settings.get("NEWSLETTER_SUBSCRIBE_URL") or "").strip()
    if not url:
        return None
    _check_url("NEWSLETTER_SUBSCRIBE_URL", url, "the full address of your sign-up page")
    return url


def _form(provider, action, email_name, hidden):
    return {"provider": provider, "action": action, "email_name": email_name, "hidden": hidden}


def _check_url(setting, url, what):
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.netloc:
        raise SubscribeError(f"subscribe: {setting} is {url!r}; set it to {what}")


def add_to_context(generator):
    # generator_init fires once per generator; they share one context, so this runs cheaply.
    generator.context["subscribe_form"] = form_for(generator.settings)
    generator.context["subscribe_url"] = signup_url(generator.settings)


def register():
    signals.generator_init.connect(add_to_context)
