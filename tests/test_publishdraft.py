"""`post.publish`: a draft becomes a post dated now, built, checked, its email previewed."""

from datetime import datetime

import pytest

from conftest import soup
from happening.build import DEV_SETTINGS, load_settings
from happening.workflow.newpost import new_post
from happening.workflow.publishdraft import PublishDraftError, publish_draft, published_text

NOW = datetime(2026, 12, 1, 10, 5, 0)


def overrides(tmp_path):
    return {
        "PATH": str(tmp_path / "content"),
        "OUTPUT_PATH": str(tmp_path / "output"),
        "CACHE_PATH": str(tmp_path / "cache"),
        "LOAD_CONTENT_CACHE": False,
        "NEWSLETTER_LEDGER": str(tmp_path / "ledger.json"),
        "NEWSLETTER_OUTBOX": str(tmp_path / "outbox"),
        "NEWSLETTER_PREVIEWS": str(tmp_path / "previews"),
    }


def draft(tmp_path, title, *, follows=None, at=datetime(2026, 11, 25, 14, 19, 5)):
    """A draft as post.new writes it, with its dek written in (as the writer would)."""
    (tmp_path / "content" / "posts").mkdir(parents=True, exist_ok=True)
    settings = load_settings(DEV_SETTINGS, **overrides(tmp_path))
    made = new_post(title, follows=follows, settings=settings, now=at)
    text = made.path.read_text(encoding="utf-8")
    summary = next(line for line in text.splitlines() if line.startswith("Summary:"))
    made.path.write_text(text.replace(summary, f"Summary: The dek of {title}."), encoding="utf-8")
    return made


def header(path):
    return path.read_text(encoding="utf-8").split("\n\n", 1)[0].splitlines()


def test_publish_drops_the_status_dates_it_now_and_previews_the_email(tmp_path):
    made = draft(tmp_path, "First essay")
    done = publish_draft(made.slug, now=NOW, **overrides(tmp_path))
    lines = header(made.path)
    assert "Status: draft" not in lines
    assert "Date: 2026-12-01 10:05:00" in lines
    assert done.date == "2026-12-01 10:05:00" and done.report.errors == []
    assert (tmp_path / "output/posts/first-essay/index.html").is_file()
    assert [p.suffix for p in done.previews] == [".html", ".txt", ".eml"]
    assert all(p.parent == tmp_path / "previews" for p in done.previews)
    assert done.release == "./inv release"


def test_keep_date_keeps_the_date_the_draft_has(tmp_path):
    made = draft(tmp_path, "Old news")
    publish_draft(made.slug, keep_date=True, now=NOW, **overrides(tmp_path))
    lines = header(made.path)
    assert "Date: 2026-11-25 14:19" in lines and "Status: draft" not in lines


def test_a_series_of_three_made_within_one_minute_comes_out_in_order(tmp_path):
    one = draft(tmp_path, "Part one", at=datetime(2026, 11, 25, 14, 19, 5))
    two = draft(tmp_path, "Part two", follows=one.slug, at=datetime(2026, 11, 25, 14, 19, 25))
    three = draft(tmp_path, "Part three", follows=two.slug, at=datetime(2026, 11, 25, 14, 19, 50))
    for made in (one, two, three):  # Published in one go: one Date: for all three.
        publish_draft(made.slug, now=NOW, **overrides(tmp_path))
    out = tmp_path / "output"
    home = [a["href"] for a in soup(out / "index.html").select("main h2 a, main h3 a")]
    assert [h for h in home if "/posts/part-" in h] == [
        "/posts/part-three/",
        "/posts/part-two/",
        "/posts/part-one/",
    ]
    page = soup(out / "posts/part-two/index.html")
    assert page.select_one(".thread").get_text(" ", strip=True).startswith("Part 2 of 3")
    assert [a["href"] for a in page.select(".followups a")] == ["/posts/part-three/"]


def test_a_draft_that_follows_a_draft_waits_for_it(tmp_path):
    one = draft(tmp_path, "Part one")
    two = draft(tmp_path, "Part two", follows=one.slug)
    with pytest.raises(PublishDraftError, match="follows 'part-one', still a draft"):
        publish_draft(two.slug, now=NOW, **overrides(tmp_path))
    assert "Status: draft" in header(two.path)


def test_a_failing_check_leaves_the_draft_as_it_was(tmp_path):
    (tmp_path / "content" / "posts").mkdir(parents=True)
    settings = load_settings(DEV_SETTINGS, **overrides(tmp_path))
    made = new_post("No dek yet", settings=settings, now=NOW)  # Summary: still the placeholder.
    before = made.path.read_bytes()
    with pytest.raises(PublishDraftError, match="check: 1 error") as failure:
        publish_draft(made.slug, now=NOW, **overrides(tmp_path))
    assert "is still a draft; fix it, then run `./inv post.publish no-dek-yet`" in str(
        failure.value
    )
    assert made.path.read_bytes() == before


@pytest.mark.parametrize(
    "slug, message",
    [("", "give the draft's slug"), ("--help", "give the draft's slug"), ("frist", "closest")],
)
def test_bad_slugs_say_what_to_type(tmp_path, slug, message):
    draft(tmp_path, "First")
    with pytest.raises(PublishDraftError, match=message):
        publish_draft(slug, now=NOW, **overrides(tmp_path))


def test_only_the_header_changes():
    text = "Title: A\nDate: 2026-01-01 09:00\nStatus: draft\n\nStatus: draft stays in the body.\n"
    assert published_text(text, "2026-12-01 10:05:00") == (
        "Title: A\nDate: 2026-12-01 10:05:00\n\nStatus: draft stays in the body.\n"
    )


def test_the_task_prints_where_to_read_it_and_the_one_release_command(monkeypatch, capsys):
    from conftest import ROOT, load_script
    from happening.workflow import publishdraft

    tasks = load_script("tasks.py")
    done = publishdraft.PublishedDraft(
        ROOT / "posts/x.md", "x", "2026-12-01 10:05:00", None, [ROOT / "previews/x.eml"]
    )
    monkeypatch.setattr(publishdraft, "publish_draft", lambda slug, **kw: done)
    tasks.post_publish.body(None, "x")
    said = capsys.readouterr().out
    assert "Published posts/x.md (Date: 2026-12-01 10:05:00)" in said  # From the project.
    assert "Email preview: previews/x.eml" in said
    assert said.rstrip().endswith("Release it (deploy, ping, email): ./inv release")
