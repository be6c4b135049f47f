"""listmonk against a local server answering as listmonk's /api does."""

import pytest

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

FIRST = "tag:happeningnow.example,2024-01-10:first-light"
AUTH = "token api-user:lm-token-789"


class FakeListmonk(FakeService):
    """Campaigns API: query, create, update, status, test; every answer wrapped in {"data"}."""

    def __init__(self, server):
        super().__init__(server)
        self.campaigns = []
        self.tests = []

    # listmonk-docs/campaigns.md, "POST /api/campaigns", Parameters: the required fields and
    # the allowed values of type and content_type.
    required = ("name", "subject", "lists", "type", "content_type", "body")
    types = ("regular", "optin")
    content_types = ("richtext", "html", "markdown", "plain", "visual")
    # listmonk-openapi.yaml, paths./campaigns/{id}/status.put: the status enum.
    statuses = ("scheduled", "running", "paused", "cancelled")
    page_size = 2  # listmonk-docs/apis.md: results are paged unless per_page=all.

    def handle(self, request, payload):
        # listmonk-docs/apis.md: "Authorization: token api_user:token" (or BasicAuth).
        if request.headers.get("Authorization") != AUTH:
            return 403, {"message": "invalid API credentials"}
        path = request.path.removeprefix("/api/")
        parts = path.split("/")
        if (
            request.method in ("POST", "PUT")
            and path == "campaigns"
            or (request.method == "PUT" and len(parts) == 2)
        ):
            missing = [f for f in self.required if payload.get(f) in (None, "", [])]
            if (
                missing
                or payload["type"] not in self.types
                or (payload["content_type"] not in self.content_types)
            ):
                return 400, {"message": f"invalid campaign: {', '.join(missing) or 'type'}"}
        is_status = request.method == "PUT" and len(parts) == 3 and parts[2] == "status"
        if is_status and payload.get("status") not in self.statuses:
            return 400, {"message": "invalid status"}
        if request.method == "GET" and path == "campaigns":
            return self.list_campaigns(request)
        if request.method == "POST" and path == "campaigns":
            campaign = {
                "id": len(self.campaigns) + 1,
                "uuid": f"uuid-{len(self.campaigns)}",
                "status": "draft",
                "created_at": "2026-11-25T10:00:00Z",
                "updated_at": "2026-11-25T10:00:00Z",
                "started_at": None,
                **payload,
            }
            self.campaigns.append(campaign)
            return 200, {"data": campaign}
        if request.method == "PUT" and len(parts) == 3 and parts[2] == "status":
            campaign = self.get(parts[1])
            campaign["status"] = payload["status"]
            if payload["status"] == "running" and not campaign.get("started_at"):
                # Campaign.started_at: set when it starts going out.
                self.starts += 1
                campaign["started_at"] = f"2026-11-25T10:{self.starts:02d}:00.123456+01:00"
            return 200, {"data": campaign}
        if request.method == "PUT" and len(parts) == 2:
            campaign = self.get(parts[1])
            campaign.update(payload)
            return 200, {"data": campaign}
        if request.method == "POST" and len(parts) == 3 and parts[2] == "test":
            self.tests.append((int(parts[1]), payload["subscribers"]))
            return 200, {"data": True}
        return 404, {"message": "Not found"}

    def get(self, campaign_id):
        return next(c for c in self.campaigns if c["id"] == int(campaign_id))

    # listmonk-openapi.yaml, paths./campaigns.get.parameters: order_by and order enums; the
    # statuses a campaign has (the i18n keys campaigns.status.*: draft, scheduled, running,
    # paused, cancelled, finished; listmonk-docs/campaigns.md: `status` is a []string "repeat
    # in the query for multiple values").
    campaign_statuses = ("draft", "scheduled", "running", "paused", "cancelled", "finished")
    order_bys = ("name", "status", "created_at", "updated_at")
    starts = 0  # Campaigns started so far: each one's started_at is a minute after the last.

    def list_campaigns(self, request):
        """GET /api/campaigns: query (name and subject), status (repeated), order_by, order,
        page and per_page (a number or "all"); {"data": {results, query, total, per_page,
        page}}, ``page_size`` a page when per_page is not given."""
        statuses = request.args.getlist("status")
        order_by = request.args.get("order_by", "created_at")
        order = request.args.get("order", "DESC")
        per_page = request.args.get("per_page", str(self.page_size))
        if (
            set(statuses) - set(self.campaign_statuses)
            or order_by not in self.order_bys
            or order not in ("ASC", "DESC")
            or not (per_page == "all" or per_page.isdigit())
        ):
            return 400, {"message": "Invalid request parameters"}
        query = request.args.get("query", "").lower()
        found = [
            c
            for c in self.campaigns
            if query in (c["name"] + " " + c["subject"]).lower()
            and (not statuses or c["status"] in statuses)
        ]
        found.sort(key=lambda c: (str(c.get(order_by)), c["id"]), reverse=order == "DESC")
        results = [{k: v for k, v in c.items() if k != "body"} for c in found]
        total = len(results)
        page = int(request.args.get("page", 1))
        if per_page != "all":
            size = int(per_page)
            results = results[(page - 1) * size : page * size]
        return 200, {
            "data": {
                "results": results,
                "query": request.args.get("query", ""),
                "total": total,
                "per_page": total if per_page == "all" else int(per_page),
                "page": page,
            }
        }


@pytest.fixture(scope="module")
def server():
    yield from http_server()


@pytest.fixture
def service(server):
    yield from fake_service(server, FakeListmonk)


def send(tmp_path, service, sleeps=None, token="lm-token-789", **options):
    settings = {
        "NEWSLETTER_PROVIDER": "listmonk",
        "LISTMONK_URL": service.server.url_for("/"),
        "LISTMONK_LIST_IDS": [3],
        **options.pop("settings", {}),
    }
    return newsletter.send(
        site(tmp_path, **settings),
        env={"LISTMONK_API_USER": "api-user", "LISTMONK_API_TOKEN": token},
        sleep=sleeps if sleeps is not None else Sleeps(),
        **options,
    )


def test_send_searches_creates_and_starts_one_campaign_as_documented(tmp_path, service):
    started_ledger(tmp_path)
    send(tmp_path, service, post="first-light")
    (find, create, start) = service.calls
    assert find[:3] == (
        "GET",
        "/api/campaigns",
        {"query": marker(FIRST), "per_page": "all", "no_body": "true"},
    )
    assert find[3]["Authorization"] == AUTH
    method, path, _, headers, body = create
    assert (method, path) == ("POST", "/api/campaigns")
    assert headers["Content-Type"] == "application/json"
    assert set(body) == {
        "name",
        "subject",
        "lists",
        "from_email",
        "type",
        "content_type",
        "body",
        "altbody",
        "tags",
    }
    assert body["name"] == f"First light [{marker(FIRST)}]"
    assert (body["subject"], body["lists"], body["type"], body["content_type"]) == (
        "First light",
        [3],
        "regular",
        "html",
    )
    assert 'href="{{ UnsubscribeURL }}"' in body["body"]
    assert "Unsubscribe: {{ UnsubscribeURL }}" in body["altbody"]
    assert start[:2] == ("PUT", "/api/campaigns/1/status") and start[4] == {"status": "running"}
    record = ledger_posts(tmp_path)[FIRST]
    assert (record["state"], record["remote_id"]) == ("sent", "1")


def test_429_with_retry_after_is_waited_out_then_succeeds(tmp_path, service):
    started_ledger(tmp_path)
    service.script.append(("GET", "/campaigns", 429, {"Retry-After": "4"}, {"message": "slow"}))
    sleeps = Sleeps()
    send(tmp_path, service, sleeps, post="first-light")
    assert sleeps == [4.0] and len(service.campaigns) == 1


def test_500_twice_on_the_status_change_then_success(tmp_path, service):
    started_ledger(tmp_path)
    service.script += [("PUT", "/status", 500, {}, {"message": "db busy"})] * 2
    sleeps = Sleeps()
    send(tmp_path, service, sleeps, post="first-light")
    assert sleeps == [1, 2]
    assert service.campaigns[0]["status"] == "running"


def test_a_500_on_create_is_not_retried_and_the_rerun_creates_once(tmp_path, service):
    started_ledger(tmp_path)
    service.script.append(("POST", "/campaigns", 500, {}, {"message": "boom"}))
    sleeps = Sleeps()
    with pytest.raises(ProviderError, match="500"):
        send(tmp_path, service, sleeps, post="first-light")
    assert sleeps == [] and len(service.requests("POST")) == 1
    send(tmp_path, service, post="first-light")
    assert len(service.campaigns) == 1 and service.campaigns[0]["status"] == "running"


def test_a_timeout_is_retried_for_a_safe_request(tmp_path, service):
    started_ledger(tmp_path)
    service.hang = ("GET", "/campaigns")
    sleeps = Sleeps()
    send(tmp_path, service, sleeps, post="first-light", settings={"NEWSLETTER_HTTP_TIMEOUT": 0.3})
    service.released.set()
    assert sleeps == [1] and len(service.campaigns) == 1


def test_403_is_one_clear_line_without_the_token_and_no_retry(tmp_path, service):
    started_ledger(tmp_path)
    sleeps = Sleeps()
    with pytest.raises(ProviderError) as failure:
        send(tmp_path, service, sleeps, token="bad-token-000", post="first-light")
    message = str(failure.value)
    assert "LISTMONK_API_TOKEN" in message and "403" in message
    assert "bad-token-000" not in message and "\n" not in message
    assert len(service.calls) == 1 and sleeps == []


def test_a_crash_after_create_is_resumed_without_a_second_campaign(tmp_path, service):
    started_ledger(tmp_path)
    # Created at listmonk; the ledger never heard.
    with ledger_dies_when(lambda fields: "remote_id" in fields), pytest.raises(KeyboardInterrupt):
        send(tmp_path, service, post="first-light")
    assert "remote_id" not in ledger_posts(tmp_path)[FIRST]
    send(tmp_path, service, post="first-light")
    assert len(service.requests("POST")) == 1 and len(service.campaigns) == 1
    assert service.campaigns[0]["status"] == "running"
    assert ledger_posts(tmp_path)[FIRST]["state"] == "sent"


def test_schedule_sets_send_at_then_scheduled(tmp_path, service):
    started_ledger(tmp_path)
    send(tmp_path, service, post="first-light", schedule="2999-05-01T08:00:00+00:00")
    assert service.requests("POST")[0][4]["send_at"] == "2999-05-01T08:00:00+00:00"
    assert service.calls[-1][4] == {"status": "scheduled"}
    assert ledger_posts(tmp_path)[FIRST]["state"] == "scheduled"


def test_draft_and_test_copy(tmp_path, service):
    ledger = started_ledger(tmp_path)
    before = ledger.read_bytes()
    send(tmp_path, service, post="first-light", test_to="me@example.org")
    assert service.tests == [(1, ["me@example.org"])]
    assert ledger.read_bytes() == before
    send(tmp_path, service, post="first-light", draft=True)
    assert ledger_posts(tmp_path)[FIRST]["state"] == "draft"
    assert len(service.campaigns) == 1 and service.campaigns[0]["status"] == "draft"
