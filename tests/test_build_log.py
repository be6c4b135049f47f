"""The warning policy (happening/build_log.py): what stops a build, what is reported once."""

import logging

from happening.build_log import Collector


def _log(collector, message, *args):
    collector.handle(
        logging.LogRecord("pelican.contents", logging.WARNING, "", 0, message, args, None)
    )


def test_deprecations_are_grouped_with_a_count_an_example_and_the_fix():
    collector = Collector()
    for source in ("a.md", "b.md", "b.md"):
        _log(
            collector,
            "{filename} used for linking to static content %s in %s. Use {static} instead",
            "/images/x.png",
            source,
        )
    assert collector.problems == []
    [line] = collector.deprecation_lines()
    assert line.startswith("3 {filename} link(s) to static files (images, downloads) in 2 file(s)")
    assert "e.g. /images/x.png in a.md" in line and line.endswith("in front of them")


def test_a_missing_target_is_a_problem_located_in_its_source(tmp_path):
    (tmp_path / "posts").mkdir()
    (tmp_path / "posts" / "p.md").write_text("Title: P\n\nSee [x]({filename}/gone.md).\n")
    collector = Collector()
    _log(collector, "Unable to find '%s', skipping url replacement.", "/gone.md")
    _log(collector, "Unable to find '%s', skipping url replacement.", "/gone.md")
    collector.locate(tmp_path)
    [problem] = collector.problems
    assert str(problem).startswith("posts/p.md:3: Unable to find '/gone.md'")
    assert collector.deprecation_lines() == []


def test_a_recovered_cache_warning_is_neither():
    collector = Collector()
    _log(collector, "Cannot unpickle cache %s, cache may be using an incompatible protocol", "x")
    assert collector.problems == [] and collector.deprecation_lines() == []
