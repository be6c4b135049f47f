"""Read the posts' sources the way Pelican does, without building: for `post.new` and `check`."""

import fnmatch
import logging
import os
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


def files(settings, paths, excludes):
    """Pelican's ``Generator.get_files`` rules: the source files under ``paths``, sorted."""
    base = Path(settings["PATH"])
    extensions = set(Readers(settings).extensions)
    ignores = settings.get("IGNORE_FILES") or []
    excluded = {}
    for item in excludes or []:
        parent, name = os.path.split(os.path.join(str(base), item))
        excluded.setdefault(parent, set()).add(name)
    found = set()
    for folder in paths:
        root = os.path.join(str(base), folder) if folder else str(base)
        if os.path.isfile(root):
            found.add(Path(root))
            continue
        for dirpath, dirs, names in os.walk(root, topdown=True, followlinks=True):
            skip = excluded.get(dirpath, ())
            dirs[:] = [
                d for d in dirs if d not in skip and not any(fnmatch.fnmatch(d, i) for i in ignores)
            ]
            for name in names:
                if any(fnmatch.fnmatch(name, i) for i in ignores):
                    continue
                if os.path.splitext(name)[1][1:] in extensions:
                    found.add(Path(dirpath) / name)
    return sorted(found)


def post_files(settings):
    """Every post's source: the files under ARTICLE_PATHS less ARTICLE_EXCLUDES, sorted."""
    return files(settings, settings["ARTICLE_PATHS"], settings.get("ARTICLE_EXCLUDES"))


def read_source(readers, base: Path, path: Path, content_class):
    """What Pelican's ``readers`` make of ``path`` (under ``base``), or an :class:`Unreadable`."""
    try:
        return readers.read_file(
            base_path=str(base),
            path=str(path.relative_to(base)),
            content_class=content_class,
            context={},
        )
    except Exception as exc:  # Pelican raises plain exceptions for unreadable metadata.
        return Unreadable(path, f"{type(exc).__name__}: {exc}")


def read_posts(settings):
    """``(articles, unreadable)``: every post, drafts included, parsed by Pelican's readers."""
    content = Path(settings["PATH"])
    readers = Readers(settings)
    articles, unreadable = [], []
    for path in post_files(settings):
        article = read_source(readers, content, path, Article)
        if isinstance(article, Unreadable):
            unreadable.append(article)
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
