"""The newsletter's settings: defaults in one place, validated once, secrets from the environment.

Pelican keeps every upper-case name in ``pelicanconf.py``, so the newsletter's settings live there
beside Pelican's own. Secrets (API keys, SMTP passwords) never do: they come from the environment
or a git-ignored ``.env`` file, read here and nowhere else; each provider class lists the ones it
reads (``environment``), and the registry in ``providers`` lists the providers.
"""

import logging
import os
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from . import providers
from .errors import SettingError

log = logging.getLogger(__name__)

# Every setting the newsletter reads, with its default. The README's table mirrors this.
DEFAULTS: dict[str, Any] = {
    "NEWSLETTER_PROVIDER": "outbox",
    "NEWSLETTER_LEDGER": "newsletter-ledger.json",
    "NEWSLETTER_OUTBOX": "outbox",
    "NEWSLETTER_PREVIEWS": "previews",
    "NEWSLETTER_SINCE": None,
    "NEWSLETTER_MAX_PER_RUN": 3,  # More posts than this waiting at once looks like the archive.
    "NEWSLETTER_SUPPRESSIONS": None,  # None: <NEWSLETTER_RECIPIENTS>.suppressed (suppression.py)
    "NEWSLETTER_FROM": None,  # None: "<SITENAME> <newsletter@<POST_ID_AUTHORITY>>"
    "NEWSLETTER_REPLY_TO": None,
    "NEWSLETTER_FULL_CONTENT": True,
    "NEWSLETTER_MAX_HTML_BYTES": 100_000,
    "NEWSLETTER_UNSUBSCRIBE_URL": None,
    "NEWSLETTER_UNSUBSCRIBE_MAILTO": None,
    "NEWSLETTER_LIST_ID": None,  # None: "<SITENAME> <newsletter.<POST_ID_AUTHORITY>>"
    "NEWSLETTER_HTTP_TIMEOUT": 30,
    "NEWSLETTER_HTTP_RETRIES": 4,
    "NEWSLETTER_SUBSCRIBE_URL": None,
    # A list run from a mailbox (newsletter.inbox): the address sign-ups are sent to, with the
    # subject "subscribe" (the blog's mailto: link), and the IMAP mailbox it arrives in.
    "NEWSLETTER_SUBSCRIBE_ADDRESS": None,
    "NEWSLETTER_IMAP_HOST": None,
    "NEWSLETTER_IMAP_PORT": 993,
    "NEWSLETTER_IMAP_USER": None,
    "NEWSLETTER_IMAP_FOLDER": "INBOX",
    "SMTP_HOST": "localhost",
    "SMTP_PORT": 587,
    "SMTP_SECURITY": "starttls",
    "BUTTONDOWN_API_URL": "https://api.buttondown.com/v1",
    "BUTTONDOWN_USERNAME": None,
    "LISTMONK_URL": None,
    "LISTMONK_LIST_UUID": None,
    "LISTMONK_LIST_IDS": [],
    "MAILCHIMP_API_URL": None,  # None: https://<dc>.api.mailchimp.com/3.0, dc from the key
    "MAILCHIMP_LIST_ID": None,
    "MAILCHIMP_FORM_ACTION": None,
}


@dataclass
class Config:
    """The newsletter's view of the settings: paths resolved, values checked."""

    root: Path
    settings: dict
    env: dict = field(default_factory=dict)

    def __getitem__(self, name):
        return self.settings.get(name, DEFAULTS.get(name))

    def path(self, name) -> Path:
        return (self.root / str(self[name])).resolve()

    @property
    def provider(self) -> str:
        return self["NEWSLETTER_PROVIDER"]

    @property
    def siteurl(self) -> str:
        return (self.settings.get("SITEURL") or "").rstrip("/")

    @property
    def authority(self) -> str:
        return self.settings.get("POST_ID_AUTHORITY") or "localhost"

    @property
    def sender(self) -> str:
        return self["NEWSLETTER_FROM"] or (
            f"{self.settings.get('SITENAME', 'Newsletter')} <newsletter@{self._domain}>"
        )

    @property
    def list_id(self) -> str:
        return self["NEWSLETTER_LIST_ID"] or (
            f"{self.settings.get('SITENAME', 'Newsletter')} <newsletter.{self._domain}>"
        )

    @property
    def _domain(self) -> str:
        return self.authority.split("@")[-1]

    @property
    def since(self) -> datetime | None:
        value = self["NEWSLETTER_SINCE"]
        if value in (None, ""):
            return None
        if isinstance(value, datetime):
            return value
        return datetime.fromisoformat(str(value))

    def secret(self, name, *, needed_for) -> str:
        """An environment variable the provider cannot work without (see :func:`credential`)."""
        value = self.env.get(name)
        if not value or not value.strip():
            raise SettingError(
                f"newsletter: {needed_for} needs the environment variable {name}; "
                "set it in your shell or in a git-ignored .env file"
            )
        return credential(name, value)


def credential(name: str, value: str) -> str:
    """``value`` stripped of surrounding whitespace (a note says so), checked to be header-safe.

    A key pasted with its trailing newline is the usual CI-secret mistake: sent as is, it makes
    ``requests`` fail with a traceback that prints the key. The value itself is never shown.
    """
    stripped = value.strip()
    if stripped != value:
        log.warning("newsletter: removed whitespace around %s (a pasted line break?)", name)
    if not stripped or not _HEADER_SAFE.match(stripped):
        raise SettingError(
            f"newsletter: {name} holds characters that cannot go in a request header (only "
            "printable ASCII without spaces can); copy the credential again from the service"
        )
    return stripped


_HEADER_SAFE = re.compile(r"^[\x21-\x7e]+$")
_UNSAFE = re.compile(r"[\r\n\x00]")


def load(settings: dict, root: Path, env: dict | None = None) -> Config:
    """Check the newsletter settings once; raise :class:`SettingError` naming a bad one."""
    config = Config(Path(root), settings, dict(environment(root) if env is None else env))
    providers.check_name(config.provider)
    try:
        config.since  # noqa: B018 - parsed here so a bad value fails early, naming the setting
    except ValueError:
        raise SettingError(
            f"newsletter: NEWSLETTER_SINCE = {config['NEWSLETTER_SINCE']!r} is not a date; "
            'write it as "YYYY-MM-DD" or "YYYY-MM-DD HH:MM"'
        ) from None
    for name in (
        "NEWSLETTER_MAX_HTML_BYTES",
        "NEWSLETTER_HTTP_RETRIES",
        "SMTP_PORT",
        "NEWSLETTER_MAX_PER_RUN",
    ):
        value = config[name]
        if type(value) is not int or value < 0:
            raise SettingError(f"newsletter: {name} = {value!r} must be a whole number")
    timeout = config["NEWSLETTER_HTTP_TIMEOUT"]
    if type(timeout) not in (int, float) or not timeout > 0:
        raise SettingError(
            f"newsletter: NEWSLETTER_HTTP_TIMEOUT = {timeout!r} must be a number of seconds "
            "above 0, e.g. 30"
        )
    for name in ("NEWSLETTER_FROM", "NEWSLETTER_REPLY_TO", "NEWSLETTER_LIST_ID"):
        value = config[name]
        if value is not None and (not isinstance(value, str) or _UNSAFE.search(value)):
            # A line break in a header value would let it start headers of its own.
            raise SettingError(
                f"newsletter: {name} = {value!r} must be one line of text, e.g. "
                '"Ann <ann@example.org>"'
            )
    if config["SMTP_SECURITY"] not in ("starttls", "ssl", "none"):
        raise SettingError(
            f"newsletter: SMTP_SECURITY = {config['SMTP_SECURITY']!r} is not one of "
            "starttls, ssl, none"
        )
    unsubscribe = config["NEWSLETTER_UNSUBSCRIBE_URL"]
    if unsubscribe and not str(unsubscribe).startswith("https://"):
        raise SettingError(
            f"newsletter: NEWSLETTER_UNSUBSCRIBE_URL = {unsubscribe!r} must start with https://"
        )
    return config


def environment(root: Path) -> dict:
    """The process environment, with a git-ignored ``root/.env`` filling in what is unset."""
    from dotenv import dotenv_values

    values = {k: v for k, v in dotenv_values(Path(root) / ".env").items() if v is not None}
    values.update(os.environ)
    return values
