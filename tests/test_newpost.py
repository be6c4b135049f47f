"""`post.new` starts a draft that builds cleanly, stays out of the site, and follows up a post."""

from datetime import datetime

import pytest

from conftest import build_into
from happening.build import load_settings
from happening.workflow.newpost import SUMMARY_PLACEHOLDER, NewPostError, new_post
from happening.workflow.posts import read_posts

DRAFTS_ON = {"DRAFT_SAVE_AS": "drafts/{slug}/index.html"}


def settings_for(content):
    return load_settings(PATH=str(content))


def test_creates_a_complete_draft(site_copy):
    made = new_post(
        "Third time: lucky?",
        follows="first-light",
        tags="Gamma, Shared",
        date="2024-04-02 10:30",
        settings=settings_for(site_copy),
    )
    assert made.path == site_copy / "posts" / "2024-04-02-third-time-lucky.md"
    assert made.preview_url == "http://127.0.0.1:8000/drafts/third-time-lucky/"
    header = made.path.read_text(encoding="utf-8").split("\n\n")[0].splitlines()
    assert header == [
        "Title: Third time: lucky?",
        "Slug: third-time-lucky",
        "Date: 2024-04-02 10:30",
        "Category: Notes",  # The followed post's category.
        "Tags: Gamma, Shared",
        f"Summary: {SUMMARY_PLACEHOLDER}",
        "Status: draft",
        "Follows: first-light",
    ]


def test_default_date_is_now_and_no_follows_line(site_copy):
    now = datetime(2024, 5, 6, 7, 8, 9)
    made = new_post("Plain", settings=settings_for(site_copy), now=now)
    text = made.path.read_text(encoding="utf-8")
    assert made.path.name == "2024-05-06-plain.md"
    assert "Date: 2024-05-06 07:08\n" in text and "Follows:" not in text and "Tags:" not in text


def test_the_draft_builds_without_warnings_and_stays_out(site_copy, tmp_path):
    made = new_post("A fresh draft", follows="first-light", settings=settings_for(site_copy))
    made.path.write_text(made.path.read_text().replace("Start writing", "Fresh draft words."))
    out = tmp_path / "out"
    build_into(out, site_copy)  # Strict: a warning would raise.
    everything = " ".join(p.read_text(encoding="utf-8") for p in out.rglob("*.html"))
    assert "A fresh draft" not in everything and "Fresh draft words" not in everything
    # The live preview writes drafts, and still without a single warning.
    preview = tmp_path / "preview"
    build_into(preview, site_copy, **DRAFTS_ON)
    assert "Fresh draft words" in (preview / "drafts/a-fresh-draft/index.html").read_text()


def test_follows_links_once_published(site_copy, tmp_path):
    made = new_post("Later thoughts", follows="first-light", settings=settings_for(site_copy))
    text = made.path.read_text().replace("Status: draft\n", "")
    made.path.write_text(text.replace(SUMMARY_PLACEHOLDER, "A follow-up."))
    out = tmp_path / "out"
    build_into(out, site_copy)
    assert (out / "posts/later-thoughts/index.html").is_file()
    # Pelican reads the `Follows:` slug that the followups plugin (theme area) turns into the
    # links both ways; a trial merge showed them on both pages.
    articles, unreadable = read_posts(settings_for(site_copy))
    later = next(a for a in articles if a.slug == "later-thoughts")
    assert later.metadata["follows"] == "first-light" and not unreadable


def test_refuses_an_existing_slug_and_file(site_copy):
    settings = settings_for(site_copy)
    with pytest.raises(NewPostError, match="already used by .*first.md"):
        new_post("First light", settings=settings)
    made = new_post("Once", date="2024-06-01", settings=settings)
    before = made.path.read_text()
    with pytest.raises(NewPostError, match="already"):
        new_post("Once", date="2024-06-01", settings=settings)
    assert made.path.read_text() == before


def test_unknown_follows_lists_the_closest_slugs(site_copy):
    with pytest.raises(NewPostError) as failure:
        new_post("X", follows="first-lite", settings=settings_for(site_copy))
    message = str(failure.value)
    assert "'first-lite'" in message and "closest: first-light" in message
    assert not list((site_copy / "posts").glob("*-x.md"))


@pytest.mark.parametrize(
    "title, date", [("", None), ("!!!", None), ("--help", None), ("Fine", "next tuesday")]
)
def test_bad_title_or_date_is_a_clear_error(site_copy, title, date):
    with pytest.raises(NewPostError, match="post.new"):
        new_post(title, date=date, settings=settings_for(site_copy))
