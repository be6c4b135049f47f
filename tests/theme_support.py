"""Builds for the theme's tests: the test site or the essay, with a sign-up form when asked."""

from pathlib import Path

from conftest import BLOG, TEST_SITE, build_into
from happening.build import DEV_SETTINGS, PROD_SETTINGS

ESSAY_URL = "posts/what-i-learned-at-netflix-and-felt-about-anora/"
SITEURL = "https://happeningnow.example"
BUTTONDOWN = {"NEWSLETTER_PROVIDER": "buttondown", "BUTTONDOWN_USERNAME": "happeningnow"}


def build_theme_site(out: Path, content: Path = TEST_SITE, *, prod=False, **overrides):
    """A build with the project's own plugins: the feeds plugin supplies the feed links."""
    settings_file = PROD_SETTINGS if prod else DEV_SETTINGS
    settings = {**({"SITEURL": SITEURL} if prod else {}), **overrides}
    return build_into(out, content, settings_file, **settings)


def build_real_site(out: Path, **overrides):
    """The blog as published (tests/data/blog): production settings, feeds, a Buttondown form."""
    return build_theme_site(out, BLOG, prod=True, **BUTTONDOWN, **overrides)


# The sign-up settings of each provider, and where its form posts (test_subscribe and the
# browser sign-up tests).
SMTP = {"NEWSLETTER_PROVIDER": "smtp", "NEWSLETTER_SUBSCRIBE_ADDRESS": "join@happeningnow.example"}
LISTMONK = {
    "NEWSLETTER_PROVIDER": "listmonk",
    "LISTMONK_URL": "https://lists.example.org",
    "LISTMONK_LIST_UUID": "6e4b9c2a-1f0d-4c3b-9a8e-7d6c5b4a3f21",
}
MAILCHIMP = {
    "NEWSLETTER_PROVIDER": "mailchimp",
    "MAILCHIMP_FORM_ACTION": "https://example.us1.list-manage.com/subscribe/post?u=a&id=b",
}
PROVIDERS = {
    "buttondown": BUTTONDOWN,
    "listmonk": LISTMONK,
    "mailchimp": MAILCHIMP,
    "smtp": SMTP,
    "outbox": {"NEWSLETTER_PROVIDER": "outbox"},
}
ACTIONS = {
    "buttondown": "https://buttondown.com/api/emails/embed-subscribe/happeningnow",
    "listmonk": "https://lists.example.org/subscription/form",
    "mailchimp": MAILCHIMP["MAILCHIMP_FORM_ACTION"],
}
