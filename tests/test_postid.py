"""A post's permanent id survives edits and rebuilds; two posts sharing one fail the build."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from pelican.utils import SafeDatetime

from conftest import build_into, retitle_redate_and_move
from happening.plugins.postid import DuplicatePostId
from happening.postid import _day, post_id


class Post:
    def __init__(self, source_path, date, **metadata):
        import datetime

        self.source_path = source_path
        self.date = datetime.datetime.fromisoformat(date)
        self.metadata = metadata
        self.settings = {"POST_ID_AUTHORITY": "blog.example"}


def test_explicit_id_wins():
    assert post_id(Post("/x/a.md", "2024-01-01", id="urn:keep-me", slug="a")) == "urn:keep-me"


def test_written_slug_and_date_make_the_id():
    post = Post("/x/2024-01-01-file.md", "2024-01-01 09:00", slug="chosen")
    assert post_id(post) == "tag:blog.example,2024-01-01:chosen"


def test_without_a_slug_the_file_name_counts_not_the_title():
    post = Post("/x/2024-01-01-file-name.md", "2024-01-01", title="Anything")
    assert post_id(post) == "tag:blog.example,2024-01-01:file-name"


def test_ids_survive_title_and_modified_changes_and_another_folder(site_copy, tmp_path):
    from pelican import signals

    seen = []

    def record(generator):
        seen.append({a.title: post_id(a) for a in generator.articles})

    signals.article_generator_finalized.connect(record)
    try:
        build_into(tmp_path / "a", site_copy)
        build_into(tmp_path / "b", retitle_redate_and_move(site_copy, tmp_path / "elsewhere"))
    finally:
        signals.article_generator_finalized.disconnect(record)
    before, after = seen
    assert before["First light"] == after["First light, renamed"]
    assert before["Second thoughts"] == after["Second thoughts"]


def test_duplicate_ids_fail_the_build_naming_both_files(site_copy, tmp_path):
    (site_copy / "posts" / "copy.md").write_text(
        (site_copy / "posts" / "first.md").read_text().replace("First light", "Other title")
    )
    with pytest.raises(DuplicatePostId) as failure:
        build_into(tmp_path / "out", site_copy)
    message = str(failure.value)
    assert "first.md" in message and "copy.md" in message


@pytest.mark.parametrize("year", [1000, 1999, 2000, 2024, 2026, 9999])
def test_the_ids_date_is_the_dates_own_format_for_every_four_digit_year(year):
    for kind in (datetime, SafeDatetime):
        for month, day in ((1, 1), (2, 28), (7, 9), (12, 31)):
            for zone in (None, ZoneInfo("Pacific/Kiritimati"), ZoneInfo("America/Adak")):
                date = kind(year, month, day, 23, 59, tzinfo=zone)
                assert _day(date) == f"{date:%Y-%m-%d}"
