"""SMTP: one message per recipient over one reused connection (STARTTLS, SSL or plain).

Recipients come from a file outside the repo (path in ``NEWSLETTER_RECIPIENTS``; its format is
``newsletter.recipients``), read and checked whole before anything goes out. Progress is kept
per address (``newsletter.progress``), so a rerun mails exactly those not yet done: recipients
added since get the post, removed ones don't, and nobody gets it twice. A permanent refusal
(5xx to RCPT or DATA) is recorded, the address goes on the suppression list and the send goes on;
a temporary one (4xx, a dropped connection) stops the run, and the next one resumes. The honest
limit: a crash between the server accepting a message and the progress file hearing of it
repeats that one message. The message is rendered once; only ``To`` and ``Message-ID`` change per
recipient, so sending to thousands costs the same memory as sending to one.
"""

import contextlib
import logging
import smtplib
import socket
import ssl
import sys
from datetime import UTC, datetime
from email.utils import parseaddr
from pathlib import Path

from ..errors import ProviderError, SettingError
from ..progress import Progress
from ..recipients import Recipient
from ..recipients import read as read_recipients
from ..suppression import Suppressions
from ..unsubscribe import Copies, personalise, require_secret
from .base import Delivery, Provider

log = logging.getLogger(__name__)

# Per-address progress is kept in its own file after every message; the ledger's counts (for
# `newsletter.status`) are refreshed this often: rewriting the ledger for every one of 10,000
# recipients would cost more than sending.
CHECKPOINT_EVERY = 100


class SmtpProvider(Provider):
    name = "smtp"
    description = "one message per subscriber through your SMTP server; resumes where it stopped"
    settings = (
        "SMTP_HOST",
        "SMTP_PORT",
        "SMTP_SECURITY",
        "NEWSLETTER_FROM",
        "NEWSLETTER_UNSUBSCRIBE_URL",
    )
    environment = ("SMTP_USERNAME", "SMTP_PASSWORD", "NEWSLETTER_RECIPIENTS")
    form_settings = ("NEWSLETTER_SUBSCRIBE_ADDRESS",)

    def __init__(
        self,
        config,
        *,
        host=None,
        port=None,
        security=None,
        username=None,
        password=None,
        recipients_file=None,
        timeout=None,
        ssl_context=None,
        progress=None,
    ):
        """Each option defaults to its setting or environment variable.

        ``host``, ``port``, ``security``: ``SMTP_HOST``, ``SMTP_PORT``, ``SMTP_SECURITY``;
        ``username``, ``password``: ``SMTP_USERNAME``, ``SMTP_PASSWORD``; ``recipients_file``:
        ``NEWSLETTER_RECIPIENTS``; ``timeout``: ``NEWSLETTER_HTTP_TIMEOUT`` seconds;
        ``ssl_context``: for STARTTLS or SSL (default: the system's trusted certificates);
        ``progress``: show a progress bar (default: when stderr is a terminal).
        """
        super().__init__(config)
        env = config.env
        self.host = host if host is not None else config["SMTP_HOST"]
        self.port = int(port if port is not None else config["SMTP_PORT"])
        self.security = security if security is not None else config["SMTP_SECURITY"]
        self.username = username if username is not None else env.get("SMTP_USERNAME")
        self.password = password if password is not None else env.get("SMTP_PASSWORD")
        self.recipients_file = (
            recipients_file if recipients_file is not None else env.get("NEWSLETTER_RECIPIENTS")
        )
        self.timeout = timeout if timeout is not None else config["NEWSLETTER_HTTP_TIMEOUT"]
        self.ssl_context = ssl_context
        self.progress = progress
        if self.password and not self.username:
            raise SettingError(
                "smtp: SMTP_PASSWORD is set but SMTP_USERNAME is not, so the password would "
                "never be used; set SMTP_USERNAME too, or unset SMTP_PASSWORD"
            )
        if ssl_context is not None and self.security == "none":
            raise SettingError(
                "smtp: an ssl_context was given but SMTP_SECURITY = 'none' sends in the clear; "
                "set SMTP_SECURITY to 'starttls' or 'ssl'"
            )
        self._connection = None
        self._recipients = None

    @classmethod
    def public_form(cls, settings):
        """A ``mailto:`` link readers write to, as no web form can reach an SMTP-only list.

        The address is ``NEWSLETTER_SUBSCRIBE_ADDRESS`` (the inbox the subscribe task reads),
        else the sender's own address, so a reader always has somewhere to write.
        """
        address = str(settings.get("NEWSLETTER_SUBSCRIBE_ADDRESS") or "").strip()
        if not address:
            sender = settings.get("NEWSLETTER_FROM") or ""
            address = parseaddr(str(sender))[1]
        if not address:
            domain = str(settings.get("POST_ID_AUTHORITY") or "localhost").split("@")[-1]
            address = f"newsletter@{domain}"
        if "@" not in address or any(c in address for c in " <>?&"):
            raise SettingError(
                f"subscribe: NEWSLETTER_SUBSCRIBE_ADDRESS is {address!r}; set it to the plain "
                "email address readers write to, e.g. 'subscribe@example.org'"
            )
        return {
            "provider": cls.name,
            "action": None,
            "email_name": None,
            "hidden": [],
            "mailto": f"mailto:{address}?subject=subscribe",
            "address": address,
        }

    # -- the contract ---------------------------------------------------------------------------
    def deliver(self, email, *, record, checkpoint, schedule=None, draft=False):
        everyone = self.recipients()
        suppressed = Suppressions.for_config(self.config)
        progress = Progress.for_post(self._path(), email.marker)
        if record.get("state") == "sending" and record.get("recipients_done") and not progress:
            progress.adopt(record, everyone)  # A send begun before progress was kept per address.
        waiting = [
            (position, r)
            for position, r in enumerate(everyone, 1)
            if r.key not in progress and r.address not in suppressed
        ]
        skipped = sum(1 for r in everyone if r.key not in progress and r.address in suppressed)
        done, refused = progress.count("sent"), progress.count("refused")
        checkpoint(recipients_total=len(everyone), recipients_done=done, recipients_refused=refused)
        template = self._template(email)
        sender = parseaddr(self.config.sender)[1]
        with progress, self._progress(len(waiting)) as advance, _counted(checkpoint, lambda: done):
            for position, recipient in waiting:
                message = self._message(email, template, recipient)
                try:
                    self._send(sender, recipient.address, message)
                except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError) as exc:
                    code, reply = _reply(exc)
                    reply = self.mask(reply)  # A server may echo anything; it goes in a file.
                    if not 500 <= code < 600:
                        raise self._stopped(exc, done, position, len(everyone)) from None
                    # Refused for good (no such mailbox...): record it, never mail it again,
                    # and carry on: one bad address must not hold the post back from everyone.
                    progress.add(recipient, "refused")
                    suppressed.add(recipient.address, f"smtp {code} {reply} ({email.subject})")
                    refused += 1
                    log.warning("smtp: %s refused it (%s %s)", recipient.address, code, reply)
                    checkpoint(recipients_refused=refused)
                    continue
                except (smtplib.SMTPException, OSError) as exc:
                    raise self._stopped(exc, done, position, len(everyone)) from None
                progress.add(recipient, "sent")
                done += 1
                if done % CHECKPOINT_EVERY == 0:
                    checkpoint(recipients_done=done)
                advance()
        checkpoint(recipients_suppressed=skipped)
        detail = f"sent to {done} via {self.host}"
        if refused:
            detail += f", {refused} refused: see `./inv newsletter.status`"
        if skipped:
            detail += f", {skipped} on the suppression list skipped"
        return Delivery("sent", None, detail, refused=refused)

    def _stopped(self, exc, done, position, total) -> ProviderError:
        """A temporary failure (4xx, a dropped connection): stop; the next run resumes."""
        self.close()
        return ProviderError(
            f"smtp: stopped at recipient {position} of {total} ({_reason(exc)}); {done} "
            "delivered and recorded; run `./inv newsletter.send` again to resume (nobody who "
            "has it gets it twice)"
        )

    def send_test(self, email, address):
        msg = personalise(email.message(self.config, date=datetime.now(UTC)), address, self.config)
        try:
            self._send(parseaddr(self.config.sender)[1], address, msg.as_bytes())
        except (smtplib.SMTPException, OSError) as exc:
            raise ProviderError(
                f"smtp: the test copy to {address} failed ({_reason(exc)})"
            ) from None
        finally:
            self.close()
        return f"one copy to {address} via {self.host}"

    def close(self):
        if self._connection is not None:
            # A server that already hung up cannot say goodbye; the messages are what count.
            with contextlib.suppress(smtplib.SMTPException, OSError):
                self._connection.quit()
            self._connection = None
        self._recipients = None

    def validate(self):
        if self.username is not None:
            self.username = self._credential("SMTP_USERNAME", self.username)
        if self.password is not None:
            self.password = self._credential("SMTP_PASSWORD", self.password)
        self.recipients()
        require_secret(self.config)  # Every copy needs its own unsubscribe token.

    # -- helpers --------------------------------------------------------------------------------
    def _credential(self, name, value) -> str:
        stripped = value.strip()
        if stripped != value:
            log.warning("smtp: removed whitespace around %s (a pasted line break?)", name)
        if not stripped.isascii() or not stripped.isprintable():
            # smtplib's AUTH encodes the login as ASCII; anything else fails inside it.
            raise SettingError(
                f"smtp: {name} has characters SMTP login cannot send (only printable ASCII); "
                "use an ASCII password, e.g. an app password from your mail provider"
            )
        return stripped

    def _path(self) -> Path:
        if not self.recipients_file:
            raise SettingError(
                "smtp: set the environment variable NEWSLETTER_RECIPIENTS to the path of a file "
                "listing subscribers (one address a line), kept outside the repo"
            )
        return Path(self.recipients_file).expanduser()

    def recipients(self) -> list[Recipient]:
        """Every subscriber, checked and deduplicated (see ``newsletter.recipients``).

        Read once per run (``validate`` reads it before anything is sent; every post of the
        run goes to that list).
        """
        if self._recipients is None:
            self._recipients = read_recipients(self._path())
        return self._recipients

    def _message(self, email, template, recipient) -> bytes:
        """The one message ``recipient`` gets: their To, Message-ID, threading ids and their own
        unsubscribe token, made from the run's template (``unsubscribe.Copies``).

        Built here, one per recipient at send time: per-recipient headers go in this function.
        """
        return template.for_reader(recipient.address)

    def _template(self, email):
        """The message once, dated now; each recipient's copy is made from it (``_message``)."""
        return Copies(email.message(self.config, date=datetime.now(UTC)), self.config)

    def _send(self, sender, address, message):
        connection = self._connect()
        connection.sendmail(sender, [address], message)

    def _connect(self):
        if self._connection is not None:
            return self._connection
        context = self.ssl_context or ssl.create_default_context()
        try:
            if self.security == "ssl":
                connection = smtplib.SMTP_SSL(
                    self.host, self.port, timeout=self.timeout, context=context
                )
            else:
                connection = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
                if self.security == "starttls":
                    connection.starttls(context=context)
            # smtplib writes a message as several small packets; with Nagle's algorithm each one
            # waits for the server's delayed ACK (~40 ms), capping a send at ~25 messages/s.
            connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if self.username:
                connection.login(self.username, self.password or "")
        except smtplib.SMTPAuthenticationError:
            raise ProviderError(
                f"smtp: {self.host} refused the login; check SMTP_USERNAME and SMTP_PASSWORD"
            ) from None
        except (smtplib.SMTPException, OSError) as exc:
            raise ProviderError(
                f"smtp: cannot connect to {self.host}:{self.port} with SMTP_SECURITY = "
                f"{self.security!r} ({_reason(exc)}); check SMTP_HOST, SMTP_PORT, SMTP_SECURITY"
            ) from None
        self._connection = connection
        return connection

    def _progress(self, total):
        show = self.progress if self.progress is not None else sys.stderr.isatty()
        return _Bar(total, 0) if show else _NoBar()


@contextlib.contextmanager
def _counted(checkpoint, done):
    """Record how many are done when the loop ends, however it ends."""
    try:
        yield
    finally:
        checkpoint(recipients_done=done())


class _NoBar:
    def __enter__(self):
        return lambda: None

    def __exit__(self, *exc):
        return False


class _Bar:
    def __init__(self, total, start):
        from rich.progress import Progress

        self.bar = Progress(transient=True)
        self.task = self.bar.add_task("smtp: sending", total=total, completed=start)

    def __enter__(self):
        self.bar.start()
        return lambda: self.bar.advance(self.task)

    def __exit__(self, *exc):
        self.bar.stop()
        return False


def _reply(exc) -> tuple[int, str]:
    """The server's code and text for a refused recipient or message."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        code, text = next(iter(exc.recipients.values()))
    else:
        code, text = exc.smtp_code, exc.smtp_error
    text = text.decode(errors="replace") if isinstance(text, bytes) else str(text)
    return int(code), " ".join(text.split())


def _reason(exc) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        text = (
            exc.smtp_error.decode(errors="replace")
            if isinstance(exc.smtp_error, bytes)
            else exc.smtp_error
        )
        return f"server said {exc.smtp_code} {text}"
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        code, text = next(iter(exc.recipients.values()))
        return f"server said {code} {text.decode(errors='replace')}"
    return f"{type(exc).__name__}: {exc}"
