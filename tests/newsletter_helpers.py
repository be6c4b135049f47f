"""Shared by the newsletter tests: the test site with its own ledger and outbox, an SMTP server."""

import socket
import threading
from email import message_from_bytes, policy

from aiosmtpd.controller import Controller

from conftest import TEST_SITE
from newsletter import Site
from workflow.build import PROD_SETTINGS

SITE_URL = "https://blog.example"


def site(tmp_path, content=TEST_SITE, **settings) -> Site:
    """The test site built with the production settings; ledger, outbox, previews in tmp_path."""
    return Site(
        PROD_SETTINGS,
        {
            "PATH": str(content),
            "SITEURL": SITE_URL,
            "NEWSLETTER_LEDGER": str(tmp_path / "ledger.json"),
            "NEWSLETTER_OUTBOX": str(tmp_path / "outbox"),
            "NEWSLETTER_PREVIEWS": str(tmp_path / "previews"),
            **settings,
        },
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Handler:
    """Keeps every message; refuses every message after ``fail_after`` while that is set."""

    def __init__(self):
        self.messages = []
        self.fail_after = None
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            if self.fail_after is not None and len(self.messages) >= self.fail_after:
                return "451 4.3.0 Temporary local problem"
            self.messages.append(
                (list(envelope.rcpt_tos), message_from_bytes(envelope.content, policy=policy.SMTP))
            )
        return "250 OK"


class SmtpServer:
    """A real SMTP server (aiosmtpd) on 127.0.0.1."""

    def __init__(self):
        self.handler = Handler()
        self.port = free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()

    @property
    def messages(self):
        return self.handler.messages

    def settings(self):
        return {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": self.port, "SMTP_SECURITY": "none"}


def recipients(tmp_path, count) -> tuple[dict, list[str]]:
    addresses = [f"reader{n}@example.org" for n in range(1, count + 1)]
    path = tmp_path / "recipients.txt"
    path.write_text("# subscribers\n" + "\n".join(addresses) + "\n", encoding="utf-8")
    return {"NEWSLETTER_RECIPIENTS": str(path)}, addresses
