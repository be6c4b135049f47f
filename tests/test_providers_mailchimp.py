"""Mailchimp against a local server answering as the Marketing API 3.0 does."""

import base64

import pytest

from happening import newsletter
from happening.newsletter.errors import ProviderError, SettingError
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
KEY = "0123456789abcdef0123456789abcdef-us21"
AUTH = "Basic " + base64.b64encode(f"anystring:{KEY}".encode()).decode()


class FakeMailchimp(FakeService):
    """Campaigns: list (count/offset, total_items), create, content, send/schedule/test (204)."""

    def __init__(self, server):
        super().__init__(server)
        self.campaigns = []
        self.actions = []

    def handle(self, request, payload):
        if request.headers.get("Authorization") != AUTH:
            return 401, {
                "type": "https://mailchimp.com/developer/marketing/docs/errors/",
                "title": "API Key Invalid",
                "status": 401,
                "detail": "Your API key may be invalid, or you've attempted to access the wrong "
                "datacenter.",
                "instance": "2f6b5e0a-0000-0000-0000-000000000000",
            }
        parts = request.path.removeprefix("/3.0/").split("/")
        if request.method == "GET" and parts == ["campaigns"]:
            return self.list_campaigns(request)
        if request.method == "POST" and parts == ["campaigns"]:
            campaign = {
                "id": f"42694e9e{len(self.campaigns):02d}",
                "web_id": 101 + len(self.campaigns),
                "status": "save",
                "content_type": "template",
                "create_time": "2026-11-25T09:00:00+00:00",
                "send_time": "",  # The reference's example of a campaign not sent yet.
                **payload,
            }
            self.campaigns.append(campaign)
            return 200, campaign
        campaign = self.get(parts[1])
        if request.method == "PUT" and parts[2:] == ["content"]:
            campaign["content"] = payload
            return 200, {**payload, "_links": []}
        if request.method == "POST" and parts[2] == "actions":
            if "content" not in campaign:
                return 400, {
                    "title": "Bad Request",
                    "status": 400,
                    "detail": "Your Campaign is not ready to send.",
                }
            self.actions.append((campaign["id"], parts[3], payload))
            campaign["status"] = {"send": "sending", "schedule": "schedule"}.get(
                parts[3], campaign["status"]
            )
            if parts[3] == "send":
                self.sends += 1
                campaign["send_time"] = f"2026-11-25T10:{self.sends:02d}:00+00:00"
            return 204, None
        return 404, {"title": "Resource Not Found", "status": 404, "detail": "Not found"}

    def get(self, campaign_id):
        return next(c for c in self.campaigns if c["id"] == campaign_id)

    # Mailchimp Marketing API reference, Campaigns > List campaigns (GET /campaigns), query
    # parameters: status one of save, paused, schedule, sending, sent; sort_field create_time
    # or send_time; sort_dir ASC or DESC; count at most 1000 (default 10); offset; fields, a
    # comma list of dotted names. Anything else is answered 400 as the API does.
    list_statuses = ("save", "paused", "schedule", "sending", "sent")
    sort_fields = ("create_time", "send_time")
    sends = 0  # Campaigns sent so far: each one's send_time is a minute after the last.

    def list_campaigns(self, request):
        """{campaigns: [...], total_items} for the filters, sorted and paged as asked."""
        args = request.args
        status = args.get("status")
        sort_field, sort_dir = args.get("sort_field"), args.get("sort_dir", "DESC")
        count, offset = args.get("count", "10"), args.get("offset", "0")
        if (
            (status is not None and status not in self.list_statuses)
            or (sort_field is not None and sort_field not in self.sort_fields)
            or sort_dir not in ("ASC", "DESC")
            or not (count.isdigit() and 0 < int(count) <= 1000 and offset.isdigit())
        ):
            return 400, {
                "type": "https://mailchimp.com/developer/marketing/docs/errors/",
                "title": "Invalid Resource",
                "status": 400,
                "detail": "The resource submitted could not be validated.",
            }
        found = [c for c in self.campaigns if status is None or c["status"] == status]
        if sort_field:
            found.sort(key=lambda c: c[sort_field], reverse=sort_dir == "DESC")
        page = found[int(offset) : int(offset) + int(count)]
        fields = [f.split(".") for f in args["fields"].split(",")] if "fields" in args else None
        return 200, {
            "campaigns": [_only(c, fields, "campaigns") for c in page],
            "total_items": len(found),
        }


def _only(item, fields, prefix):
    """``item`` with only the dotted ``fields`` under ``prefix`` kept, as ?fields= does."""
    if fields is None:
        return item
    kept = {}
    for path in fields:
        if path[0] != prefix or len(path) < 2:
            continue
        source, target = item, kept
        for name in path[1:-1]:
            source = source.get(name) or {}
            target = target.setdefault(name, {})
        if path[-1] in source:
            target[path[-1]] = source[path[-1]]
    return kept


@pytest.fixture(scope="module")
def server():
    yield from http_server()


@pytest.fixture
def service(server):
    yield from fake_service(server, FakeMailchimp)


def send(tmp_path, service, sleeps=None, key=KEY, **options):
    settings = {
        "NEWSLETTER_PROVIDER": "mailchimp",
        "MAILCHIMP_API_URL": service.server.url_for("/3.0"),
        "MAILCHIMP_LIST_ID": "a1b2c3d4e5",
        **options.pop("settings", {}),
    }
    return newsletter.send(
        site(tmp_path, **settings),
        env={"MAILCHIMP_API_KEY": key},
        sleep=sleeps if sleeps is not None else Sleeps(),
        **options,
    )


def test_send_lists_creates_fills_and_sends_one_campaign_as_documented(tmp_path, service):
    started_ledger(tmp_path)
    send(tmp_path, service, post="first-light")
    (find, create, content, action) = service.calls
    assert find[:3] == (
        "GET",
        "/3.0/campaigns",
        {
            "fields": "campaigns.id,campaigns.status,campaigns.settings.title,total_items",
            "count": "1000",
            "offset": "0",
        },
    )
    assert find[3]["Authorization"] == AUTH
    assert create[:2] == ("POST", "/3.0/campaigns")
    assert create[4] == {
        "type": "regular",
        "recipients": {"list_id": "a1b2c3d4e5"},
        "settings": {
            "subject_line": "First light",
            "preview_text": "The first tiny post.",
            "title": f"First light [{marker(FIRST)}]",
            "from_name": "Happening Now",
            "reply_to": "newsletter@happeningnow.example",
        },
    }
    assert content[:2] == ("PUT", "/3.0/campaigns/42694e9e00/content")
    assert set(content[4]) == {"html", "plain_text"}
    assert 'href="*|UNSUB|*"' in content[4]["html"] and "*|UNSUB|*" in content[4]["plain_text"]
    assert action[:2] == ("POST", "/3.0/campaigns/42694e9e00/actions/send") and action[4] is None
    record = ledger_posts(tmp_path)[FIRST]
    assert (record["state"], record["remote_id"]) == ("sent", "42694e9e00")


def test_the_data_centre_comes_from_the_key(tmp_path):
    from happening.newsletter import config
    from happening.newsletter.providers.mailchimp import MailchimpProvider

    settings = {"MAILCHIMP_LIST_ID": "x", "NEWSLETTER_PROVIDER": "mailchimp"}
    provider = MailchimpProvider(config.load(settings, tmp_path, {"MAILCHIMP_API_KEY": KEY}))
    assert provider.http.base_url == "https://us21.api.mailchimp.com/3.0/"


def test_429_with_retry_after_is_waited_out_then_succeeds(tmp_path, service):
    started_ledger(tmp_path)
    service.script.append(("GET", "/campaigns", 429, {"Retry-After": "2"}, {"title": "Too Many"}))
    sleeps = Sleeps()
    send(tmp_path, service, sleeps, post="first-light")
    assert sleeps == [2.0] and len(service.actions) == 1


def test_500_twice_on_the_content_then_success(tmp_path, service):
    started_ledger(tmp_path)
    service.script += [("PUT", "/content", 500, {}, {"title": "Internal Server Error"})] * 2
    sleeps = Sleeps()
    send(tmp_path, service, sleeps, post="first-light")
    assert sleeps == [1, 2] and len(service.actions) == 1


def test_a_timeout_on_send_is_not_retried_and_the_rerun_does_not_send_twice(tmp_path, service):
    started_ledger(tmp_path)
    service.hang = ("POST", "/actions/send")
    sleeps = Sleeps()
    with pytest.raises(ProviderError, match="NEWSLETTER_HTTP_TIMEOUT"):
        send(
            tmp_path, service, sleeps, post="first-light", settings={"NEWSLETTER_HTTP_TIMEOUT": 0.3}
        )
    service.released.set()
    # The request the client gave up on still reaches Mailchimp, as a slow one really can.
    assert service.hung_request_done.wait(10)
    assert sleeps == [] and ledger_posts(tmp_path)[FIRST]["state"] == "sending"
    send(tmp_path, service, post="first-light")  # The campaign is "sending": done.
    assert len(service.actions) == 1 and len(service.campaigns) == 1
    assert ledger_posts(tmp_path)[FIRST]["state"] == "sent"


def test_401_is_one_clear_line_without_the_key_and_no_retry(tmp_path, service):
    started_ledger(tmp_path)
    sleeps = Sleeps()
    wrong = "ffffffffffffffffffffffffffffffff-us21"
    with pytest.raises(ProviderError) as failure:
        send(tmp_path, service, sleeps, key=wrong, post="first-light")
    message = str(failure.value)
    assert "MAILCHIMP_API_KEY" in message and "401" in message and wrong not in message
    assert len(service.calls) == 1 and sleeps == []


def test_a_crash_after_create_is_resumed_without_a_second_campaign(tmp_path, service):
    started_ledger(tmp_path)
    with ledger_dies_when(lambda fields: "remote_id" in fields), pytest.raises(KeyboardInterrupt):
        send(tmp_path, service, post="first-light")
    send(tmp_path, service, post="first-light")
    assert len(service.requests("POST")) == 2  # one create, one send
    assert len(service.campaigns) == 1 and len(service.actions) == 1


def test_schedule_needs_a_quarter_hour(tmp_path, service):
    started_ledger(tmp_path)
    with pytest.raises(SettingError, match="quarter hour"):
        send(tmp_path, service, post="first-light", schedule="2999-05-01T08:10:00+00:00")
    assert service.calls == []
    send(tmp_path, service, post="first-light", schedule="2999-05-01T08:15:00+00:00")
    assert service.actions == [
        ("42694e9e00", "schedule", {"schedule_time": "2999-05-01T08:15:00+00:00"})
    ]
    assert ledger_posts(tmp_path)[FIRST]["state"] == "scheduled"


def test_test_copy_records_nothing(tmp_path, service):
    ledger = started_ledger(tmp_path)
    before = ledger.read_bytes()
    send(tmp_path, service, post="first-light", test_to="me@example.org")
    assert service.actions == [
        ("42694e9e00", "test", {"test_emails": ["me@example.org"], "send_type": "html"})
    ]
    assert ledger.read_bytes() == before
