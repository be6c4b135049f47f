"""Buttondown against a local server answering as api.buttondown.com/v1 does."""

from urllib.parse import urlencode

import pytest

from conftest import published_posts
from happening import newsletter
from happening.newsletter.errors import ProviderError
from happening.newsletter.render import marker
from newsletter_helpers import (
    FakeService,
    Sleeps,
    fake_service,
    http_server,
    ledger_dies_when,
    ledger_posts,
    site,
    started_ledger,
)

KEY = "bd-secret-key-123"
FIRST = "tag:happeningnow.example,2024-01-10:first-light"


class FakeButtondown(FakeService):
    """Emails API: list (paginated; `next` is a full URL), create (idempotent), patch, test."""

    page_size = 2

    def __init__(self, server):
        super().__init__(server)
        self.emails = []
        self.keys = {}
        self.tests = []

    # Buttondown OpenAPI (buttondown/openapi 1ad6649), components.schemas.EmailInput: the
    # properties a create may carry ("subject" required); EmailUpdateInput for PATCH.
    create_fields = {
        "attachments", "publish_date", "subject", "slug", "description", "canonical_url",
        "image", "body", "archival_mode", "email_type", "status", "metadata", "secondary_id",
        "filters", "template", "commenting_mode", "related_email_ids", "featured",
        "should_trigger_pay_per_email_billing",
    }  # fmt: skip
    update_fields = (create_fields - {"should_trigger_pay_per_email_billing"}) | {
        "suppression_reason",
        "should_trigger_pay_per_email_billing",
    }
    # buttondown-enums.json, EmailStatus.
    statuses = {
        "about_to_send", "deleted", "draft", "errored", "imported", "in_flight",
        "managed_by_rss", "paused", "resending", "scheduled", "sent", "suppressed",
        "throttled", "transactional",
    }  # fmt: skip

    def handle(self, request, payload):
        if request.headers.get("Authorization") != f"Token {KEY}":
            # paths./emails.*.responses.401: ErrorMessage {detail}.
            return 401, {"detail": "Invalid token."}
        path = request.path.removeprefix("/v1/")
        if request.method == "PATCH" or (request.method == "POST" and path == "emails"):
            fields = self.update_fields if request.method == "PATCH" else self.create_fields
            if not isinstance(payload, dict) or set(payload) - fields:
                # responses.422: ValidationErrorMessage, {detail: [{loc, msg, type}]}.
                unknown = sorted(set(payload or {}) - fields) or ["body"]
                return 422, {"detail": [{"loc": ["body", unknown[0]], "msg": "extra field"}]}
            if payload.get("status") not in (None, *self.statuses):
                return 400, {"code": "status_invalid", "detail": "Invalid status."}
        if request.method == "GET" and path == "emails":
            return self.list_emails(request)
        if request.method == "POST" and path == "emails":
            key = request.headers.get("X-Idempotency-Key")
            if key in self.keys:
                return 201, self.keys[key]
            if not payload.get("subject"):
                return 422, {"detail": [{"loc": ["body", "subject"], "msg": "Field required"}]}
            if (
                payload.get("status") == "about_to_send"
                and request.headers.get("X-API-Version") == "2026-04-01"
                and request.headers.get("X-Buttondown-Live-Dangerously") != "true"
            ):
                # buttondown-enums.json, EmailCreationErrorCode.sending_requires_confirmation;
                # specs/README.md (Buttondown's "Safer defaults for the email creation API"):
                # under 2026-04-01 an explicit about_to_send needs the header, else 400.
                return 400, {
                    "code": "sending_requires_confirmation",
                    "detail": "Sending requires the X-Buttondown-Live-Dangerously header.",
                    "metadata": {},
                }
            email = {
                "id": f"8c1a0000-0000-4000-8000-{len(self.emails):012d}",
                "creation_date": "2026-11-25T10:00:00Z",
                "publish_date": payload.get("publish_date") or self.published(payload),
                "email_type": "public",
                "absolute_url": f"https://buttondown.com/example/archive/{payload['slug']}/",
                **payload,
            }
            self.emails.append(email)
            self.keys[key] = email
            return 201, email
        if request.method == "PATCH" and path.startswith("emails/"):
            email = self.get(path.split("/")[1])
            email.update(payload)
            email["publish_date"] = email.get("publish_date") or self.published(payload)
            return 200, email
        if request.method == "POST" and path.endswith("/send-draft"):
            self.tests.append((path.split("/")[1], payload["recipients"]))
            return 200, {}
        return 404, {"detail": "Not found."}

    def get(self, remote_id):
        return next(e for e in self.emails if e["id"] == remote_id)

    # paths./emails.get.parameters: the query parameters List Emails takes. The fake refuses any
    # other (the real API would ignore it), so a filter the API does not have cannot pass
    # unnoticed and read as "no emails".
    list_parameters = {
        "status", "-status", "ids", "ordering", "creation_date__start", "creation_date__end",
        "publish_date__start", "publish_date__end", "excluded_fields", "source",
        "archival_mode", "email_type", "subject", "attachments", "snippet_id",
        "deliveries__start", "deliveries__end", "click_rate__start", "click_rate__end",
        "open_rate__start", "open_rate__end", "page",
    }  # fmt: skip
    # ... and the sort keys its `ordering` enum allows (those the fake can sort by).
    orderings = {"creation_date", "publish_date", "subject", "status"}
    sends = 0  # Emails sent so far: each one's publish_date is a minute after the last.

    def published(self, payload):
        """EmailOutput.publish_date: "the date and time at which the email was published"."""
        if (payload or {}).get("status") != "about_to_send":
            return None
        self.sends += 1
        return f"2026-11-25T10:{self.sends:02d}:00Z"

    def list_emails(self, request):
        """paths./emails.get: filters status / -status (arrays: the key repeated), ordering,
        excluded_fields; components.schemas.EmailPage {results, next, previous, count}, pages of
        ``page_size`` (small, so that every client reads more than one)."""
        unknown = sorted(set(request.args) - self.list_parameters)
        statuses = request.args.getlist("status") + request.args.getlist("-status")
        ordering = request.args.get("ordering", "creation_date")
        if unknown or set(statuses) - self.statuses or ordering.lstrip("-") not in self.orderings:
            # responses.422: ValidationErrorMessage.
            where = unknown[0] if unknown else "status" if statuses else "ordering"
            return 422, {"detail": [{"loc": ["query", where], "msg": "invalid", "type": "value"}]}
        found = [e for e in self.emails if e["status"] in request.args.getlist("status")]
        if "status" not in request.args:
            found = list(self.emails)
        found = [e for e in found if e["status"] not in request.args.getlist("-status")]
        key = ordering.lstrip("-")
        found.sort(key=lambda e: str(e.get(key) or ""), reverse=ordering.startswith("-"))
        page = int(request.args.get("page", 1))
        start = (page - 1) * self.page_size
        results = found[start : start + self.page_size]
        excluded = set(request.args.getlist("excluded_fields"))

        def link(number):
            query = [(k, v) for k, v in request.args.items(multi=True) if k != "page"]
            return self.server.url_for(f"/v1/emails?{urlencode([*query, ('page', number)])}")

        return 200, {
            "results": [{k: v for k, v in e.items() if k not in excluded} for e in results],
            "next": link(page + 1) if start + self.page_size < len(found) else None,
            "previous": link(page - 1) if page > 1 else None,
            "count": len(found),
        }


@pytest.fixture(scope="module")
def server():
    yield from http_server()


@pytest.fixture
def service(server):
    yield from fake_service(server, FakeButtondown)


def send(tmp_path, service, sleeps=None, key=KEY, **options):
    settings = {
        "NEWSLETTER_PROVIDER": "buttondown",
        "BUTTONDOWN_API_URL": service.server.url_for("/v1"),
        **options.pop("settings", {}),
    }
    return newsletter.send(
        site(tmp_path, **settings),
        env={"BUTTONDOWN_API_KEY": key},
        sleep=sleeps if sleeps is not None else Sleeps(),
        **options,
    )


def test_send_lists_then_creates_one_email_exactly_as_documented(tmp_path, service):
    started_ledger(tmp_path)
    send(tmp_path, service, post="first-light")
    (get, post) = service.calls
    assert get[:3] == ("GET", "/v1/emails", {"excluded_fields": "body"})
    method, path, query, headers, body = post
    assert (method, path, query) == ("POST", "/v1/emails", {})
    assert headers["Authorization"] == f"Token {KEY}"
    assert headers["X-Api-Version"] == "2026-04-01"
    assert headers["X-Idempotency-Key"] == f"{marker(FIRST)}-about_to_send"
    assert headers["Content-Type"] == "application/json"
    assert set(body) == {
        "subject",
        "body",
        "slug",
        "canonical_url",
        "description",
        "metadata",
        "status",
    }
    assert body["subject"] == "First light"
    assert body["body"].startswith("<!-- buttondown-editor-mode: fancy -->\n<!DOCTYPE html>")
    assert body["slug"] == "first-light"
    assert body["canonical_url"] == "https://blog.example/posts/first-light/"
    assert body["description"] == "The first tiny post."
    assert body["metadata"] == {"post_id": FIRST, "marker": marker(FIRST)}
    assert body["status"] == "about_to_send"
    assert "Unsubscribe" not in body["body"]  # Buttondown adds its own footer.
    record = ledger_posts(tmp_path)[FIRST]
    assert record["state"] == "sent" and record["remote_id"] == service.emails[0]["id"]


def test_429_with_retry_after_is_waited_out_then_succeeds(tmp_path, service):
    started_ledger(tmp_path)
    service.script.append(("GET", "/emails", 429, {"Retry-After": "7"}, {"detail": "Slow down"}))
    sleeps = Sleeps()
    send(tmp_path, service, sleeps, post="first-light")
    assert sleeps == [7.0]
    assert [c[0] for c in service.calls] == ["GET", "GET", "POST"]
    assert len(service.emails) == 1


def test_500_twice_then_success_retries_the_idempotent_create(tmp_path, service):
    started_ledger(tmp_path)
    service.script += [("POST", "/emails", 500, {}, {"detail": "oops"})] * 2
    sleeps = Sleeps()
    send(tmp_path, service, sleeps, post="first-light")
    assert sleeps == [1, 2]
    posts = service.requests("POST")
    assert len(posts) == 3 and len({c[3]["X-Idempotency-Key"] for c in posts}) == 1
    assert len(service.emails) == 1


def test_a_timeout_is_retried_for_a_safe_request(tmp_path, service):
    started_ledger(tmp_path)
    service.hang = ("GET", "/emails")
    sleeps = Sleeps()
    send(tmp_path, service, sleeps, post="first-light", settings={"NEWSLETTER_HTTP_TIMEOUT": 0.3})
    service.released.set()
    assert sleeps == [1]
    assert len(service.emails) == 1


def test_401_is_one_clear_line_without_the_key_and_no_retry(tmp_path, service):
    started_ledger(tmp_path)
    sleeps = Sleeps()
    with pytest.raises(ProviderError) as failure:
        send(tmp_path, service, sleeps, key="wrong-key-456", post="first-light")
    message = str(failure.value)
    assert "BUTTONDOWN_API_KEY" in message and "401" in message and "\n" not in message
    assert "wrong-key-456" not in message
    assert len(service.calls) == 1 and sleeps == []
    assert ledger_posts(tmp_path)[FIRST]["state"] == "sending"


def test_a_crash_after_create_is_resumed_without_a_second_email(tmp_path, service):
    started_ledger(tmp_path)
    with (
        ledger_dies_when(lambda fields: fields.get("state") == "sent"),
        pytest.raises(KeyboardInterrupt),
    ):
        send(tmp_path, service, post="first-light")
    assert ledger_posts(tmp_path)[FIRST]["state"] == "sending"
    send(tmp_path, service, post="first-light")
    assert len(service.requests("POST")) == 1 and len(service.emails) == 1
    assert ledger_posts(tmp_path)[FIRST]["state"] == "sent"
    # Every later post, oldest first; first light is done, and posts older than it stay back.
    report = send(tmp_path, service, max_per_run=99)
    first = next(p for p in published_posts() if p["slug"] == "first-light")
    later = [p["title"] for p in published_posts()[::-1] if p["date"] > first["date"]]
    older = [p["title"] for p in published_posts()[::-1] if p["date"] < first["date"]]
    assert [e["subject"] for e in service.emails] == ["First light", *later]
    assert [s.post.title for s in report.steps if s.action == "guard"] == older


def test_an_email_found_on_a_later_page_is_not_created_again(tmp_path, service):
    started_ledger(tmp_path)
    for n in range(3):
        service.emails.append(
            {"id": f"other-{n}", "subject": "Old", "status": "sent", "metadata": {}}
        )
    service.emails.append(
        {"id": "ours", "subject": "First light", "status": "sent", "metadata": {"post_id": FIRST}}
    )
    send(tmp_path, service, post="first-light")
    assert [c[0] for c in service.calls] == ["GET", "GET"]
    assert service.calls[1][2] == {"excluded_fields": "body", "page": "2"}
    assert ledger_posts(tmp_path)[FIRST]["remote_id"] == "ours"


def test_draft_then_send_sends_the_same_email(tmp_path, service):
    started_ledger(tmp_path)
    send(tmp_path, service, post="first-light", draft=True)
    assert service.emails[0]["status"] == "draft"
    assert ledger_posts(tmp_path)[FIRST]["state"] == "draft"
    send(tmp_path, service, post="first-light")
    # The draft's content is brought up to date (PATCH), then it is sent (PATCH).
    assert [c[0] for c in service.calls] == ["GET", "POST", "GET", "PATCH", "PATCH"]
    assert set(service.calls[-2][4]) == {"subject", "body", "description"}
    assert service.calls[-1][4] == {"status": "about_to_send"}
    assert len(service.emails) == 1 and ledger_posts(tmp_path)[FIRST]["state"] == "sent"


def test_schedule_sets_status_and_publish_date(tmp_path, service):
    started_ledger(tmp_path)
    send(tmp_path, service, post="first-light", schedule="2999-05-01T08:00:00+00:00")
    body = service.requests("POST")[0][4]
    assert body["status"] == "scheduled"
    assert body["publish_date"] == "2999-05-01T08:00:00+00:00"
    assert ledger_posts(tmp_path)[FIRST]["state"] == "scheduled"


def test_test_copy_uses_send_draft_and_records_nothing(tmp_path, service):
    ledger = started_ledger(tmp_path)
    before = ledger.read_bytes()
    send(tmp_path, service, post="first-light", test_to="me@example.org")
    assert service.tests == [(service.emails[0]["id"], ["me@example.org"])]
    assert service.emails[0]["status"] == "draft"
    assert ledger.read_bytes() == before


def test_422_names_the_field_the_service_rejected(tmp_path, service):
    started_ledger(tmp_path)
    answer = {
        "detail": [
            {
                "type": "string_too_long",
                "loc": ["body", "payload", "subject"],
                "msg": "String should have at most 2000 characters",
            }
        ]
    }
    service.script.append(("POST", "/emails", 422, {}, answer))
    sleeps = Sleeps()
    with pytest.raises(ProviderError) as failure:
        send(tmp_path, service, sleeps, post="first-light")
    assert str(failure.value) == (
        "buttondown: the service rejected POST /v1/emails (422): "
        "subject: String should have at most 2000 characters"
    )
    assert sleeps == [] and len(service.requests("POST")) == 1
