"""The redirect table: ``<PATH>/redirects.txt`` (``REDIRECTS_FILE``), one ``old new`` per line.

``old`` is a path on the old site (``/p/a-post``), ``new`` a site-relative URL of this one
(``posts/a-post/``), as Pelican writes ``article.url``. ``#`` starts a comment. ``import``
writes it; a writer may add lines by hand.
"""

from pathlib import Path

from happening.errors import ContentError
from happening.sourceline import shown

DEFAULT_FILE = "redirects.txt"
HEADER = (
    "# Old URLs and where they now live: `old-path new-url`, one a line.\n"
    "# Written by `invoke import`; the redirects plugin turns each line into a redirect.\n"
)


class TableError(ContentError):
    """A line that is not ``old new``; names the file and line (``content/redirects.txt:2``)."""


def table_path(settings) -> Path:
    return Path(settings["PATH"]) / (settings.get("REDIRECTS_FILE") or DEFAULT_FILE)


def read_table(path: Path, content_root=None) -> dict[str, str]:
    """``{old path: new url}`` in the file's order; a missing file is an empty table.

    ``content_root`` (PATH) names the file in errors as the writer knows it (from the project).
    """
    path = Path(path)
    if not path.is_file():
        return {}
    table = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        parts = line.split()
        if len(parts) != 2 or not parts[0].startswith("/"):
            raise TableError(
                f"redirects: {line!r} is not a redirect; write `/old/path new/url/`",
                shown(path, content_root or path.parent),
                number,
            )
        table[parts[0]] = parts[1]
    return table


def listed(path: Path) -> set[str]:
    """Every old path the file names, its commented-out lines (``# /old new``) included."""
    path = Path(path)
    if not path.is_file():
        return set()
    found = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.lstrip("# ").split()
        if len(parts) >= 2 and parts[0].startswith("/"):
            found.add(parts[0])
    return found


def add_lines(path: Path, lines: list[tuple[str, str, str]]) -> None:
    """Append ``(old, new, note)`` lines; a line with a note is written commented out, the note
    after it, for the writer to switch on (a draft's redirect, once the draft is published)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = path.read_text(encoding="utf-8") if path.is_file() else HEADER
    if text and not text.endswith("\n"):
        text += "\n"
    for old, new, note in lines:
        text += f"# {old} {new}  # {note}\n" if note else f"{old} {new}\n"
    path.write_text(text, encoding="utf-8")
