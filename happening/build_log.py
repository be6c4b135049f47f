"""The build's warning policy: which of Pelican's log records stop a build, and which do not.

A migrating blog logs dozens of Pelican warnings on its first build, and most are not equal:

- a *problem* makes the output wrong (a link to a file that does not exist, a post Pelican could
  not read, two files saved to one path): the build stops, naming the content file and line;
- a *deprecation* is old syntax Pelican still renders correctly (``{filename}`` in front of an
  image): it is reported once per kind, with a count, an example and the fix, and the build goes
  on, so a blog with 248 old-style image links publishes while its writer mends them.

:class:`Collector` is the logging handler ``happening.build`` attaches while Pelican runs.
"""

import logging
import re
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from happening import sourceline
from happening.errors import ContentError

log = logging.getLogger(__name__)

# Warnings Pelican recovers from by itself, with nothing wrong in the content: an unreadable
# content cache (written by another Python, or before GZIP_CACHE changed) is simply rebuilt.
RECOVERED = ("Cannot unpickle cache",)


@dataclass(frozen=True)
class Deprecation:
    """One kind of old syntax Pelican still renders correctly, and how to write it today."""

    pattern: re.Pattern  # matches the record's message; groups `source` and `example` if known
    what: str  # plural noun phrase, after the count
    fix: str


DEPRECATIONS = (
    Deprecation(
        re.compile(
            r"^\{filename\} used for linking to static content (?P<example>.+?) "
            r"in (?P<source>.+?)\. Use \{static\} instead"
        ),
        "{filename} link(s) to static files (images, downloads)",
        "write {static} instead of {filename} in front of them",
    ),
    Deprecation(
        re.compile(r"^%s usage in (?P<example>\w+) is deprecated, use (?P<field>\{\w+\})"),
        "URL setting(s) with %s",
        "write {slug} (or {lang}) instead of %s in them",
    ),
)

# Pelican's own words are kept, and followed by what a writer can do about them.
ADVICE = {
    "Unable to find": "fix the link's path: relative to the post, or to the content folder "
    "with a leading /",
    "Cannot get modification stamp for": "no such file: fix the {static} link's path, from the "
    "content folder (a leading / is allowed)",
}

# Pelican's messages that name the link's target, not the post that holds the link:
# "Unable to find '/images/x.jpg', skipping url replacement." (a {filename} link), and "Cannot get
# modification stamp for images/x.jpg" (a {static} link to a file that is not there).
_MISSING_TARGET = re.compile(
    r"^(?:Unable to find '(?P<quoted>.+?)'|Cannot get modification stamp for (?P<bare>\S+))"
)
# Pelican's messages that name the post: "Could not process posts/x.md: ValueError: 'x' is not a
# valid date" (the line is the one holding the quoted value) and "Duplicate definition of `slug`
# for posts/x.md" (the line of that field).
_NAMES_SOURCE = re.compile(
    r"^(?:Could not process (?P<processed>\S+?):? |"
    r"Duplicate definition of `(?P<field>\w+)` for (?P<duplicated>\S+?)\.? )"
)
# Two posts with one slug (and language): 'There are 2 items "with slug "x"" with lang en:
# posts/a.md posts/b.md'. Pelican lists them in no set order; the one saved last is the newcomer
# (the writer just copied a post, or retitled one), and its Slug: line is what to change.
_SHARED_SLUG = re.compile(r'^There are \d+ .*?slug "[^"]+".*?: (?P<files>\S+(?: \S+)*)$')
_QUOTED = re.compile(r"""'([^'\n]{2,80})'""")


@dataclass
class Problem:
    """A record that makes the output wrong: where it is, when known, and what it says."""

    message: str
    source: str | None = None  # the content file, from the project folder (content/posts/x.md)
    line: int | None = None

    def __str__(self):
        where = self.source and (f"{self.source}:{self.line}" if self.line else self.source)
        return f"{where}: {self.message}" if where else self.message


class Collector(logging.Handler):
    """Sorts every WARNING-or-worse record logged while Pelican runs into problems and
    deprecations (see the module docstring)."""

    def __init__(self):
        super().__init__(level=logging.WARNING)
        self.problems: list[Problem] = []
        self.deprecated: dict[Deprecation, list[dict]] = defaultdict(list)

    def emit(self, record):
        # A plugin's warning about one post, or its error while Pelican read one (Pelican logs
        # "Could not process <file>" from inside its `except`): the error knows the line.
        located = getattr(record, "content_error", None) or sys.exc_info()[1]
        if isinstance(located, ContentError):
            if all(p.message != located.message for p in self.problems):
                self.problems.append(Problem(located.message, located.source, located.line))
            return
        message = record.getMessage().strip()
        if message.startswith(RECOVERED):
            return
        for kind in DEPRECATIONS:
            found = kind.pattern.search(message)
            if found:
                self.deprecated[kind].append(found.groupdict())
                return
        # Pelican logs "Could not process <file>" from inside its `except` without the reason;
        # the exception being handled is still current here, so name it for the writer.
        handling = sys.exc_info()[1]
        if handling is not None and str(handling) not in message:
            message = f"{message}: {type(handling).__name__}: {handling}"
        self.add(message)

    def add(self, message: str):
        if all(p.message != message for p in self.problems):
            self.problems.append(Problem(message))

    def locate(self, content_path):
        """Name the content file and line of each problem whose message does not say where.

        Pelican's "Unable to find '<target>'" names only the target; the link is found by
        looking for it in the sources, which is cheap: it runs only when the build has failed.
        Files are named from the project folder (``content/posts/x.md``), as ``check`` names them.
        """
        root = str(Path(content_path).resolve()) + "/"
        for problem in self.problems:
            # One line each, with content files named as the writer knows them (from PATH).
            problem.message = " ".join(problem.message.replace(root, "").split())
            if problem.source is None:
                problem.source, problem.line = _where(problem.message, Path(content_path))
            for start, advice in ADVICE.items():
                if problem.message.startswith(start) and advice not in problem.message:
                    problem.message = f"{problem.message} ({advice})"

    def deprecation_lines(self) -> list[str]:
        """One line per kind of deprecation: the count, an example, the fix."""
        lines = []
        for kind, hits in self.deprecated.items():
            first = hits[0]
            example = " ".join(
                part
                for part in (first.get("example"), first.get("source") and f"in {first['source']}")
                if part
            )
            files = {h["source"] for h in hits if h.get("source")}
            spread = f" in {len(files)} file(s)" if len(files) > 1 else ""
            lines.append(
                f"{len(hits)} {kind.what}{spread}, e.g. {example}: Pelican still renders them; "
                f"{kind.fix}"
            )
        return lines


def _where(message, content_path):
    """``(file, line)`` of the source a Pelican message is about, or (None, None)."""
    found = _NAMES_SOURCE.match(message)
    if found:
        path = content_path / (found["processed"] or found["duplicated"])
        if path.is_file():
            if found["field"]:
                line = sourceline.header_line(path, found["field"])
            else:
                line = _line_holding(path, _QUOTED.findall(message[found.end() :]))
            return sourceline.shown(path, content_path), line
    found = _SHARED_SLUG.match(message)
    if found:
        paths = [content_path / name for name in found["files"].split()]
        paths = [path for path in paths if path.is_file()]
        if paths:
            path = max(paths, key=lambda p: (p.stat().st_mtime_ns, str(p)))
            return sourceline.shown(path, content_path), sourceline.header_line(path, "slug")
    found = _MISSING_TARGET.match(message)
    if found:
        return _find_in_sources(content_path, found["quoted"] or found["bare"])
    return None, None


def _line_holding(path, values):
    """The first line of ``path`` that holds one of ``values`` (a bad value Pelican quoted)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    for value in values:
        for number, text in enumerate(lines, 1):
            if value in text:
                return number
    return None


def _find_in_sources(content_path, target):
    """The first content file and line that mention ``target``, or (None, None)."""
    root = Path(content_path)
    for path in sorted(root.rglob("*")):
        if not path.is_file() or path.suffix.lower() not in (".md", ".markdown", ".rst", ".html"):
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        for number, line in enumerate(text.splitlines(), 1):
            if target in line:
                return sourceline.shown(path, root), number
    return None, None


def fresh_pelican_log():
    """Forget the messages Pelican's log filter has already let through in this process.

    Pelican drops a message it has logged once before, for the life of the process; in one
    process that builds twice (tests, autoreload, the newsletter after a build) the second build
    would otherwise pass with the same broken link. Each build now sees what a fresh ``pelican``
    command would. Pelican internal, listed in plugins/fastbuild/fence.py.
    """
    from pelican.log import LimitFilter

    for name in ("_raised_messages", "_group_count"):
        seen = getattr(LimitFilter, name, None)
        if hasattr(seen, "clear"):
            seen.clear()


def report_deprecations(collector: Collector) -> list[str]:
    """Log each kind of deprecation once, grouped; return the lines for the caller."""
    lines = collector.deprecation_lines()
    for line in lines:
        log.warning("build: %s", line)
    return lines
