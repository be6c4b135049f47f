"""The sign-up form's data for the theme, in the template context as ``newsletter_signup``.

Templates never probe settings to guess the provider: they read one dict, or None when nothing
is configured. ``action``/``method``/``email_field``/``hidden`` describe a plain HTML form that
posts to the service (no JavaScript); ``url`` is an optional sign-up page to link to.
"""

import logging

log = logging.getLogger(__name__)


def form(settings) -> dict | None:
    """The sign-up form for the configured provider's public settings, or None."""
    provider = settings.get("NEWSLETTER_PROVIDER", "outbox")
    url = settings.get("NEWSLETTER_SUBSCRIBE_URL")
    signup = {
        "provider": provider,
        "action": None,
        "method": "post",
        "email_field": "email",
        "hidden": {},
        "url": url,
    }
    if provider == "buttondown" and settings.get("BUTTONDOWN_USERNAME"):
        username = settings["BUTTONDOWN_USERNAME"]
        signup["action"] = f"https://buttondown.com/api/emails/embed-subscribe/{username}"
    elif (
        provider == "listmonk"
        and settings.get("LISTMONK_URL")
        and settings.get("LISTMONK_LIST_UUID")
    ):
        signup["action"] = settings["LISTMONK_URL"].rstrip("/") + "/subscription/form"
        signup["hidden"] = {"l": settings["LISTMONK_LIST_UUID"]}
    elif provider == "mailchimp" and settings.get("MAILCHIMP_FORM_ACTION"):
        signup["action"] = settings["MAILCHIMP_FORM_ACTION"]
        signup["email_field"] = "EMAIL"
    if not signup["action"] and not url:
        return None
    return signup


def add_to_context(generator):
    generator.context["newsletter_signup"] = form(generator.settings)
