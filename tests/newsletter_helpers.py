"""Shared by the newsletter tests: the test site with its own ledger and outbox, an SMTP server."""

import socket
import threading
from contextlib import contextmanager
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from pytest_httpserver import HTTPServer

from conftest import TEST_SITE, process_cache
from happening.build import PROD_SETTINGS
from happening.newsletter import Site

SITE_URL = "https://blog.example"


def site(tmp_path, content=TEST_SITE, **settings) -> Site:
    """The test site built with the production settings; ledger, outbox, previews in tmp_path.

    The cards and image sizes its builds cache are shared by the tests of this process.
    """
    return Site(
        PROD_SETTINGS,
        {
            "PATH": str(content),
            "SITEURL": SITE_URL,
            "CACHE_PATH": str(process_cache()),
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
        self.secure = []  # Whether each message came over TLS.
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            if self.fail_after is not None and len(self.messages) >= self.fail_after:
                return "451 4.3.0 Temporary local problem"
            self.secure.append(session.ssl is not None)
            self.messages.append(
                (list(envelope.rcpt_tos), message_from_bytes(envelope.content, policy=policy.SMTP))
            )
        return "250 OK"


class SmtpServer:
    """A real SMTP server (aiosmtpd) on 127.0.0.1."""

    def __init__(self, **options):
        self.handler = Handler()
        self.port = free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port, **options)

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
    return {"NEWSLETTER_RECIPIENTS": str(path), "NEWSLETTER_UNSUBSCRIBE_SECRET": "t3st"}, addresses


# -- HTTP services: a real server on 127.0.0.1 answering as the service's documented API does ----


def http_server():
    """The body of a module-scoped ``server`` fixture: pytest-httpserver on 127.0.0.1."""
    # Threaded, so a request left hanging (the timeout tests) does not block the retry.
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    yield server
    server.stop()


def fake_service(server, fake_class):
    """The body of a ``service`` fixture: a fresh ``fake_class`` answering on ``server``."""
    server.clear()
    fake = fake_class(server)
    yield fake
    fake.released.set()  # A request still hanging must not outlive its test.
    server.clear()


class FakeService:
    """Base for a stateful stand-in for an email service's HTTP API, on pytest-httpserver.

    ``calls`` records every request (method, path, query, headers, JSON); ``script`` holds
    answers to give before the normal ones: ``(method, path_suffix, status, headers, body)``,
    ``body`` a JSON value, or a werkzeug ``Response`` given as it is (a proxy's HTML page).
    ``hang`` makes the next matching request wait (the client times out) until released.
    """

    def __init__(self, server):
        import re

        self.server = server
        self.calls = []
        self.script = []
        self.hang = None
        self.released = threading.Event()
        self.hung_request_done = threading.Event()
        server.expect_request(re.compile(".*")).respond_with_handler(self._handle)

    def _handle(self, request):
        import json

        body = request.get_data()
        payload = json.loads(body) if body else None
        self.calls.append(
            (request.method, request.path, request.args.to_dict(), dict(request.headers), payload)
        )
        if self.hang and request.method == self.hang[0] and request.path.endswith(self.hang[1]):
            self.hang = None
            self.released.wait(10)  # Released by the test once the client has given up.
            try:
                return self._answer(request, payload)
            finally:
                self.hung_request_done.set()
        return self._answer(request, payload)

    def _answer(self, request, payload):
        import json

        from werkzeug import Response

        for index, (method, suffix, status, headers, answer) in enumerate(self.script):
            if method == request.method and request.path.endswith(suffix):
                del self.script[index]
                if isinstance(answer, Response):
                    return answer
                return Response(
                    json.dumps(answer), status, headers, content_type="application/json"
                )
        status, answer = self.handle(request, payload)
        if status == 204:
            return Response(status=204)
        return Response(json.dumps(answer), status, content_type="application/json")

    def handle(self, request, payload):  # pragma: no cover - subclasses answer
        raise NotImplementedError

    def requests(self, method=None):
        return [c for c in self.calls if method is None or c[0] == method]


class Sleeps(list):
    """An injectable sleep that records how long it was asked to wait, and returns at once."""

    def __call__(self, seconds):
        self.append(seconds)


@contextmanager
def ledger_dies_when(crash):
    """The process dies (KeyboardInterrupt) at a ledger update whose fields ``crash`` accepts.

    For the crash between a call to the service and the ledger hearing of it; the real
    ``Ledger.update`` is back once the block is left.
    """
    from happening.newsletter.ledger import Ledger

    real_update = Ledger.update

    def update(self, post_id, **fields):
        if crash(fields):
            raise KeyboardInterrupt
        return real_update(self, post_id, **fields)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Ledger, "update", update)
        yield


OLD_POST = {
    "date": "2000-01-01T09:00:00+00:00",
    "finished": "2000-01-01T10:00:00+00:00",
    "provider": "baseline",
    "slug": "an-old-post",
    "source": "posts/gone.md",
    "state": "baseline",
    "title": "An old post, long gone",
    "url": "posts/2000/an-old-post/",
}


def started_ledger(tmp_path):
    """A ledger recording one old post (since removed) as sent: the blog has started sending.

    An empty ledger is no ledger (the archive guard would refuse); this one lets every post of
    the test site through the guard, since they are all newer than the old one.
    """
    import json

    ledger = {"posts": {"tag:old.example,2000-01-01:an-old-post": OLD_POST}, "version": 1}
    (tmp_path / "ledger.json").write_text(json.dumps(ledger, indent=2) + "\n")
    return tmp_path / "ledger.json"


def ledger_posts(tmp_path):
    """The ledger's records, without the old post ``started_ledger`` planted."""
    import json

    posts = json.loads((tmp_path / "ledger.json").read_text())["posts"]
    posts.pop("tag:old.example,2000-01-01:an-old-post", None)
    return posts
