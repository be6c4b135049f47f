"""The contract every email provider keeps (Django's email backends are the model).

``newsletter.send`` drives a provider through this contract alone: it never asks which provider
it has, so a new service (or a test double) is one subclass registered in ``providers.REGISTRY``.

What a provider class says about itself, read without constructing it (by config validation,
the subscribe plugin and the README's provider table, which a test compares with the classes):

- ``name``: the value of ``NEWSLETTER_PROVIDER`` that picks it;
- ``description``: one line for the README table;
- ``settings``, ``environment``, ``form_settings``: the ``pelicanconf.py`` settings it reads, the
  environment variables it reads (secrets), and the settings of its public sign-up form;
- ``public_form(settings)``: the sign-up form the theme shows (see :meth:`Provider.public_form`),
  or None when the service takes no sign-ups from a web page;
- ``signup_notice(settings)``: one line the build prints when readers cannot sign up by email
  with this provider (what to set instead), or None;
- ``supports_draft``, ``supports_schedule``: whether ``--draft`` and ``--schedule`` work.

How it is built: ``Provider(config, *, option=None, ...)``. Every option is a keyword argument of
the subclass's ``__init__``; None takes the value from the settings or the environment. An
unknown option is a TypeError (Python's own); options or settings that contradict each other
raise :class:`~newsletter.errors.SettingError` in the constructor, saying what to change. A
missing secret is not a constructor error (``status`` and ``preview`` need none): ``validate``
names it before anything is sent.

What ``send`` guarantees a provider:

- ``check`` (and so ``validate``) runs before anything is rendered or recorded;
- ``deliver`` is called only for a post that neither the shared ledger nor :meth:`ledger`
  records as done, after ``ledger`` records it as ``sending``; ``record`` is the post's record
  as it was before (empty for a first attempt, or what a failed attempt left: its
  ``remote_id``, ``recipients_done``...);
- ``close`` is called once at the end, whatever happened.

What a provider guarantees ``send``:

- ``deliver(email, record=, checkpoint=, schedule=, draft=)`` makes the post's email go out (or
  be scheduled at ``schedule``, or be created as a draft when ``draft``) exactly once, and
  returns a :class:`Delivery`. Before creating anything remote it asks the service whether an
  email with ``email.marker`` already exists (a previous attempt may have created it and crashed
  before the ledger heard of it) and carries on from that email's state.
- Progress that must survive a crash (the remote id as soon as it is known, recipients done) is
  reported with ``checkpoint(**fields)``, which writes the record atomically; a provider never
  writes the shared ledger itself.
- Failures raise :class:`~newsletter.errors.ProviderError` (or another ``UserError``) with one
  line naming the setting or field to fix, never a secret.
- ``send_test(email, address)`` sends one copy to ``address`` and leaves no trace that ``send``
  would take for "already sent".
- ``unsubscribe`` is the href the email's own unsubscribe link carries (the service's
  placeholder), or None when the service adds its own footer.
- :meth:`sent_emails` lists what the service itself records as gone out to readers (every
  page of it), or None for a provider whose only record is the ledger. ``send`` asks it before
  a run, so that a lost or emptied ledger cannot make the archive look unsent; a failure to
  answer raises, never "nothing was sent".

Where its record lives, and how its work is worded (the defaults fit a service that reaches
readers; the outbox overrides them, and nothing else in the newsletter knows it is special):

- :meth:`ledger` is where ``send`` records this provider's deliveries: the shared, committed
  ledger, or a record of the provider's own (a :class:`~newsletter.ledger.Ledger`, which the
  provider may write when it likes, e.g. on ``close``). A post done in either is not
  delivered again.
- ``reaches_readers``: False for a provider that emails nobody; the archive guard (no ledger
  yet: refuse to email the whole archive) does not apply to it.
- ``verbs`` rewords the report's actions (``{"sent": "written"}``); ``nothing_new`` is the
  report's line when a real send found nothing to do ("" for none).
- :meth:`status_row` is how ``newsletter.status`` shows a post's record.
"""

import contextlib
import logging
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

from ..errors import SettingError

log = logging.getLogger(__name__)

# The environment variables and constructor options that hold credentials (redacted on output).
SECRETS = {
    "SMTP_USERNAME",
    "SMTP_PASSWORD",
    "BUTTONDOWN_API_KEY",
    "LISTMONK_API_USER",
    "LISTMONK_API_TOKEN",
    "MAILCHIMP_API_KEY",
}
SECRET_OPTIONS = ("password", "api_key", "api_token", "api_user", "username")


@dataclass
class Delivery:
    """What became of a post's email at the provider."""

    state: str  # "sent", "scheduled" or "draft"
    remote_id: str | None = None
    detail: str = ""  # A count of recipients, a campaign id... for the writer to read.
    files: list[Path] = field(default_factory=list)  # Files the writer can open, if any.
    refused: int = 0  # Recipients who refused it for good: skipped, and suppressed from now on.


@dataclass(frozen=True)
class SentEmail:
    """An email the service records as gone out (or going out now) to readers."""

    subject: str
    sent_at: datetime  # With its zone: when it went out (else when it was made).
    marker: str | None = None  # Ours: the marker of the post it was made from (Email.marker).


# How our emails are labelled at a service whose only free text is a name or title:
# "<subject> [<marker>]" (listmonk's campaign name, Mailchimp's campaign title).
_LABEL = re.compile(r"\[([A-Za-z0-9]+)\]\s*$")


def label(subject: str, marker: str) -> str:
    """The name our email carries at such a service: its subject, then its marker."""
    return f"{subject} [{marker}]"


def marker_of(name) -> str | None:
    """The marker in a name :func:`label` made, or None for an email that is not ours."""
    found = _LABEL.search(str(name or ""))
    return found.group(1) if found else None


class Provider:
    """Base class: subclasses set ``name`` and implement ``deliver`` and ``send_test``."""

    name = "base"
    description = ""
    settings: tuple[str, ...] = ()
    environment: tuple[str, ...] = ()
    form_settings: tuple[str, ...] = ()
    supports_draft = False
    supports_schedule = False
    reaches_readers = True
    verbs: dict[str, str] = {}
    nothing_new = ""

    def __init__(self, config):
        self.config = config

    @classmethod
    def public_form(cls, settings) -> dict | None:
        """The public sign-up form the theme shows for this service, or None for none.

        ``settings`` are Pelican's. The form is ``{"provider", "action", "email_name",
        "hidden"}``, ``hidden`` a list of ``(name, value)`` pairs. None also when the form's
        settings are unset; set but unusable raises :class:`SettingError` naming the setting.
        """
        return None

    @classmethod
    def signup_notice(cls, settings) -> str | None:
        """One line for the build when this provider leaves readers no way to sign up by email."""
        return None

    @property
    def unsubscribe(self) -> str | None:
        """The href of the email's unsubscribe link."""
        from ..render import unsubscribe_mailto

        return self.config["NEWSLETTER_UNSUBSCRIBE_URL"] or unsubscribe_mailto(self.config)

    def ledger(self, shared):
        """Where ``send`` records this provider's deliveries: ``shared`` unless it keeps its own."""
        return shared

    def status_row(self, record: dict) -> dict:
        """A post's record (``state``, ``finished``, ``provider``, ``remote_id``...) as shown."""
        return record

    def secret(self, value, name) -> str:
        """``value`` (a constructor option) if given, else the environment variable ``name``.

        Missing both raises :class:`SettingError` naming the variable and where to set it.
        Surrounding whitespace is stripped and the rest checked to be header-safe
        (:func:`~newsletter.config.credential`).
        """
        from ..config import credential

        if value:
            return credential(name, value)
        return self.config.secret(name, needed_for=f"NEWSLETTER_PROVIDER = {self.name!r}")

    def secret_values(self) -> set[str]:
        """Every credential this provider may hold, as given and stripped: never to be shown."""
        values = {self.config.env.get(name) for name in self.environment if name in SECRETS}
        values |= {getattr(self, attribute, None) for attribute in SECRET_OPTIONS}
        found = set()
        for value in values:
            if isinstance(value, str) and len(value.strip()) >= 4:
                found |= {value, value.strip()}
        return found

    @contextlib.contextmanager
    def hiding_secrets(self):
        """While in the block, every log line of ours has this provider's credentials masked.

        A logger's filters see only the records made by that very logger (not those passed up
        from its children), so the filter goes on each of the project's loggers.
        """
        hide = _Hide(self.secret_values())
        loggers = [
            logging.getLogger(name)
            for name in list(logging.Logger.manager.loggerDict)
            if name == "happening" or name.startswith("happening.")
        ]
        for logger in loggers:
            logger.addFilter(hide)
        try:
            yield
        finally:
            for logger in loggers:
                logger.removeFilter(hide)

    def mask(self, text: str) -> str:
        """``text`` with every credential replaced by ``***`` (for what a server said)."""
        for value in sorted(self.secret_values(), key=len, reverse=True):
            text = text.replace(value, "***")
        return text

    def redact(self, error):
        """``error`` (a UserError) with every credential in its message replaced by ``***``.

        A service may echo the Authorization header in its error body; the message is built
        from that body, so it is filtered here, on the way out of ``send``, whatever raised it.
        """
        text = str(error)
        hidden = self.mask(text)
        if hidden == text:
            return error
        try:
            return type(error)(hidden)
        except TypeError:  # pragma: no cover - every UserError takes its message alone
            from ..errors import NewsletterError

            return NewsletterError(hidden)

    def check(self, *, draft=False, schedule=None):
        """Fail early, before anything is rendered or recorded, on an impossible request."""
        if draft and not self.supports_draft:
            raise SettingError(
                f"newsletter: --draft needs a provider with drafts ({_able('supports_draft')}); "
                f"NEWSLETTER_PROVIDER is {self.name!r}"
            )
        if schedule and not self.supports_schedule:
            raise SettingError(
                f"newsletter: --schedule needs a provider that schedules "
                f"({_able('supports_schedule')}); NEWSLETTER_PROVIDER is {self.name!r}"
            )
        self.validate()

    def validate(self):
        """Check credentials and settings (a subclass's job) so nothing starts half-configured."""

    def deliver(self, email, *, record, checkpoint, schedule=None, draft=False) -> Delivery:
        raise NotImplementedError

    def send_test(self, email, address: str) -> str:
        raise NotImplementedError

    def sent_emails(self) -> list[SentEmail] | None:
        """What the service records as gone out to readers; None: it keeps no record of its own.

        The outbox and SMTP keep none (the ledger is their record); a service does, and that
        record survives a ledger that was deleted, emptied or never committed.
        """
        return None

    def close(self):
        """Release connections; ``send`` calls it once at the end."""


class _Hide(logging.Filter):
    def __init__(self, values):
        super().__init__()
        self.values = sorted(values, key=len, reverse=True)

    def filter(self, record):
        if self.values:
            text = record.getMessage()
            for value in self.values:
                text = text.replace(value, "***")
            record.msg, record.args = text, ()
        return True


def check_form_url(setting, url, what):
    """A sign-up form's URL setting must be an http(s) address; else say what to set."""
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.netloc:
        raise SettingError(f"subscribe: {setting} is {url!r}; set it to {what}")


def _able(feature) -> str:
    """The registered providers that have ``feature``, for a message that lists them."""
    from . import REGISTRY, provider_class

    return ", ".join(n for n in REGISTRY if getattr(provider_class(n), feature))
