"""Messages about one post name the post's file and line, never the plugin that noticed.

Each kind of error a build raises or logs about a post is made in a copy of the test site; the
message the terminal prints and the place the live preview's error page shows must both be
``content/posts/<file>.md:<line>``, the line being the field the writer has to change.
"""

import pytest

from conftest import build_into
from happening.build import BuildError
from happening.errors import ContentError, UserError
from happening.plugins.fastbuild import memory
from happening.sourceline import header_line_in, shown
from happening.workflow.reload import LiveHooks, failure_for

FOLLOWUP = "posts/theme-followup-two.md"  # Line 6 is `Follows: light-revisited, first-light`.
FILLER = "posts/theme-filler-3.md"  # Line 3 is `Date: 2023-03-15 09:00`.


def _edit(site, name, old, new):
    path = site / name
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _duplicate_id(site):
    _edit(site, FILLER, "Date: 2023-03-15 09:00", "Date: 2023-03-15 09:00\nId: one-id")
    _edit(site, "posts/theme-filler-4.md", "\n\n", "\nId: one-id\n\n")


# kind -> (how the post is broken, file, line, words the message must hold)
BROKEN = {
    "follows an unknown slug": (
        lambda s: _edit(s, FOLLOWUP, "light-revisited, first-light", "first-light, no-such"),
        FOLLOWUP,
        6,
        "followups: Follows: 'no-such': no published post has that slug",
    ),
    "follows itself": (
        lambda s: _edit(s, FOLLOWUP, "light-revisited, first-light", "light-once-more"),
        FOLLOWUP,
        6,  # Not line 2, the Slug: line that also holds the value.
        "a post cannot follow itself",
    ),
    "follows a draft": (
        lambda s: _edit(s, FOLLOWUP, "light-revisited, first-light", "not-ready-yet"),
        FOLLOWUP,
        6,
        "that post is a draft",
    ),
    "shares its id": (_duplicate_id, FILLER, 4, "postid: the id 'one-id' is also"),
    "has a Cover: that is no picture": (
        lambda s: _edit(
            s, FILLER, "Date: 2023-03-15 09:00", "Date: 2023-03-15 09:00\nCover: x.png"
        ),
        FILLER,
        4,
        "socialcards: Cover: 'x.png' is not a picture",
    ),
    "links a static file that is not there": (
        lambda s: _edit(s, FILLER, "Filler words", "![A view]({static}/images/gone.png)\n\nWords"),
        FILLER,
        8,
        "fix the {static} link's path",
    ),
    "takes another post's slug": (
        lambda s: _edit(s, FILLER, "Slug: filler-post-3", "Slug: filler-post-4"),
        FILLER,  # The one saved last, whichever order Pelican lists the two in.
        2,
        'with slug "filler-post-4"',
    ),
    "has an impossible date": (
        lambda s: _edit(s, FILLER, "2023-03-15 09:00", "2023-02-31 09:00"),
        FILLER,
        3,
        "'2023-02-31 09:00' is not a valid date",
    ),
}


@pytest.mark.parametrize("kind", BROKEN)
def test_a_broken_post_is_named_by_its_file_and_line(site_copy, tmp_path, kind):
    breaks, name, line, words = BROKEN[kind]
    breaks(site_copy)
    memory.forget()
    with pytest.raises(UserError) as raised:
        build_into(tmp_path / "out", site_copy)
    error = raised.value
    where = f"content/{name}:{line}: "
    # The terminal: `error: <message>`; the place comes first (one problem, or each listed one).
    lines = str(error).splitlines()
    located = lines[0] if isinstance(error, ContentError) else lines[1].strip()
    assert located.startswith(where) and words in located, located
    assert ".py" not in located
    # The live preview's error page: the same file and line, as the writer opens it.
    failure = failure_for(error, site_copy)
    assert (failure.source, failure.line) == (f"content/{name}", line)
    hooks = LiveHooks()
    hooks.built(failure)
    page = hooks.error_page().decode()
    assert f"<code>content/{name}:{line}</code>, line {line}" in page


def test_a_plugin_error_is_located_by_what_it_carries_not_by_its_text(tmp_path):
    error = ContentError("followups: see plugins/followups/thread.py", "content/posts/a.md", 6)
    assert str(error) == "content/posts/a.md:6: followups: see plugins/followups/thread.py"
    failure = failure_for(error, tmp_path / "content")
    assert (failure.source, failure.line) == ("content/posts/a.md", 6)


def test_a_message_naming_only_a_plugin_file_points_nowhere(tmp_path):
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "thread.py").write_text("")  # Even one in the content folder.
    failure = failure_for(KeyError("at plugins/followups/thread.py"), tmp_path / "content")
    assert failure.source is None and failure.message.startswith("KeyError")


def test_a_build_error_points_at_its_first_located_problem(tmp_path):
    from happening.build_log import Problem

    problems = [Problem("somewhere"), Problem("Could not process", "content/posts/b.md", 2)]
    failure = failure_for(BuildError("build: 2 problem(s)", problems), tmp_path)
    assert (failure.source, failure.line) == ("content/posts/b.md", 2)


def test_header_lines_are_found_in_markdown_and_restructuredtext():
    markdown = "Title: T\nSlug: t\nFollows: a, b\n\nFollows: in the text\n"
    assert header_line_in(markdown, "follows") == 3 and header_line_in(markdown, "Cover") is None
    rest = "A title\n#######\n\n:date: 2024-01-01\n:follows: a\n\nText.\n"
    assert header_line_in(rest, "Follows") == 5


def test_files_are_shown_from_the_project_folder(tmp_path):
    post = tmp_path / "content" / "posts" / "a.md"
    assert shown(post, tmp_path / "content") == "content/posts/a.md"
    assert shown("/elsewhere/a.md", tmp_path / "content") == "/elsewhere/a.md"
