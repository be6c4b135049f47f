"""One retry loop: backoff, Retry-After (seconds or a date), retrying only what may be repeated."""

from datetime import UTC, datetime

import pytest
import requests

from happening import retry
from happening.plugins.feeds import websub
from newsletter_helpers import Sleeps
from test_websub import httpserver_listen_address, output, settings  # noqa: F401

NOW = datetime(2026, 5, 1, 8, 0, 0, tzinfo=UTC)


def answer(status, **headers):
    response = requests.Response()
    response.status_code = status
    response.headers.update(headers)
    return response


def scripted(*outcomes):
    """A ``send`` that answers (or raises) each of ``outcomes`` in turn, counting its calls."""
    calls = []

    def send():
        outcome = outcomes[len(calls)]
        calls.append(outcome)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    send.calls = calls
    return send


def test_retry_after_in_seconds_or_as_an_http_date():
    assert retry.retry_after("12") == 12.0
    assert retry.retry_after(" 3 ") == 3.0
    assert retry.retry_after("Fri, 01 May 2026 08:00:30 GMT", now=NOW) == 30.0
    assert retry.retry_after("Fri, 01 May 2026 07:00:00 GMT", now=NOW) == 0.0  # Past: go now.
    assert retry.retry_after(None) is None and retry.retry_after("soon") is None


def test_backoffs():
    assert [retry.exponential(1, 60)(n) for n in (1, 2, 3, 7, 8)] == [1, 2, 4, 60, 60]
    assert [retry.linear(1.5)(n) for n in (1, 2, 3)] == [1.5, 3.0, 4.5]


def test_busy_answers_are_retried_with_backoff_until_one_is_good():
    send, sleeps = scripted(answer(503), answer(500), answer(200)), Sleeps()
    got = retry.send_with_retries(send, retries=4, name="test", sleep=sleeps)
    assert (got.response.status_code, got.attempts) == (200, 3)
    assert sleeps == [1, 2]


def test_retry_after_wins_over_the_backoff():
    send, sleeps = scripted(answer(429, **{"Retry-After": "7"}), answer(201)), Sleeps()
    got = retry.send_with_retries(send, retries=2, name="test", sleep=sleeps)
    assert got.attempts == 2 and sleeps == [7.0]


def test_a_wait_longer_than_allowed_stops_instead_of_sleeping():
    send, sleeps = scripted(answer(503, **{"Retry-After": "3600"})), Sleeps()
    with pytest.raises(retry.WaitTooLong) as raised:
        retry.send_with_retries(send, retries=3, name="test", max_wait=300, sleep=sleeps)
    assert raised.value.delay == 3600 and raised.value.attempts == 1 and sleeps == []


def test_other_answers_are_returned_at_once():
    for status in (400, 401, 404, 409, 501):
        send, sleeps = scripted(answer(status)), Sleeps()
        got = retry.send_with_retries(send, retries=3, name="test", sleep=sleeps)
        assert (got.response.status_code, got.attempts, sleeps) == (status, 1, [])


def test_the_last_busy_answer_is_returned_when_the_retries_run_out():
    send, sleeps = scripted(answer(502), answer(502), answer(502)), Sleeps()
    got = retry.send_with_retries(send, retries=2, name="test", sleep=sleeps)
    assert (got.response.status_code, got.attempts, sleeps) == (502, 3, [1, 2])


def test_timeouts_and_lost_connections_are_retried_then_raised_as_they_are():
    send = scripted(requests.Timeout(), requests.ConnectionError(), answer(200))
    sleeps = Sleeps()
    assert retry.send_with_retries(send, retries=2, name="test", sleep=sleeps).attempts == 3
    assert sleeps == [1, 2]
    with pytest.raises(requests.Timeout):
        retry.send_with_retries(scripted(requests.Timeout()), retries=0, name="t", sleep=sleeps)


def test_no_retries_means_one_request_whatever_the_answer():
    # A caller says a request is unsafe to repeat (a POST without an idempotency key) by
    # passing retries=0: the busy answer comes straight back, nothing sleeps.
    send, sleeps = scripted(answer(503, **{"Retry-After": "1"})), Sleeps()
    got = retry.send_with_retries(send, retries=0, name="test", sleep=sleeps)
    assert (got.response.status_code, len(send.calls), sleeps) == (503, 1, [])


def test_websub_honours_a_hubs_retry_after(httpserver, output):  # noqa: F811
    for name in ("feeds/all.rss.xml", "feeds/feed.json", "feeds/tag/a.atom.xml"):
        (output / name).unlink()
    hub = httpserver.expect_ordered_request
    hub("/hub", method="POST").respond_with_data("", 429, headers={"Retry-After": "5"})
    hub("/hub", method="POST").respond_with_data("", 204)
    sleeps = Sleeps()
    [result] = websub.ping(settings(httpserver.url_for("/hub")), output, sleep=sleeps)
    assert (result.status, result.attempts) == (204, 2) and sleeps == [5.0]


def test_websub_reports_a_hub_asking_for_too_long_a_wait(httpserver, output):  # noqa: F811
    httpserver.expect_request("/hub").respond_with_data("", 503, headers={"Retry-After": "900"})
    sleeps = Sleeps()
    with pytest.raises(websub.WebSubError) as failure:
        websub.ping(settings(httpserver.url_for("/hub")), output, sleep=sleeps)
    assert "asks to wait 900s" in str(failure.value) and sleeps == []
    assert len(httpserver.log) == 1  # one feed tried, the others skipped for that hub
