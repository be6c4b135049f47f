"""Skip an inline pattern over a text that lacks every string its regex needs to match.

Python-Markdown's inline processor runs each of its ~15 inline patterns (code spans, escapes,
links, autolinks, HTML, entities, emphasis...) over every text and tail of the tree, one call
and one regex search per pattern and text: ~45% of converting a post of the bench corpus, though
most texts hold no backtick, bracket, ``<`` or ``*``. A pattern of Python-Markdown's own, whose
class and regex are exactly those listed in :data:`TRIGGERS`, cannot match a text that contains
none of its trigger strings (each is a literal every match of the regex contains); for such a
text the processor's own step would find no match and change nothing, so we go on to the next
pattern without it. Any other pattern (an extension's own, or one of ours with another regex or
flags) runs on every text as before.

The processor stays Python-Markdown's: :func:`install` gives the converter's own instance a
subclass whose only change is the loop over the patterns (``fence.use_inline_class``, which
checks Python-Markdown's version and the source of the loop and of the step it calls).
``tests/test_inline_triggers.py`` converts a wide set of Markdown with and without it.
"""

import functools
import re

from markdown import util
from markdown.inlinepatterns import Pattern
from markdown.treeprocessors import InlineProcessor

from . import fence

FLAGS = re.DOTALL | re.UNICODE  # what Python-Markdown compiles every inline pattern with

# (module and class, regex) -> the strings of which a match contains at least one. Read from
# the regexes of Python-Markdown 3.11 (a match starts with the literal, or, for the backtick's
# first branch, is followed by one; autolink needs "://", automail "@").
_LINK = r"(?<!\!)\["
_IMAGE = r"\!\["
TRIGGERS = {
    (
        "markdown.inlinepatterns.BacktickInlineProcessor",
        r"(?:(?<!\\)((?:\\{2})+)(?=`+)|(?<!\\)`)",
    ): ("`",),
    ("markdown.inlinepatterns.EscapeInlineProcessor", r"\\(.)"): ("\\",),
    ("markdown.extensions.footnotes.FootnoteInlineProcessor", r"\[\^([^\]]*)\]"): ("[^",),
    ("markdown.inlinepatterns.ReferenceInlineProcessor", _LINK): ("[",),
    ("markdown.inlinepatterns.LinkInlineProcessor", _LINK): ("[",),
    ("markdown.inlinepatterns.ShortReferenceInlineProcessor", _LINK): ("[",),
    ("markdown.inlinepatterns.ImageInlineProcessor", _IMAGE): ("![",),
    ("markdown.inlinepatterns.ImageReferenceInlineProcessor", _IMAGE): ("![",),
    ("markdown.inlinepatterns.ShortImageReferenceInlineProcessor", _IMAGE): ("![",),
    ("markdown.inlinepatterns.AutolinkInlineProcessor", r"<([A-Za-z][A-Za-z0-9+.-]*://[^<>]*)>"): (
        "://",
    ),
    ("markdown.inlinepatterns.AutomailInlineProcessor", r"<([^<> !]+@[^@<> ]+)>"): ("@",),
    ("markdown.inlinepatterns.SubstituteTagInlineProcessor", r"  \n"): ("  \n",),
    (
        "markdown.inlinepatterns.HtmlInlineProcessor",
        r"""(<(\/?+[a-zA-Z][^\s"'<>@]*+(?:\s+[^\s"'=<>]++(?:\s*+=\s*+(?:"[^"]*+"|'[^']*+'|"""
        r"""[^\s"'=<>]++))?+)*+\s*+/?|!--(?:(?!<!--|-->).)*--|[?](?:(?!<[?]|[?]>).)*[?]|"""
        r"""!\[CDATA\[(?:(?!<!\[CDATA\[|\]\]>).)*\]\])>)""",
    ): ("<",),
    (
        "markdown.inlinepatterns.HtmlInlineProcessor",
        r"(&(?:\#[0-9]+|\#x[0-9a-fA-F]+|[a-zA-Z0-9]+);)",
    ): ("&",),
    ("markdown.inlinepatterns.DelimiterProcessor", r"\*|_"): ("*", "_"),
}


def triggers(pattern):
    """The strings one of which a match of ``pattern`` contains, or None (always run it)."""
    cls = type(pattern)
    if cls.getCompiledRegExp is not Pattern.getCompiledRegExp:
        return None  # it may search with another regex than the one we read
    regex = getattr(pattern, "compiled_re", None)
    if not isinstance(regex, re.Pattern) or regex.flags != FLAGS:
        return None
    return TRIGGERS.get((f"{cls.__module__}.{cls.__qualname__}", regex.pattern))


class TriggeredInlineProcessor(InlineProcessor):
    """Python-Markdown's inline processor, skipping a pattern a text gives nothing to match."""

    def run(self, tree, ancestors=None):
        # Per document: the patterns registered now (nothing registers one during a run).
        self._patterns = list(self.inlinePatterns)
        self._triggers = [triggers(pattern) for pattern in self._patterns]
        self._any_from = _any_trigger_from(tuple(self._triggers))
        return super().run(tree, ancestors)

    def _InlineProcessor__handleInline(self, data, patternIndex=0):  # noqa: N802, N803
        """Python-Markdown's loop over the patterns from ``patternIndex`` (see the fence's
        MARKDOWN_SOURCES), skipping each step that would find no match."""
        if isinstance(data, util.AtomicString):
            return data
        patterns, needs = self._patterns, self._triggers
        quick = self._any_from[patternIndex] if patternIndex < len(patterns) else None
        if quick is not None and quick.search(data) is None:
            return data  # Most texts: every step from here on would be skipped.
        index, start = patternIndex, 0
        while index < len(patterns):
            need = needs[index]
            if need is not None:
                for text in need:
                    if text in data:
                        break
                else:  # Its step would find no match and return (data, False, 0).
                    index += 1
                    start = 0
                    continue
            data, matched, start = self._InlineProcessor__applyPattern(
                patterns[index], data, index, start
            )
            if not matched:
                index += 1
        return data


@functools.lru_cache(maxsize=16)
def _any_trigger_from(needs):
    """For each pattern index, one regex finding any trigger of the patterns from there on (one
    search instead of a step per pattern), or None when one of those always runs."""
    found, strings, always = [], set(), False
    for need in reversed(needs):
        always = always or need is None
        strings.update(need or ())
        found.append(None if always else re.compile("|".join(map(re.escape, sorted(strings)))))
    return tuple(reversed(found))


def install(md):
    """Have converter ``md`` skip the inline patterns a text cannot match (when the fence
    allows: otherwise ``md`` is left as Python-Markdown made it)."""
    fence.use_inline_class(md, TriggeredInlineProcessor)
    return md
