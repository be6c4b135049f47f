"""Read the posts' sources the way Pelican does, without building: for `post.new` and `check`."""

import fnmatch
import logging
import os
import re
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
    # One pattern for every IGNORE_FILES glob (fnmatch's own translation): asked of each name.
    ignores = settings.get("IGNORE_FILES") or []
    ignored = re.compile("|".join(fnmatch.translate(i) for i in ignores)).match if ignores else None
    excluded = {}
    for item in excludes or []:
        parent, name = os.path.split(os.path.join(str(base), item))
        excluded.setdefault(parent, set()).add(name)
    found = set()
    for folder in paths:
        root = os.path.join(str(base), folder) if folder else str(base)
        if os.path.isfile(root):
            found.add(root)
            continue
        for dirpath, dirs, names in os.walk(root, topdown=True, followlinks=True):
            skip = excluded.get(dirpath, ())
            dirs[:] = [d for d in dirs if d not in skip and not (ignored and ignored(d))]
            found.update(
                os.path.join(dirpath, name)
                for name in names
                if not (ignored and ignored(name)) and os.path.splitext(name)[1][1:] in extensions
            )
    # Paths as a set of them would hold them (the same file reached two ways is one), in
    # Path's order (by their parts), sorted by key: comparing Paths took most of the time.
    return sorted({Path(path) for path in found}, key=lambda path: path.parts)


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
