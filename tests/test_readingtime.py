"""Reading time is counted as each post is made, and counted again only if its body changed."""

import datetime
import importlib
from types import SimpleNamespace

from pelican.contents import Article
from pelican.settings import DEFAULT_CONFIG

from conftest import TEST_SITE, build_into, calls_of
from happening.build import DEV_SETTINGS, build

# The module (the package's ``minutes`` is the function of that name).
readingtime = importlib.import_module("happening.plugins.readingtime.minutes")


def post(body, title):
    settings = {**DEFAULT_CONFIG, "READING_WORDS_PER_MINUTE": 2}
    metadata = {"title": title, "date": datetime.datetime(2026, 1, 2)}
    return Article(body, metadata=metadata, settings=settings, source_path=f"/{title}.md")


def test_a_body_rewritten_after_it_was_counted_is_counted_again(monkeypatch):
    kept = post("<p>one two three</p>", "kept")
    rewritten = post("<p>one two three</p>", "rewritten")
    counts = calls_of(monkeypatch, readingtime, "reading_time")
    for article in (kept, rewritten):
        readingtime.count_early(article)
    assert counts == [kept, rewritten]
    # What a plugin connected after this one does to a body (plugins/images: a figure's caption).
    rewritten._content = "<figure><figcaption>four five six seven</figcaption></figure>" + (
        rewritten._content
    )
    generator = SimpleNamespace(articles=[kept, rewritten], drafts=[], settings=kept.settings)
    readingtime.add_reading_time(generator)
    assert counts == [kept, rewritten, rewritten], "an unchanged post was counted twice"
    assert (kept.reading_time, rewritten.reading_time) == (2, 4)  # 3 words, then 7, at 2 a minute
    assert not readingtime._counted, "the counts outlived the build"


def test_a_pace_changed_since_the_count_counts_again():
    article = post("<p>one two three four</p>", "paced")
    readingtime.count_early(article)
    article.settings = {**article.settings, "READING_WORDS_PER_MINUTE": 4}
    readingtime.add_reading_time(
        SimpleNamespace(articles=[article], drafts=[], settings=article.settings)
    )
    assert article.reading_time == 1


def test_every_post_of_a_build_gets_the_reading_time_of_the_body_it_shows(tmp_path):
    result = build_into(tmp_path / "out", TEST_SITE)
    generator = next(g for g in result.generators if hasattr(g, "drafts"))
    posts = [*generator.articles, *generator.drafts]
    assert any("<figcaption>" in p._content for p in posts), "the site lost its figure post"
    for article in posts:
        assert article.reading_time == readingtime.minutes(article._content), article.source_path


counts = importlib.import_module("happening.plugins.readingtime.counts")


def test_a_build_keeping_its_caches_counts_only_the_bodies_it_has_not_counted(
    tmp_path, monkeypatch
):
    cache = tmp_path / "cache"
    keep = {"CACHE_PATH": str(cache), "CACHE_CONTENT": True, "LOAD_CONTENT_CACHE": True}
    keep["PATH"] = str(TEST_SITE)
    counted = calls_of(monkeypatch, readingtime, "words")
    first = build(DEV_SETTINGS, OUTPUT_PATH=str(tmp_path / "out"), **keep)
    assert (cache / counts.FILE).is_file()
    every = len(counted)
    assert every > 0
    # The same sources again: every body is the one counted last time, by its digest.
    second = build(DEV_SETTINGS, OUTPUT_PATH=str(tmp_path / "out2"), **keep)
    assert len(counted) == every, "a body with the same bytes was counted again"

    def minutes(result):
        generator = next(g for g in result.generators if hasattr(g, "drafts"))
        return {a.source_path: a.reading_time for a in [*generator.articles, *generator.drafts]}

    assert minutes(second) == minutes(first)
    for path, found in minutes(second).items():
        assert found >= 1, path


def test_kept_counts_are_by_the_bodys_bytes_and_by_the_counting_code(tmp_path, monkeypatch):
    settings = {"CACHE_PATH": str(tmp_path), "CACHE_CONTENT": True, "LOAD_CONTENT_CACHE": True}
    kept = counts.Kept(settings)
    assert kept.words("<p>one two</p>", readingtime.words) == 2
    kept.save()
    again = counts.Kept(settings)
    assert again.words("<p>one two</p>", lambda body: 99) == 2  # kept, not counted
    assert again.words("<p>one two three</p>", readingtime.words) == 3  # other bytes: counted
    again.save()
    # Only the last build's bodies are kept, and another way of counting starts afresh.
    monkeypatch.setattr(counts, "_code_digest", lambda: "another way of counting")
    changed = counts.Kept(settings)
    assert changed.stored == {}
    assert changed.words("<p>one two</p>", lambda body: 99) == 99


def test_a_build_keeping_no_cache_writes_no_counts(tmp_path):
    kept = counts.Kept({"CACHE_PATH": str(tmp_path)})
    assert kept.words("<p>one</p>", readingtime.words) == 1
    kept.save()
    assert not (tmp_path / counts.FILE).exists()
