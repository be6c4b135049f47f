"""``serve`` and ``livereload`` over HTTP on 127.0.0.1: pages, the theme's 404, the error page.

The browser's side (the reload script actually reloading) is in test_browser_livepreview.py.
"""

import http.client
import shutil
import threading
import urllib.error
import urllib.request
from contextlib import contextmanager

import pytest

from conftest import BLOG, TEST_SITE, build_into
from happening.plugins.fastbuild import memory
from happening.workflow.livepreview import INCREMENTAL
from happening.workflow.reload import LiveHooks, locate
from happening.workflow.serve import start_livereload, stop_livereload
from happening.workflow.siteserver import make_server


@contextmanager
def serving(folder, live=None):
    server = make_server(folder, port=0, live=live)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def get(url):
    """(status, body) for ``url``; redirects are followed as a browser does."""
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("serve") / "output"
    build_into(out, content=TEST_SITE)
    return out


def test_serve_answers_pages_and_a_missing_path_with_the_themes_404(built):
    with serving(built) as base:
        status, page = get(base + "/posts/first-light/")
        assert status == 200 and "First light" in page
        assert get(base + "/posts/first-light")[0] == 200  # Redirected to the folder.
        status, page = get(base + "/no/such/page/")
        assert status == 404 and "Page not found" in page and "<html" in page
        assert get(base + "/missing.css")[0] == 404
        assert "live preview" not in page  # No reload script outside livereload.


def test_serve_without_a_404_page_still_answers_404(tmp_path):
    (tmp_path / "index.html").write_text("<p>home</p>")
    with serving(tmp_path) as base:
        assert get(base + "/nope/")[0] == 404


def test_the_reload_script_is_added_as_pages_are_sent_never_to_the_files(built):
    hooks = LiveHooks()
    on_disk = (built / "index.html").read_bytes()
    with serving(built, hooks) as base:
        status, page = get(base + "/")
        assert status == 200 and hooks.build_id in page and LiveHooks.EVENTS_PATH in page
        status, page = get(base + "/gone/")
        assert status == 404 and "Page not found" in page and hooks.build_id in page
    assert (built / "index.html").read_bytes() == on_disk


def test_the_event_stream_sends_the_current_build_then_each_new_one(built):
    hooks = LiveHooks()
    with serving(built, hooks) as base:
        host, port = base.removeprefix("http://").split(":")
        connection = http.client.HTTPConnection(host, int(port), timeout=30)
        connection.request("GET", LiveHooks.EVENTS_PATH)
        response = connection.getresponse()
        assert response.getheader("Content-Type") == "text/event-stream"

        def next_event():
            while True:
                line = response.fp.readline().decode()
                if line.startswith("data: "):
                    return line.removeprefix("data: ").strip()

        first = next_event()
        assert first == hooks.build_id
        hooks.built()
        assert next_event() == hooks.build_id != first
        hooks.close()
        connection.close()


def test_locate_names_the_source_file_and_line(tmp_path):
    content = tmp_path / "content"
    post = content / "posts" / "bad.md"
    post.parent.mkdir(parents=True)
    post.write_text("Title: Bad\nDate: not-a-date\n\nWords.\n")
    message = "Could not process posts/bad.md: ValueError: 'not-a-date' is no date"
    failure = locate(message, content)
    assert (failure.source, failure.line) == ("content/posts/bad.md", 2)
    assert locate("x: posts/bad.md, line 4: broken", content).line == 4
    assert locate("no file named here", content).source is None


@contextmanager
def previewing(content, tmp_path, **overrides):
    """``(preview, base URL)`` of a live preview of ``content`` on a free port."""
    memory.forget()
    preview, server = start_livereload(
        port=0,
        PATH=str(content),
        OUTPUT_PATH=str(tmp_path / "output"),
        CACHE_PATH=str(tmp_path / "cache"),
        **overrides,
    )
    try:
        yield preview, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        stop_livereload(preview, server)
        memory.forget()


@pytest.fixture
def live(site_copy, tmp_path):
    with previewing(site_copy, tmp_path) as running:
        yield running


def test_livereload_shows_the_error_page_for_a_broken_save_until_the_fix(live, site_copy):
    preview, base = live
    assert get(base + "/drafts/not-ready-yet/")[0] == 200  # Drafts are previewed.
    assert get(base + "/nowhere/")[0] == 404
    post = site_copy / "posts" / "bad.md"
    post.write_text("Title: Bad\nDate: not-a-date\n\nWords.\n", encoding="utf-8")
    assert not preview.rebuild(INCREMENTAL).ok

    status, page = get(base + "/posts/first-light/")
    assert status == 500 and "The build failed" in page
    assert "posts/bad.md" in page and "line 2" in page and "not-a-date" in page
    assert get(base + "/nowhere/")[0] == 500  # Every page says so, until the fix.
    assert get(base + "/theme/css/")[0] == 500

    post.write_text("Title: Bad no more\nDate: 2024-02-02\n\nWords.\n", encoding="utf-8")
    assert preview.rebuild(INCREMENTAL).ok
    status, page = get(base + "/posts/first-light/")
    assert status == 200 and "The build failed" not in page
    assert get(base + "/posts/bad-no-more/")[0] == 200


def test_livereload_says_which_port_is_taken(built):
    with serving(built) as base:
        port = int(base.rsplit(":", 1)[1])
        with pytest.raises(Exception, match=r"livereload: cannot listen on 127\.0\.0\.1"):
            start_livereload(port=port, PATH=str(built), OUTPUT_PATH=str(built))


def test_livereload_prints_feed_addresses_on_its_own_port_and_the_outbox_notice_once(
    tmp_path, capsys
):
    blog = tmp_path / "content"
    shutil.copytree(BLOG, blog)
    with previewing(blog, tmp_path, NEWSLETTER_PROVIDER="outbox") as (preview, base):
        status, page = get(base + "/subscribe/")
        assert status == 200 and f"{base}/feeds/all.atom.xml" in page  # Pasteable as shown.
        (blog / "more.md").write_text("Title: More\nDate: 2024-03-03\n\nWords.\n", encoding="utf-8")
        assert preview.rebuild(INCREMENTAL).ok
    # Two builds of one site in one process: the writer is told once, not at every save.
    assert capsys.readouterr().out.count("readers cannot subscribe by email yet") == 1
