"""Render only the pages whose inputs changed; write only the files whose bytes changed.

Pelican re-renders every page on every build, even with its content cache on. This writer keeps,
for each ``write_file`` call (one page, or one paginated listing), a digest of everything the
template is given, and skips the call when the digest, the theme, the plugins and the files it
wrote last time are all unchanged.

What the digest covers, and why that is enough:

- The code: every file of the theme and of ``PLUGIN_PATHS``, and the versions of Python, Pelican,
  Jinja2, Markdown and Pygments. Any change there re-renders everything.
- The shared context, as far as the page's templates can read it: every setting, and each other
  name that the template, or any template it extends, includes or imports, looks up
  (``jinja2.meta``, a superset: a branch not taken counts too). A post page that never names
  ``articles`` does not depend on the list of every post, so a new post does not re-render it.
  When that cannot be known (a template named at run time, or a theme filter, test or function
  that Jinja hands the whole context), the whole shared context is digested.
- The call's own arguments (the page's article, tag, the list it paginates...). A post is
  digested by all its attributes except its body: title, date, URL, tags, summary, whatever a
  plugin attached; so is a post one of those attributes holds (a neighbour, a related post, a
  follow-up), since the page shows its title, URL or date; a post held deeper is named by its
  source path only (no template of ours reads a neighbour's neighbour).
- The body: a post's HTML changes far more often than anything else and appears on few pages, so
  it is not in the digests; instead, while a page renders, every time its template (or a filter
  in Python) reads a post's ``content`` or ``summary`` (which go through ``get_content`` and
  ``get_summary``), the page records that post and a hash of its body and of what its
  ``{filename}``/``{static}`` links point at. A page is re-rendered when one of them changed.
  (A template reading the private ``_content`` itself is not seen: no theme should, and ours
  does not.)
- The output: each file it wrote must still be there with the same size and mtime.

Anything the digest cannot describe reliably (an object whose only description is its memory
address) makes that call uncacheable: it is rendered as Pelican would. Files that a previous build
wrote through this writer and this build did not are removed, so an incremental build leaves the
same tree as a full build into an empty folder.

Writing keeps Pelican's overwrite rules and its ``content_written`` signal with the same context
(see ``fence.WriterHook``), but a file whose new bytes equal what is on disk is not rewritten, and
a reused page of one file is not handed to Pelican's writer at all: only its bookkeeping is done.

A build reusing the last one's records describes the posts written last in a forked child while
it writes the first pages (``ahead.py``), and renders pages in a helper too (``split.py``).
"""

import contextlib
import functools
import hashlib
import importlib.metadata
import io
import logging
import os
import pickle
import posixpath
import sys
import types
from html import unescape
from pathlib import Path
from urllib.parse import unquote, urlparse

import jinja2
import jinja2.meta
import markdown
import pelican
from pelican import signals
from pelican.contents import Content
from pelican.generators import PagesGenerator
from pelican.urlwrappers import URLWrapper
from pelican.utils import sanitised_join

from happening import codefiles

from . import ahead, fence, links, memory, parallel, shown, split
from .settings import get

log = logging.getLogger(__name__)
_WRITER_LOG = logging.getLogger("pelican.writers")  # where Pelican's writer logs each page

CACHE_FILE = "fastbuild-pages.pickle"
CODE_RECORD = "fastbuild-code-digests.json"  # codefiles.feed's record of the code's digests
FORMAT = 5  # Bump when the cache's layout or the digest's meaning changes.
# Context lists Pelican fills from a set, so their order changes from run to run (and no template
# can rely on it): digested without their order.
UNORDERED = frozenset({"staticfiles"})
# How deep a post inside another post's attributes is still described (see Digester.depth).
NEIGHBOUR_DEPTH = 1
# fastbuild's own settings change how a build runs, never what it writes (the byte-identity tests
# hold that): left out, so the live preview may build one edit with no worker pool and reuse pages.
OWN_SETTINGS = "FASTBUILD_"
# Pelican's settings that only say whether to start from an empty folder and use the reader cache:
# a production build reusing the last one differs from a cold one only there (reuse.py).
RUN_SETTINGS = frozenset({"DELETE_OUTPUT_DIRECTORY", "LOAD_CONTENT_CACHE", "CACHE_CONTENT"})


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
        self.global_context = None  # The shared context the digests below were made of,
        self.global_keys = None  # and its keys then.
        self.settings_digest = None
        self.shared_tokens = {}  # name in the shared context -> its value's digest
        self.shared_digests = {}  # (template name, names the call passes) -> _shared_digest
        self.names = {}  # template name -> the names it can read (None: unknown, so all)
        self.template_reads = {}  # (name, source hash) -> (names read, templates named) or None
        self.link_index = {}  # id(context) -> {file name: [(table, source path, URL)]}
        self.link_targets = {}  # (id(context), link) -> what _link_targets found
        self.bodies = {}  # source_path -> current body hash
        self.posts = {}  # source_path -> the post, for a body hash made when first needed
        self.later = []  # The posts to describe ahead in a child (ahead.py), at the first page,
        self.ahead = None  # and the child describing them.
        self.reading = None  # the deps set of the page rendering now
        self.file_reads = None  # FASTBUILD_KEEP_IN_MEMORY: the posts read for the current file
        self.rendered = self.skipped = 0
        self.described_ahead = 0
        self.writer = None
        self.helpers = 0
        self.cut = 0  # Listings rendered in pieces (split.py)
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
    """A stable hex digest of template inputs; memoised per object for one build.

    A post's own attributes are described once a build, by the C pickler (``shown.py``), with
    the posts they hold named; a page's own post is then its own token and those of the posts
    it holds. Everything else is described here, value by value.
    """

    def __init__(self):
        # id -> (object, digest); the object is kept so its id is not reused. ``memo`` holds
        # values that contain a post somewhere, whose description depends on the depth they are
        # met at (see ``depth``), keyed by (id, depth); ``anywhere`` holds the rest (a tag, a
        # date, a list of strings), whose description is the same at every depth, so a post's
        # tags are described once, not again for each post that has it as a neighbour.
        self.memo = {}
        self.anywhere = {}
        # Only what lives for the whole build is remembered (posts, tags, the shared context's
        # lists); a call's own arguments are new objects each time and would only pile up.
        self.remember = True
        # How deep inside posts the value being described sits. A page's own post (depth 0) is
        # described by all its attributes; a post one of them holds (a neighbour, a related post,
        # a follow-up: depth 1) by all of its own too, since the page shows its title, URL,
        # date...; a post deeper still is only named by its source path. So a neighbour's new
        # title re-renders the page, but a new post somewhere else changes no old post's digest
        # beyond its neighbours. Naming also keeps the digest the same whatever order posts are
        # met in (follow-ups point both ways).
        self.depth = 0
        self.active = set()
        self.met_post = False  # Whether the value being described holds a post (depth matters).
        # id -> (post, the posts its own attributes hold), from describing them (_own_token).
        self.holds = {}
        self.held = None  # While a post's attributes are described here: the posts named.

    def __call__(self, value, remember=True) -> str:
        self.remember = remember
        try:
            return self.token(value)
        finally:
            self.remember = True

    def token(self, value):
        kind = type(value)
        if kind is str:  # Most tokens: checked first.
            return _str_token(value)
        if value is None or kind in (bool, int, float):
            return repr(value)
        if isinstance(value, str):
            return _str_token(value)
        if isinstance(value, bytes):
            return "b" + hashlib.blake2b(value, digest_size=12).hexdigest()
        if isinstance(value, Content):
            self.met_post = True
            if self.depth > NEIGHBOUR_DEPTH:
                if self.held is not None:
                    self.held.setdefault(id(value), value)
                return f"<{type(value).__name__}:{value.source_path}>"
            return self._post_token(value, self.depth)
        hit = self.anywhere.get(id(value))
        if hit is not None and hit[0] is value:
            return hit[1]
        key = (id(value), self.depth)
        hit = self.memo.get(key)
        if hit is not None and hit[0] is value:
            self.met_post = True
            return hit[1]
        if key in self.active:
            raise Undigestable(f"a cycle through {type(value).__name__}")
        self.active.add(key)
        outer, self.met_post = self.met_post, False
        try:
            text = self._describe(value)
        finally:
            self.active.discard(key)
            held_post = self.met_post
            self.met_post = outer or held_post
        digest = "h" + hashlib.blake2b(text.encode(), digest_size=12).hexdigest()
        if self.remember or isinstance(value, URLWrapper):
            if held_post:
                self.memo[key] = (value, digest)
            else:
                self.anywhere[id(value)] = (value, digest)
        return digest

    def _post_token(self, post, depth):
        """A post's token as met at ``depth``: by its own attributes with the posts they hold
        named (depth 1, a neighbour), or those and every held post's own token (depth 0)."""
        key = (id(post), depth)
        hit = self.memo.get(key)
        if hit is not None and hit[0] is post:
            return hit[1]
        if depth == NEIGHBOUR_DEPTH:
            token, self.holds[id(post)] = self._own_token(post)
        else:
            own = self._post_token(post, NEIGHBOUR_DEPTH)
            held = self.holds.get(id(post))
            if held is None or held[0] is not post:  # Its own token came from ``ahead``.
                own, held = self._own_token(post)
                self.holds[id(post)] = held
            neighbours = [self._post_token(other, NEIGHBOUR_DEPTH) for other in held[1]]
            text = repr((own, neighbours))
            token = "p" + hashlib.blake2b(text.encode(), digest_size=12).hexdigest()
        self.memo[key] = (post, token)
        return token

    def _own_token(self, post):
        """The token of ``post``'s own attributes and the posts they hold, pickled
        (``shown.py``), or described here value by value when pickling cannot."""
        try:
            data, held = shown.attributes(post)
            return "o" + hashlib.blake2b(data, digest_size=12).hexdigest(), (post, held)
        except shown.NotShown:
            pass
        key = (id(post), NEIGHBOUR_DEPTH)
        if key in self.active:
            raise Undigestable(f"a cycle through {type(post).__name__}")
        outer_held, self.held = self.held, {}
        depth, self.depth = self.depth, NEIGHBOUR_DEPTH
        self.active.add(key)
        try:
            text = self._describe(post)
            held = list(self.held.values())
        finally:
            self.active.discard(key)
            self.depth, self.held = depth, outer_held
        return "d" + hashlib.blake2b(text.encode(), digest_size=12).hexdigest(), (post, held)

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
            # What a post or tag holds lives as long as it does: remembered, even inside a call.
            self.depth += 1
            remember, self.remember = self.remember, True
            try:
                if isinstance(value, URLWrapper):
                    # Described by its name and slug, not the attributes holding them: the slug
                    # is worked out when first asked for, and copies of the name come and go.
                    left_out = fence.UNDIGESTED | shown.WRAPPER_FIELDS
                    attrs = f"name={t(value.name)},slug={t(value.slug)},"
                else:
                    left_out, attrs = fence.UNDIGESTED, ""
                attrs += ",".join(
                    f"{k}={t(v)}" for k, v in vars(value).items() if k not in left_out
                )
            finally:
                self.depth -= 1
                self.remember = remember
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


# Strings up to this length are their own token (quoted by repr, so a token never runs into the
# next one); longer ones are hashed, which keeps the descriptions short.
INLINE_STRING = 80


def _str_token(value):
    if len(value) <= INLINE_STRING:
        return repr(str(value))
    return "s" + hashlib.blake2b(value.encode(), digest_size=12).hexdigest()


def code_digest(settings) -> str:
    """Everything that renders pages besides the data: theme, plugins, library versions."""
    h = hashlib.blake2b(digest_size=16)
    versions = (
        FORMAT,
        sys.version,
        pelican.__version__,
        jinja2.__version__,
        markdown.__version__,
        _version("pygments"),  # Highlighting is in the bodies, but its CSS is written by a plugin.
    )
    h.update(repr(versions).encode())
    roots = [settings.get("THEME", "")]
    roots += [str(p) for p in settings.get("PLUGIN_PATHS", [])]
    roots += [str(p) for p in settings.get("THEME_TEMPLATES_OVERRIDES", [])]
    roots += _plugin_roots(settings.get("PLUGINS") or [])
    # Kept by stat beside the cache a build keeps (codefiles.py); a build keeping none hashes all.
    folder = settings.get("CACHE_PATH") if settings.get("CACHE_CONTENT") else None
    codefiles.feed(h, roots, Path(folder) / CODE_RECORD if folder else None)
    return h.hexdigest()


def _version(distribution):
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None


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
    """The body as read, and what each of its intrasite links points at now.

    Pelican fills in ``{filename}``/``{static}`` links from the shared context's tables when the
    body is read, so a page showing the body changes when a linked file's URL does, or when a
    file it links to appears or goes; nothing else in those tables changes it.
    """
    digest, found = links.of(content)  # Searched once a build, or kept by the body's digest.
    h = hashlib.blake2b(digest.encode(), digest_size=12)
    for what, value in found:
        if what == "attach":
            # Reading the body moves the attached file beside the post: only a render does it.
            return "attach:" + os.urandom(8).hex()
        if what in ("filename", "static"):
            h.update(repr((what, value, _link_targets(content, value))).encode())
    return h.hexdigest()


def body_digest(content) -> str | None:
    """What ``content``'s HTML is made from (:func:`_body_hash`) in the build running now, or
    None while no page cache runs (its link tables belong to the build that started it).

    For other caches keyed by the same thing (the feeds' entries): the page cache hashes each
    body once a build, so asking again costs a dict lookup, not a ``get_content``.
    """
    if state.digester is None:
        return None
    path = content.source_path
    found = state.bodies.get(path)
    if found is None:
        found = state.bodies[path] = _body_hash(content)
    return found


def settings_digest(settings, leave_out=frozenset()) -> str | None:
    """A stable digest of every setting but fastbuild's own, the run settings (as the page
    digests hold them) and ``leave_out``, or None when one has no stable description."""
    kept = {k: v for k, v in settings.items() if not _own(k) and k not in leave_out}
    try:
        return Digester()(kept)
    except Undigestable:
        return None


def _link_targets(content, value):
    """The files a link's path can resolve to, with their URLs (a superset: by file name)."""
    context = fence.shared_context(content)
    # Posts link the same figures and posts over and over: each link resolved once a build.
    found = state.link_targets.get((id(context), value))
    if found is not None:
        return found
    found = state.link_targets[(id(context), value)] = _resolve_link(context, value)
    return found


def _resolve_link(context, value):
    index = state.link_index.get(id(context))
    if index is None:  # One per context (every generator shares one; a plugin's post may not).
        index = state.link_index[id(context)] = {}
        for table in ("generated_content", "static_content"):
            for key, target in ((context or {}).get(table) or {}).items():
                entry = (table, key, getattr(target, "url", None))
                index.setdefault(posixpath.basename(key), []).append(entry)
    path = urlparse(value).path
    names = {posixpath.basename(p) for p in (path, unquote(path), urlparse(unescape(value)).path)}
    if names & {"", ".", ".."}:  # Names no file: any entry may be the one, so all count.
        return sorted(e for entries in index.values() for e in entries)
    return sorted(e for name in names for e in index.get(name, ()))


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


class _PastSpan(Exception):
    """Raised at the first page after a piece's last: the rest of the listing is not its own."""


class _Span:
    """A template that renders only the pages from ``start`` to ``stop`` of the call it is
    given to (counted in Pelican's order: one ``render`` per page): nothing for those before,
    whose files are left as they are, and :class:`_PastSpan` at the first one after, which ends
    Pelican's loop over the pages. One piece of a long listing (``split.py``)."""

    def __init__(self, template, start, stop):
        self.template, self.start, self.stop = template, start, stop
        self.name = template.name
        self.page = 0

    def render(self, *args, **kwargs):
        page, self.page = self.page, self.page + 1
        if page >= self.stop:
            raise _PastSpan
        if page >= self.start:
            return self.template.render(*args, **kwargs)
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
                with open(self.path, "r+b") as old:
                    if old.read() != data:
                        _overwrite(old, data)
            except OSError:  # Not there yet (or not readable): written new, as before.
                with open(self.path, "wb") as out:
                    out.write(data)
        super().close()


def _overwrite(file, data):
    """Replace an open file's bytes with ``data``, on the same inode, as ``open(path, "wb")``
    would, but written over and then cut to length rather than emptied first: on ext4, a file
    emptied and written again is flushed to disk as it is closed (its "auto_da_alloc" guard
    against losing a rewritten file in a crash), which made rewriting ~150 pages of a release
    wait ~1.5-2x as long (measured on this project's output); neither way is atomic, and a
    build that stops half-way is built again whole (the output no longer matches its records)."""
    file.seek(0)
    file.write(data)
    file.truncate()


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
        if state.later or state.ahead is not None:
            _ahead()
        digest = _call_digest(key, template, context, args, kwargs)
        entry = state.previous.get(key)
        reuse = digest is not None and entry is not None and _still_valid(digest, entry)
        if reuse and self._announce_unchanged(name, context, entry, args, kwargs):
            state.skipped += 1
            state.entries[key] = entry  # Its digest and its file's stamp, just found the same.
            return
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
            call = (key, digest, name, template, context, args, kwargs, planned)
            self.splitter.add(call, pages=len(planned))
            return
        if reuse:
            state.skipped += 1
            state.entries[key] = (digest, entry[1], _stamps(planned))
        else:
            state.rendered += 1
            if digest is not None:
                state.entries[key] = (digest, tuple(sorted(deps)), _stamps(planned))

    def _announce_unchanged(self, name, context, entry, args, kwargs):
        """Pelican's bookkeeping of a reused page's ``write_file`` call, done here, when the page
        is one file: the file claimed (``claim``: Pelican's overwrite rules), the write logged and
        ``content_written`` sent with the page's context, as Pelican does them. What Pelican
        would also do for it makes no difference to an unchanged file (a folder that exists
        made, the file opened to be left as it is) and was ~40 % of the ~1,000 reused pages'
        cost in a release. False, and nothing done, for any call Pelican might treat otherwise:
        a listing it paginates, relative URLs (the shared context's ``localsiteurl`` changes),
        positional arguments; and in the live preview, which replays calls (memory.py), or where
        the split is off because a ``content_written`` listener may read the file at once."""
        if args or state.in_memory or self.splitter is None:
            return False
        if kwargs.get("relative_urls") or kwargs.get("paginated") or "localsiteurl" in kwargs:
            return False
        paginated = self.settings.get("PAGINATED_TEMPLATES") or ()
        if kwargs.get("template_name") in paginated and PAGINATED_BY_DEFAULT & kwargs.keys():
            return False
        path = sanitised_join(self.output_path, name)
        outputs = entry[2]
        if len(outputs) != 1 or outputs[0][0] != path:
            return False
        self.claim(path, kwargs.get("override_output", False))
        # Writer.write_file's local context for a page it does not paginate, made as it makes it.
        localcontext = context.copy()
        localcontext["localsiteurl"] = localcontext.get("localsiteurl", None)
        localcontext["output_file"] = name
        localcontext.update((k, v) for k, v in kwargs.items() if k not in WRITE_FILE_PARAMETERS)
        _WRITER_LOG.info('Writing "%s"', path)
        signals.content_written.send(path, context=localcontext)
        return True

    def render_planned(self, call, span=None):
        """Render a delegated call into the files already decided for it (only its pages from
        ``start`` to ``stop`` when ``span`` is given); its cache record (of those pages)."""
        key, digest, name, template, context, args, kwargs, planned = call
        if span is not None:
            template = _Span(template, *span)
            planned_here = planned[span[0] : span[1]]
        else:
            planned_here = planned
        self._planned, deps = iter(planned), set()
        state.reading = deps
        self._file_reads = {}
        state.file_reads = set() if state.in_memory else None
        try:
            super().write_file(name, template, context, *args, **kwargs)
        except _PastSpan:
            pass
        finally:
            state.reading = state.file_reads = None
            self._planned = None
        file_reads = self._file_reads
        if span is not None:
            file_reads = {path: file_reads[path] for path in planned_here if path in file_reads}
        return key, digest, deps, _stamps(planned_here), file_reads

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


def _record(results):
    """A call rendered by :meth:`CachingWriter.render_planned`, in one piece or several (in
    page order): keep its cache record."""
    key, digest = results[0][:2]
    deps = tuple(sorted(set().union(*(result[2] for result in results))))
    stamps = tuple(stamp for result in results for stamp in result[3])
    file_reads = {path: read for result in results for path, read in result[4].items()}
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
            state.cut += splitter.cut
            writer.splitter = None


def _stamps(paths):
    return tuple((path, *_stamp(path)) for path in paths if path != os.devnull)


def _stamp(path):
    st = os.stat(path)
    return st.st_size, st.st_mtime_ns


def _call_digest(key, template, context, args, kwargs):
    """The digest of one ``write_file`` call's inputs, or None if it cannot be described."""
    digester = state.digester
    if digester is None or not state.needed:
        return None
    try:
        call = (
            key,
            _shared_digest(template, context, kwargs),
            context.get("localsiteurl"),
            args,
            _arguments_read(template, context, args, kwargs),
        )
        return digester(call, remember=False)
    except Undigestable as exc:
        log.debug("fastbuild: %s is rendered every time: %s", key[0], exc)
        return None


def _shared_digest(template, context, kwargs):
    """The digest of what the page can read of the shared context: every setting, and the
    other names its templates read (all of them when that cannot be known)."""
    digester = state.digester
    # A generator added to the context, or a plugin writes with a context of its own: digest
    # it all again (the tokens and digests below are of one context's values).
    keys = tuple(context)
    if state.global_context is not context or state.global_keys != keys:
        state.global_context = context
        state.shared_tokens, state.shared_digests = {}, {}
        settings = {k: v for k, v in context.items() if k.isupper() and not _own(k)}
        state.settings_digest = digester(settings)  # Undigestable: no page is cached.
        state.global_keys = keys
    # Every post page (and every tag page...) reads the same names of the same context: made
    # once per template and the names its calls pass, not once per page.
    memo_key = (getattr(template, "name", None), frozenset(kwargs))
    found = state.shared_digests.get(memo_key)
    if found is not None:
        return found
    names = read_names(template)
    if names is not None and any(_passes_context(context.get(n)) for n in names):
        names = None  # A function the template calls is handed the whole context.
    if names is None:
        names = [k for k in context if not k.isupper() and k != "localsiteurl"]
    # A name the call itself passes hides the shared one; ``localsiteurl`` is digested per call.
    names = sorted(n for n in names if n not in kwargs and n != "localsiteurl" and not n.isupper())
    tokens = state.shared_tokens
    for name in names:
        if name not in tokens:
            value = context.get(name, _ABSENT)
            if name in UNORDERED and value is not _ABSENT:
                value = frozenset(value)
            tokens[name] = digester(value) if value is not _ABSENT else "absent"
    # One text for the page, unambiguous (repr quotes every name and token).
    text = repr((state.settings_digest, [(n, tokens[n]) for n in names]))
    found = hashlib.blake2b(text.encode(), digest_size=12).hexdigest()
    state.shared_digests[memo_key] = found
    return found


_ABSENT = object()
# write_file's own parameters; every other keyword argument becomes a name in the page's context.
WRITE_FILE_PARAMETERS = frozenset(
    {"relative_urls", "paginated", "template_name", "override_output", "url"}
)


# What Pelican paginates when a call does not say (``paginated=None``): the page reads them as
# ``articles_page``, ``dates_paginator``..., names no template lookup shows.
PAGINATED_BY_DEFAULT = frozenset({"articles", "dates"})


def _arguments_read(template, context, args, kwargs):
    """The call's keyword arguments that can change the page: write_file's own, and the names its
    templates read (Pelican hands every tag page ``all_articles``, read by no template of ours,
    so a new post re-renders only the tag pages that list it). A paginated template keeps what
    Pelican paginates too."""
    names = read_names(template)
    if names is None:
        return kwargs
    template_name = kwargs.get("template_name", args[2] if len(args) > 2 else None)
    if template_name in (context.get("PAGINATED_TEMPLATES") or ()):
        names = names | PAGINATED_BY_DEFAULT
    return {k: v for k, v in kwargs.items() if k in WRITE_FILE_PARAMETERS or k in names}


def _own(name):
    return name.startswith(OWN_SETTINGS) or name in RUN_SETTINGS


# -- What a template can read ---------------------------------------------------------------------
def read_names(template):
    """Every name ``template``, and each template it extends, includes or imports, can look up
    in its context (``jinja2.meta``: a superset, since a branch not taken counts too); None when
    that cannot be known: a template named at run time, a source the loader cannot give, or a
    filter, test or global of the theme's that is handed the whole context."""
    name = getattr(template, "name", None)
    if name in state.names:
        return state.names[name]
    env = getattr(template, "environment", None)
    found = None if env is None or _env_passes_context(env) else _names_from(env, name)
    state.names[name] = found
    return found


def _names_from(env, first):
    names, todo, seen = set(), [first], set()
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        found = _one_template(env, name)
        if found is None:
            return None
        read, referenced = found
        names |= read
        todo += referenced
    return frozenset(names)


def _one_template(env, name):
    """The names one template reads and the templates it names; None if either is unknown.

    Kept with the cache (parsing is ~30 ms a template), by the hash of the template's source.
    """
    try:
        source = env.loader.get_source(env, name)[0]
    except Exception as exc:  # noqa: BLE001 - unknown reads: the whole context is digested.
        log.debug("fastbuild: cannot read template %r (%s): digesting everything", name, exc)
        return None
    key = (name, hashlib.blake2b(source.encode(), digest_size=16).hexdigest())
    if key in state.template_reads:
        return state.template_reads[key]
    tree = env.parse(source)
    referenced = list(jinja2.meta.find_referenced_templates(tree))
    found = None
    if None not in referenced:  # {% include some_variable %}: any template may come.
        found = (frozenset(jinja2.meta.find_undeclared_variables(tree)), tuple(referenced))
    state.template_reads[key] = found
    return found


def _env_passes_context(env):
    functions = (*env.filters.values(), *env.tests.values(), *env.globals.values())
    return any(
        _passes_context(f) and not getattr(f, "__module__", "").startswith("jinja2")
        for f in functions
    )


def _passes_context(value):
    """Whether Jinja hands ``value`` the whole template context when it is called.

    Jinja's own such filters (``map``, ``select``...) only pass it on to other filters and
    tests, which are checked themselves.
    """
    passed = getattr(value, "jinja_pass_arg", None)
    return getattr(passed, "name", None) == "context"


def _still_valid(digest, entry):
    old_digest, deps, outputs = entry
    if old_digest != digest:
        return False
    for path, body in deps:
        if _current_body(path) != body:
            return False
    for path, size, mtime in outputs:
        try:
            if _stamp(path) != (size, mtime):
                return False
        except OSError:
            return False
    return True


def _current_body(path):
    """The body hash of the post read from ``path`` in this build; None when there is none."""
    found = state.bodies.get(path)
    if found is None and path in state.posts:
        found = state.bodies[path] = _body_hash(state.posts[path])
    return found


def _describe_ahead(post):
    """In the child describing posts ahead: one post, as a page showing it would."""
    with contextlib.suppress(Undigestable):  # Its pages are rendered every time, as here.
        state.digester(post)


def _ahead():
    """Before a page's digest: start the child describing posts ahead (at the first page, when
    every post is final), or take what it made once it is done."""
    if state.later:
        later, state.later = state.later, []
        everything = list(state.posts.values())
        memo = state.digester.memo
        try:
            state.ahead = ahead.Ahead(memo, _describe_ahead, _body_hash, later, everything)
        except OSError as exc:  # No fork now (memory, process limits): described here instead.
            log.debug("fastbuild: cannot describe posts ahead (%s)", exc)
    if state.ahead is not None and state.ahead.done():
        _collect_ahead()


def _collect_ahead():
    found, state.ahead = state.ahead, None
    state.described_ahead = found.collect(state.bodies)


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
    if state.ahead is not None:  # A build that failed half-way: its child is reaped, unused.
        state.ahead.collect({})
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
                state.template_reads = stored.get("templates", {})
        except Exception as exc:  # noqa: BLE001 - a damaged cache only costs a full render.
            log.debug("fastbuild: ignoring %s (%s)", state.cache_file, exc)
    state.previous = previous
    state.code = code
    state.needed = state.save or state.in_memory or bool(previous)
    if state.in_memory:
        memory.forget_calls()  # The last build's calls (and the posts they hold) go now.
    if not state.needed:
        return  # No digest is made: what each page reads would serve nothing (~1 s at 5,000).
    watch_reads()
    state.posts = {content.source_path: content for content in _all_contents(generators)}
    if previous and not state.in_memory:  # Reusing: most pages are decided, few rendered.
        articles = [a for g in generators for a in getattr(g, "articles", None) or ()]
        state.later = ahead.later_posts(articles)
    later = {id(post) for post in state.later}
    for content in state.posts.values():
        if id(content) not in later:
            state.bodies[content.source_path] = _body_hash(content)


def _all_contents(generators):
    for generator in generators:
        for name in fence.CONTENT_LISTS:
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
    if state.ahead is not None:  # Still running at the last page: reaped, its work unused.
        state.ahead.collect({})
        state.ahead = None
    helpers = cut = 0
    if state.writer is not None and state.writer.splitter is not None:
        state.writer.splitter.flush()
        helpers, cut = state.writer.splitter.helpers, state.writer.splitter.cut
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
        rendered=state.rendered,
        reused=state.skipped,
        helpers=state.helpers + helpers,
        cut_listings=state.cut + cut,
        described_ahead=state.described_ahead,
    )
    if state.in_memory:
        memory.keep(state.cache_file, state.code, state.entries)
    elif state.save:
        state.cache_file.parent.mkdir(parents=True, exist_ok=True)
        tmp = state.cache_file.with_suffix(".tmp")
        with open(tmp, "wb") as f:
            kept = {"code": state.code, "entries": state.entries, "templates": state.template_reads}
            pickle.dump(kept, f, protocol=5)
        os.replace(tmp, state.cache_file)
    state.reset()
