"""The list's mailbox, read over IMAP: subscribe requests, confirmations, unsubscribes, bounces.

For a writer who sends by SMTP and has nothing but a mailbox. ``process`` reads every message in
``NEWSLETTER_IMAP_FOLDER`` it has not handled yet and:

- ``subscribe`` (the subject, sent to ``NEWSLETTER_SUBSCRIBE_ADDRESS``): replies with a
  confirmation email whose subject carries a token; nothing is added yet (double opt-in);
- a reply whose subject has that token, from the address it was made for: adds the address to
  the subscribers file (``recipients.add_recipient``, once);
- ``unsubscribe <token>`` (the List-Unsubscribe mailto): the token names a subscriber
  (``unsubscribe.owner``) and that address goes on the suppression list; a forged token is ignored;
- a delivery status notification (RFC 3464, ``multipart/report; report-type=delivery-status``):
  each recipient whose ``Action`` is ``failed`` with a permanent ``5.x.x`` status is suppressed; a
  temporary failure only counts.

Each handled message gets the IMAP keyword ``$HappeningDone`` (and \\Seen), so a second run does
nothing; messages that are none of these are left exactly as they were. The summary holds counts
only: addresses are never printed or logged.
"""

import contextlib
import hmac
import logging
import re
import ssl
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from pathlib import Path

from happening.build import load_settings

from . import config as configuration
from . import unsubscribe
from .errors import ProviderError, SettingError
from .posts import as_site
from .recipients import add_recipient
from .suppression import Suppressions

log = logging.getLogger(__name__)

DONE = "$HappeningDone"  # The IMAP keyword that marks a message this task has handled.
PASSWORD = "NEWSLETTER_IMAP_PASSWORD"
_TOKEN = re.compile(r"\b([0-9a-f]{32})\b", re.IGNORECASE)


@dataclass
class Summary:
    """What one run did, in counts (never addresses)."""

    confirmations_sent: int = 0
    subscribed: int = 0
    unsubscribed: int = 0
    bounced: int = 0
    soft_bounces: int = 0
    ignored: int = 0  # Forged or stale tokens, confirmations from the wrong address...
    already: int = 0  # Valid requests that changed nothing (already on the list / suppressed).
    left: int = 0  # Messages that are none of ours: left unread and unflagged.
    notes: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        return [
            f"inbox: {self.confirmations_sent} confirmation request(s) sent, "
            f"{self.subscribed} subscribed, {self.unsubscribed} unsubscribed, "
            f"{self.bounced} suppressed after a permanent bounce",
            f"inbox: {self.soft_bounces} temporary bounce(s) counted, {self.ignored} ignored "
            f"(token did not verify), {self.already} changed nothing, {self.left} other "
            "message(s) left alone",
            *self.notes,
        ]


def check_inbox(settings=None, *, env=None, ssl_context=None, send=None) -> Summary:
    """``newsletter.inbox``: the site's settings (default publishconf.py), then :func:`process`."""
    site = as_site(settings)
    pelican = load_settings(site.settings_file, **site.overrides)
    return process(configuration.load(pelican, site.root, env), ssl_context=ssl_context, send=send)


def process(config, *, ssl_context=None, send=None) -> Summary:
    """Handle every new message in the list's mailbox once; return what was done.

    ``ssl_context`` verifies the IMAP server (default: the system's trusted certificates);
    ``send(message)`` mails a confirmation request (default: through the SMTP settings).
    """
    import imaplib  # noqa: PLC0415 - see _connect

    settings = _settings(config)
    secret = unsubscribe.require_secret(config)
    recipients_path = _recipients_path(config)
    suppressed = Suppressions.for_config(config)
    send = send or _smtp_sender(config)
    summary = Summary()
    imap = _connect(settings, ssl_context)
    try:
        _check(imap.select(settings["folder"]), f"cannot open folder {settings['folder']!r}")
        _, data = imap.uid("SEARCH", None, "UNKEYWORD", DONE)
        for uid in data[0].split():
            _, fetched = imap.uid("FETCH", uid, "(BODY.PEEK[])")
            raw = next(part[1] for part in fetched if isinstance(part, tuple))
            message = message_from_bytes(raw, policy=policy.default)
            handled = _handle(
                message, config, secret, recipients_path, suppressed, send, summary, settings
            )
            if handled:
                imap.uid("STORE", uid, "+FLAGS", f"({DONE} \\Seen)")
            else:
                summary.left += 1
    finally:
        # The work is recorded in the flags; a failed goodbye loses nothing.
        with contextlib.suppress(imaplib.IMAP4.error, OSError):
            imap.logout()
    return summary


def _handle(message, config, secret, recipients_path, suppressed, send, summary, settings):
    """Act on one message; True when it was ours (and is now handled)."""
    if message.get_content_type() == "multipart/report":
        return _bounce(message, suppressed, summary)
    subject = " ".join(str(message.get("Subject", "")).split())
    sender = parseaddr(str(message.get("From", "")))[1]
    words = subject.lower()
    found = _TOKEN.search(subject)
    if words.startswith("unsubscribe"):
        if not found:
            summary.ignored += 1
            return True
        address = unsubscribe.owner(found.group(1), _subscribers(recipients_path), secret)
        if address is None:
            summary.ignored += 1  # Forged, or for someone no longer on the list.
        elif suppressed.add(address, "unsubscribed by email (List-Unsubscribe mailto)"):
            summary.unsubscribed += 1
        else:
            summary.already += 1
        return True
    if found and "confirm" in words:
        if not sender or not hmac.compare_digest(found.group(1).lower(), _confirm(sender, secret)):
            summary.ignored += 1  # Only the address the request was made for can confirm it.
        elif add_recipient(recipients_path, sender):
            summary.subscribed += 1
            if sender.lower() in suppressed:
                summary.notes.append(
                    "inbox: a new subscriber is also on the suppression list (they unsubscribed "
                    "or bounced before); remove their line there to mail them again"
                )
        else:
            summary.already += 1
        return True
    if words in ("subscribe", "re: subscribe") and _to_subscribe_address(message, settings):
        if not sender:
            summary.ignored += 1
            return True
        send(_confirmation(config, sender, secret, settings))
        summary.confirmations_sent += 1
        return True
    return False


def _bounce(message, suppressed, summary) -> bool:
    """RFC 3464: per-recipient fields after the per-message ones, in message/delivery-status."""
    if message.get_param("report-type", "").lower() != "delivery-status":
        return False
    for part in message.walk():
        if part.get_content_type() != "message/delivery-status":
            continue
        for fields in _status_groups(part):
            action = fields.get("action", "").lower()
            status = fields.get("status", "")
            address = fields.get("final-recipient", "").split(";", 1)[-1].strip().strip("<>")
            if action != "failed" or "@" not in address:
                continue
            if status.startswith("5"):
                reason = f"bounced: {status} {fields.get('diagnostic-code', '')}".strip()
                if suppressed.add(address, reason):
                    summary.bounced += 1
                else:
                    summary.already += 1
            else:
                summary.soft_bounces += 1  # Given up for now, not for good: keep mailing.
    return True


def _status_groups(part) -> list[dict]:
    """The delivery-status body as field groups (the first is per-message), names lower-cased."""
    payload = part.get_payload()
    if isinstance(payload, list):  # The email package parses each group as a header block.
        blocks = [dict((k.lower(), str(v)) for k, v in group.items()) for group in payload]
        return blocks
    text = payload if isinstance(payload, str) else part.get_content()
    groups = []
    for block in re.split(r"\r?\n\s*\r?\n", text.strip()):
        fields = {}
        for line in re.sub(r"\r?\n[ \t]+", " ", block).splitlines():
            name, _, value = line.partition(":")
            fields[name.strip().lower()] = value.strip()
        groups.append(fields)
    return groups


def _confirm(address: str, secret: str) -> str:
    """The confirmation token: like the unsubscribe token, for another purpose."""
    return unsubscribe.token("confirm:" + address, secret)


def _confirmation(config, address, secret, settings) -> EmailMessage:
    site = config.settings.get("SITENAME") or "the newsletter"
    code = _confirm(address, secret)
    message = EmailMessage(policy=policy.SMTP)
    message["From"] = settings["subscribe_address"]
    message["To"] = address
    message["Subject"] = f"Confirm your subscription to {site} ({code})"
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = make_msgid(domain=settings["subscribe_address"].split("@")[-1])
    message["Auto-Submitted"] = "auto-replied"  # RFC 3834: no auto-reply loops.
    message.set_content(
        f"Someone, probably you, asked to get {site} by email at this address.\n\n"
        "To confirm, reply to this email (keep the subject as it is). Nothing more is needed.\n\n"
        "If it was not you, ignore this email: without a reply, nothing happens and you will "
        "get nothing more from us.\n"
    )
    return message


def _to_subscribe_address(message, settings) -> bool:
    wanted = settings["subscribe_address"].lower()
    for name in ("To", "Cc", "Delivered-To", "X-Original-To"):
        for value in message.get_all(name, []):
            if wanted in str(value).lower():
                return True
    return False


def _subscribers(path: Path) -> list[str]:
    if not path.exists():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    return [parseaddr(x)[1] for x in lines if x.strip() and not x.lstrip().startswith("#")]


def _settings(config) -> dict:
    host, user = config["NEWSLETTER_IMAP_HOST"], config["NEWSLETTER_IMAP_USER"]
    address = config["NEWSLETTER_SUBSCRIBE_ADDRESS"]
    for name, value in (
        ("NEWSLETTER_IMAP_HOST", host),
        ("NEWSLETTER_IMAP_USER", user),
        ("NEWSLETTER_SUBSCRIBE_ADDRESS", address),
    ):
        if not value:
            raise SettingError(
                f"inbox: set {name} in pelicanconf.py (see the README: 'A list with only SMTP "
                "and a mailbox')"
            )
    if "@" not in str(address):
        raise SettingError(
            f"inbox: NEWSLETTER_SUBSCRIBE_ADDRESS = {address!r} is not an email address"
        )
    port = config["NEWSLETTER_IMAP_PORT"]
    if not isinstance(port, int) or port <= 0:
        raise SettingError(f"inbox: NEWSLETTER_IMAP_PORT = {port!r} must be a port number")
    return {
        "host": host,
        "port": port,
        "user": user,
        "password": config.secret(PASSWORD, needed_for="newsletter.inbox"),
        "folder": config["NEWSLETTER_IMAP_FOLDER"],
        "subscribe_address": str(address),
    }


def _recipients_path(config) -> Path:
    chosen = config.env.get("NEWSLETTER_RECIPIENTS")
    if not chosen:
        raise SettingError(
            "inbox: set the environment variable NEWSLETTER_RECIPIENTS to the subscribers file "
            "(outside the repo); confirmed subscribers are added there"
        )
    return Path(chosen).expanduser()


def _connect(settings, context) -> "imaplib.IMAP4_SSL":  # noqa: F821 - imported below
    # imaplib and smtplib only where they are used: every build imports this package, and only
    # `newsletter.inbox` talks IMAP (~15 ms of every build's and release's start).
    import imaplib  # noqa: PLC0415

    where = f"{settings['host']}:{settings['port']}"
    try:
        imap = imaplib.IMAP4_SSL(
            settings["host"],
            settings["port"],
            ssl_context=context or ssl.create_default_context(),
            timeout=30,
        )
    except (OSError, ssl.SSLError) as exc:
        raise ProviderError(
            f"inbox: cannot reach the IMAP server {where} over TLS ({type(exc).__name__}: "
            f"{exc}); check NEWSLETTER_IMAP_HOST and NEWSLETTER_IMAP_PORT (993 for IMAPS)"
        ) from None
    try:
        imap.login(settings["user"], settings["password"])
    except imaplib.IMAP4.error:
        raise ProviderError(
            f"inbox: {where} refused the login; check NEWSLETTER_IMAP_USER and the environment "
            f"variable {PASSWORD}"
        ) from None
    return imap


def _check(response, what):
    status, data = response
    if status != "OK":
        raise ProviderError(f"inbox: {what} ({data[0]!r}); check NEWSLETTER_IMAP_FOLDER")


def _smtp_sender(config):
    """Mail through the same SMTP server and settings as ``newsletter.send`` (providers.smtp)."""
    import smtplib  # noqa: PLC0415 - see _connect

    from .providers.smtp import SmtpProvider

    def send(message):
        provider = SmtpProvider(config)
        try:
            # The provider's own connection (TLS, login, errors worded for the writer).
            provider._send(parseaddr(message["From"])[1], message["To"], message.as_bytes())
        except (smtplib.SMTPException, OSError) as exc:
            # Not flagged as handled: the next run sends the confirmation request again.
            raise ProviderError(
                f"inbox: could not send a confirmation request through {provider.host} "
                f"({type(exc).__name__}); check SMTP_HOST, SMTP_PORT, SMTP_SECURITY, then run "
                "`./inv newsletter.inbox` again"
            ) from None
        finally:
            provider.close()

    return send
