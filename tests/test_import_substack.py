"""`import substack`: posts with their old feed ids, redirects from /p/<slug>, never emailed again.

The export is written by the tests from Substack's documented format (import_helpers.py).
"""

import json

import pytest
from invoke import Context, Exit

from conftest import build_into, load_script
from happening.build import PROD_SETTINGS
from happening.importers import ExportError, import_export
from happening.importers.report import format_import
from happening.newsletter import send
from happening.workflow.check import check_site
from import_helpers import SUBSTACK_POSTS, new_site, newsletter_site, substack_zip, tree
from newsletter_helpers import SmtpServer, recipients

OLD = "https://happening.substack.com"


def run(tmp_path, overrides, **options):
    return import_export(
        "substack",
        substack_zip(tmp_path),
        old_url=OLD,
        settings_file=PROD_SETTINGS,
        overrides=overrides,
        **options,
    )


def test_each_post_becomes_markdown_with_its_metadata_and_old_feed_id(tmp_path):
    overrides = new_site(tmp_path)
    run(tmp_path, overrides)
    posts = tmp_path / "content" / "posts"
    assert sorted(p.name for p in posts.iterdir()) == [
        "episode-one.md",
        "for-supporters.md",
        "half-finished.md",
        "leaving-the-feed.md",
    ]
    free = (posts / "leaving-the-feed.md").read_text()
    head, body = free.split("\n\n", 1)
    assert head.splitlines() == [
        "Title: Leaving the feed",
        "Slug: leaving-the-feed",
        "Date: 2024-03-05 14:30:00+00:00",
        "Summary: Why I stopped scrolling, and what I read instead.",
        "Category: misc",
        f"Id: {OLD}/p/leaving-the-feed",  # The guid Substack's /feed gave it.
    ]
    # Footnote kept as Markdown's, image kept (remote: listed), embed kept, chrome dropped.
    assert "I left the feed[^1] in March." in body
    assert "[^1]: The algorithmic one." in body
    assert "![My desk](https://substack-post-media.s3.amazonaws.com/public/images/desk.jpg)" in body
    assert '\n\n<iframe frameborder="0" src="https://www.youtube-nocookie.com/embed/abc">' in body
    assert "Subscribe to get the next one" not in body


def test_paid_posts_and_drafts_come_in_as_drafts_and_the_podcast_keeps_its_audio(tmp_path):
    overrides = new_site(tmp_path)
    report = run(tmp_path, overrides)
    posts = tmp_path / "content" / "posts"
    assert "Status: draft" in (posts / "for-supporters.md").read_text()
    assert "Status: draft" in (posts / "half-finished.md").read_text()
    assert "Status" not in (posts / "leaving-the-feed.md").read_text()
    episode = (posts / "episode-one.md").read_text()
    assert "Category: Podcast" in episode
    assert (
        '<audio controls preload="none" src="https://api.substack.com/feed/podcast/104/' in episode
    )
    shown = format_import(report)
    assert "as a draft: paid-only on Substack (audience only_paid)" in shown
    assert "as a draft: a draft on Substack" in shown
    assert "https://substack-post-media.s3.amazonaws.com/public/images/desk.jpg" in shown


def test_every_post_readers_had_is_in_the_ledger_and_send_emails_nobody(tmp_path):
    overrides = new_site(tmp_path)
    run(tmp_path, overrides)
    ledger = json.loads((tmp_path / "ledger.json").read_text())["posts"]
    free = ledger[f"{OLD}/p/leaving-the-feed"]
    assert free == {
        "state": "baseline",
        "provider": "import",
        "finished": "2024-03-05T14:31:12+00:00",  # Substack's email_sent_at.
        "title": "Leaving the feed",
        "url": "posts/leaving-the-feed/",
        "slug": "leaving-the-feed",
        "source": "posts/leaving-the-feed.md",
        "date": "2024-03-05T14:30:00+00:00",
    }
    # The paid post went out to paying readers; the never-sent draft is left for its own send.
    assert sorted(ledger) == [
        f"{OLD}/p/episode-one",
        f"{OLD}/p/for-supporters",
        f"{OLD}/p/leaving-the-feed",
    ]
    env, _ = recipients(tmp_path, 3)
    with SmtpServer() as smtp:
        report = send(
            newsletter_site(overrides, NEWSLETTER_PROVIDER="smtp", **smtp.settings()), env=env
        )
        assert smtp.messages == []
    assert report.sent == []
    assert {step.action for step in report.steps} == {"done"}
    assert len(report.steps) == 2  # The two published posts; drafts are not published.


def test_each_old_url_redirects_and_check_finds_every_target(tmp_path):
    overrides = new_site(tmp_path)
    run(tmp_path, overrides)
    table = (tmp_path / "content" / "redirects.txt").read_text()
    assert "/p/leaving-the-feed posts/leaving-the-feed/\n" in table
    assert "/p/episode-one posts/episode-one/\n" in table
    # A draft's redirect waits, commented out, until the draft is published.
    assert "# /p/for-supporters posts/for-supporters/  # switch on" in table
    out = tmp_path / "output"
    result = build_into(out, tmp_path / "content", PROD_SETTINGS, SITEURL=overrides["SITEURL"])
    page = (out / "p" / "leaving-the-feed" / "index.html").read_text()
    target = "https://blog.example/posts/leaving-the-feed/"
    assert f'<meta http-equiv="refresh" content="0; url={target}">' in page
    assert f'<link rel="canonical" href="{target}">' in page
    assert f'<a href="{target}">' in page
    assert (out / "_redirects").read_text().splitlines() == [
        "/p/leaving-the-feed /posts/leaving-the-feed/ 301",
        "/p/episode-one /posts/episode-one/ 301",
    ]
    report = check_site(result.settings, out)
    assert [p for p in report.problems if p.kind == "redirect"] == []
    assert report.errors == []


def test_check_reports_a_redirect_whose_target_is_gone(tmp_path):
    overrides = new_site(tmp_path)
    run(tmp_path, overrides)
    (tmp_path / "content" / "posts" / "episode-one.md").unlink()
    out = tmp_path / "output"
    result = build_into(out, tmp_path / "content", PROD_SETTINGS, SITEURL=overrides["SITEURL"])
    problems = [p for p in check_site(result.settings, out).errors if p.kind == "redirect"]
    assert [(p.where, p.message.split(",")[0]) for p in problems] == [
        ("output/_redirects:2", "the redirect from /p/episode-one goes to /posts/episode-one/")
    ]


def test_a_second_import_changes_nothing_and_a_dry_run_changes_nothing(tmp_path):
    overrides = new_site(tmp_path)
    untouched = tree(tmp_path / "content")
    dry = run(tmp_path, overrides, dry_run=True)
    assert tree(tmp_path / "content") == untouched
    assert not (tmp_path / "ledger.json").exists()
    assert [o.action for o in dry.outcomes] == ["written"] * 4
    assert sum(o.recorded for o in dry.outcomes) == 3
    run(tmp_path, overrides)
    before = {**tree(tmp_path / "content"), "ledger": (tmp_path / "ledger.json").read_bytes()}
    again = run(tmp_path, overrides)
    after = {**tree(tmp_path / "content"), "ledger": (tmp_path / "ledger.json").read_bytes()}
    assert after == before
    assert [o.action for o in again.outcomes] == ["unchanged"] * 4
    assert again.redirects == [] and not any(o.recorded for o in again.outcomes)


def test_a_malformed_export_is_one_line_naming_the_file_and_row(tmp_path):
    overrides = new_site(tmp_path)
    bad = [dict(row) for row in SUBSTACK_POSTS]
    bad[1]["post_date"] = "last Tuesday"
    export = substack_zip(tmp_path, posts=bad)
    with pytest.raises(ExportError) as caught:
        import_export("substack", export, old_url=OLD, overrides=overrides)
    assert str(caught.value).startswith(
        "import: substack-export.zip:posts.csv row 3: a date is not ISO 8601"
    )
    tasks = load_script("tasks.py")
    with pytest.raises(Exit) as exit_:
        tasks.import_(Context(), "substack", str(export), old_url=OLD, settings=None)
    assert "\n" not in str(exit_.value.message)
    assert "posts.csv row 3" in exit_.value.message


def test_a_first_ledger_warns_about_the_posts_that_were_there_before(tmp_path):
    overrides = new_site(tmp_path)
    mine = tmp_path / "content" / "posts" / "2025-01-01-mine.md"
    mine.write_text("Title: Mine\nDate: 2025-01-01\nSummary: Mine.\n\nMine.\n")
    shown = format_import(run(tmp_path, overrides))
    assert "warning: 1 post(s) already in content/posts/ are not in the ledger" in shown
    again = format_import(run(tmp_path, overrides))
    assert "warning" not in again  # The ledger exists now: the guard was the first run's.


def test_without_the_old_address_the_import_says_why_it_needs_it(tmp_path):
    overrides = new_site(tmp_path)
    with pytest.raises(ExportError, match="--old-url"):
        import_export("substack", substack_zip(tmp_path), overrides=overrides)
    with pytest.raises(ExportError, match="'you.substack.com' is not an address"):
        import_export(
            "substack", substack_zip(tmp_path), old_url="you.substack.com", overrides=overrides
        )
