"""`release` end to end: a folder deploy, a WebSub hub on 127.0.0.1, the outbox provider."""

import json
import os
import shutil
from pathlib import Path

import pytest
from werkzeug import Response

from conftest import calls_of
from happening.workflow.release import ReleaseStopped, release  # noqa: E402
from test_publish import clean_site

SITE_URL = "https://blog.example"


@pytest.fixture
def settings(tmp_path, httpserver):
    return {
        "PATH": str(clean_site(tmp_path / "content")),
        "SITEURL": SITE_URL,
        "OUTPUT_PATH": str(tmp_path / "output"),
        "CACHE_PATH": str(tmp_path / "cache"),
        "PUBLISH_DIR": str(tmp_path / "public"),
        "WEBSUB_HUBS": [httpserver.url_for("/hub")],
        "WEBSUB_RETRIES": 0,
        "WEBSUB_RETRY_DELAY": 0,
        "NEWSLETTER_PROVIDER": "outbox",
        "NEWSLETTER_LEDGER": str(tmp_path / "ledger.json"),
        "NEWSLETTER_OUTBOX": str(tmp_path / "outbox"),
        "NEWSLETTER_PREVIEWS": str(tmp_path / "previews"),
    }


def emails(tmp_path):
    return sorted((tmp_path / "outbox").glob("*.eml"))


def published_posts(tmp_path):
    return sorted(p.name for p in (tmp_path / "public" / "posts").iterdir())


def test_release_publishes_then_pings_then_emails(tmp_path, httpserver, settings):
    seen_by_hub = []

    def hub(request):
        # What was live and what had been emailed at the moment the hub was told.
        seen_by_hub.append(
            (
                request.form.get("hub.mode"),
                request.form.get("hub.url"),
                (tmp_path / "public" / "index.html").is_file(),
                len(emails(tmp_path)),
            )
        )
        return Response(status=204)

    httpserver.expect_request("/hub", method="POST").respond_with_handler(hub)
    outcomes = release("dir", **settings)

    assert [(o.step, o.ok) for o in outcomes] == [
        ("publish", True),
        ("ping", True),
        ("newsletter", True),
    ]
    assert seen_by_hub, "the hub was never told"
    for mode, url, live, emailed in seen_by_hub:
        assert mode == "publish" and url.startswith(f"{SITE_URL}/feeds/")
        assert live and emailed == 0  # Pages first, then the hub, and only then email.
    assert f"{SITE_URL}/feeds/all.atom.xml" in [url for _, url, _, _ in seen_by_hub]
    assert len(emails(tmp_path)) == len(published_posts(tmp_path)) >= 2
    assert "Not ready yet" not in " ".join(p.read_text(errors="ignore") for p in emails(tmp_path))


def test_a_failing_hub_stops_before_email_and_a_rerun_completes_once(
    tmp_path, httpserver, settings
):
    httpserver.expect_request("/hub", method="POST").respond_with_response(
        Response("hub is down", status=503)
    )
    with pytest.raises(ReleaseStopped) as stopped:
        release("dir", **settings)
    message = str(stopped.value)
    assert "stopped at 'ping'" in message and "not run: newsletter" in message
    assert "--from-step ping" in message
    assert (tmp_path / "public" / "index.html").is_file()  # Publishing had happened.
    assert emails(tmp_path) == []  # Nothing was emailed.

    httpserver.clear()
    httpserver.expect_request("/hub", method="POST").respond_with_data("", status=204)
    outcomes = release("dir", **settings)
    assert all(o.ok for o in outcomes)
    first = {p.name: p.read_bytes() for p in emails(tmp_path)}
    assert len(first) == len(published_posts(tmp_path))

    again = release("dir", **settings)  # A third run sends nothing new.
    assert "nothing new" in again[-1].detail
    assert {p.name: p.read_bytes() for p in emails(tmp_path)} == first


def test_resume_from_the_failed_step_skips_publishing(tmp_path, httpserver, settings):
    httpserver.expect_request("/hub", method="POST").respond_with_data("", status=204)
    release("dir", **settings)
    stamp = Path(tmp_path / "public" / "index.html").stat().st_mtime_ns
    outcomes = release("dir", start="ping", **settings)
    assert [o.step for o in outcomes] == ["ping", "newsletter"]
    assert Path(tmp_path / "public" / "index.html").stat().st_mtime_ns == stamp


def test_a_second_release_reuses_the_first_and_matches_a_cold_build(tmp_path, httpserver, settings):
    from happening.build import PROD_SETTINGS, build
    from test_reuse import differences

    httpserver.expect_request("/hub", method="POST").respond_with_data("", status=204)
    release("dir", **settings)
    post = Path(settings["PATH"]) / "posts" / "after-the-first-release.md"
    post.write_text(
        "Title: After the first release\nDate: 2024-06-01 09:00\nCategory: Notes\n"
        "Summary: A post written after the site went out.\n\nIts body.\n",
        encoding="utf-8",
    )
    outcomes = release("dir", **settings)
    assert "After the first release" in outcomes[-1].detail  # emailed, once
    cold = tmp_path / "cold"
    build(  # A release indexes the site for search (happening/search.py), so the cold one does too.
        PROD_SETTINGS,
        search=True,
        **{**settings, "OUTPUT_PATH": str(cold), "CACHE_PATH": str(tmp_path / "c")},
    )
    # The newsletter's read-only build wrote nothing into the released output.
    assert differences(settings["OUTPUT_PATH"], cold) == []
    assert differences(tmp_path / "public", cold) == []
    # The manifest the next release trusts is every file as the release left it, Pagefind's
    # bundle included (only the bundle is looked at again after indexing).
    from happening import filestat
    from happening.workflow import reuse

    (manifest,) = Path(settings["CACHE_PATH"]).glob(f"production/*/{reuse.MANIFEST}")
    assert json.loads(manifest.read_text()) == filestat.tree(Path(settings["OUTPUT_PATH"]))


def test_the_newsletter_takes_the_posts_of_the_build_just_deployed(
    tmp_path, httpserver, settings, monkeypatch
):
    from happening.newsletter import posts

    def read_again(site):
        raise AssertionError("the newsletter read every post again after the production build")

    httpserver.expect_request("/hub", method="POST").respond_with_data("", status=204)
    with monkeypatch.context() as patched:
        patched.setattr(posts, "_read", read_again)
        release("dir", **settings)
    sent = {p.name: p.read_bytes() for p in emails(tmp_path)}
    assert len(sent) == len(published_posts(tmp_path)) >= 2
    # Resumed at the newsletter, nothing is built and the posts are read on their own: the very
    # same emails.
    (tmp_path / "ledger.json").unlink(missing_ok=True)  # the outbox keeps its own record
    shutil.rmtree(tmp_path / "outbox")
    release("dir", start="newsletter", **settings)
    assert {p.name: p.read_bytes() for p in emails(tmp_path)} == sent


def test_a_second_release_scans_only_the_pages_that_changed(
    tmp_path, httpserver, settings, monkeypatch
):
    from happening.workflow.check import site as check_site

    httpserver.expect_request("/hub", method="POST").respond_with_data("", status=204)
    release("dir", **settings)
    scanned = calls_of(monkeypatch, check_site, "scan")
    (Path(settings["PATH"]) / "posts" / "one-more.md").write_text(
        "Title: One more\nDate: 2024-06-02 09:00\nCategory: Notes\n"
        "Summary: Another post after the release.\n\nIts body.\n",
        encoding="utf-8",
    )
    release("dir", **settings)
    pages = list((tmp_path / "public").rglob("*.html"))
    # The new post and the pages listing it, not every page (check's scan cache, by bytes).
    assert 0 < len(scanned) < len(pages)
    assert b"One more" in b"".join(scanned)


def one_more_post(settings, name="one-more"):
    (Path(settings["PATH"]) / "posts" / f"{name}.md").write_text(
        f"Title: {name}\nDate: 2024-06-02 09:00\nCategory: Notes\n"
        "Summary: Another post after the release.\n\nIts body.\n",
        encoding="utf-8",
    )


def test_a_release_checks_the_pages_while_pagefind_indexes_them(
    tmp_path, httpserver, settings, monkeypatch
):
    from happening import search
    from happening.workflow import publish

    httpserver.expect_request("/hub", method="POST").respond_with_data("", status=204)
    release("dir", **settings)
    one_more_post(settings)
    started, seen_by_check = [], []

    def index_files(output):
        bundle = Path(output) / search.BUNDLE
        return {p.relative_to(bundle): p.read_bytes() for p in bundle.rglob("*") if p.is_file()}

    last_index = index_files(settings["OUTPUT_PATH"])

    def recording_start(output, cache, files=None):
        started.append(start(output, cache, files))
        return started[-1]

    def recording_check(settings_, output, **given):
        # Pagefind was started and not yet waited for, and what the output holds of the index
        # is the last complete one, untouched: the new shard is written into the cache until
        # it is complete.
        seen_by_check.append((len(started), started[0].result, index_files(output) == last_index))
        return check(settings_, output, **given)

    start, check = search.start_index, publish.check_site
    monkeypatch.setattr(search, "start_index", recording_start)
    monkeypatch.setattr(publish, "check_site", recording_check)
    release("dir", **settings)
    assert seen_by_check == [(1, None, True)]
    # Deployed once both ended: the new index, complete, with the new post in it.
    assert (tmp_path / "public" / search.ENTRY).is_file()
    assert index_files(tmp_path / "public") != last_index
    assert not (Path(settings["CACHE_PATH"]) / search.STAGING).exists()


def test_a_pagefind_failure_during_the_check_stops_the_release_before_the_deploy(
    tmp_path, httpserver, settings, monkeypatch
):
    import sys

    from happening import search
    from happening.workflow import publish

    httpserver.expect_request("/hub", method="POST").respond_with_data("", status=204)
    release("dir", **settings)
    one_more_post(settings)
    broken = [sys.executable, "-c", "import sys; sys.exit('pagefind: cannot read the pages')"]
    monkeypatch.setattr(search, "PAGEFIND", broken)
    with pytest.raises(ReleaseStopped) as stopped:
        release("dir", **settings)
    message = str(stopped.value)
    assert "stopped at 'publish'" in message and "pagefind failed (exit 1)" in message
    assert "cannot read the pages" in message
    assert "one-more" not in published_posts(tmp_path)  # Nothing was deployed.
    # The copies staged during the check went with it: the target is as the last deploy left
    # it, so the next one updates it in place.
    public = tmp_path / "public"
    assert not list(public.rglob("*.deploying"))
    manifest = json.loads((tmp_path / ".public.manifest.json").read_text(encoding="utf-8"))
    assert publish._exactly_as_deployed(public, manifest)
    monkeypatch.undo()
    httpserver.expect_request("/hub", method="POST").respond_with_data("", status=204)
    release("dir", **settings)  # Pagefind mended: the next release deploys, index and all.
    assert "one-more" in published_posts(tmp_path)
    assert (tmp_path / "public" / search.ENTRY).is_file()


def test_a_release_deploys_what_its_build_changed_and_touches_nothing_else(
    tmp_path, httpserver, settings, monkeypatch
):
    from happening.workflow import publish
    from test_publish import same_tree

    httpserver.expect_request("/hub", method="POST").respond_with_data("", status=204)
    release("dir", **settings)
    public, output = tmp_path / "public", Path(settings["OUTPUT_PATH"])
    before = {
        p.relative_to(public).as_posix(): (p.read_bytes(), p.stat())
        for p in public.rglob("*")
        if p.is_file()
    }
    one_more_post(settings)
    walked, answers = [], []
    real, answer = publish.tree, publish._EarlyLook.answer

    def noted(look, stamp):
        answers.append(answer(look, stamp))
        return answers[-1]

    beside, copy_beside = [], publish._copy_beside

    def copying(output, dest, rels):
        beside.append(list(rels))  # Only this process's calls: the staging child's are its own.
        return copy_beside(output, dest, rels)

    monkeypatch.setattr(publish, "tree", lambda root: walked.append(Path(root)) or real(root))
    monkeypatch.setattr(publish._EarlyLook, "answer", noted)
    monkeypatch.setattr(publish, "_copy_beside", copying)
    release("dir", **settings)
    # Which files changed came from the build: the output was not walked again to find out.
    # Whether the target is as the last deploy left it was looked at in a child, while the
    # build ran: not here, after the check (asked when the copies are staged, and at the
    # deploy).
    assert output not in walked and public not in walked and answers == [True, True]
    # The pages that changed were copied during the check, by a child: the deploy itself
    # copied only Pagefind's bundle, which changes while the check runs.
    assert beside and all(rel.startswith("pagefind/") for rels in beside for rel in rels)
    # Byte for byte a fresh deploy of the same output.
    fresh = tmp_path / "fresh"
    publish._Dir.deploy(output, settings, fresh)
    assert same_tree(public, fresh) and same_tree(fresh, public)
    untouched = changed = 0
    for rel, (data, stat) in before.items():
        now = public / rel
        if not now.is_file():
            continue
        if now.read_bytes() == data:  # The same bytes: the same file, not even rewritten.
            after = now.stat()
            assert (after.st_ino, after.st_mtime_ns) == (stat.st_ino, stat.st_mtime_ns), rel
            untouched += 1
        else:
            changed += 1
    assert untouched and changed
    assert (public / "posts" / "one-more" / "index.html").is_file()


def test_the_check_takes_the_builds_files_and_the_deploy_the_final_ones(
    tmp_path, httpserver, settings, monkeypatch
):
    from happening import filestat
    from happening.build import PROD_SETTINGS, load_settings
    from happening.workflow import publish
    from happening.workflow.check import check_site

    httpserver.expect_request("/hub", method="POST").respond_with_data("", status=204)
    release("dir", **settings)
    one_more_post(settings, "handed-over")
    handed, reports = [], []
    deploy = publish._Dir.deploy

    def recording_deploy(output, settings_, dest, files=None, early=None, staged=None):
        handed.append((output, files))
        return deploy(output, settings_, dest, files=files, early=early, staged=staged)

    monkeypatch.setattr(publish._Dir, "deploy", staticmethod(recording_deploy))
    release("dir", on_check=reports.append, **settings)
    ((output, files),) = handed
    # Taken once after the build and once of Pagefind's new bundle: the output as it is.
    assert files == filestat.tree(output)
    fresh = {**settings, "CACHE_PATH": str(tmp_path / "fresh")}
    walked = check_site(load_settings(PROD_SETTINGS, **fresh), output)
    assert reports[0].problems == walked.problems and reports[0].pages == walked.pages


def _check_spy(monkeypatch):
    """What publish hands check_site as the sources read ahead, call by call."""
    from happening.workflow import publish

    given = []
    real = publish.check_site

    def spy(*args, **kwargs):
        given.append(kwargs.get("read"))
        return real(*args, **kwargs)

    monkeypatch.setattr(publish, "check_site", spy)
    return given


def _fresh_check(tmp_path, settings):
    from happening.build import PROD_SETTINGS, load_settings
    from happening.workflow.check import check_site

    fresh = load_settings(PROD_SETTINGS, **{**settings, "CACHE_PATH": str(tmp_path / "fresh")})
    return fresh, check_site(fresh, settings["OUTPUT_PATH"])


def test_the_check_takes_the_sources_read_ahead_as_the_build_ends(
    tmp_path, httpserver, settings, monkeypatch
):
    from happening.workflow.check import sources

    httpserver.expect_request("/hub", method="POST").respond_with_data("", status=204)
    release("dir", **settings)
    one_more_post(settings, "read-ahead")
    given, reports = _check_spy(monkeypatch), []
    release("dir", on_check=reports.append, **settings)
    (ahead,) = given
    assert isinstance(ahead, sources.Sources)  # read in the forked child, sent back whole
    fresh, walked = _fresh_check(tmp_path, settings)
    # The same posts and pages as a check reading every source itself, with no build to take
    # them from; and the same findings.
    alone = sources.read(fresh)

    def described(found):
        return sorted(
            (
                os.path.basename(p.source_path),
                p.title,
                getattr(p, "date", None),
                p.status,
                p.save_as,
            )
            for p in (*found.posts, *found.pages)
        )

    assert described(ahead) == described(alone)
    assert "read-ahead/index.html" in " ".join(ahead.by_output)
    assert ahead.by_output.keys() == alone.by_output.keys()
    assert reports[0].problems == walked.problems and reports[0].pages == walked.pages


def test_a_read_ahead_that_fails_leaves_the_check_to_read_the_sources(
    tmp_path, httpserver, settings, monkeypatch
):
    from happening.workflow import publish

    httpserver.expect_request("/hub", method="POST").respond_with_data("", status=204)
    release("dir", **settings)
    one_more_post(settings, "read-here")

    def failing(*_):
        raise OSError("no sources for you")

    monkeypatch.setattr(publish, "read_sources", failing)  # the forked child inherits it
    given, reports = _check_spy(monkeypatch), []
    release("dir", on_check=reports.append, **settings)
    assert given == [None]
    assert reports[0].problems == _fresh_check(tmp_path, settings)[1].problems
    assert (Path(settings["PUBLISH_DIR"]) / "posts" / "read-here" / "index.html").is_file()


def test_sources_as_pelican_reads_them_are_not_sent_back_from_a_child(settings):
    # Without a build to take them from, each post is a Pelican object holding the whole
    # site's context: read_sources says None, and the check reads them itself.
    from happening.build import PROD_SETTINGS, load_settings
    from happening.workflow.check import read_sources, sources

    settings_ = load_settings(PROD_SETTINGS, **settings)
    assert read_sources(settings_) is None
    assert sources.read(settings_).posts
