"""One Markdown converter per Markdown worker, reset between files instead of made again.

Pelican's ``MarkdownReader.read`` makes a new ``markdown.Markdown`` for every file: loading the
extensions and building their processors, ~1.7 ms a file, 7% of reading the bench corpus.
Python-Markdown documents ``Markdown.reset()`` for converting many documents with one instance
(every extension that keeps state between documents resets it there), so a worker hands
Pelican the same instance again, reset, for as long as the settings are the same.

Pelican's reader takes the ``meta`` preprocessor out of the instance after reading a file's
metadata (so that formatted fields such as the summary are not read for metadata); we put it back
with the priority the meta extension documents (27), and check that the processors are then
exactly those the instance was made with. Only Python-Markdown's own extensions are trusted to
reset: with any other (a writer's own, or one from a plugin) every file gets a new instance, as
in Pelican. ``tests/test_markdown_reuse.py`` compares the HTML and metadata with Pelican's.
"""

import markdown
from markdown.extensions import Extension

META = ("meta", 27)  # the meta extension's preprocessor: its name and documented priority
OWN = "markdown.extensions."  # Python-Markdown's own extensions, which reset their state


class ReusedMarkdown:
    """A stand-in for the ``markdown.Markdown`` class: one instance per configuration, reset."""

    def __init__(self, prepare=None):
        self.prepare = prepare  # called with each instance made for reuse, before its first use
        self.config = None
        self.instance = None
        self.processors = None  # every processor of the instance as made, in order
        self.meta = None  # its meta preprocessor

    def __call__(self, **config):
        if not reusable(config):
            return markdown.Markdown(**config)
        md = self.instance
        if md is not None and config == self.config and self._restore(md):
            return md.reset()
        md = self.instance = markdown.Markdown(**config)
        if self.prepare is not None:
            self.prepare(md)
        self.config, self.processors = config, _processors(md)
        has_meta = META[0] in md.preprocessors  # (a Registry has no .get)
        self.meta = md.preprocessors[META[0]] if has_meta else None
        return md

    def _restore(self, md) -> bool:
        """Put back what Pelican's reader took out; False if anything else changed."""
        if self.meta is not None and META[0] not in md.preprocessors:
            md.preprocessors.register(self.meta, *META)
        return _processors(md) == self.processors


def reusable(config) -> bool:
    """Whether every extension in ``config`` is Python-Markdown's own (they reset their state)."""
    for extension in config.get("extensions") or ():
        if isinstance(extension, Extension):
            name = type(extension).__module__
        else:
            name = str(extension)
            name = name if "." in name else OWN + name  # "extra": Python-Markdown's own
        if not name.startswith(OWN):
            return False
    return True


def _processors(md) -> list:
    # By identity: the same processor objects in the same order, in every registry.
    registries = (
        md.preprocessors,
        md.parser.blockprocessors,
        md.inlinePatterns,
        md.treeprocessors,
        md.postprocessors,
    )
    return [[id(item) for item in registry] for registry in registries]
