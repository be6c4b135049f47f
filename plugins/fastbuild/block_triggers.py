"""Skip a block processor's regex over a block that lacks every string the regex needs to match.

Python-Markdown's block parser asks each block processor in turn whether it takes the next
block (``test``), and several answer by searching the whole block with a regex that begins
``(^|\\n)`` or is compiled ``MULTILINE``, which the ``re`` module tries at every position: a
heading's ``#``, a quote's ``>``, a definition's ``:``, a horizontal rule, a Setext underline;
and the footnote, abbreviation and link-reference processors take every block and search it in
``run``, giving it back when they find nothing. Together ~27% of a Markdown worker's time on the
bench corpus, for blocks that mostly hold none of those characters.

For the processors of Python-Markdown's own listed in :data:`GUARDS` (exact class, and the regex
and flags read from it), a block without any of the trigger strings cannot match, so the answer
is known: ``test`` is False, and for the processors that search in ``run`` (which then restores
the block and returns False, so the parser asks the next processor) ``test`` says False instead
of True. Each such processor's ``test`` is replaced, on that instance only, with one that looks
for the trigger first and otherwise asks the processor's own ``test``. The code relied on is
hashed in ``fence.MARKDOWN_SOURCES``; a processor whose code differs is left as it is.
``tests/test_block_triggers.py`` converts a wide set of Markdown with and without it.
"""

from . import fence

# (module and class, the attribute holding its regex, regex, flags) ->
#   (the strings of which any match contains at least one, what the guard stands in for).
# "test": ``test`` is True only if the regex matches; "run": ``test`` is True and ``run`` finds
# nothing without a match. Read from Python-Markdown 3.11.
TEST, RUN = "test", "run"
MULTILINE = 8 | 32  # re.MULTILINE | re.UNICODE
UNICODE = 32
GUARDS = {
    (
        "markdown.blockprocessors.HashHeaderProcessor",
        "RE",
        r"(?:^|\n)(?P<level>#{1,6})(?P<header>(?:\\.|[^\\#]|#+(?=[^#\n]))*?)#*(?:\n|$)",
        UNICODE,
    ): (("#",), TEST),
    (
        "markdown.blockprocessors.HRProcessor",
        "SEARCH_RE",
        r"^[ ]{0,3}(?=(?P<atomicgroup>(-+[ ]{0,2}){3,}|(_+[ ]{0,2}){3,}|(\*+[ ]{0,2}){3,}))"
        r"(?P=atomicgroup)[ ]*$",
        MULTILINE,
    ): (("-", "_", "*"), TEST),
    # ``match``ed at the start: the first line (``.`` stops at a newline), then the underline.
    (
        "markdown.blockprocessors.SetextHeaderProcessor",
        "RE",
        r"^.*?\n(?:=+|-+)[ ]*(\n|$)",
        MULTILINE,
    ): (
        ("\n=", "\n-"),
        TEST,
    ),
    ("markdown.blockprocessors.BlockQuoteProcessor", "RE", r"(^|\n)[ ]{0,3}>[ ]?(.*)", UNICODE): (
        (">",),
        TEST,
    ),
    (
        "markdown.extensions.def_list.DefListProcessor",
        "RE",
        r"(^|\n)[ ]{0,3}:[ ]{1,3}(.*?)(\n|$)",
        UNICODE,
    ): ((":",), TEST),
    (
        "markdown.extensions.footnotes.FootnoteBlockProcessor",
        "RE",
        r"^[ ]{0,3}\[\^([^\]]*)\]:[ ]*(.*)$",
        MULTILINE,
    ): (("[^",), RUN),
    (
        "markdown.extensions.abbr.AbbrBlockprocessor",
        "RE",
        r"^[*]\[(?P<abbr>[^\\]*?)\][ ]?:[ ]*\n?[ ]*(?P<title>.*)$",
        MULTILINE,
    ): (("*[",), RUN),
    (
        "markdown.blockprocessors.ReferenceProcessor",
        "RE",
        r"^[ ]{0,3}\[([^\[\]]*)\]:[ ]*(?:\n[ ]*)?([^\s]+)[ ]*(?:\n[ ]*)?"
        r"""((["\'])(.*)\4[ ]*|\((.*)\)[ ]*)?$""",
        MULTILINE,
    ): (("]:",), RUN),
}


def guard_for(processor):
    """``(triggers, kind, the fenced names it relies on)`` for ``processor``, or None."""
    cls = type(processor)
    name = f"{cls.__module__}.{cls.__qualname__}"
    for (known, attribute, regex, flags), (needs, kind) in GUARDS.items():
        if known != name:
            continue
        compiled = getattr(processor, attribute, None)
        if (
            getattr(compiled, "pattern", None) == regex
            and getattr(compiled, "flags", None) == flags
        ):
            methods = ("test",) if kind == TEST else ("test", "run")
            return needs, kind, [f"{name}.{method}" for method in methods]
    return None


def guarded(test, needs, kind):
    """A ``test`` that answers False for a block holding none of ``needs``."""
    if kind == RUN:  # Its own test says True; its run would find nothing without a trigger.
        if len(needs) == 1:
            (need,) = needs
            return lambda parent, block: need in block
        return lambda parent, block: any(text in block for text in needs)
    if len(needs) == 1:
        (need,) = needs
        return lambda parent, block: need in block and test(parent, block)
    return lambda parent, block: any(text in block for text in needs) and test(parent, block)


def install(md):
    """Guard the tests of converter ``md``'s known block processors (each one the fence allows:
    the others are left as Python-Markdown made them)."""
    for processor in md.parser.blockprocessors:
        found = guard_for(processor)
        if found is None or "test" in vars(processor):
            continue  # Not known, or its test already replaced (by us or anyone).
        needs, kind, names = found
        if fence.markdown_problem(fence.BLOCK_PARSER, *names) is None:
            processor.test = guarded(processor.test, needs, kind)
    return md
