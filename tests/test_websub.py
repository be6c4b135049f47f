"""`ping` tells WebSub hubs about every feed, exactly as the spec's publish request reads."""

import threading
from urllib.parse import urlencode

import pytest
from invoke import Context, Exit
from pytest_httpserver import HTTPServer
from werkzeug import Response

from conftest import ROOT, TEST_SITE, build_into, load_script
from happening.build import DEV_SETTINGS, load_settings
from happening.plugins.feeds import websub
from test_feeds import SITE_WIDE, TAXONOMY

tasks = load_script("tasks.py")

FORM = {"Content-Type": "application/x-www-form-urlencoded"}


@pytest.fixture(scope="session")
def httpserver_listen_address():
    """pytest-httpserver on loopback only."""
    return ("127.0.0.1", 0)


@pytest.fixture
def output(tmp_path):
    """An output folder holding the three site-wide feeds and one tag feed."""
    out = tmp_path / "output"
    for path in (
        "feeds/all.atom.xml",
        "feeds/all.rss.xml",
        "feeds/feed.json",
        "feeds/tag/a.atom.xml",
    ):
        (out / path).parent.mkdir(parents=True, exist_ok=True)
        (out / path).write_text("x")
    return out


def settings(hub, **more):
    return {
        "SITEURL": "https://blog.example",
        "WEBSUB_HUBS": [hub],
        "WEBSUB_RETRY_DELAY": 0,  # retries at once: the tests never wait
        **more,
    }


def body(feed):
    return urlencode({"hub.mode": "publish", "hub.url": f"https://blog.example/{feed}"})


def test_each_feed_is_announced_with_exactly_the_documented_form(httpserver, output):
    feeds = ["feeds/all.atom.xml", "feeds/all.rss.xml", "feeds/feed.json", "feeds/tag/a.atom.xml"]
    for feed in feeds:
        httpserver.expect_ordered_request(
            "/hub", method="POST", data=body(feed), headers=FORM
        ).respond_with_data("", status=204)
    results = websub.ping(settings(httpserver.url_for("/hub")), output)
    httpserver.check_assertions()
    assert [(r.feed, r.status, r.attempts) for r in results] == [
        (f"https://blog.example/{feed}", 204, 1) for feed in feeds
    ]


def test_a_5xx_is_retried_and_then_succeeds(httpserver, output):
    (output / "feeds/all.rss.xml").unlink()
    (output / "feeds/feed.json").unlink()
    (output / "feeds/tag/a.atom.xml").unlink()
    expect = httpserver.expect_ordered_request
    expect("/hub", method="POST", data=body("feeds/all.atom.xml")).respond_with_data("busy", 500)
    expect("/hub", method="POST", data=body("feeds/all.atom.xml")).respond_with_data("", 204)
    [result] = websub.ping(settings(httpserver.url_for("/hub")), output)
    httpserver.check_assertions()
    assert (result.status, result.attempts) == (204, 2)


def test_retries_are_bounded_and_the_error_says_what_failed(httpserver, output):
    httpserver.expect_request("/hub", method="POST").respond_with_data("down", 503)
    with pytest.raises(websub.WebSubError) as failure:
        websub.ping(settings(httpserver.url_for("/hub"), WEBSUB_RETRIES=2), output)
    message = str(failure.value)
    assert "HTTP 503, 3 attempt(s)" in message and "3 more feed(s) not sent" in message
    assert len(httpserver.log) == 3  # one feed, three attempts; the hub is down, so it stops


def test_a_refusal_is_reported_at_once_with_the_hubs_reason(httpserver, output):
    httpserver.expect_request("/hub").respond_with_data("hub.url is not allowed", status=400)
    with pytest.raises(websub.WebSubError) as failure:
        websub.ping(settings(httpserver.url_for("/hub")), output)
    message = str(failure.value)
    assert "HTTP 400 'hub.url is not allowed'" in message
    assert "4 ping(s) failed" in message
    assert len(httpserver.log) == 4  # every feed tried once, none retried


def test_a_hub_that_never_answers_times_out(output):
    release = threading.Event()

    def stall(request):
        release.wait(10)  # holds the answer far beyond the client's timeout, until released
        return Response("", status=204)

    server = HTTPServer(host="127.0.0.1", port=0)
    server.expect_request("/hub").respond_with_handler(stall)
    server.start()
    try:
        with pytest.raises(websub.WebSubError) as failure:
            websub.ping(
                settings(server.url_for("/hub"), WEBSUB_TIMEOUT=0.2, WEBSUB_RETRIES=1), output
            )
    finally:
        release.set()
        server.clear()
        server.stop()
    assert "no answer within 0.2s, 2 attempt(s)" in str(failure.value)


def test_one_hub_down_does_not_stop_the_others(httpserver, output):
    httpserver.expect_request("/good").respond_with_data("", status=202)
    conf = settings("http://127.0.0.1:9/down", WEBSUB_RETRIES=0)
    conf["WEBSUB_HUBS"] = ["http://127.0.0.1:9/down", httpserver.url_for("/good")]
    with pytest.raises(websub.WebSubError) as failure:
        websub.ping(conf, output)
    assert "could not connect" in str(failure.value)
    assert [r.status for r in failure.value.results] == [202] * 4


def test_no_hubs_means_nothing_to_do(output):
    assert websub.ping({"SITEURL": "https://blog.example"}, output) == []


def test_a_preview_build_cannot_be_announced(httpserver, output):
    with pytest.raises(websub.WebSubError, match="publishconf.py"):
        websub.ping({"SITEURL": "", "WEBSUB_HUBS": [httpserver.url_for("/hub")]}, output)


def test_nothing_built_yet_says_build_first(httpserver, tmp_path):
    with pytest.raises(websub.WebSubError, match="build first"):
        websub.ping(settings(httpserver.url_for("/hub")), tmp_path / "missing")


def test_ping_announces_every_feed_the_build_wrote(httpserver, tmp_path):
    hub = httpserver.url_for("/hub")
    conf = load_settings(
        DEV_SETTINGS,
        PATH=str(TEST_SITE),
        OUTPUT_PATH=str(tmp_path / "out"),
        SITEURL="https://blog.example",
        WEBSUB_HUBS=[hub],
    )
    build_into(tmp_path / "out", TEST_SITE, SITEURL="https://blog.example", WEBSUB_HUBS=[hub])
    httpserver.expect_request("/hub", method="POST").respond_with_data("", status=204)
    results = websub.ping(conf, conf["OUTPUT_PATH"])
    announced = sorted(r.feed.removeprefix("https://blog.example/") for r in results)
    # Every feed the build wrote, computed from the test site's posts (other areas add posts).
    assert announced == sorted([*SITE_WIDE, *TAXONOMY])
    assert "feeds/tag/pictures.atom.xml" in announced


def task_settings(tmp_path, hubs, output):
    """A settings file for the task: pelicanconf.py's settings, then the test's own.

    Pelican reads pelicanconf.py for it (no import, so no sys.path edit); paths the file would
    take relative to its own folder are set absolute: the test site, the output, the theme.
    """
    path = tmp_path / "ping-settings.py"
    path.write_text(
        "from pelican.settings import get_settings_from_file\n"
        f"globals().update(get_settings_from_file({str(DEV_SETTINGS)!r}))\n"
        f"SITEURL = 'https://blog.example'\nWEBSUB_HUBS = {hubs!r}\nWEBSUB_RETRY_DELAY = 0\n"
        f"OUTPUT_PATH = {str(output)!r}\nPATH = {str(TEST_SITE)!r}\n"
        f"THEME = {str(ROOT / 'theme')!r}\n"
    )
    return str(path)


def test_the_ping_task_reports_what_it_did(httpserver, output, tmp_path, capsys):
    httpserver.expect_request("/hub", method="POST").respond_with_data("", status=204)
    tasks.ping(Context(), settings=task_settings(tmp_path, [httpserver.url_for("/hub")], output))
    assert "Pinged 1 hub(s) about 4 feed(s) each" in capsys.readouterr().out


def test_the_ping_task_turns_a_failure_into_a_clean_exit(httpserver, output, tmp_path):
    httpserver.expect_request("/hub").respond_with_data("no", status=403)
    with pytest.raises(Exit) as failure:
        tasks.ping(
            Context(), settings=task_settings(tmp_path, [httpserver.url_for("/hub")], output)
        )
    assert str(failure.value.message).startswith("error: websub: 4 ping(s) failed")
