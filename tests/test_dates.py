"""One rule for a date written without a zone: it is in the site's TIMEZONE, as Pelican reads it."""

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from happening.dates import aware
from happening.newsletter.config import Config
from happening.newsletter.render import Email
from happening.newsletter.send import parse_schedule


def test_a_naive_date_takes_the_sites_timezone():
    out = aware(datetime(2026, 5, 1, 8, 0), "Europe/Paris")
    assert out.tzinfo == ZoneInfo("Europe/Paris")
    assert out.astimezone(UTC) == datetime(2026, 5, 1, 6, 0, tzinfo=UTC)  # CEST is UTC+2


def test_no_timezone_means_utc_as_in_pelican():
    assert aware(datetime(2026, 1, 1), None).utcoffset() == timedelta(0)
    assert aware(datetime(2026, 1, 1), "").utcoffset() == timedelta(0)


def test_an_aware_date_is_never_moved():
    moment = datetime(2026, 5, 1, 8, 0, tzinfo=timezone(timedelta(hours=-5)))
    assert aware(moment, "Europe/Paris") is moment


def test_a_tzinfo_is_accepted_as_well_as_a_name():
    zone = ZoneInfo("Asia/Tokyo")
    assert aware(datetime(2026, 1, 1, 9), zone) == datetime(2026, 1, 1, 0, tzinfo=UTC)


def test_a_schedule_without_a_zone_is_read_in_the_sites_timezone(tmp_path):
    config = Config(tmp_path, {"TIMEZONE": "America/New_York"})
    when = parse_schedule("2999-01-01T08:00", config)
    assert when.utcoffset() == timedelta(hours=-5)


def test_an_emails_date_header_reads_a_naive_date_in_the_sites_timezone(tmp_path):
    email = Email(
        post_id="tag:b.example,2026-05-01:p",
        subject="P",
        preheader="P",
        url="https://b.example/posts/p/",
        html="<p>P</p>",
        text="P\n",
        date=datetime(2026, 5, 1, 8, 0),
        marker="hn0",
        summary_only=False,
    )
    config = Config(tmp_path, {"TIMEZONE": "Europe/Paris", "SITENAME": "B"})
    assert email.message(config)["Date"] == "Fri, 01 May 2026 08:00:00 +0200"
