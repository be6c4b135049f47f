"""Where in a post's or page's source file something is written: the file as the writer knows
it, and the line of a metadata field.

Errors about one post (:class:`happening.errors.ContentError`) name its file and line with these,
so the build's message and the live preview's error page point at ``content/posts/x.md:6``, the
``Follows:`` line the writer must change, and not at the plugin that noticed.
"""

from pathlib import Path


def shown(source_path, content_root) -> str:
    """``source_path`` from the project folder (the content folder's parent): ``content/x.md``.

    That is how ``check`` names files too, and how a writer at the project's root can open them.
    """
    path = Path(source_path).resolve()
    project = Path(content_root).resolve().parent
    return path.relative_to(project).as_posix() if path.is_relative_to(project) else str(path)


def header_line_in(text: str, key: str) -> int | None:
    """The 1-based line of the ``key`` field in a metadata header, or None.

    Markdown's header is ``Key: value`` lines up to the first blank line; reStructuredText's is
    a field list (``:key: value``) under the title.
    """
    wanted = key.lower()
    lines = text.splitlines()
    for number, line in enumerate(lines, 1):
        if line.strip().lower().startswith(f":{wanted}:"):
            return number
    for number, line in enumerate(lines, 1):
        if not line.strip():
            return None  # The Markdown header ends here: the rest is the post's text.
        if line.lower().startswith(f"{wanted}:"):
            return number
    return None


def header_line(source_path, key: str) -> int | None:
    """The line of ``key:`` in the metadata header of the file at ``source_path``, or None."""
    try:
        text = Path(source_path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    return header_line_in(text, key)


def located(content, key: str | None = None) -> tuple[str, int | None]:
    """``(file, line)`` for a Pelican post or page: its source, and the line of ``key:``."""
    source = shown(content.source_path, content.settings["PATH"])
    return source, header_line(content.source_path, key) if key else None
