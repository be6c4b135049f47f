"""Convert Markdown in a process pool, so a build uses every core for its biggest cost.

Pelican reads one file at a time, and converting Markdown is most of a cold build. When the
article and page generators are created (before any file is read) we list the files they are
about to read, drop those Pelican's content cache will answer, and hand the rest to worker
processes. Pelican then reads through :class:`MarkdownReader`, which takes each file's
result from the pool instead of converting it again.

The worker reads each file with Pelican's own ``MarkdownReader``, built from the same settings,
and sends back what its ``read`` returns (the body and the processed metadata, which Pelican's
content cache pickles the same way), so the result is the same byte for byte. (Four differences
that change no byte: one Markdown converter per worker, reset between files, see
``markdown_reuse.py``; inline patterns and block tests are skipped over a text they cannot
match, see ``inline_triggers.py`` and ``block_triggers.py``; code blocks are highlighted with
shared formatters, see ``highlight.py``; and the metadata's categories, tags and authors travel
without the settings they hold, which the main process gives back, so every post shares one
settings dict as in Pelican, instead of one copy per chunk of files: 23 KB each, ~15 MB at 5,000
posts.) Anything a worker logs is logged again by the main process when the file is read, so a
strict build still sees every warning. Whatever goes wrong in the pool, the reader falls back to
Pelican's own conversion of that file.
"""

import fnmatch
import logging
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor

from pelican.generators import ArticlesGenerator
from pelican.readers import MarkdownReader as PelicanMarkdownReader
from pelican.urlwrappers import URLWrapper

from happening import forked

from . import block_triggers, fence, inline_triggers
from .capture import WarningCapture
from .highlight import with_shared_formatters
from .markdown_reuse import ReusedMarkdown
from .settings import get

log = logging.getLogger(__name__)

CHUNK = 8  # Files per task: enough to amortise the round trip, small enough to balance cores.
MIN_FILES = 16  # Fewer than this (a rebuild after one edit): converting here is quicker.


class _State:
    """The pool and the pending conversions of the current build."""

    def __init__(self):
        self.pool = None
        self.pending = {}  # absolute path -> (future, index in its chunk)
        self.early = None  # the settings of the build start_early began converting for

    def reset(self):
        if self.pool is not None:
            # Waited for: pages are rendered in forked helpers later, and a fork must not
            # inherit the pool's threads half-way through their work.
            self.pool.shutdown(wait=True, cancel_futures=True)
        self.__init__()


state = _State()


def workers(settings) -> int:
    """How many worker processes to use (0: convert in the main process, as Pelican does)."""
    wanted = get(settings, "FASTBUILD_WORKERS")
    if wanted is None:
        wanted = forked.cores()
    # One core gains nothing from a pool; fork is what makes the pool start in milliseconds.
    if wanted < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return 0
    return wanted


def use_parallel_reader(readers):
    """``readers_init``: read Markdown through our reader (unless the writer chose another)."""
    if not workers(readers.settings):
        return
    for ext in PelicanMarkdownReader.file_extensions:
        if readers.reader_classes.get(ext) is PelicanMarkdownReader:
            readers.reader_classes[ext] = MarkdownReader


def prefetch(generator):
    """``article_generator_init``/``page_generator_init``: start converting what will be read."""
    settings = generator.settings
    count = workers(settings)
    if not count:
        return
    kind = "ARTICLE" if isinstance(generator, ArticlesGenerator) else "PAGE"
    if kind == "ARTICLE" and state.early is not settings:
        state.reset()  # A new build: drop whatever a failed one left behind.
    elif kind == "ARTICLE":
        _requeue()
    files = generator.get_files(settings[f"{kind}_PATHS"], exclude=settings[f"{kind}_EXCLUDES"])
    readers = generator.readers
    todo = []
    for name in files:
        path = os.path.abspath(os.path.join(generator.path, name))
        reader = readers.readers.get(path.rsplit(".", 1)[-1])
        if not isinstance(reader, MarkdownReader) or path in state.pending:
            continue
        if readers.get_cached_data(path, None) is not None:
            continue  # The content cache has it: Pelican will not call the reader.
        todo.append(path)
    if len(todo) >= MIN_FILES or (todo and state.pool is not None):
        _submit(todo, settings, count)


def start_early(settings):
    """Start converting a cold build's Markdown files as soon as its settings are read.

    For ``happening.build.build``: between reading the settings and the article generator's
    init (where :func:`prefetch` starts), Pelican imports and registers every plugin, ~1 s on
    one core of a cold build while the other waits. The files listed here are those Pelican
    will read, found as ``Generator.get_files`` finds them; a file listed wrongly costs only a
    conversion nobody takes, and one missed is converted when :func:`prefetch` finds it.
    Nothing starts unless fastbuild will run, with its own reader, and no content cache
    (a build that loads one converts a few changed files at most).
    """
    if "happening.plugins.fastbuild" not in (settings.get("PLUGINS") or ()):
        return
    wanted = get(settings, "FASTBUILD_WORKERS")
    if wanted is not None and (isinstance(wanted, bool) or not isinstance(wanted, int)):
        return  # settings.check names the bad value when Pelican starts.
    extensions = set(PelicanMarkdownReader.file_extensions)
    if settings.get("LOAD_CONTENT_CACHE") or extensions & set(settings.get("READERS") or {}):
        return
    count = workers(settings)
    if not count or fence.problem() is not None:
        return
    todo = sorted(
        _markdown_files(settings, "ARTICLE", extensions)
        | _markdown_files(settings, "PAGE", extensions)
    )
    if len(todo) < MIN_FILES:
        return
    state.reset()
    state.early = settings
    _submit(todo, settings, count)


def _requeue():
    """Take back the early conversions not started yet: prefetch submits them again in the
    order Pelican reads the files (a set's), so that each result is read soon after it comes
    back instead of waiting in memory (all 5,000 posts' HTML at once, read in another order)."""
    cancelled = set()
    for path, (future, _) in list(state.pending.items()):
        if future in cancelled or future.cancel():
            cancelled.add(future)
            del state.pending[path]


def _markdown_files(settings, kind, extensions) -> set[str]:
    """The absolute paths of the Markdown files under ``{kind}_PATHS``, less the excluded."""
    root = os.path.abspath(settings["PATH"])
    ignores = settings.get("IGNORE_FILES") or ()
    excluded = {os.path.join(root, name) for name in settings.get(f"{kind}_EXCLUDES") or ()}
    found = set()
    for top in settings.get(f"{kind}_PATHS") or ():
        for folder, dirs, files in os.walk(os.path.join(root, top), followlinks=True):
            dirs[:] = [
                d
                for d in dirs
                if os.path.join(folder, d) not in excluded
                and not any(fnmatch.fnmatch(d, pattern) for pattern in ignores)
            ]
            for name in files:
                if name.rsplit(".", 1)[-1] in extensions and not any(
                    fnmatch.fnmatch(name, pattern) for pattern in ignores
                ):
                    found.add(os.path.abspath(os.path.join(folder, name)))
    return found


def _submit(todo, settings, count):
    if state.pool is None:
        context = multiprocessing.get_context("fork")
        state.pool = ProcessPoolExecutor(
            count,
            mp_context=context,
            initializer=_init_worker,
            initargs=(settings,),
        )
    for start in range(0, len(todo), CHUNK):
        chunk = todo[start : start + CHUNK]
        future = state.pool.submit(_convert_chunk, chunk)
        for index, path in enumerate(chunk):
            state.pending[path] = (future, index)
    log.debug("fastbuild: converting %d file(s) in %d processes", len(todo), count)


def shutdown(*_):
    """``all_generators_finalized``/``finalized``: every file is read; let the workers go."""
    state.reset()


class MarkdownReader(PelicanMarkdownReader):
    """Pelican's Markdown reader, taking each file's conversion from the pool when it is there.

    Same class name as Pelican's: Pelican records it as each post's ``reader`` ("markdown").
    """

    def read(self, source_path):
        result = _take(source_path)
        if result is None:
            return super().read(source_path)
        content, metadata, records = result
        for wrapper in _wrappers(metadata):
            wrapper.settings = self.settings  # As Pelican's reader made it (see the docstring).
        for name, level, message in records:
            logging.getLogger(name).log(level, "%s", message)
        return content, metadata


def _wrappers(metadata):
    """The categories, tags and authors in a post's processed metadata."""
    for value in metadata.values():
        for item in value if isinstance(value, list | tuple) else (value,):
            if isinstance(item, URLWrapper):
                yield item


def _take(path):
    entry = state.pending.pop(path, None)
    if entry is None:
        return None
    future, index = entry
    try:
        return future.result()[index]
    except Exception as exc:  # noqa: BLE001 - any pool failure: convert here, as Pelican would.
        log.debug("fastbuild: %s converted in the main process (%s)", path, exc)
        return None


# -- In the worker processes ---------------------------------------------------------------------
_worker = {}


def _init_worker(settings):
    # The parent's handlers (the console, a strict build's collector) must not see the worker's
    # records twice or lose them: capture them and send them back with each file's result.
    root = logging.getLogger()
    capture = WarningCapture()
    root.handlers = [capture]
    fence.use_markdown_class(ReusedMarkdown(prepare=_skip_what_cannot_match))
    _worker.update(reader=PelicanMarkdownReader(with_shared_formatters(settings)), capture=capture)


def _skip_what_cannot_match(md):
    """The worker's one converter skips the inline patterns and block tests a text cannot match."""
    block_triggers.install(inline_triggers.install(md))


def _convert_chunk(paths):
    return [_convert(path) for path in paths]


def _convert(path):
    capture = _worker["capture"]
    capture.records = []
    try:
        content, metadata = _worker["reader"].read(path)
    except Exception:  # noqa: BLE001 - the main process reads it again and reports the error.
        return None
    for wrapper in _wrappers(metadata):
        wrapper.settings = None  # The main process gives its own back.
    return content, metadata, capture.records
