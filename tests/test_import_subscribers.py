"""`newsletter.subscribers import`: readers to the provider, the others to the suppression list.

The fakes answer as each service's published API does (cited per fake); every request is
recorded, so the tests assert the exact batches sent.
"""

import json
import logging

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Response

from happening.newsletter.errors import ProviderError
from happening.newsletter.subscribers import ListError, export_list, format_counts, import_list
from happening.newsletter.suppression import Suppressions
from import_helpers import GHOST_MEMBERS, SUBSTACK_LIST, new_site, newsletter_site
from newsletter_helpers import Sleeps

ACTIVE = ["reader@example.org", "supporter@example.org"]


@pytest.fixture
def members(tmp_path):
    path = tmp_path / "export" / "members.csv"
    path.parent.mkdir()
    path.write_text(GHOST_MEMBERS, encoding="utf-8")
    return path


@pytest.fixture
def server():
    server = HTTPServer(host="127.0.0.1", port=0)
    server.start()
    yield server
    server.clear()
    server.stop()


def env_for(tmp_path, **more):
    private = tmp_path / "private"  # Outside the site: addresses never go into the repo.
    return {
        "NEWSLETTER_RECIPIENTS": str(private / "recipients.txt"),
        "NEWSLETTER_SUPPRESSIONS": str(private / "suppressions.txt"),
        **more,
    }


def suppressed(tmp_path) -> dict[str, str]:
    lines = (tmp_path / "private" / "suppressions.txt").read_text().splitlines()
    entries = [line.split("\t") for line in lines if not line.startswith("#")]
    return {fields[0]: fields[2] for fields in entries}


def test_ghost_members_go_to_the_smtp_list_and_the_others_to_the_suppression_list(
    tmp_path, members, caplog
):
    caplog.set_level(logging.DEBUG)
    site = newsletter_site(new_site(tmp_path), NEWSLETTER_PROVIDER="smtp")
    env = env_for(tmp_path)
    counts = import_list(site, members, env=env)
    assert (tmp_path / "private" / "recipients.txt").read_text().splitlines() == [
        "Katherine Johnson <reader@example.org>",
        "Grace Hopper <supporter@example.org>",
    ]
    assert suppressed(tmp_path) == {
        "quiet@example.org": "unsubscribed (imported from members.csv)",
        "bounce@example.org": "bounced (imported from members.csv)",
    }
    shown = format_counts(counts)
    assert shown.splitlines() == [
        "subscribers: 4 read; 2 added to smtp, 0 already there",
        "suppressed: 2 added to the suppression list (1 bounced, 1 unsubscribed), 0 already on it",
    ]
    # Counts only: no address in the report or the log, nor anywhere in the site.
    everything = (
        shown
        + caplog.text
        + "".join(
            p.read_text(errors="replace") for p in (tmp_path / "content").rglob("*") if p.is_file()
        )
    )
    assert "@example.org" not in everything
    # Idempotent: a second run adds nobody and suppresses nobody again.
    again = import_list(site, members, env=env)
    assert (again.added, again.already, again.already_suppressed) == (0, 2, 2)
    assert len((tmp_path / "private" / "recipients.txt").read_text().splitlines()) == 2


def test_a_reader_unsubscribed_here_is_not_put_back_by_an_old_list(tmp_path):
    env = env_for(tmp_path)
    site = newsletter_site(new_site(tmp_path), NEWSLETTER_PROVIDER="smtp")
    Suppressions(tmp_path / "private" / "suppressions.txt").add("Ada@example.org", "unsubscribed")
    export = tmp_path / "email_list.happening.csv"
    export.write_text(SUBSTACK_LIST, encoding="utf-8")
    counts = import_list(site, export, env=env)
    assert (counts.added, counts.kept_out, dict(counts.suppressed)) == (1, 1, {"bounced": 1})
    assert (tmp_path / "private" / "recipients.txt").read_text() == "grace@example.org\n"


def test_the_substack_zip_itself_is_a_list(tmp_path):
    from import_helpers import substack_zip

    site = newsletter_site(new_site(tmp_path), NEWSLETTER_PROVIDER="smtp")
    counts = import_list(site, substack_zip(tmp_path), env=env_for(tmp_path))
    assert (counts.read, counts.added, dict(counts.suppressed)) == (3, 2, {"bounced": 1})


def test_readers_who_never_confirmed_are_neither_listed_nor_suppressed(tmp_path):
    # A Mailchimp audience export's statuses: pending (double opt-in not confirmed), cleaned.
    export = tmp_path / "audience.csv"
    export.write_text(
        "email,name,status\nyes@example.org,Yes,subscribed\n"
        "maybe@example.org,,pending\ngone@example.org,,cleaned\n",
        encoding="utf-8",
    )
    site = newsletter_site(new_site(tmp_path), NEWSLETTER_PROVIDER="smtp")
    counts = import_list(site, export, env=env_for(tmp_path))
    assert (counts.added, counts.unconsented, dict(counts.suppressed)) == (1, 1, {"cleaned": 1})
    assert "left out: 1 who never confirmed" in format_counts(counts)
    assert (tmp_path / "private" / "recipients.txt").read_text() == "Yes <yes@example.org>\n"


def test_a_dry_run_counts_and_writes_nothing(tmp_path, members):
    site = newsletter_site(new_site(tmp_path), NEWSLETTER_PROVIDER="smtp")
    counts = import_list(site, members, dry_run=True, env=env_for(tmp_path))
    assert not (tmp_path / "private").exists()
    assert format_counts(counts).startswith("subscribers: dry run, nothing changed: 4 read; 2")


def test_the_outbox_has_no_list_and_says_what_to_set(tmp_path, members):
    site = newsletter_site(new_site(tmp_path))  # NEWSLETTER_PROVIDER defaults to the outbox.
    with pytest.raises(Exception, match="'outbox' keeps no list of readers; set it to smtp"):
        import_list(site, members, env=env_for(tmp_path))
    assert not (tmp_path / "private").exists()


def test_files_inside_the_project_are_refused(tmp_path, members):
    site = newsletter_site(new_site(tmp_path), NEWSLETTER_PROVIDER="smtp")
    inside = {"NEWSLETTER_RECIPIENTS": str(tmp_path / "content" / "r.txt")}
    with pytest.raises(Exception, match="points inside the project"):
        import_list(site, members, env=env_for(tmp_path, **inside))


def test_a_malformed_list_names_the_file_and_row_but_not_the_address(tmp_path):
    bad = tmp_path / "members.csv"
    bad.write_text("email,name\nok@example.org,Ok\nnot-an-address,Bad\n", encoding="utf-8")
    site = newsletter_site(new_site(tmp_path), NEWSLETTER_PROVIDER="smtp")
    with pytest.raises(ListError) as caught:
        import_list(site, bad, env=env_for(tmp_path))
    assert str(caught.value) == (
        "subscribers: members.csv row 3: the email column is not an email address"
    )


def test_export_writes_the_list_outside_the_repo_and_reads_back(tmp_path, members):
    site = newsletter_site(new_site(tmp_path), NEWSLETTER_PROVIDER="smtp")
    env = env_for(tmp_path)
    import_list(site, members, env=env)
    out = tmp_path / "private" / "list.csv"
    counts = export_list(site, out, env=env)
    assert out.read_text().splitlines() == [
        "email,name,status",
        "reader@example.org,Katherine Johnson,subscribed",
        "supporter@example.org,Grace Hopper,subscribed",
        "bounce@example.org,,unsubscribed",
        "quiet@example.org,,unsubscribed",
    ]
    assert (counts.added, sum(counts.suppressed.values())) == (2, 2)


# -- Buttondown ---------------------------------------------------------------------------------
def test_buttondown_gets_one_create_per_reader_and_a_known_one_is_left_alone(
    tmp_path, members, server
):
    # buttondown-openapi.json: POST /v1/subscribers takes SubscriberInput (email_address, type,
    # metadata), answers 201; with the default X-Buttondown-Collision-Behavior (no_op) an
    # existing address is 400 with code email_already_exists; 429 is rate limiting.
    calls = []
    known = {"supporter@example.org"}
    state = {"throttled": False}

    def handler(request):
        calls.append((request.headers.get("Authorization"), request.get_json()))
        if not state["throttled"]:
            state["throttled"] = True
            return Response("{}", 429, {"Retry-After": "2"}, content_type="application/json")
        body = request.get_json()
        if body["email_address"] in known:
            answer = {"code": "email_already_exists", "detail": "That email already exists."}
            return Response(json.dumps(answer), 400, content_type="application/json")
        known.add(body["email_address"])
        return Response(json.dumps({"id": "sub_1", **body}), 201, content_type="application/json")

    server.expect_request("/v1/subscribers", method="POST").respond_with_handler(handler)
    site = newsletter_site(
        new_site(tmp_path),
        NEWSLETTER_PROVIDER="buttondown",
        BUTTONDOWN_API_URL=server.url_for("/v1"),
    )
    sleeps = Sleeps()
    env = env_for(tmp_path, BUTTONDOWN_API_KEY="bd-key")
    counts = import_list(site, members, env=env, sleep=sleeps)
    first = {
        "email_address": "reader@example.org",
        "type": "regular",
        "metadata": {"name": "Katherine Johnson"},
    }
    second = {
        "email_address": "supporter@example.org",
        "type": "regular",
        "metadata": {"name": "Grace Hopper"},
    }
    assert calls == [("Token bd-key", first), ("Token bd-key", first), ("Token bd-key", second)]
    assert sleeps == [2.0]  # Retry-After honoured.
    assert (counts.added, counts.already) == (1, 1)


# -- Mailchimp ----------------------------------------------------------------------------------
def test_mailchimp_gets_batches_of_members_without_updating_existing_ones(
    tmp_path, members, server, monkeypatch
):
    # Marketing API "Batch subscribe or unsubscribe": POST /lists/{list_id} with members (up to
    # 500 a call) and update_existing; the answer counts total_created and lists errors, an
    # address already in the audience as error_code ERROR_CONTACT_EXISTS.
    from happening.newsletter import subscribers

    monkeypatch.setattr(subscribers, "MAILCHIMP_BATCH", 1)  # Two readers: two batches.
    bodies = []

    def handler(request):
        body = request.get_json()
        bodies.append(body)
        address = body["members"][0]["email_address"]
        if address == "supporter@example.org":
            error = {
                "email_address": address,
                "error": "exists",
                "error_code": "ERROR_CONTACT_EXISTS",
            }
            answer = {"new_members": [], "errors": [error], "total_created": 0, "error_count": 1}
        else:
            answer = {"new_members": [{"email_address": address}], "errors": [], "total_created": 1}
        return Response(json.dumps(answer), 200, content_type="application/json")

    server.expect_request("/3.0/lists/list123", method="POST").respond_with_handler(handler)
    site = newsletter_site(
        new_site(tmp_path),
        NEWSLETTER_PROVIDER="mailchimp",
        MAILCHIMP_API_URL=server.url_for("/3.0"),
        MAILCHIMP_LIST_ID="list123",
    )
    counts = import_list(site, members, env=env_for(tmp_path, MAILCHIMP_API_KEY="k-us1"))
    assert bodies == [
        {
            "members": [
                {
                    "email_address": "reader@example.org",
                    "status": "subscribed",
                    "merge_fields": {"FNAME": "Katherine Johnson"},
                }
            ],
            "update_existing": False,
        },
        {
            "members": [
                {
                    "email_address": "supporter@example.org",
                    "status": "subscribed",
                    "merge_fields": {"FNAME": "Grace Hopper"},
                }
            ],
            "update_existing": False,
        },
    ]
    assert (counts.added, counts.already) == (1, 1)


# -- listmonk -----------------------------------------------------------------------------------
def test_listmonk_gets_one_csv_import_and_it_is_awaited(tmp_path, members, server):
    # listmonk-docs/import.md: POST /api/import/subscribers, multipart `params` (JSON: mode,
    # delim, lists, overwrite) and `file`; GET /api/import/subscribers answers
    # {"data": {"name", "total", "imported", "status"}} while the import runs.
    uploads = []
    polls = iter(["importing", "finished"])

    def upload(request):
        uploads.append((json.loads(request.form["params"]), request.files["file"].read().decode()))
        return Response(json.dumps({"data": {}}), 200, content_type="application/json")

    def status(request):
        data = {"name": "subscribers.csv", "total": 2, "imported": 1, "status": next(polls)}
        return Response(json.dumps({"data": data}), 200, content_type="application/json")

    server.expect_request("/api/import/subscribers", method="POST").respond_with_handler(upload)
    server.expect_request("/api/import/subscribers", method="GET").respond_with_handler(status)
    site = newsletter_site(
        new_site(tmp_path),
        NEWSLETTER_PROVIDER="listmonk",
        LISTMONK_URL=server.url_for("/"),
        LISTMONK_LIST_IDS=[3],
    )
    env = env_for(tmp_path, LISTMONK_API_USER="api", LISTMONK_API_TOKEN="tok")
    sleeps = Sleeps()
    counts = import_list(site, members, env=env, sleep=sleeps)
    assert uploads == [
        (
            {
                "mode": "subscribe",
                "subscription_status": "confirmed",
                "delim": ",",
                "lists": [3],
                "overwrite": False,
            },
            "email,name,attributes\r\n"
            "reader@example.org,Katherine Johnson,{}\r\n"
            "supporter@example.org,Grace Hopper,{}\r\n",
        )
    ]
    assert sleeps == [1]  # One poll while it was importing.
    assert (counts.added, counts.already) == (1, 1)


def test_a_service_error_quoting_an_address_is_shown_without_it(tmp_path, members, server):
    answer = {"code": "", "detail": "reader@example.org: something broke"}
    server.expect_request("/v1/subscribers", method="POST").respond_with_json(answer, 418)
    site = newsletter_site(
        new_site(tmp_path),
        NEWSLETTER_PROVIDER="buttondown",
        BUTTONDOWN_API_URL=server.url_for("/v1"),
    )
    with pytest.raises(ProviderError) as caught:
        import_list(site, members, env=env_for(tmp_path, BUTTONDOWN_API_KEY="bd-key"))
    assert "@" not in str(caught.value)
    assert "<address>: something broke" in str(caught.value)


# -- export from the services ------------------------------------------------------------------
def test_buttondown_export_follows_next_and_maps_subscriber_types(tmp_path, server):
    # buttondown-openapi.json: GET /v1/subscribers answers a SubscriberPage (results, next,
    # previous, count); SubscriberType (buttondown-enums.json) says who may be emailed.
    first = {
        "results": [
            {"email_address": "a@example.org", "type": "regular", "metadata": {"name": "A"}},
            {"email_address": "b@example.org", "type": "undeliverable", "metadata": {}},
        ],
        "next": server.url_for("/v1/subscribers") + "?page=2",
        "previous": None,
        "count": 3,
    }
    second = {
        "results": [{"email_address": "c@example.org", "type": "unactivated", "metadata": {}}],
        "next": None,
        "previous": None,
        "count": 3,
    }
    server.expect_ordered_request("/v1/subscribers", method="GET").respond_with_json(first)
    server.expect_ordered_request(
        "/v1/subscribers", method="GET", query_string="page=2"
    ).respond_with_json(second)
    site = newsletter_site(
        new_site(tmp_path),
        NEWSLETTER_PROVIDER="buttondown",
        BUTTONDOWN_API_URL=server.url_for("/v1"),
    )
    out = tmp_path / "private" / "list.csv"
    counts = export_list(site, out, env={"BUTTONDOWN_API_KEY": "bd-key"})
    assert out.read_text().splitlines() == [
        "email,name,status",
        "a@example.org,A,subscribed",
        "b@example.org,,bounced",
    ]
    assert dict(counts.refused) == {"unactivated": 1}  # Never confirmed: not exported.


def test_mailchimp_and_listmonk_exports_page_through_their_lists(tmp_path, server):
    # Mailchimp: GET /lists/{id}/members?count=&offset= answers members and total_items.
    # listmonk-docs/subscribers.md: GET /api/subscribers?per_page=all answers data.results.
    pages = {
        "0": {
            "members": [{"email_address": "m1@example.org", "status": "subscribed"}],
            "total_items": 2,
        },
        "1": {
            "members": [{"email_address": "m2@example.org", "status": "cleaned"}],
            "total_items": 2,
        },
    }
    server.expect_request("/3.0/lists/L1/members").respond_with_handler(
        lambda request: Response(
            json.dumps(pages[request.args["offset"]]), 200, content_type="application/json"
        )
    )
    listmonk = {
        "data": {
            "results": [
                {
                    "email": "l1@example.org",
                    "name": "L",
                    "status": "enabled",
                    "lists": [{"id": 3, "subscription_status": "confirmed"}],
                },
                {"email": "l2@example.org", "name": "", "status": "blocklisted", "lists": []},
            ]
        }
    }
    server.expect_request(
        "/api/subscribers", query_string="per_page=all&list_id=3"
    ).respond_with_json(listmonk)
    overrides = new_site(tmp_path)
    mailchimp = newsletter_site(
        overrides,
        NEWSLETTER_PROVIDER="mailchimp",
        MAILCHIMP_API_URL=server.url_for("/3.0"),
        MAILCHIMP_LIST_ID="L1",
    )
    out = tmp_path / "private" / "mailchimp.csv"
    export_list(mailchimp, out, env={"MAILCHIMP_API_KEY": "k-us1"})
    assert out.read_text().splitlines()[1:] == [
        "m1@example.org,,subscribed",
        "m2@example.org,,cleaned",
    ]
    lm = newsletter_site(
        overrides,
        NEWSLETTER_PROVIDER="listmonk",
        LISTMONK_URL=server.url_for("/"),
        LISTMONK_LIST_IDS=[3],
    )
    out = tmp_path / "private" / "listmonk.csv"
    export_list(lm, out, env={"LISTMONK_API_USER": "api", "LISTMONK_API_TOKEN": "tok"})
    assert out.read_text().splitlines()[1:] == [
        "l1@example.org,L,subscribed",
        "l2@example.org,,blocked",
    ]
