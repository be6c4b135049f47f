"""The live preview: watch the sources, rebuild after every save, tell the browser.

One process keeps Pelican, the theme and the plugins loaded and builds in place into the dev
settings' ``output/``. Every save is seen (inotify through ``watchfiles``, which Pelican already
depends on: no polling interval to wait out) and none is dropped: changes arriving while a build
runs are kept and make exactly one more build when it ends.

What a change needs decides how much is rebuilt (:func:`plan`):

- an edit to the body of one existing post or page, and nothing else: the **hot** path
  (``hotpath.py``): the last build stays in memory, the file is read again, and only the pages
  and feeds that show that post's body are rendered again. Whatever it cannot be sure of (the
  title, tags or date changed, a picture was added...) takes the incremental build instead.
- an edit to an existing post or page: an **incremental** build in this process. Pelican's
  content cache re-reads only the changed file and fastbuild's page cache re-renders only the
  pages whose inputs changed; both keep their records in memory between builds.
- a post added or deleted, the theme, the settings, a static file: a **full** build (the output
  folder emptied first, no cache loaded), so nothing stale can survive.
- our own Python code (``plugins/``, ``happening/``): modules already imported cannot be
  reloaded safely, so the process **restarts** itself (the task passes ``os.execv``); open pages
  reconnect and reload.

A failed build keeps the server running: the browser shows the error page (see ``reload.py``)
until the next good build.
"""

import logging
import shutil
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from happening.build import DEV_SETTINGS, ROOT, UserError, build, load_settings
from happening.plugins.fastbuild import memory

from . import hotpath
from .reload import LiveHooks, failure_for

log = logging.getLogger(__name__)

HOT, INCREMENTAL, FULL, RESTART = "hot", "incremental", "full", "restart"
# Our code: a change here means new Python, which only a new process runs.
CODE = (ROOT / "plugins", ROOT / "happening")
# An edit re-reads one file and re-renders a few pages: a worker pool and a forked rendering
# helper would cost more to start than they save.
ONE_EDIT = {"FASTBUILD_WORKERS": 0}
# How often the watcher wakes with no change (its first wake says the watch is in place).
WATCH_READY_MS = 200
SOURCE_SUFFIXES = (".md", ".markdown", ".mkd", ".mdown", ".html", ".htm", ".rst")


@dataclass
class Sources:
    """Where one site's inputs are: what to watch, and how to tell the kinds apart."""

    settings_file: Path
    content: Path
    theme: Path
    output: Path
    cache: Path
    code: tuple = CODE

    @classmethod
    def of(cls, settings_file, overrides):
        settings = load_settings(settings_file, **overrides)
        return cls(
            Path(settings_file).resolve(),
            Path(settings["PATH"]),
            Path(settings["THEME"]),
            Path(settings["OUTPUT_PATH"]),
            Path(settings["CACHE_PATH"]),
        )

    def watched(self):
        """The folders watched, with their sub-folders (the settings file is watched apart)."""
        return [self.content, self.theme, *self.code]


def plan(changes, sources: Sources, known=frozenset()) -> str:
    """What the changed files need: :data:`INCREMENTAL`, :data:`FULL` or :data:`RESTART`.

    ``changes`` is a set of ``(kind, path)`` with kind ``"added"``, ``"modified"`` or
    ``"deleted"`` (as ``watchfiles`` reports them); ``known`` the source files the last build
    read. An editor that saves by writing a new file and renaming it over the old one reports an
    "added" or "deleted": what counts is whether the file was there before and is there now.
    """
    verdict = INCREMENTAL
    for kind, path in changes:
        path = Path(path)
        if any(root in path.parents for root in sources.code):
            if path.suffix == ".py":
                return RESTART
            continue
        source = path.suffix in SOURCE_SUFFIXES and sources.content in path.parents
        existed = kind == "modified" or str(path) in known
        if not (source and existed and path.is_file()):
            verdict = FULL
    return verdict


def source_files(content: Path) -> frozenset:
    """Every post and page file under ``content`` (what a build reads), as strings."""
    return frozenset(
        str(p) for p in content.rglob("*") if p.suffix in SOURCE_SUFFIXES and p.is_file()
    )


@dataclass
class Outcome:
    """One build of the live preview: how, whether it worked, how long it took."""

    how: str
    ok: bool
    seconds: float = 0.0
    message: str = ""
    rendered: dict = field(default_factory=dict)


class LivePreview:
    """Rebuilds a site after every change; :attr:`hooks` tells the browser.

    ``overrides`` are Pelican settings, as for :func:`happening.build.build`. ``restart`` is
    called (instead of building) when our own code changed.
    """

    def __init__(self, settings_file=DEV_SETTINGS, *, hooks=None, restart=None, **overrides):
        self.settings_file = settings_file
        self.overrides = overrides
        self.sources = Sources.of(settings_file, overrides)
        self.hooks = hooks or LiveHooks()
        self.restart = restart
        self.outcomes: list[Outcome] = []  # The last few, for tests and the bench.
        self.builds = 0  # How many builds so far.
        self._lock = threading.Condition()
        self._building = threading.Lock()
        self._known = frozenset()
        self._last = None  # The last good build, for the hot path (hotpath.LastBuild).
        self._torn = False  # The last build stopped half-way: the next one is full.
        self._changes = set()
        self._pending = False
        self._busy = False
        self._stop = threading.Event()
        self._threads = []

    # -- Builds ----------------------------------------------------------------------------------
    def rebuild(self, how=INCREMENTAL, changes=()) -> Outcome:
        """One build now, in this thread; the browser is told whatever happens.

        ``changes`` (``{(kind, path)}``, as :meth:`changed` takes them) lets an incremental
        build take the hot path when they are one post's file. Builds never overlap (Pelican's
        signals and our plugins' state are per process): a caller waits for the build in
        progress.
        """
        with self._building:
            return self._rebuild(how, changes)

    def _rebuild(self, how, changes=()):
        if self._torn and how == INCREMENTAL:
            how = FULL  # The last build stopped half-way: what it wrote is known to nobody.
        if how == INCREMENTAL:
            outcome = self._hot(changes)
            if outcome is not None:
                return outcome
        finished = memory.finished()
        # Dropped before the build, not after: two builds' posts are never in memory at once.
        self._last = None
        memory.forget_calls()
        try:
            self._known = source_files(self.sources.content)  # What this build will read.
            if how == FULL:
                self._start_from_nothing()
            result = build(self.settings_file, **self._overrides(how))
        except Exception as exc:  # Whatever broke, the server must keep serving.
            message = str(exc) if isinstance(exc, UserError) else f"{type(exc).__name__}: {exc}"
            log.error("%s", message)
            log.error("The browser shows this until a save fixes it.")
            self.hooks.built(failure_for(exc, self.sources.content))
            # A build that stopped inside Pelican (a plugin's error) may have written files no
            # record names; one that ran to the end and then reported warnings did not.
            self._torn = memory.finished() == finished
            return self._keep(Outcome(how, False, message=message))
        self._torn = False
        # Only a build whose page records are complete can be replayed by the hot path.
        self._last = hotpath.last_build(result) if memory.finished() != finished else None
        # Recorded before the browser is told, so whoever waits on the hooks sees it.
        outcome = self._keep(Outcome(how, True, result.seconds, rendered=memory.last_build()))
        self.hooks.built()
        log.warning(
            "Rebuilt (%s) %d posts, %d pages in %.2fs",
            how,
            result.articles,
            result.pages,
            result.seconds,
        )
        return outcome

    def _hot(self, changes) -> Outcome | None:
        """The hot path's outcome for ``changes``, or None when the ordinary build must run."""
        paths = {str(path) for _, path in changes}
        if self._last is None or len(paths) != 1 or not paths <= self._known:
            return None
        start = time.perf_counter()
        try:
            done = hotpath.redo_body(self._last, paths.pop())
        except Exception:  # A bug of ours: the ordinary build is always right.
            log.exception("live preview: the hot path failed; building as usual")
            done = None
        if done is None:
            self._last = None  # It may have changed posts in memory: the build reads afresh.
            return None
        seconds = time.perf_counter() - start
        rendered = {"rendered": done.pages, "feeds": done.feeds}
        outcome = self._keep(Outcome(HOT, True, seconds, rendered=rendered))
        self.hooks.built()  # The browser first: the log line can wait.
        log.warning(
            "Rebuilt (hot) %d page(s), %d feed(s) in %.2fs", done.pages, done.feeds, seconds
        )
        return outcome

    def _overrides(self, how):
        overrides = {**self.overrides, **(ONE_EDIT if how == INCREMENTAL else {})}
        # Templates compiled once, not at every build (a full build empties the cache). Read
        # each time: the settings file may have changed JINJA_ENVIRONMENT itself.
        jinja = load_settings(self.settings_file, **self.overrides)["JINJA_ENVIRONMENT"]
        overrides["JINJA_ENVIRONMENT"] = {**jinja, "bytecode_cache": memory.TEMPLATES}
        return overrides

    def _start_from_nothing(self):
        """Empty the output folder (not the folder itself: it is being served) and the caches.

        Done here rather than with DELETE_OUTPUT_DIRECTORY and LOAD_CONTENT_CACHE: settings are
        part of every page's digest, so changing them for one build would make the next
        incremental build render every page again.
        """
        memory.forget()
        for folder in (self.sources.output, self.sources.cache):
            if folder.is_dir():
                for child in folder.iterdir():
                    if child.is_dir() and not child.is_symlink():
                        shutil.rmtree(child)
                    else:
                        child.unlink()

    def _keep(self, outcome):
        self.builds += 1
        self.outcomes = [*self.outcomes[-19:], outcome]
        return outcome

    # -- Changes ---------------------------------------------------------------------------------
    def changed(self, changes):
        """Files changed (``{(kind, path)}``): build once more, as soon as the builder is free."""
        with self._lock:
            self._changes |= set(changes)
            self._pending = True
            self._lock.notify_all()

    def _next_changes(self):
        with self._lock:
            self._lock.wait_for(lambda: self._pending or self._stop.is_set())
            changes, self._changes, self._pending = self._changes, set(), False
            self._busy = not self._stop.is_set()
            return changes

    def _builder(self):
        while not self._stop.is_set():
            changes = self._next_changes()
            if self._stop.is_set():
                return
            try:
                how = plan(changes, self.sources, self._known)
                if how == RESTART and self.restart is not None:
                    log.warning("Our code changed: restarting the live preview")
                    self.restart()
                    return
                self.rebuild(FULL if how == RESTART else how, changes)
            except Exception:  # A bug of ours must not stop the preview: say it, go on.
                log.exception("live preview: the rebuild failed")
            finally:
                with self._lock:
                    self._busy = False
                    self._lock.notify_all()

    def _watch(self, ready, paths, recursive=True, only=None):
        from watchfiles import Change, DefaultFilter, watch  # Only the live preview needs it.

        names = {Change.added: "added", Change.modified: "modified", Change.deleted: "deleted"}
        keep = DefaultFilter() if only is None else (lambda change, path: Path(path) == only)
        # step: how long to wait for the rest of one save (editors write in bursts). An empty
        # batch comes every rust_timeout ms without changes: the first says the watch is set.
        for batch in watch(
            *paths,
            watch_filter=keep,
            recursive=recursive,
            debounce=200,
            step=20,
            rust_timeout=WATCH_READY_MS,
            yield_on_timeout=True,
            stop_event=self._stop,
        ):
            ready.set()
            if batch:
                self.changed({(names[kind], path) for kind, path in batch})

    def _watcher(self, ready):
        self._watch(ready, self.sources.watched())

    def _settings_watcher(self, ready):
        # The settings file's folder, not the file: an editor that replaces the file would end a
        # watch on the file itself. Not recursive, as output/ and cache/ are often beside it.
        settings = self.sources.settings_file
        self._watch(ready, [settings.parent], recursive=False, only=settings)

    def start(self):
        """Watch, build everything once, then rebuild on every change, in background threads.

        The watches are set before the first build starts, so a save made at any moment after
        ``start`` is called is built: one during the first build makes one more.
        """
        for target in (self._watcher, self._settings_watcher):
            ready = threading.Event()
            self._spawn(target, ready)
            if not ready.wait(timeout=30):
                raise UserError("livereload: could not watch the sources for changes")
        self.rebuild(FULL)
        self._spawn(self._builder)

    def _spawn(self, target, *args):
        thread = threading.Thread(target=target, args=args, name=f"livepreview{target.__name__}")
        thread.daemon = True
        thread.start()
        self._threads.append(thread)

    def wait_idle(self, timeout) -> bool:
        """Wait until no change is waiting and no build runs (tests and the bench)."""
        with self._lock:
            return self._lock.wait_for(lambda: not self._pending and not self._busy, timeout)

    def stop(self):
        self._stop.set()
        with self._lock:
            self._lock.notify_all()
        self.hooks.close()
        for thread in self._threads:
            thread.join(timeout=10)
        self._threads = []
