"""Feeds written in a forked process while the pages are written are the feeds written here.

(plugins/feeds/plugin.py: the same bytes, the same ``feed_written`` signals in the same order,
the same log line; an error there fails the build with its message.)
"""

import logging

import pytest
from pelican import signals

from conftest import TEST_SITE, build_into
from happening import forked
from happening.build import READ_ONLY, BuildError
from happening.plugins.feeds import writer

sent = []


def _noted(sender, **kwargs):
    sent.append((sender, kwargs))


def _feeds_build(out, monkeypatch, *, fork):
    monkeypatch.setattr(forked, "possible", lambda: fork)
    sent.clear()
    signals.feed_written.connect(_noted)
    try:
        build_into(out, TEST_SITE)
    finally:
        signals.feed_written.disconnect(_noted)
    return [(sender.replace(str(out), "OUT"), kwargs) for sender, kwargs in sent]


def feeds_of(out):
    found = [*out.rglob("*.xml"), *(out / "feeds").rglob("*")]
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in found if p.is_file()}


def test_forked_and_here_write_the_same_feeds_and_say_so_alike(tmp_path, monkeypatch, caplog):
    caplog.set_level(logging.INFO, logger="happening.plugins.feeds.plugin")
    here = _feeds_build(tmp_path / "here", monkeypatch, fork=False)
    said_here = [r.getMessage() for r in caplog.records if r.getMessage().startswith("feeds:")]
    caplog.clear()
    away = _feeds_build(tmp_path / "away", monkeypatch, fork=True)
    said_away = [r.getMessage() for r in caplog.records if r.getMessage().startswith("feeds:")]
    assert len(here) > 5, "the test site has site-wide, category, tag and thread feeds"
    assert away == here
    assert said_away == said_here and said_here[-1].startswith("feeds: wrote")
    assert feeds_of(tmp_path / "away") == feeds_of(tmp_path / "here")


def test_a_failure_writing_the_feeds_there_fails_the_build_naming_it(tmp_path, monkeypatch):
    monkeypatch.setattr(forked, "possible", lambda: True)

    def broken(*args, **kwargs):
        raise ValueError("feedgen refused the title")

    monkeypatch.setattr(writer, "atom", broken)  # Inherited by the forked process.
    failed = "feeds: writing the feeds failed: ValueError: feedgen refused the title"
    with pytest.raises(BuildError, match=failed):
        build_into(tmp_path / "out", TEST_SITE)


def test_a_build_that_writes_no_feed_forks_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(forked, "possible", lambda: True)
    forks = []
    monkeypatch.setattr(forked, "Forked", lambda *args: forks.append(args))
    build_into(tmp_path / "out", TEST_SITE, **READ_ONLY)
    assert forks == []
