"""The site's sources as Pelican sees them: which files are posts, which are pages, where each
one is written in the output, and on which line of it a piece of text sits.

Posts are the files under ARTICLE_PATHS less ARTICLE_EXCLUDES, pages those under PAGE_PATHS less
PAGE_EXCLUDES, with IGNORE_FILES applied: Pelican's own rules (``Generator.get_files``), so
Pelican's usual layout (posts at the top of ``content/``, ``pages/`` excluded) is read as
Pelican reads it. Only the metadata header of a Markdown file is parsed (the body is what the
build already converted; `check` needs the title, date, status, slug and summary), which is
what makes reading a thousand posts take a fraction of a second. When the build just ran in
this process (`publish`, `release`), its own reading of each post is taken instead, and only
the one thing it does not keep as written, ``Summary:``, is read from the header.
"""

import hashlib
import importlib.metadata
import os
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from markdown import Markdown
from markdown.extensions.meta import MetaPreprocessor
from pelican.contents import Article, Page
from pelican.readers import DUPLICATES_DEFINITIONS_ALLOWED, MarkdownReader, Readers

from happening.filestat import stat_of
from happening.plugins.fastbuild.fence import CONTENT_LISTS
from happening.sourceline import header_line_in

from ..posts import Unreadable, files, read_source
from .cache import HEADERS_FILE, SUMMARIES_FILE, ScanCache, StatFile, code_key, digest

_ADDRESS = re.compile(r" at 0x[0-9a-f]+")


@dataclass
class Sources:
    """Every post and page, read; ``shown(path)`` is how a finding names a source file."""

    project: Path
    posts: list = field(default_factory=list)  # pelican Article objects (body left empty)
    pages: list = field(default_factory=list)  # pelican Page objects
    unreadable: list[Unreadable] = field(default_factory=list)
    by_output: dict = field(default_factory=dict)  # output path (posix, relative) -> source
    _texts: dict = field(default_factory=dict, repr=False)
    _shown: dict = field(default_factory=dict, repr=False)
    _folders: dict = field(default_factory=dict, repr=False)  # folder -> its realpath

    def shown(self, path):
        # Asked once per finding: a 1,000-post site can have a warning on most of its pages.
        found = self._shown.get(path)
        if found is None:
            found = self._resolved(path)
            inside = os.path.join(str(self.project), "")  # a resolved folder, so: cut, no relpath
            if found.startswith(inside):
                found = found[len(inside) :].replace(os.sep, "/")
            self._shown[path] = found
        return found

    def _resolved(self, path):
        """``Path(path).resolve()``, with each folder's resolved once: resolving a path looks at
        each of its parts, and a thousand posts share a folder or two."""
        folder, name = os.path.split(os.path.abspath(path))
        if os.path.islink(os.path.join(folder, name)):
            return os.path.realpath(path)
        real = self._folders.get(folder)
        if real is None:
            real = self._folders[folder] = os.path.realpath(folder)
        return os.path.join(real, name)

    def line_of(self, source, *needles):
        """The 1-based line of the first of ``needles`` found in ``source``, or None."""
        text = self._texts.get(source)
        if text is None:
            try:
                text = Path(source).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                text = ""
            self._texts[source] = text
        for needle in needles:
            if needle:
                at = text.find(needle)
                if at >= 0:
                    return text.count("\n", 0, at) + 1
        return None

    def header_line(self, source, key):
        """The line of ``key:`` in the source's metadata header, or None."""
        self.line_of(source)  # reads and keeps the text
        return header_line_in(self._texts[source], key)


class HeaderReader(MarkdownReader):
    """Pelican's Markdown reader, reading only the metadata header (the body is not converted).

    The header is split by Markdown's own ``meta`` extension and each value goes through
    Pelican's ``process_metadata``, so dates, tags, slugs and statuses mean what they mean in
    the build. Formatted fields (``Summary:``) are kept as written: `check` asks only whether
    there is one and whether it is still the placeholder, so rendering them would be waste.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._meta = MetaPreprocessor(Markdown())
        self.known = None  # a ScanCache of the headers read before, by the file's bytes
        self.summaries = None  # a cache.StatFile of the summaries read before, by file stat

    def read(self, source_path):
        if self.known is None:
            return self._read(source_path)
        with open(source_path, "rb") as f:
            key = digest(f.read())
        found = self.known.get(key)
        if found is None:
            found = self._read(source_path)
            self.known.put(key, found)
        return found

    def _read(self, source_path):
        metadata = {name: self.value(name, values) for name, values in self.written(source_path)}
        return "", metadata

    def written(self, source_path):
        """The header's ``(name, values)`` as written, split by Markdown's ``meta`` extension."""
        self._source_path = source_path
        header = []
        with open(source_path, encoding="utf-8-sig") as f:
            for line in f:
                if not line.strip():
                    break
                header.append(line.rstrip("\n"))
        self._meta.md.Meta = {}
        self._meta.run(header)
        return list(self._meta.md.Meta.items())

    def value(self, name, values):
        """One header field as the check reads it: a formatted one (``Summary:``) as written."""
        if name in self.settings["FORMATTED_FIELDS"]:
            return "\n".join(values)
        if len(values) > 1 and DUPLICATES_DEFINITIONS_ALLOWED.get(name, True):
            return self.process_metadata(name, values)
        return self.process_metadata(name, values[0])

    def summary(self, source_path):
        """The ``Summary:`` as written in the header, or None when it has none."""
        if self.summaries is None:
            return self._summary(source_path)
        stat = stat_of(source_path)  # Before reading: a write in between changes it.
        found = self.summaries.get(source_path, stat)
        if found is None:
            found = [self._summary(source_path)]  # in a list: None is a summary too
            self.summaries.put(source_path, stat, found)
        return found[0]

    def _summary(self, source_path):
        for name, values in self.written(source_path):
            if name == "summary":
                return self.value(name, values)
        return None


@dataclass
class Read:
    """What `check` takes of a post or page the build in this process read (``read(built=)``).

    The build's reading is Pelican's own, with the same settings and files as a header read,
    so title, date, status, language and output path are the same; its metadata is not kept
    as written (the summary plugin fills in a missing ``summary``, Markdown renders it), so
    only the fields a header read gives as written are kept: ``id``, ``slug`` and the
    ``summary`` read again from the header.
    """

    source_path: str
    title: str
    date: datetime | None
    status: str
    lang: str | None
    save_as: str
    metadata: dict


def _readers(settings):
    readers = Readers(settings)
    # isinstance: after a build in this process (publish, release), a plugin's readers_init
    # handler may have put its own Markdown reader (a subclass) in place.
    for ext, reader in list(readers.readers.items()):
        if isinstance(reader, MarkdownReader):
            readers.readers[ext] = HeaderReader(settings)
    return readers


def _headers_cache(settings):
    """The headers read by the last check: valid while this package's code, Pelican's and
    Markdown's versions and every setting (dates, slugs and tags are read by them) are the same."""
    h = hashlib.blake2b(digest_size=16)
    h.update(code_key().encode())
    for name in ("pelican", "markdown", "python-dateutil"):
        h.update(f"{name}={importlib.metadata.version(name)}".encode())
    # Sorted by name; an object's address is left out (its code is in the key above or
    # decides nothing of a header); a set's order may change, which only misses the cache.
    described = sorted((k, _ADDRESS.sub("", repr(v))) for k, v in settings.items())
    h.update(repr(described).encode())
    return ScanCache(settings.get("CACHE_PATH"), name=HEADERS_FILE, code=h.hexdigest())


def _built(generators) -> dict:
    """Every post and page the build read, by its source's absolute path, with its class."""
    found = {}
    for generator in generators or ():
        for name in CONTENT_LISTS:  # where a build keeps what it read
            for item in getattr(generator, name, None) or ():
                path = getattr(item, "source_path", None)
                if path:
                    found[os.path.abspath(path)] = item
    return found


def _from_build(item, reader, save_as=None) -> Read:
    written = {k: item.metadata[k] for k in ("id", "slug") if k in item.metadata}
    summary = reader.summary(item.source_path)
    if summary is not None:
        written["summary"] = summary
    return Read(
        source_path=item.source_path,
        title=getattr(item, "title", None),
        date=getattr(item, "date", None),
        status=getattr(item, "status", None),
        lang=getattr(item, "lang", None),
        # Pelican works ``save_as`` out again at each access (~0.2 ms: the metadata copied, a
        # format string): the path the build wrote the item to, when it kept it, is the same.
        save_as=save_as if save_as is not None else getattr(item, "save_as", ""),
        metadata=written,
    )


def _posix(save_as: str) -> str:
    """``Path(save_as).as_posix()``, without making a Path of an already plain relative one."""
    plain = os.sep == "/" and not save_as.startswith(("/", "./")) and not save_as.endswith("/")
    if plain and "//" not in save_as and "/./" not in save_as and not save_as.endswith("/."):
        return save_as
    return Path(save_as).as_posix()


def read(settings, generators=None, saved_as=None) -> Sources:
    """Every post and page under PATH, read as Pelican reads them, drafts included.

    ``generators``: those of the build that just ran in this process with these settings; a
    Markdown source it read is taken from it (its header's summary read again), any other
    source is read here. ``saved_as``: where that build wrote each post and page it wrote (by
    the source's absolute path: ``reuse.production_build`` keeps them), taken for its
    ``save_as`` rather than working it out again.
    """
    saved_as = saved_as or {}
    base = Path(settings["PATH"])
    sources = Sources(project=base.resolve().parent)
    readers = _readers(settings)
    # Keyed after the readers exist: Pelican's Markdown reader completes MARKDOWN in place.
    known = _headers_cache(settings)
    # The summaries after a build: as valid as the headers (the same code and settings).
    summaries = StatFile(settings.get("CACHE_PATH"), SUMMARIES_FILE, code=known.code)
    for reader in readers.readers.values():
        if isinstance(reader, HeaderReader):
            reader.known, reader.summaries = known, summaries
    built = _built(generators)
    kinds = (
        (Article, settings["ARTICLE_PATHS"], settings.get("ARTICLE_EXCLUDES"), sources.posts),
        (Page, settings["PAGE_PATHS"], settings.get("PAGE_EXCLUDES"), sources.pages),
    )
    for content_class, paths, excludes, into in kinds:
        for path in files(settings, paths, excludes):
            absolute = os.path.abspath(path)
            item = built.get(absolute)
            reader = readers.readers.get(path.suffix[1:])
            if isinstance(item, content_class) and isinstance(reader, HeaderReader):
                item = _from_build(item, reader, saved_as.get(absolute))
            else:
                item = read_source(readers, base, path, content_class)
            if isinstance(item, Unreadable):
                sources.unreadable.append(item)
                continue
            needs_date = content_class is Article
            if not getattr(item, "title", None) or (needs_date and not getattr(item, "date", 0)):
                what = "no Title: or no Date:" if needs_date else "no Title:"
                sources.unreadable.append(Unreadable(path, what))
                continue
            into.append(item)
            save_as = getattr(item, "save_as", "")
            if save_as:
                sources.by_output[_posix(save_as)] = item.source_path
    known.save()
    summaries.save()
    return sources
