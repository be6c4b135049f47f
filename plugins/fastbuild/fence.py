"""Every part of Pelican that fastbuild relies on without Pelican documenting it, in one place.

The rest of fastbuild uses Pelican's public ways in: signals, a reader class put in
``readers.reader_classes`` from ``readers_init``, and a writer class returned from ``get_writer``.
What no public API offers is listed below, each with why. :func:`problem` checks them all once per
process against the Pelican they were written for; when anything differs fastbuild stays off for
the build (one info line says why) and Pelican builds the site on its own.
``tests/test_pelican_fence.py`` runs the same checks, so a Pelican upgrade fails the suite naming
the changed name before it reaches a build.

Public but worth knowing, as they are used beyond the signals' arguments: ``Readers.readers``,
``reader_classes`` and ``get_cached_data`` and ``Generator.get_files`` (to list, before reading,
the files Pelican will convert: a mistake there only wastes a conversion), the generators' post
lists, blinker's documented ``Signal.receivers`` (whether any plugin listens to
``content_written``), and ``URLWrapper.settings`` (the settings a category, tag or author holds:
the Markdown workers send them without it and the main process gives its own back).
"""

import functools
import hashlib
import importlib
import inspect
import logging
import os
from urllib.parse import urlparse

import markdown
import pelican
from markdown.treeprocessors import InlineProcessor
from pelican import readers, signals
from pelican.cache import FileDataCacher, FileStampDataCacher
from pelican.contents import Content
from pelican.generators import ArticlesGenerator
from pelican.log import LimitFilter
from pelican.settings import DEFAULT_CONFIG
from pelican.utils import sanitised_join
from pelican.writers import FileOverwriteFailedError, Writer

log = logging.getLogger(__name__)

# The Pelican minor versions the suite has run on (pyproject.toml pins the same range).
SUPPORTED = ("4.12",)

# Pelican code fastbuild copies, wraps or depends on the inner workings of: a hash of each one's
# source as in the supported Pelican. If one changes, read the new source, adapt the code named
# in the reason, and record the new hash.
SOURCES = {
    # Overridden by WriterHook below: the only place a writer chooses how an output file is
    # opened. Its overwrite bookkeeping is copied into WriterHook.claim.
    "pelican.writers.Writer._open_w": "69700ea0b4668663",
    # CachingWriter hands write_file a stand-in template for a page it need not render: relies on
    # write_file rendering each output once with template.render, writing it through _open_w,
    # then sending content_written; and on every keyword argument but its own parameters becoming
    # a name in the page's context (the page cache digests only those its templates read).
    # For a reused page it does not paginate, CachingWriter._announce_unchanged does what it
    # would do itself: the local context made as _get_localcontext makes it, the file claimed,
    # 'Writing "path"' logged and content_written sent.
    "pelican.writers.Writer.write_file": "6a604ad67bbeec99",
    # Wrapped (while pages are written) to note which post bodies a page reads: relies on the
    # ``content`` and ``summary`` properties going through them.
    "pelican.contents.Content.get_content": "5b963ce7e6237a1b",
    "pelican.contents.Content.get_summary": "4a3c3104bdebd41d",
    "pelican.contents.Content.content": "156103bd42183fe4",
    "pelican.contents.Content.summary": "7d8d3c740f923b2b",
    # The page cache hashes, with each body, what its intrasite links resolve to: relies on the
    # regex finding every link Pelican fills in, and on a link resolving by its path's file name
    # in the shared context's ``generated_content``/``static_content`` (``{attach}`` moves a file).
    "pelican.contents.Content._get_intrasite_link_regex": "5d6b5c2523b5193e",
    "pelican.contents.Content._link_replacer": "81d6a9db349759d8",
    # Not fastbuild's: plugins/socialcards (own_image.py, which must load without fastbuild)
    # fills in the links of one <img> of a body as read (``_content``) instead of the whole
    # body: relies on get_content being this pass over the body, one regex match (inside one
    # tag) at a time, with the post's local site URL.
    "pelican.contents.Content._update_content": "b446bacdf3e46a3a",
    # Answered from the body's intrasite links as links.py keeps them (static_links_of below
    # copies its loop): relies on it keeping only matches of the intrasite regex whose ``what``
    # group is "static" or "attach", each turned into a path from its ``value`` group alone.
    "pelican.contents.Content.get_static_links": "5236441e4de8c044",
    # Run in a forked child (cachesave.py): relies on it only pickling ``_cache`` to its file
    # when ``_cache_data_policy`` is on, changing nothing in the process, returning nothing.
    "pelican.cache.FileDataCacher.save_cache": "ac07627d0831e861",
    # Memoised while pages are written: relies on it depending only on the post and settings,
    # which nothing changes once the writer exists.
    "pelican.contents.Content.get_url_setting": "e0eb063bf0a5ae24",
    # Memoised for the whole build (paths.py): relies on it depending only on settings["PATH"],
    # the path asked about and, when either is relative, the working folder.
    "pelican.contents.Content.get_relative_source_path": "6c1f5107e08bf7ea",
    # The Markdown workers give the reader one converter, reset, for every file (see
    # markdown_reuse.py, use_markdown_class): relies on read making it by calling the module's
    # ``Markdown`` with the MARKDOWN setting, once per file, and on _parse_metadata changing the
    # converter only by taking its "meta" preprocessor out and resetting it before each field.
    "pelican.readers.MarkdownReader.read": "1c8cfd04d8822d57",
    "pelican.readers.MarkdownReader._parse_metadata": "3f01f071bbc3672d",
    # Each picks its taxonomy's posts out of ``self.dates`` with ``in`` on the taxonomy's list:
    # index_taxonomy_lists gives those lists a quick ``in`` (membership.py). Only the speed
    # depends on it; a list that is a list in every other way writes the same pages.
    "pelican.generators.ArticlesGenerator.generate_tags": "37f65d284c713dd4",
    "pelican.generators.ArticlesGenerator.generate_categories": "cfb524524a3caae3",
    "pelican.generators.ArticlesGenerator.generate_authors": "982c57fcfcf0435e",
}

# Private attributes fastbuild reads, and why.
ATTRIBUTES = {
    # WriterHook.claim keeps Pelican's overwrite rules with them; fastbuild reads the first to
    # know which files this build wrote.
    "pelican.writers.Writer._written_files": "set of files written",
    "pelican.writers.Writer._overridden_files": "set of files written with override",
    # The body as the reader returned it: hashed to know when a page that shows it is stale.
    # (plugins/images rewrites it in content_object_init, before fastbuild reads it.)
    "pelican.contents.Content._content": "the body as read",
    # The shared context a post keeps: left out of a post's digest (it is digested once).
    "pelican.contents.Content._context": "the shared context",
    # Not fastbuild's: happening.build_log.fresh_pelican_log empties these before each build, so
    # a second build in one process reports the warnings Pelican would otherwise drop as repeats.
    "pelican.log.LimitFilter._raised_messages": "messages already logged in this process",
    "pelican.log.LimitFilter._group_count": "records counted per limit group",
    # pelican.utils.memoized keeps every (post, siteurl) -> HTML it computed, for the life of the
    # process: a long-lived process (the live preview, `pelican --autoreload`) would keep every
    # build's posts alive. forget_memoised() empties it once a build is over.
    "pelican.utils.memoized.cache": "the dict of results get_content and get_summary keep",
    # The name MarkdownReader.read calls to make a converter (see SOURCES): use_markdown_class.
    "pelican.readers.Markdown": "the markdown.Markdown class, as the readers module imported it",
    # The live preview's hot path (happening/workflow/hotpath.py) compares what the reader gave
    # for a post at the last build with what it gives now: Pelican keeps no other record of the
    # metadata before plugins changed it. reader_data() reads it.
    "pelican.cache.FileStampDataCacher._cache": "source path -> (stamp, (body, reader metadata))",
    # Whether a cache writes its file at all (cachesave.py forks no child for one that does not).
    "pelican.cache.FileDataCacher._cache_data_policy": "whether the cache saves its data",
    # The function a cache stamps a file with (set from CHECK_MODIFIED_METHOD when the cache is
    # made; with "sha256" it reads and hashes the file): stamps.py has every cache of a build
    # share one stamp per file. wrap_file_stamps() replaces it.
    "pelican.cache.FileStampDataCacher._filestamp_func": "the function stamping a file",
}


def installed_version() -> str:
    return pelican.__version__


def _target(name):
    """The function whose source is hashed for ``name``."""
    owner, attr = name.rsplit(".", 1)
    cls = {
        "FileDataCacher": FileDataCacher,
        "Writer": Writer,
        "Content": Content,
        "MarkdownReader": readers.MarkdownReader,
        "ArticlesGenerator": ArticlesGenerator,
    }[owner.rsplit(".", 1)[1]]
    value = cls.__dict__[attr]
    while hasattr(value, "_fastbuild_original"):  # One of ours: check Pelican's underneath.
        value = value._fastbuild_original
    if isinstance(value, property):
        return value.fget
    # get_content and get_summary are pelican.utils.memoized objects holding the function.
    return getattr(value, "func", value)


def source_hash(name) -> str:
    return _source_digest(_target(name))


def _source_digest(function) -> str:
    """What SOURCES and MARKDOWN_SOURCES record of a function: its source's sha256, cut short."""
    return hashlib.sha256(inspect.getsource(function).encode()).hexdigest()[:16]


def _minor(version: str) -> str:
    return ".".join(version.split(".")[:2])


def _attributes_present():
    writer = Writer(os.devnull, {})
    post = Content("<p>body</p>", context={"k": 1})
    return {
        "pelican.writers.Writer._written_files": isinstance(
            getattr(writer, "_written_files", None), set
        ),
        "pelican.writers.Writer._overridden_files": isinstance(
            getattr(writer, "_overridden_files", None), set
        ),
        "pelican.contents.Content._content": vars(post).get("_content") == "<p>body</p>",
        "pelican.contents.Content._context": vars(post).get("_context") == {"k": 1},
        "pelican.log.LimitFilter._raised_messages": isinstance(
            getattr(LimitFilter, "_raised_messages", None), set
        ),
        "pelican.log.LimitFilter._group_count": isinstance(
            getattr(LimitFilter, "_group_count", None), dict
        ),
        "pelican.utils.memoized.cache": all(
            isinstance(getattr(_memoised(name), "cache", None), dict) for name in MEMOISED
        ),
        "pelican.readers.Markdown": getattr(readers, "Markdown", None) is markdown.Markdown,
        "pelican.cache.FileStampDataCacher._cache": isinstance(
            getattr(FileStampDataCacher(DEFAULT_CONFIG, "fence", False, False), "_cache", None),
            dict,
        ),
        "pelican.cache.FileDataCacher._cache_data_policy": getattr(
            FileDataCacher(DEFAULT_CONFIG, "fence", True, False), "_cache_data_policy", None
        )
        is True,
        "pelican.cache.FileStampDataCacher._filestamp_func": callable(
            getattr(
                FileStampDataCacher(
                    {**DEFAULT_CONFIG, "CHECK_MODIFIED_METHOD": "sha256"}, "fence", False, False
                ),
                "_filestamp_func",
                None,
            )
        ),
    }


def changed() -> list[str]:
    """The fenced names that differ in the installed Pelican from what fastbuild was written for."""
    names = []
    for name, expected in SOURCES.items():
        try:
            same = source_hash(name) == expected
        except (KeyError, OSError, TypeError):
            same = False
        if not same:
            names.append(name)
    names += [name for name, present in _attributes_present().items() if not present]
    return names


@functools.cache
def problem() -> str | None:
    """Why fastbuild cannot run with the installed Pelican, or None (checked once per process)."""
    version = installed_version()
    if _minor(version) not in SUPPORTED:
        return (
            f"fastbuild: off for Pelican {version}: it supports Pelican "
            f"{', '.join(v + '.x' for v in SUPPORTED)} only; building as plain Pelican"
        )
    names = changed()
    if names:
        return (
            f"fastbuild: off for Pelican {version}: it changed {', '.join(names)}; "
            "building as plain Pelican (update plugins/fastbuild/fence.py)"
        )
    return None


# -- Where Pelican's generators keep contents ----------------------------------------------------
# Every list of posts or pages Pelican's two content generators fill (their attribute names).
CONTENT_LISTS = (
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
)


def index_taxonomy_lists(generator, make):
    """Replace every tag's, category's and author's list of posts with ``make(that list)``.

    As ``ArticlesGenerator.generate_context`` leaves them: ``tags`` maps each tag to its posts,
    ``categories`` and ``authors`` are sorted ``(taxonomy, posts)`` pairs, and the shared context
    holds the same lists (``categories`` and ``authors`` the very pairs, ``tags`` the dict's
    items), so both get the same replacements.
    """
    made = {}  # id of a list replaced -> (that list, so its id stays its own; the replacement)

    def replace(posts):
        if type(posts) is not list:
            return posts
        if id(posts) not in made:
            made[id(posts)] = (posts, make(posts))
        return made[id(posts)][1]

    tags = getattr(generator, "tags", None)
    if isinstance(tags, dict):
        for tag, posts in list(tags.items()):
            tags[tag] = replace(posts)
    for name in ("categories", "authors"):
        pairs = getattr(generator, name, None)
        if isinstance(pairs, list):
            pairs[:] = [(taxonomy, replace(posts)) for taxonomy, posts in pairs]

    def replaced(posts):
        old, new = made.get(id(posts), (None, None))
        return new if old is posts else posts

    shown = generator.context.get("tags")
    if isinstance(shown, list):
        shown[:] = [(tag, replaced(posts)) for tag, posts in shown]


# -- Pelican's memoised methods ------------------------------------------------------------------
MEMOISED = ("get_content", "get_summary")


def _memoised(name):
    value = Content.__dict__[name]
    while hasattr(value, "_fastbuild_original"):
        value = value._fastbuild_original
    return value


def content_unkept(post, siteurl=None) -> str:
    """``post.content`` (or ``post.get_content(siteurl)``), without memoising it.

    For plugins that read every body once before pages render (a post's first image, its
    prose summary, its feed entry): through ``get_content`` each read keeps the body in the
    main process until the build ends, ~65 MB at 5,000 posts, though the page of half the posts
    is rendered in a forked helper (split.py). A body already kept is returned as kept.
    """
    if siteurl is None:
        siteurl = post.get_siteurl()
    memoised = _memoised("get_content")
    kept = memoised.cache.get((post, siteurl))
    if kept is not None:
        return kept
    return memoised.func(post, siteurl)


def forget_memoised_content():
    """Empty the bodies ``get_content`` keeps (``get_summary``'s are left: listings reuse them)."""
    cache = getattr(_memoised("get_content"), "cache", None)
    if isinstance(cache, dict):
        cache.clear()


def forget_memoised(*_):
    """Empty the results ``get_content``/``get_summary`` keep (each holds its posts alive)."""
    for name in MEMOISED:
        cache = getattr(_memoised(name), "cache", None)
        if isinstance(cache, dict):
            cache.clear()


# -- Patches on Pelican's classes, undone when the build ends -------------------------------------
_patched = []  # (class, attribute name, the original)


def patch(cls, name, make):
    """Replace ``cls.name`` with ``make(original)`` until :func:`restore`; once per build."""
    original = cls.__dict__[name]
    if hasattr(original, "_fastbuild_original"):
        return
    wrapper = make(original)
    wrapper._fastbuild_original = original
    setattr(cls, name, wrapper)
    _patched.append((cls, name, original))


def restore(*_):
    """``finalized``: Pelican's classes as they were, so nothing outlives the build."""
    while _patched:
        cls, name, original = _patched.pop()
        setattr(cls, name, original)


def body(content) -> str:
    """A post's body as its reader returned it."""
    return content._content or ""


def intrasite_links(content, text):
    """``(what, value)`` of every intrasite link (``{filename}post.md``...) Pelican fills in."""
    for match in content._get_intrasite_link_regex().finditer(text):
        yield match.group("what"), match.group("value")


def intrasite_pattern(content) -> str:
    """The pattern of the regex :func:`intrasite_links` searches ``content``'s body with."""
    return content._get_intrasite_link_regex().pattern


def static_links_of(content, links) -> set:
    """What ``content.get_static_links()`` returns, from ``links``: the ``(what, value)`` of
    every match of the intrasite regex in its body, in order (links.py keeps them by body).

    Pelican's own loop (see SOURCES) on the matches' groups rather than on the matches.
    """
    found = set()
    for what, value in links:
        if what not in {"static", "attach"}:
            continue
        path = urlparse(value).path
        if path.startswith("/"):
            path = path[1:]
        else:  # Relative to the source path of this content.
            path = content.get_relative_source_path(os.path.join(content.relative_dir, path))
        found.add(path.replace("%20", " "))
    return found


def shared_context(content) -> dict | None:
    """The shared context a post keeps (its links are resolved from its tables), or None."""
    return content._context


# Attributes of a post left out of its digest (the body is tracked when read, the context and
# settings are digested once for the whole build).
UNDIGESTED = frozenset({"_content", "_context", "settings"})


def caches_data(cacher) -> bool:
    """Whether Pelican's ``cacher`` saves its data to a file (its caching policy is on)."""
    return bool(cacher._cache_data_policy)


def cached_entries(cacher) -> int:
    """How many files Pelican's ``cacher`` holds data for (what its file is made of)."""
    return len(cacher._cache)


def wrap_file_stamps(cacher, wrap):
    """``cacher`` (Pelican's readers or a caching generator) stamps files with ``wrap(its
    stamping function)``; once per cache (a function already wrapped is left as it is)."""
    stamp = getattr(cacher, "_filestamp_func", None)
    if stamp is not None and not getattr(stamp, "fastbuild_shared", False):
        cacher._filestamp_func = wrap(stamp)


# -- Reading one post again (the live preview's hot path) ----------------------------------------
def reader_data(readers, path):
    """``(body, metadata)`` as the reader gave them for ``path`` when last read, or None.

    Whatever the file's stamp now: the hot path asks about a file that has just changed.
    """
    cached = readers._cache.get(path)
    return None if cached is None else cached[1]


def reread(generator, content):
    """A new content object for ``content``'s source file, read as ``generate_context`` reads it.

    Pelican's ``Readers.read_file``, with the arguments and signals the article or page
    generator passes it (its ``generate_context`` has no per-file entry point).
    """
    kind = "article" if isinstance(generator, ArticlesGenerator) else "page"
    return generator.readers.read_file(
        base_path=generator.path,
        path=content.source_path,
        content_class=type(content),
        context=generator.context,
        preread_signal=getattr(signals, f"{kind}_generator_preread"),
        preread_sender=generator,
        context_signal=getattr(signals, f"{kind}_generator_context"),
        context_sender=generator,
    )


def static_links(content) -> set:
    """The static files ``content``'s body links with ``{static}``/``{attach}`` (Pelican copies
    them: a generator adds these to ``context["static_links"]`` as it reads each post)."""
    return content.get_static_links()


def set_body(content, html):
    """Give an existing post a new body; what Pelican memoised from the old one is forgotten."""
    content._content = html
    forget_memoised()


# -- How the Markdown reader makes its converter ------------------------------------------------
def use_markdown_class(factory):
    """Have Pelican's ``MarkdownReader`` make its converters with ``factory``, in this process.

    For the Markdown workers only (forked processes that only read, and end with the reading):
    ``factory`` takes the MARKDOWN setting's keywords, as ``markdown.Markdown`` does.
    """
    readers.Markdown = factory


# -- Python-Markdown's inline and block processors -----------------------------------------------
# inline_triggers.py and block_triggers.py skip the inline patterns and block processor tests a
# text cannot match. The Python-Markdown minor versions they were written for:
MARKDOWN_SUPPORTED = ("3.11",)

# The Python-Markdown code they override or depend on, hashed as SOURCES is; a change turns off
# only what relies on the changed name.
MARKDOWN_SOURCES = {
    # inline_triggers: overridden, the loop over the patterns from an index, one step per
    # pattern until a step finds no match. The override is the same loop with a skip in front.
    "markdown.treeprocessors.InlineProcessor.__handleInline": "fe27babc114aed0a",
    # The step the loop calls: relies on a pattern whose regex (getCompiledRegExp) finds no
    # match in the text changing nothing and returning ``(data, False, 0)``.
    "markdown.treeprocessors.InlineProcessor.__applyPattern": "8862b35197c0e614",
    # Relies on a run reaching the patterns only through the loop, and on nothing registering
    # a pattern while it runs (the override lists the patterns once per run).
    "markdown.treeprocessors.InlineProcessor.run": "f6c93631f2871499",
    # Relies on a pattern of this class searching with its own ``compiled_re``.
    "markdown.inlinepatterns.Pattern.getCompiledRegExp": "22a0c1b27ba8544e",
    # block_triggers: relies on the parser asking each processor's ``test`` of the first block,
    # running it only when True, and asking the next one when ``run`` returns False.
    "markdown.blockparser.BlockParser.parseBlocks": "1737e188f149267b",
    # Each test below is True only when its regex (block_triggers.GUARDS) matches the block,
    # with no other effect when it does not.
    "markdown.blockprocessors.HashHeaderProcessor.test": "b05b7970153b822e",
    "markdown.blockprocessors.HRProcessor.test": "d97db1d673f15c75",
    "markdown.blockprocessors.SetextHeaderProcessor.test": "f4517c337decc072",
    "markdown.blockprocessors.BlockQuoteProcessor.test": "342a21ffb26b7052",
    "markdown.extensions.def_list.DefListProcessor.test": "b05b7970153b822e",
    # Each test below is True, and each run, when its regex finds nothing in the block, puts
    # the block back as it was and returns False (changing nothing else).
    "markdown.extensions.footnotes.FootnoteBlockProcessor.test": "889d3dacebfb92cd",
    "markdown.extensions.footnotes.FootnoteBlockProcessor.run": "62765fec9d331a31",
    "markdown.extensions.abbr.AbbrBlockprocessor.test": "889d3dacebfb92cd",
    "markdown.extensions.abbr.AbbrBlockprocessor.run": "b56be8a6fce5a243",
    "markdown.blockprocessors.ReferenceProcessor.test": "889d3dacebfb92cd",
    "markdown.blockprocessors.ReferenceProcessor.run": "03ec47f76da0d6f4",
}
INLINE_LOOP = (
    "markdown.treeprocessors.InlineProcessor.__handleInline",
    "markdown.treeprocessors.InlineProcessor.__applyPattern",
    "markdown.treeprocessors.InlineProcessor.run",
    "markdown.inlinepatterns.Pattern.getCompiledRegExp",
)
BLOCK_PARSER = "markdown.blockparser.BlockParser.parseBlocks"


def _markdown_target(name):
    module, owner, attr = name.rsplit(".", 2)
    if attr.startswith("__"):
        attr = f"_{owner}{attr}"  # a private name, as Python stores it
    return vars(vars(importlib.import_module(module))[owner])[attr]


def markdown_source_hash(name) -> str:
    return _source_digest(_markdown_target(name))


@functools.cache
def markdown_problem(*names) -> str | None:
    """Why code relying on the fenced ``names`` (all if none) cannot run, or None (cached)."""
    version = markdown.__version__
    if _minor(version) not in MARKDOWN_SUPPORTED:
        return f"Python-Markdown {version} is not {', '.join(MARKDOWN_SUPPORTED)}.x"
    for name in names or MARKDOWN_SOURCES:
        try:
            same = markdown_source_hash(name) == MARKDOWN_SOURCES[name]
        except (KeyError, ImportError, OSError, TypeError):
            same = False
        if not same:
            return f"Python-Markdown {version} changed {name}"
    return None


def use_inline_class(md, cls) -> bool:
    """Give converter ``md``'s inline processor the class ``cls`` (a subclass of Python-Markdown's
    that changes only how it loops over the patterns); False, and ``md`` left as it is, when the
    fence fails or the processor is not Python-Markdown's own."""
    problem = markdown_problem(*INLINE_LOOP)
    if problem is not None:
        log.debug("fastbuild: inline patterns run on every text (%s)", problem)
        return False
    try:
        processor = md.treeprocessors["inline"]
    except KeyError:
        return False
    if type(processor) is not InlineProcessor:
        return False
    processor.__class__ = cls  # the same object: whatever holds it (the patterns do) sees it
    return True


# -- The writer -----------------------------------------------------------------------------------
class WriterHook(Writer):
    """Pelican's writer with one public hook: :meth:`open_output` opens each output file.

    Pelican has no hook there: ``_open_w`` is overridden, with Pelican's overwrite rules kept in
    :meth:`claim`.
    """

    def _open_w(self, filename, encoding, override=False):
        return self.open_output(filename, encoding, override)

    def open_output(self, filename, encoding, override):
        return open(self.claim(filename, override), "w", encoding=encoding)

    def claim(self, filename, override):
        """Pelican's ``Writer._open_w`` bookkeeping: the file to write (maybe ``os.devnull``)."""
        if filename in self._overridden_files:
            if override:
                raise FileOverwriteFailedError(
                    f'Failed to overwrite "{filename}" a second time (was previously overwritten)'
                )
            logging.getLogger("pelican.writers").info('Skipping "%s", not overwriting', filename)
            filename = os.devnull
        elif filename in self._written_files:
            if override:
                logging.getLogger("pelican.writers").info('Overwriting "%s"', filename)
            else:
                raise FileOverwriteFailedError(
                    f'Failed to overwrite "{filename}" as Pelican has already '
                    "written to it previously (set `override=True` if intended)"
                )
        if override:
            self._overridden_files.add(filename)
        self._written_files.add(filename)
        return filename

    def rendering(self, localcontext) -> str:
        """The file a template given ``localcontext`` by ``write_file`` is rendered for.

        ``write_file`` puts each page's name (a paginated listing's page too) in ``output_file``
        and opens ``sanitised_join(output_path, name)``.
        """
        return sanitised_join(self.output_path, localcontext["output_file"])

    def written(self) -> frozenset:
        """Every file this writer has written (or claimed) so far."""
        return frozenset(self._written_files)
