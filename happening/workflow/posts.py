"""Read the posts' sources the way Pelican does, without building: for `post.new` and `check`."""

import logging
from dataclasses import dataclass
from pathlib import Path

from pelican.contents import Article
from pelican.readers import Readers

log = logging.getLogger(__name__)


@dataclass
class Unreadable:
    """A source file Pelican could not read; ``reason`` says why."""

    path: Path
    reason: str


def post_files(settings):
    """Every file under ARTICLE_PATHS that one of Pelican's readers handles, sorted."""
    content = Path(settings["PATH"])
    readers = Readers(settings)
    extensions = set(readers.extensions)
    files = []
    for folder in settings["ARTICLE_PATHS"]:
        for path in sorted((content / folder).rglob("*")):
            if path.is_file() and path.suffix.lstrip(".") in extensions:
                files.append(path)
    return files


def read_posts(settings):
    """``(articles, unreadable)``: every post, drafts included, parsed by Pelican's readers."""
    content = Path(settings["PATH"])
    readers = Readers(settings)
    articles, unreadable = [], []
    for path in post_files(settings):
        try:
            article = readers.read_file(
                base_path=str(content),
                path=str(path.relative_to(content)),
                content_class=Article,
                context={},
            )
        except Exception as exc:  # Pelican raises plain exceptions for unreadable metadata.
            unreadable.append(Unreadable(path, f"{type(exc).__name__}: {exc}"))
            continue
        if not getattr(article, "title", None) or not getattr(article, "date", None):
            unreadable.append(Unreadable(path, "no Title: or no Date:"))
            continue
        articles.append(article)
    return articles, unreadable


def metadata_line(path, key):
    """The 1-based line of ``key:`` in a source file's header, or None."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError:
        return None
    for number, line in enumerate(lines, 1):
        if not line.strip():
            return None  # The header ends at the first blank line.
        if line.lower().startswith(key.lower() + ":"):
            return number
    return None
