"""The live preview survives bad input: the error is shown and the last good build stays."""

import logging

from happening.workflow.serve import rebuild_safely


def snapshot(folder):
    return {p.relative_to(folder): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def settings(content, tmp_path):
    return {
        "PATH": str(content),
        "OUTPUT_PATH": str(tmp_path / "output"),
        "CACHE_PATH": str(tmp_path / "cache"),
        "DRAFT_SAVE_AS": "drafts/{slug}/index.html",  # As `invoke livereload` builds.
    }


def test_broken_post_keeps_the_last_good_build(site_copy, tmp_path, caplog):
    caplog.set_level(logging.WARNING)
    overrides = settings(site_copy, tmp_path)
    out = tmp_path / "output"
    assert rebuild_safely(**overrides)
    assert (out / "drafts/not-ready-yet/index.html").is_file()
    good = snapshot(out)

    bad = site_copy / "posts" / "bad.md"
    bad.write_text("Title: Bad\nDate: not-a-date\n\nWords.\n", encoding="utf-8")
    (site_copy / "posts" / "new.md").write_text(
        "Title: New\nDate: 2024-04-01\nSummary: New.\n\nNew words.\n", encoding="utf-8"
    )
    assert rebuild_safely(**overrides) is False
    assert snapshot(out) == good  # Not even the good new post got in: nothing half-written.
    assert "bad.md" in caplog.text and "last good build" in caplog.text
    assert not (tmp_path / ".output.next").exists()

    bad.unlink()
    assert rebuild_safely(**overrides)
    assert (out / "posts/new/index.html").is_file()


def test_a_plugin_error_is_reported_not_raised(site_copy, tmp_path, caplog):
    overrides = settings(site_copy, tmp_path)
    assert rebuild_safely(**overrides)
    # Two posts with one id: the postid plugin raises from inside Pelican.
    first = site_copy / "posts" / "first.md"
    (site_copy / "posts" / "twin.md").write_text(first.read_text().replace("First", "Twin"))
    assert rebuild_safely(**overrides) is False
    assert "same id" in caplog.text
    assert (tmp_path / "output/posts/first-light/index.html").is_file()
