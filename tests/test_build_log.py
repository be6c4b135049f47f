"""The warning policy (happening/build_log.py): what stops a build, what is reported once."""

import logging

from happening.build_log import Collector
from happening.errors import ContentError


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


def _content(tmp_path, text):
    """A content folder ``content/`` holding ``posts/p.md`` with ``text``."""
    (tmp_path / "content" / "posts").mkdir(parents=True)
    (tmp_path / "content" / "posts" / "p.md").write_text(text)
    return tmp_path / "content"


def test_a_missing_target_is_a_problem_located_in_its_source(tmp_path):
    content = _content(tmp_path, "Title: P\n\nSee [x]({filename}/gone.md).\n")
    collector = Collector()
    _log(collector, "Unable to find '%s', skipping url replacement.", "/gone.md")
    _log(collector, "Unable to find '%s', skipping url replacement.", "/gone.md")
    collector.locate(content)
    [problem] = collector.problems
    # Named from the project folder, as `check` names files: the writer opens it from there.
    assert str(problem).startswith("content/posts/p.md:3: Unable to find '/gone.md'")
    assert collector.deprecation_lines() == []


def test_a_static_link_to_no_file_is_located_at_the_link(tmp_path):
    content = _content(tmp_path, "Title: P\n\nWords.\n\n![A view]({static}/images/gone.png)\n")
    collector = Collector()
    _log(collector, "Cannot get modification stamp for %s\n\t%s", "images/gone.png", "[Errno 2]")
    collector.locate(content)
    [problem] = collector.problems
    assert (problem.source, problem.line) == ("content/posts/p.md", 5)
    assert "fix the {static} link's path" in str(problem)


def test_a_post_pelican_could_not_read_is_located_at_the_bad_value(tmp_path):
    content = _content(tmp_path, "Title: P\nSlug: p\nDate: 2024-02-31\n\nWords.\n")
    collector = Collector()
    message = "Could not process %s\n%s"
    _log(collector, message, "posts/p.md", "'2024-02-31' is not a valid date")
    collector.locate(content)
    [problem] = collector.problems
    assert str(problem).startswith("content/posts/p.md:3: Could not process posts/p.md")


def test_a_field_written_twice_is_located_at_that_field(tmp_path):
    content = _content(tmp_path, "Title: P\nDate: 2024-02-01\nSlug: p\nSlug: q\n\nWords.\n")
    collector = Collector()
    _log(collector, "Duplicate definition of `slug` for %s. Using first one.", "posts/p.md")
    collector.locate(content)
    [problem] = collector.problems
    assert (problem.source, problem.line) == ("content/posts/p.md", 3)


def test_a_plugins_warning_about_a_post_keeps_the_posts_file_and_line(tmp_path):
    error = ContentError("socialcards: Cover: 'x.png' is not a picture", "content/posts/p.md", 4)
    collector = Collector()
    record = logging.LogRecord(
        "happening.plugins.socialcards.own_image",
        logging.WARNING,
        "own_image.py",
        33,
        "%s",
        (error,),
        None,
    )
    record.content_error = error
    collector.handle(record)
    collector.locate(_content(tmp_path, "Title: P\n"))
    [problem] = collector.problems
    assert str(problem) == "content/posts/p.md:4: socialcards: Cover: 'x.png' is not a picture"


def test_a_recovered_cache_warning_is_neither():
    collector = Collector()
    _log(collector, "Cannot unpickle cache %s, cache may be using an incompatible protocol", "x")
    assert collector.problems == [] and collector.deprecation_lines() == []


def test_a_plugins_error_while_pelican_reads_a_post_keeps_the_posts_line(tmp_path):
    # Pelican catches what a content_object_init handler raises and logs "Could not process".
    collector = Collector()
    try:
        raise ContentError("images: something about line 7", "content/posts/p.md", 7)
    except ContentError:
        _log(collector, "Could not process %s\n%s", "posts/p.md", "images: something")
    collector.locate(_content(tmp_path, "Title: P\n"))
    [problem] = collector.problems
    assert str(problem) == "content/posts/p.md:7: images: something about line 7"
