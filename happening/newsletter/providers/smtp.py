"""SMTP: one message per recipient over one reused connection (STARTTLS, SSL or plain).

Recipients come from a file outside the repo (path in ``NEWSLETTER_RECIPIENTS``, one address a
line, ``#`` comments). After each accepted message the number of recipients done is written to
the ledger, so a failure at recipient 21 resumes at 21 on the next ``send``, with no duplicates.
The message is rendered once; only ``To`` and ``Message-ID`` change per recipient, so sending
to thousands costs the same memory as sending to one.
"""

import contextlib
import hashlib
import logging
import smtplib
import socket
import ssl
import sys
from datetime import UTC, datetime
from email.utils import parseaddr
from pathlib import Path

from ..errors import ProviderError, SettingError
from .base import Delivery, Provider

log = logging.getLogger(__name__)


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
        total, fingerprint = self.survey()
        start = int(record.get("recipients_done", 0)) if record.get("state") == "sending" else 0
        if start and record.get("recipients_sha256") not in (None, fingerprint):
            # Resuming by position is only right if the list is the one the first run used.
            raise SettingError(
                f"smtp: {email.subject!r} stopped after {start} recipients, and the "
                f"NEWSLETTER_RECIPIENTS file has changed since; restore the list it was sent "
                "from and run send again"
            )
        checkpoint(recipients_total=total, recipients_done=start, recipients_sha256=fingerprint)
        head, body = self._template(email)
        sender = parseaddr(self.config.sender)[1]
        done = start
        with self._progress(total, start) as advance:
            for index, address in self.recipients():
                if index < start:
                    continue
                message = (
                    b"To: " + address.encode("ascii") + b"\r\n"
                    b"Message-ID: "
                    + email.message_id(self.config, f".{index + 1}").encode()
                    + b"\r\n"
                    + head
                    + body
                )
                try:
                    self._send(sender, address, message)
                except (smtplib.SMTPException, OSError) as exc:
                    self.close()
                    raise ProviderError(
                        f"smtp: stopped at recipient {index + 1} of {total} "
                        f"({_reason(exc)}); {done} delivered and recorded in the ledger; run "
                        f"`invoke newsletter.send` again to resume at {done + 1}"
                    ) from None
                done = index + 1
                checkpoint(recipients_done=done)
                advance()
        return Delivery("sent", None, f"{done} recipient(s) via {self.host}")

    def send_test(self, email, address):
        msg = email.message(self.config, to=address, date=datetime.now(UTC))
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

    def validate(self):
        self.survey()

    # -- helpers --------------------------------------------------------------------------------
    def survey(self) -> tuple[int, str]:
        """Check every address; return how many there are and a fingerprint of the list."""
        digest = hashlib.sha256()
        total = 0
        for _, address in self.recipients():
            digest.update(address.lower().encode() + b"\n")
            total += 1
        return total, digest.hexdigest()[:16]

    def recipients(self):
        """``(index, address)`` for each subscriber, read as needed: memory stays flat."""
        if not self.recipients_file:
            raise SettingError(
                "smtp: set the environment variable NEWSLETTER_RECIPIENTS to the path of a file "
                "listing subscribers (one address a line), kept outside the repo"
            )
        path = Path(self.recipients_file).expanduser()
        try:
            handle = path.open(encoding="utf-8")
        except OSError as exc:
            raise SettingError(
                f"smtp: cannot read NEWSLETTER_RECIPIENTS file {path} ({exc.strerror})"
            ) from None
        index = 0
        with handle:
            for number, line in enumerate(handle, 1):
                line = line.strip()
                if not line or line.startswith("#"):
                    continue
                address = parseaddr(line)[1]
                if "@" not in address or not address.isascii():
                    raise SettingError(
                        f"smtp: {path}, line {number}: {line!r} is not an email address"
                    )
                yield index, address
                index += 1

    def _template(self, email):
        """The message once, without To and Message-ID: (headers, blank line + body) as bytes."""
        msg = email.message(self.config, date=datetime.now(UTC))
        del msg["To"]
        del msg["Message-ID"]
        raw = msg.as_bytes()
        split = raw.index(b"\r\n\r\n") + 2
        return raw[:split], raw[split:]

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

    def _progress(self, total, start):
        show = self.progress if self.progress is not None else sys.stderr.isatty()
        return _Bar(total, start) if show else _NoBar()


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
