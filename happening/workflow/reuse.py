"""A production build that reuses what is provably unchanged since the last one, keyed by content.

A cold production build reads every post and renders every page. After one new post, almost all
of that is the same work with the same result, so ``production_build`` lets Pelican reuse it,
and only where the inputs are the same bytes:

- **The key** (:func:`key`) covers every setting, the settings files, every file of the theme and
  of the plugins (and of the ``happening`` package they import), and the versions of Python,
  Pelican, Markdown, Jinja2, Pygments and the other libraries that shape the output. The caches
  live in ``CACHE_PATH/production/<key>``: when any of those changes, the folder is new and empty
  and the build is cold; the old folder is removed. Each code file's bytes are hashed again only
  when its stat (size, times, inode: any write changes one) differs from the last build's
  (``CACHE_PATH/production/code-digests.json``).
- **Each source file** is reused by its bytes: Pelican's reader cache with
  ``CHECK_MODIFIED_METHOD = "sha256"`` (not mtime), so a post is read again whenever its bytes
  differ, and only then.
- **Each page** is reused by fastbuild's page cache (``plugins/fastbuild/pages.py``), which
  re-renders a page when anything its templates can show changed: after one new post, that
  post, its neighbours, the posts whose related reading changed and the listings showing it.
  Those are rendered on both cores (fastbuild's helper: the listener below only notes paths),
  and the posts written last are described for the page digests in a forked child meanwhile
  (``plugins/fastbuild/ahead.py``).
- **The output folder** must be exactly what the last production build left (a manifest of every
  file's size, times and inode): anything else (a preview build into the same folder, a file
  edited or added by hand) makes the build cold. After the build, every file that this build
  neither wrote nor announced (``content_written``) is deleted, so the tree is the one a cold
  build into an empty folder writes: ``tests/test_reuse.py`` compares them byte for byte.

Static files, feeds, the sitemap and the other plugin files are simply written again.
"""

import copy
import hashlib
import importlib
import importlib.metadata
import json
import logging
import os
import re
import shutil
import sys
from pathlib import Path

import jinja2
from pelican import signals

from happening import codefiles, filestat
from happening import search as site_search
from happening.build import ROOT, BuildResult, build, load_settings
from happening.plugins.fastbuild import split

log = logging.getLogger(__name__)

# Libraries whose version can change the bytes of the output.
LIBRARIES = ("pelican", "markdown", "jinja2", "pygments", "feedgen", "lxml", "typogrify")
MANIFEST = "output-manifest.json"
CODE_DIGESTS = "code-digests.json"  # Beside the keyed folders: it outlives every key.
FORMAT = 2  # Bump when what the key covers or the manifest's layout changes.
_ADDRESS = re.compile(r" at 0x[0-9a-f]+")


def versions() -> dict:
    """The versions that are part of the key: Python's and each library's that is installed."""
    found = {"python": sys.version}
    for name in LIBRARIES:
        try:
            found[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            found[name] = None
    return found


def key(settings, settings_file, *, versions=versions) -> str:
    """The hash of everything but the sources that decides a production build's bytes."""
    h = hashlib.blake2b(digest_size=16)
    h.update(repr((FORMAT, sorted(versions().items()))).encode())
    settings = {**settings, "MARKDOWN": _markdown_as_read(settings.get("MARKDOWN") or {})}
    try:
        described = json.dumps(settings, sort_keys=True, default=_describe)
    except TypeError:  # A dict with keys JSON cannot sort: described by repr, sorted by key.
        described = repr(sorted((k, _ADDRESS.sub("", repr(v))) for k, v in settings.items()))
    h.update(described.encode())
    record = Path(settings["CACHE_PATH"]) / "production" / CODE_DIGESTS
    codefiles.feed(h, _code_roots(settings, settings_file), record)
    return h.hexdigest()


def _markdown_as_read(config):
    """MARKDOWN as Pelican's reader completes it (in place, on its first read, so a second build
    in one process would otherwise see another value): every configured extension listed."""
    config = copy.deepcopy(config)
    config.setdefault("extension_configs", {})
    extensions = config.setdefault("extensions", [])
    for name in [*config["extension_configs"], "markdown.extensions.meta"]:
        if name not in extensions:
            extensions.append(name)
    return config


def _describe(value):
    """A setting JSON cannot hold, described without its memory address (its code is hashed)."""
    if isinstance(value, set | frozenset):
        return sorted(value, key=repr)  # A set's order changes from run to run; its items do not.
    name = getattr(value, "__qualname__", None)
    if name is not None:
        return f"{getattr(value, '__module__', '')}.{name}"
    return _ADDRESS.sub("", repr(value))


def _code_roots(settings, settings_file):
    settings_file = Path(settings_file).resolve()
    # The settings files themselves (publishconf.py imports pelicanconf.py beside it).
    roots = sorted(settings_file.parent.glob("*conf.py")) + [settings_file]
    roots.append(Path(settings["THEME"]))
    roots += [Path(p) for p in settings.get("PLUGIN_PATHS") or []]
    roots += [Path(p) for p in settings.get("THEME_TEMPLATES_OVERRIDES") or []]
    roots.append(ROOT / "happening")  # helpers the plugins import (postid, urls, dates)
    for plugin in settings.get("PLUGINS") or []:
        if isinstance(plugin, str):
            try:  # Pelican imports it for the build anyway; its files are what is hashed.
                module = importlib.import_module(plugin)
            except ImportError:
                continue  # Pelican reports it when the build runs.
        else:
            module = plugin
        places = getattr(module, "__path__", None) or [getattr(module, "__file__", None)]
        roots += [Path(p) for p in places if p]
    unique = []
    for root in roots:
        if root not in unique and root.exists():
            unique.append(root)
    return unique


def _stat(path) -> list | None:
    """One file's entry in :func:`filestat.tree`, or None when it is gone."""
    try:
        return filestat.stat_of(path)
    except FileNotFoundError:
        return None


def reuse_settings(cache: Path) -> dict:
    """The Pelican settings that make a build reuse ``cache`` by content."""
    return {
        "CACHE_PATH": str(cache),
        "CACHE_CONTENT": True,
        "LOAD_CONTENT_CACHE": True,
        "CONTENT_CACHING_LAYER": "reader",
        "CHECK_MODIFIED_METHOD": "sha256",
        "STATIC_CHECK_IF_MODIFIED": False,
        "FASTBUILD_PAGE_CACHE": True,
    }


def cache_folder(settings, settings_file, *, versions=versions) -> Path:
    return (
        Path(settings["CACHE_PATH"])
        / "production"
        / key(settings, settings_file, versions=versions)
    )


def production_build(
    settings_file,
    *,
    versions=versions,
    search=False,
    while_indexing=None,
    when_written=None,
    **overrides,
) -> BuildResult:
    """``build(settings_file, **overrides)``, reusing the last production build where provable.

    The result's ``reused`` attribute says whether anything could be reused (False: cold);
    ``saved_as`` is where each post and page was written, by its source's absolute path;
    ``files`` is every output file's (size, mtime, ctime, inode) once it ended, Pagefind's
    bundle included, for the deploy to tell what changed without looking at every file again
    (while ``while_indexing`` runs: as the build left them, the bundle still the last one).
    ``search``: index the pages with Pagefind afterwards, as ``build(search=True)`` does; its
    files (``pagefind/``) are the index's to keep or redo, never stale Pelican output.
    ``while_indexing(built)`` runs while Pagefind indexes in its own process (release checks
    the site meanwhile: the check reads the pages, never ``pagefind/``); this returns once both
    ended, and a failure of either is raised. ``when_written(generators, saved_as)``: as
    :func:`~happening.build.build`'s, with where each post and page was written too (the
    release starts reading the sources for its check then).
    """
    settings = load_settings(settings_file, **overrides)
    cache = cache_folder(settings, settings_file, versions=versions)
    output = Path(settings["OUTPUT_PATH"])
    for other in cache.parent.glob("*") if cache.parent.is_dir() else []:
        if other != cache and other.is_dir():  # Built under another key: never to be reused.
            shutil.rmtree(other, ignore_errors=True)
    manifest = cache / MANIFEST
    before = filestat.tree(output) if output.is_dir() else {}
    warm = manifest.is_file() and _load(manifest) == before and bool(before)
    if not warm:
        shutil.rmtree(cache, ignore_errors=True)  # Nothing in it can be trusted with this output.
    announced = set()
    root = os.path.join(os.path.abspath(output), "")  # cut, not relpath: ~2,000 files a build

    # Only notes the path, so fastbuild may still render pages in a helper process meanwhile.
    @split.notes_path_only
    def written(path, **_):
        path = os.path.abspath(path)
        announced.add(path[len(root) :] if path.startswith(root) else os.path.relpath(path, root))

    # Where each post and page is written, as the writer is about to take it (fastbuild keeps
    # the value from there on): the check's map from output to source takes it (~0.2 s less
    # than Pelican working each one out again afterwards).
    saved_as = {}

    def writing(_, content):
        saved_as[os.path.abspath(content.source_path)] = content.save_as

    def all_written(generators):
        when_written(generators, dict(saved_as))

    signals.content_written.connect(written)
    signals.feed_written.connect(written)
    signals.article_generator_write_article.connect(writing)
    signals.page_generator_write_page.connect(writing)
    # Templates compiled once per key, not at every build (~0.5 s of a reused one): Jinja checks
    # each against its source's checksum, and the key covers Jinja's version and its options.
    templates = cache / "templates"
    templates.mkdir(parents=True, exist_ok=True)
    jinja = {
        **(settings.get("JINJA_ENVIRONMENT") or {}),
        "bytecode_cache": jinja2.FileSystemBytecodeCache(str(templates)),
    }
    try:
        built = build(
            settings_file,
            when_written=all_written if when_written is not None else None,
            **{
                **overrides,
                **reuse_settings(cache),
                "DELETE_OUTPUT_DIRECTORY": not warm,
                "JINJA_ENVIRONMENT": jinja,
            },
        )
    finally:
        signals.content_written.disconnect(written)
        signals.feed_written.disconnect(written)
        signals.article_generator_write_article.disconnect(writing)
        signals.page_generator_write_page.disconnect(writing)
    bundle = f"{site_search.BUNDLE}/"
    # Only a file the last build left can be stale (one this build made is its own, announced
    # or not): the files of ``before`` this build did not announce are looked at, not the tree.
    for rel in sorted(set(before) - announced):
        if rel.startswith(bundle):
            continue  # The search index's own, redone below when any page changed.
        stale = output / rel
        if _stat(stale) == before[rel]:
            stale.unlink()  # Neither written nor announced by this build: a cold one has none.
            log.info("release: removed %s (no longer built)", rel)
            _remove_empty_parents(stale.parent, output)
    built.reused = warm
    built.saved_as = saved_as
    # Every file as the build left it: the search plan and ``while_indexing`` (the release's
    # check) take it rather than walk the output again. Pelican's files stay as they are now;
    # only Pagefind's bundle changes, when the indexing ends.
    built.files = filestat.tree(output)
    indexing = None
    if search and not built.warnings:
        indexing = site_search.start_index(output, Path(settings["CACHE_PATH"]), built.files)
    try:
        if while_indexing is not None:
            while_indexing(built)
    finally:
        if indexing is not None:
            indexing.wait()
        # Only now is the output final, Pagefind's bundle in it: that folder is looked at again.
        cache.mkdir(parents=True, exist_ok=True)
        final = {rel: stat for rel, stat in built.files.items() if not rel.startswith(bundle)}
        if (output / site_search.BUNDLE).is_dir():
            final.update(
                (bundle + rel, stat)
                for rel, stat in filestat.tree(output / site_search.BUNDLE).items()
            )
        manifest.write_text(json.dumps(final, sort_keys=True), encoding="utf-8")
        built.files = final
    return built


def _load(manifest):
    try:
        return json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _remove_empty_parents(folder, output):
    output = output.resolve()
    folder = folder.resolve()
    while folder != output and output in folder.parents:
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent
