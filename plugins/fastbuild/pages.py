"""Render only the pages whose inputs changed; write only the files whose bytes changed.

Pelican re-renders every page on every build, even with its content cache on. This writer keeps,
for each ``write_file`` call (one page, or one paginated listing), a digest of everything the
template is given, and skips the call when the digest, the theme, the plugins and the files it
wrote last time are all unchanged.

What the digest covers, and why that is enough:

- The code: every file of the theme and of ``PLUGIN_PATHS``, and the versions of Python, Pelican,
  Jinja2 and Markdown. Any change there re-renders everything.
- The shared context (all settings, every list of posts, tags, categories...) with every post
  digested by all its attributes except its body: title, date, URL, tags, summary, whatever a
  plugin attached. Changing any of those re-renders every page, since any template may list them.
- The call's own arguments (the page's article, tag, the list it paginates...), digested the same.
- The body: a post's HTML changes far more often than anything else and appears on few pages, so
  it is not in the digests; instead, while a page renders, every time its template (or a filter
  in Python) reads a post's ``content`` or ``summary`` (which go through ``get_content`` and
  ``get_summary``), the page records that post and a hash of its body. A page is re-rendered when
  one of the bodies it read has changed. (A template reading the private ``_content`` itself is
  not seen: no theme should, and ours does not.)
- The output: each file it wrote must still be there with the same size and mtime.

Anything the digest cannot describe reliably (an object whose only description is its memory
address) makes that call uncacheable: it is rendered as Pelican would. Files that a previous build
wrote through this writer and this build did not are removed, so an incremental build leaves the
same tree as a full build into an empty folder.

Writing keeps Pelican's overwrite rules and its ``content_written`` signal with the same context
(see ``fence.WriterHook``), but a file whose new bytes equal what is on disk is not rewritten.
"""

import functools
import hashlib
import io
import logging
import os
import pickle
import sys
import types
from pathlib import Path

import jinja2
import markdown
import pelican
from pelican.contents import Content
from pelican.generators import PagesGenerator
from pelican.urlwrappers import URLWrapper

from . import fence, memory, parallel, split
from .settings import get

log = logging.getLogger(__name__)

CACHE_FILE = "fastbuild-pages.pickle"
FORMAT = 1  # Bump when the cache's layout or the digest's meaning changes.
# Context lists Pelican fills from a set, so their order changes from run to run (and no template
# can rely on it): digested without their order.
UNORDERED = frozenset({"staticfiles"})
# fastbuild's own settings change how a build runs, never what it writes (the byte-identity tests
# hold that): left out, so the live preview may build one edit with no worker pool and reuse pages.
OWN_SETTINGS = "FASTBUILD_"


class Undigestable(Exception):
    """A value has no stable description; the page using it is rendered every time."""


class _State:
    """The current build's cache, digests and the page being rendered."""

    def __init__(self):
        self.entries = {}  # key -> (digest, deps, outputs)
        self.previous = {}
        self.cache_file = None
        self.save = False
        self.digester = None
        self.global_digest = None
        self.global_keys = None
        self.bodies = {}  # source_path -> current body hash
        self.reading = None  # the deps set of the page rendering now
        self.file_reads = None  # FASTBUILD_KEEP_IN_MEMORY: the posts read for the current file
        self.rendered = self.skipped = 0
        self.writer = None
        self.helpers = 0
        # Digests serve only a cache that is loaded or saved: a production build (neither)
        # skips them, ~3% of a full build.
        self.needed = True
        self.in_memory = False  # FASTBUILD_KEEP_IN_MEMORY: records in memory.py, not a file

    def reset(self):
        self.__init__()


state = _State()
# What the last build did, for the benchmarks and tests: {"rendered": n, "reused": n}.
last_build = {}


# -- Digests --------------------------------------------------------------------------------------
class Digester:
    """A stable hex digest of template inputs; memoised per object for one build."""

    def __init__(self):
        self.memo = {}  # id -> (object, digest); the object is kept so its id is not reused
        # Only what lives for the whole build is remembered (posts, tags, the shared context's
        # lists); a call's own arguments are new objects each time and would only pile up.
        self.remember = True
        # Inside a post's attributes, another post is named (by its source path), not described:
        # every post is described where the context lists it, and naming keeps the digest the
        # same whatever order the posts are met in (follow-ups point both ways).
        self.naming = False
        self.active = set()

    def __call__(self, value, remember=True) -> str:
        self.remember = remember
        try:
            return self.token(value)
        finally:
            self.remember = True

    def token(self, value):
        kind = type(value)
        if value is None or kind in (bool, int, float):
            return repr(value)
        if isinstance(value, str):
            return "s" + hashlib.blake2b(value.encode(), digest_size=12).hexdigest()
        if isinstance(value, bytes):
            return "b" + hashlib.blake2b(value, digest_size=12).hexdigest()
        if self.naming and isinstance(value, Content):
            return f"<{type(value).__name__}:{value.source_path}>"
        key = (id(value), self.naming)
        hit = self.memo.get(key)
        if hit is not None and hit[0] is value:
            return hit[1]
        if key in self.active:
            raise Undigestable(f"a cycle through {type(value).__name__}")
        self.active.add(key)
        try:
            text = self._describe(value)
        finally:
            self.active.discard(key)
        digest = "h" + hashlib.blake2b(text.encode(), digest_size=12).hexdigest()
        if self.remember or isinstance(value, Content | URLWrapper):
            self.memo[key] = (value, digest)
        return digest

    def _describe(self, value):
        t = self.token
        if isinstance(value, dict):
            # Sorted: Pelican fills some dicts (generated_content) in filesystem order, which
            # varies between runs; templates list posts from the sorted lists, not from these.
            return "{" + ",".join(sorted(f"{t(k)}:{t(v)}" for k, v in value.items())) + "}"
        if isinstance(value, list | tuple):
            return type(value).__name__ + "[" + ",".join(t(v) for v in value) + "]"
        if isinstance(value, set | frozenset):
            return "set[" + ",".join(sorted(t(v) for v in value)) + "]"
        if isinstance(value, Content | URLWrapper):
            naming, self.naming = self.naming, True
            try:
                attrs = ",".join(
                    f"{k}={t(v)}" for k, v in vars(value).items() if k not in fence.UNDIGESTED
                )
            finally:
                self.naming = naming
            return f"{type(value).__module__}.{type(value).__qualname__}({attrs})"
        if isinstance(value, types.FunctionType):
            # The code is covered by the plugin/theme source digest (or a library's version);
            # what it closes over and its defaults are data, and are described.
            cells = tuple(c.cell_contents for c in value.__closure__ or ())
            data = t((value.__defaults__, value.__kwdefaults__, cells))
            return f"{value.__module__}.{value.__qualname__}:{data}"
        if isinstance(value, types.MethodType):
            return f"method:{t(value.__func__)}:{t(value.__self__)}"
        if isinstance(value, functools.partial):
            return f"partial:{t(value.func)}:{t(value.args)}:{t(value.keywords)}"
        if isinstance(value, type | types.BuiltinFunctionType):
            return f"{getattr(value, '__module__', '')}.{value.__qualname__}"
        if type(value).__name__ == "module":
            return f"module:{value.__name__}"
        text = repr(value)
        if " at 0x" in text or " object at " in text:
            if hasattr(value, "__dict__"):
                return f"{type(value).__qualname__}({t(vars(value))})"
            raise Undigestable(f"{type(value).__qualname__} has no stable description")
        return f"{type(value).__qualname__}:{text}"


def code_digest(settings) -> str:
    """Everything that renders pages besides the data: theme, plugins, library versions."""
    h = hashlib.blake2b(digest_size=16)
    versions = (FORMAT, sys.version, pelican.__version__, jinja2.__version__, markdown.__version__)
    h.update(repr(versions).encode())
    roots = [settings.get("THEME", "")]
    roots += [str(p) for p in settings.get("PLUGIN_PATHS", [])]
    roots += [str(p) for p in settings.get("THEME_TEMPLATES_OVERRIDES", [])]
    roots += _plugin_roots(settings.get("PLUGINS") or [])
    for root in roots:
        base = Path(root)
        if base.is_file():  # A plugin that is a single module.
            h.update(str(base).encode() + b"\0" + base.read_bytes() + b"\0")
        if not base.is_dir():
            continue
        for path in sorted(base.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                h.update(str(path.relative_to(base)).encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def _plugin_roots(plugins):
    """The folders of the plugins loaded by name, and of the package each belongs to.

    Plugins loaded by dotted name live outside ``PLUGIN_PATHS``; the top-level package also
    holds the helpers they import (``happening.postid``, ``happening.urls``...).
    """
    roots = []
    for plugin in plugins:
        name = plugin if isinstance(plugin, str) else getattr(plugin, "__name__", "")
        for module_name in (name, name.split(".")[0]):
            if module_name == "pelican":  # Its version is digested; its plugins are not.
                continue
            module = sys.modules.get(module_name)
            places = getattr(module, "__path__", None) or [getattr(module, "__file__", None)]
            roots += [place for place in places if place and place not in roots]
    return roots


def _body_hash(content):
    return hashlib.blake2b(fence.body(content).encode(), digest_size=12).hexdigest()


# -- Tracking what a page reads -------------------------------------------------------------------
def _track(content):
    deps = state.reading
    if deps is not None and isinstance(content, Content):
        path = content.source_path
        body = state.bodies.get(path)
        if body is None:
            body = state.bodies[path] = _body_hash(content)
        deps.add((path, body))
        if state.file_reads is not None:
            state.file_reads.add(path)


def _tracked(method):
    def read_body(self, *args, **kwargs):
        _track(self)
        return method.__get__(self, type(self))(*args, **kwargs)

    return read_body


def watch_reads():
    """Note every read of a post's body while a page renders, from a template or from Python.

    ``content`` and ``summary`` go through these two methods; the wrappers cost one check per
    call, do nothing while no page is being rendered, and are removed in ``finalized``.
    """
    for name in ("get_content", "get_summary"):
        fence.patch(Content, name, _tracked)


# -- The writer -----------------------------------------------------------------------------------
class _Unchanged(str):
    """What the stand-in template renders: "the file on disk is already right"."""


class _Reuse:
    """A template that renders nothing: the writer keeps the file it wrote last time."""

    def __init__(self, template):
        self.name = template.name

    def render(self, *args, **kwargs):
        return _Unchanged()


class _WriteIfChanged(io.StringIO):
    """A text file that touches the disk on close only if its bytes differ from what is there."""

    def __init__(self, path, encoding):
        super().__init__()
        self.path, self.target_encoding = path, encoding
        self.unchanged = False

    def write(self, text):
        if isinstance(text, _Unchanged):
            self.unchanged = True
            return 0
        return super().write(text)

    def close(self):
        if not self.closed and not self.unchanged:
            data = self.getvalue().encode(self.target_encoding)
            try:
                with open(self.path, "rb") as old:
                    same = old.read() == data
            except OSError:
                same = False
            if not same:
                with open(self.path, "wb") as out:
                    out.write(data)
        super().close()


# The live preview's hot path writes the pages it replays the same way.
WriteIfChanged, Unchanged = _WriteIfChanged, _Unchanged


class CachingWriter(fence.WriterHook):
    """Pelican's writer, skipping the pages whose inputs are unchanged since the last build.

    With a :class:`~fastbuild.split.Splitter` attached, every other page that must be rendered
    is handed to a forked helper process instead (see ``split.py``).
    """

    def __init__(self, output_path, settings=None):
        super().__init__(output_path, settings)
        self._outputs = None
        self._file_reads = {}
        self._planned = None  # In a helper: the files the main process decided, in order.
        self.splitter = None
        if split.possible(parallel.workers(self.settings)):
            self.splitter = split.Splitter(self, _record)
        state.writer = self

    def write_file(self, name, template, context, *args, **kwargs):
        if not name:
            return super().write_file(name, template, context, *args, **kwargs)
        key = (name, template.name)
        digest = _call_digest(key, context, args, kwargs)
        entry = state.previous.get(key)
        reuse = digest is not None and entry is not None and _still_valid(digest, entry)
        delegate = not reuse and self.splitter is not None and self.splitter.takes_next()
        self._outputs, deps = [], set()
        state.reading = deps
        self._file_reads = {}
        state.file_reads = set() if state.in_memory and not (reuse or delegate) else None
        try:
            if reuse or delegate:
                # Pelican's bookkeeping and signals, here and in order; no rendering.
                super().write_file(name, _Reuse(template), context, *args, **kwargs)
            else:
                super().write_file(name, template, context, *args, **kwargs)
        finally:
            state.reading = state.file_reads = None
        planned, self._outputs = self._outputs, None
        if state.in_memory:  # The live preview's hot path replays calls (memory.py).
            memory.note_call(
                key,
                (name, template, context, args, kwargs),
                None if delegate else entry[1] if reuse else tuple(sorted(deps)),
                None if reuse or delegate else self._file_reads,
            )
        if delegate:
            self.splitter.add((key, digest, name, template, context, args, kwargs, planned))
            return
        if reuse:
            state.skipped += 1
            state.entries[key] = (digest, entry[1], _stamps(planned))
        else:
            state.rendered += 1
            if digest is not None:
                state.entries[key] = (digest, tuple(sorted(deps)), _stamps(planned))

    def render_planned(self, call):
        """Render a delegated call into the files already decided for it; its cache record."""
        key, digest, name, template, context, args, kwargs, planned = call
        self._planned, deps = iter(planned), set()
        state.reading = deps
        self._file_reads = {}
        state.file_reads = set() if state.in_memory else None
        try:
            super().write_file(name, template, context, *args, **kwargs)
        finally:
            state.reading = state.file_reads = None
            self._planned = None
        return key, digest, tuple(sorted(deps)), _stamps(planned), self._file_reads

    def open_output(self, filename, encoding, override):
        if self._planned is not None:
            # In a helper: the main process already applied Pelican's rules to this file.
            filename = next(self._planned)
        else:
            filename = self.claim(filename, override)
            if self._outputs is not None:
                self._outputs.append(filename)
        if state.file_reads is not None:  # What this file's rendering read (memory.py).
            self._file_reads[filename] = frozenset(state.file_reads)
            state.file_reads = set()
        if filename == os.devnull:
            return open(filename, "w", encoding=encoding)
        return _WriteIfChanged(filename, encoding)


def _record(result):
    """A page rendered by :meth:`CachingWriter.render_planned`: keep its cache record."""
    key, digest, deps, stamps, file_reads = result
    state.rendered += 1
    if state.in_memory:
        memory.note_deps(key, deps, file_reads)
    if digest is not None:
        state.entries[key] = (digest, deps, stamps)


def flush_helpers(generator, writer):
    """``article_writer_finalized``/``page_writer_finalized``: every page is on disk now.

    Only the post and page generators split their rendering: they run first, and whatever runs
    after them (other generators, ``finalized`` handlers) finds the output folder complete.
    """
    splitter = getattr(writer, "splitter", None)
    if splitter is not None:
        splitter.flush()
        if isinstance(generator, PagesGenerator):
            state.helpers += splitter.helpers
            writer.splitter = None


def _stamps(paths):
    return tuple((path, *_stamp(path)) for path in paths if path != os.devnull)


def _stamp(path):
    st = os.stat(path)
    return st.st_size, st.st_mtime_ns


def _call_digest(key, context, args, kwargs):
    """The digest of one ``write_file`` call's inputs, or None if it cannot be described."""
    digester = state.digester
    if digester is None or not state.needed:
        return None
    try:
        keys = tuple(context)
        if state.global_keys != keys or state.global_digest is None:
            shared = {
                k: frozenset(v) if k in UNORDERED else v
                for k, v in context.items()
                if k != "localsiteurl" and not k.startswith(OWN_SETTINGS)
            }
            state.global_digest = digester(shared)
            state.global_keys = keys
        call = (key, state.global_digest, context.get("localsiteurl"), args, kwargs)
        return digester(call, remember=False)
    except Undigestable as exc:
        log.debug("fastbuild: %s is rendered every time: %s", key[0], exc)
        return None


def _still_valid(digest, entry):
    old_digest, deps, outputs = entry
    if old_digest != digest:
        return False
    for path, body in deps:
        if state.bodies.get(path) != body:
            return False
    for path, size, mtime in outputs:
        try:
            if _stamp(path) != (size, mtime):
                return False
        except OSError:
            return False
    return True


# -- Signals --------------------------------------------------------------------------------------
def enabled(settings):
    return get(settings, "FASTBUILD_PAGE_CACHE")


def use_caching_writer(pelican_object):
    """``get_writer``: our writer, when the page cache is on."""
    if enabled(pelican_object.settings):
        return CachingWriter
    return None


def start(generators):
    """``all_generators_finalized``: load last build's records; hash every post's body once."""
    state.reset()
    settings = generators[0].settings if generators else {}
    if not enabled(settings):
        return
    state.cache_file = Path(settings["CACHE_PATH"]) / CACHE_FILE
    state.save = bool(settings.get("CACHE_CONTENT"))
    state.in_memory = get(settings, "FASTBUILD_KEEP_IN_MEMORY")
    state.digester = Digester()
    code = code_digest(settings)
    previous = {}
    if state.in_memory:
        previous = settings.get("LOAD_CONTENT_CACHE") and memory.recall(state.cache_file, code)
        previous = previous or {}
    elif settings.get("LOAD_CONTENT_CACHE") and state.cache_file.is_file():
        try:
            with open(state.cache_file, "rb") as f:
                stored = pickle.load(f)
            if stored.get("code") == code:
                previous = stored["entries"]
        except Exception as exc:  # noqa: BLE001 - a damaged cache only costs a full render.
            log.debug("fastbuild: ignoring %s (%s)", state.cache_file, exc)
    state.previous = previous
    state.code = code
    state.needed = state.save or state.in_memory or bool(previous)
    if state.in_memory:
        memory.forget_calls()  # The last build's calls (and the posts they hold) go now.
    watch_reads()
    for content in _all_contents(generators):
        state.bodies[content.source_path] = _body_hash(content)


def _all_contents(generators):
    for generator in generators:
        for name in (
            "articles",
            "translations",
            "drafts",
            "drafts_translations",
            "hidden_articles",
            "hidden_translations",
            "pages",
            "hidden_pages",
            "draft_pages",
            "draft_translations",
        ):
            yield from getattr(generator, name, None) or []


def _remove_empty_parents(folder, output):
    # A full build into an empty folder has no empty folders either.
    while folder != output and output in folder.parents:
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent


def finish(pelican_object):
    """``finalized``: remove what the last build wrote and this one did not; save the records."""
    if state.digester is None:
        return
    helpers = 0
    if state.writer is not None and state.writer.splitter is not None:
        state.writer.splitter.flush()
        helpers = state.writer.splitter.helpers
    # Everything this build wrote through the writer, cached or not (an undigestable page too).
    written = {path for entry in state.entries.values() for path, *_ in entry[2]}
    if state.writer is not None:
        written |= state.writer.written()
    output = Path(pelican_object.output_path).resolve()
    for entry in state.previous.values():
        for path, *_ in entry[2]:
            stale = Path(path)
            if path not in written and stale.is_file() and output in stale.resolve().parents:
                stale.unlink()
                log.info("fastbuild: removed %s (no longer built)", stale)
                _remove_empty_parents(stale.parent, output)
    log.debug("fastbuild: %d page(s) rendered, %d reused", state.rendered, state.skipped)
    last_build.clear()
    last_build.update(
        rendered=state.rendered, reused=state.skipped, helpers=state.helpers + helpers
    )
    if state.in_memory:
        memory.keep(state.cache_file, state.code, state.entries)
    elif state.save:
        state.cache_file.parent.mkdir(parents=True, exist_ok=True)
        tmp = state.cache_file.with_suffix(".tmp")
        with open(tmp, "wb") as f:
            pickle.dump({"code": state.code, "entries": state.entries}, f, protocol=5)
        os.replace(tmp, state.cache_file)
    state.reset()
