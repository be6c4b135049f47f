"""The live preview's hot path: the body of one existing post changed; redo only what shows it.

Most saves a writer makes change a post's words and nothing else. After every build the live
preview keeps that build in memory (:class:`LastBuild`: Pelican's generators with their posts and
context, and every page's ``write_file`` call as fastbuild recorded it, with the post bodies the
page read). For a save to one post's file, :func:`redo_body` then:

1. reads that one file again with Pelican's own reader (``fence.reread``);
2. takes the hot path only if nothing but the body changed: the reader's metadata is what it
   was, and what plugins derive from a body is unchanged too (the reading time and the automatic
   summary, asked of those plugins' own functions; the pictures and ``{static}`` links, which
   decide the social card's image and the copies the images plugin writes);
3. puts the new body into the EXISTING post object, so every list and page that holds it sees it;
4. renders again only the pages that read that post's body or summary, and writes again only the
   feeds that list it (``plugins/feeds``), each file rewritten only if its bytes changed.

Anything else (a metadata change, a new picture, a warning while rendering, a post it cannot
find, any doubt) returns ``None`` and the live preview runs its ordinary build instead, which
re-reads whatever changed and so is correct whatever the hot path did or did not write.
"""

import logging
from dataclasses import dataclass, field

from pelican.generators import ArticlesGenerator
from pelican.urlwrappers import URLWrapper

from happening import build_log
from happening.plugins.fastbuild import fence, memory
from happening.plugins.fastbuild.pages import Unchanged, WriteIfChanged
from happening.plugins.feeds.plugin import rewrite_for
from happening.plugins.readingtime import reading_time
from happening.plugins.socialcards.own_image import IMG
from happening.plugins.summary import automatic_summary

log = logging.getLogger(__name__)

FEEDS_PLUGIN = "happening.plugins.feeds"


@dataclass
class LastBuild:
    """What the hot path needs of the last good build; dropped before the next full one."""

    generators: list
    calls: dict  # fastbuild's recorded write_file calls (memory.calls())
    settings: dict
    feed_entries: dict = field(default_factory=dict)  # plugins/feeds keeps them between edits


@dataclass
class HotResult:
    pages: int  # pages rendered again
    feeds: int  # feeds written again


class ReplayWriter(fence.WriterHook):
    """Pelican's writer, writing a file only when its bytes changed (as fastbuild's writer)."""

    def open_output(self, filename, encoding, override):
        return WriteIfChanged(self.claim(filename, override), encoding)


class OnlyFiles:
    """A template that renders only the files of a call that read the edited post.

    One listing call writes every page of its pagination; the others are left as they are.
    ``files`` (``{file: source paths its rendering read}``, None when not known) says which
    did not read ``path``; any other file is rendered.
    """

    def __init__(self, template, writer, files, path):
        self.template, self.writer, self.files, self.path = template, writer, files or {}, path
        self.name = template.name
        self.rendered = 0

    def render(self, localcontext):
        read = self.files.get(self.writer.rendering(localcontext))
        if read is not None and self.path not in read:
            return Unchanged()
        self.rendered += 1
        return self.template.render(localcontext)


def _find(generators, path):
    """``(generator, post)`` for the one post or page read from ``path``, or None."""
    found = []
    for generator in generators:
        for name in fence.CONTENT_LISTS:
            for content in getattr(generator, name, None) or []:
                if content.source_path == path:
                    found.append((generator, content))
    # A post listed twice (or a path read by two generators) is beyond the hot path.
    return found[0] if len(found) == 1 else None


def _why_not(old, new, old_data, new_data) -> str | None:
    """Why this edit needs the ordinary build (more than the body changed), or None."""
    if type(new) is not type(old):
        return "the post's kind changed"
    if old_data is None or new_data is None:
        return "the reader's cache has no record of it"
    if _plain(old_data[1]) != _plain(new_data[1]):
        return "its metadata changed"
    if old.settings.get("DEFAULT_DATE") == "fs":
        return "its date is the file's time"
    # The pictures decide the social card's image and the copies the images plugin writes;
    # {static} links decide which static files are copied.
    if IMG.findall(fence.body(old)) != IMG.findall(fence.body(new)):
        return "its pictures changed"
    if fence.static_links(old) != fence.static_links(new):
        return "its {static} links changed"
    if hasattr(old, "reading_time") and reading_time(new) != old.reading_time:
        return "its reading time changed"
    automatic = getattr(old, "summary_is_automatic", False)
    if automatic and automatic_summary(new) != old.metadata.get("summary"):
        return "its automatic summary changed"
    return None


def redo_body(last: LastBuild, path: str) -> HotResult | None:
    """Redo the output of an edit to ``path`` (absolute) if only its body changed, else None."""
    found = _find(last.generators, path)
    if found is None:
        log.debug("hot path: %s is not one known post", path)
        return None
    generator, old = found
    shown = [(key, call) for key, (call, deps) in last.calls.items() if _reads(deps, path)]
    files = {key: memory.files_read(key) for key, _ in shown}
    if any(deps is None for _, deps in last.calls.values()):
        log.debug("hot path: the last build's page records are incomplete")
        return None
    collector = build_log.Collector()
    build_log.fresh_pelican_log()
    root = logging.getLogger()
    root.addHandler(collector)
    try:
        old_data = fence.reader_data(generator.readers, path)
        new = fence.reread(generator, old)
        reason = _why_not(old, new, old_data, fence.reader_data(generator.readers, path))
        if reason is None and collector.problems:
            reason = "reading it logged a warning"
        if reason is not None:
            log.debug("hot path: not for %s: %s", path, reason)
            return None
        fence.set_body(old, fence.body(new))
        writer = ReplayWriter(generator.output_path, generator.settings)
        pages = 0
        for key, (name, template, context, args, kwargs) in shown:
            only = OnlyFiles(template, writer, files[key], path)
            writer.write_file(name, only, context, *args, **kwargs)
            pages += only.rendered
        feeds = 0
        if FEEDS_PLUGIN in (last.settings.get("PLUGINS") or []) and _in_feeds(generator, old):
            for entries in last.feed_entries.values():
                entries.pop(id(old), None)  # Made again from the new body.
            feeds = rewrite_for(generator, old, last.feed_entries)
    finally:
        root.removeHandler(collector)
        fence.forget_memoised()  # Nothing memoised may keep a post alive past this edit.
    if collector.problems:
        # The ordinary build reports it, naming the file, and writes the whole site afresh.
        log.debug("hot path: rendering %s logged a warning", path)
        return None
    return HotResult(pages, feeds)


def _plain(value):
    """``value`` to compare by what it shows: Pelican's tags, categories and authors compare
    equal by slug alone, so a tag renamed from "Alpha" to "alpha" would look unchanged."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, URLWrapper):
        return (type(value).__name__, value.name)
    return value


def _reads(deps, path):
    return deps is not None and any(source == path for source, _ in deps)


def _in_feeds(generator, post):
    """Feeds list the published posts and their translations."""
    if not isinstance(generator, ArticlesGenerator):
        return False
    return any(post is a for a in [*generator.articles, *generator.translations])


def last_build(result) -> LastBuild:
    """What to keep of a :class:`happening.build.BuildResult` for the next edit."""
    return LastBuild(list(result.generators), memory.calls(), result.settings)
