"""Inline patterns skipped over texts they cannot match (fastbuild/inline_triggers.py): the same
HTML as Python-Markdown's own inline processor, on every kind of inline Markdown and on the test
sites, and the fence that leaves the processor alone when Python-Markdown is not as read."""

import re
from importlib import import_module

import markdown
import pytest
from markdown.inlinepatterns import SimpleTagInlineProcessor
from markdown.treeprocessors import InlineProcessor
from pelican import readers
from pelican.readers import MarkdownReader

from conftest import DATA
from happening.build import DEV_SETTINGS, load_settings
from happening.plugins.fastbuild import fence
from happening.plugins.fastbuild.highlight import with_shared_formatters
from happening.plugins.fastbuild.inline_triggers import (
    TRIGGERS,
    TriggeredInlineProcessor,
    install,
    triggers,
)
from happening.plugins.fastbuild.markdown_reuse import ReusedMarkdown

# Each inline pattern, next to texts that hold its trigger without matching it, nested in
# others, escaped, at the edges of a text, in tails and in the texts of elements made by an
# earlier pattern (a link's text, emphasis inside emphasis), inside code and raw HTML.
SAMPLES = [
    "Plain words, no trigger at all.",
    "",
    "`code` and ``code with ` backtick`` and ```triple``` and a lone ` tick.",
    "\\`not code\\` and \\\\`code after an escaped backslash` and `\\*not escaped*`.",
    "An escape: \\*, \\_, \\[, \\<, \\&, \\\\, \\` and a trailing backslash \\",
    "*em* **strong** ***both*** _em_ __strong__ ___both___ *__mixed__* _**mixed**_",
    "**strong with *em* inside** and *em with **strong** inside* and *unclosed",
    "snake_case_word and 2 * 3 * 4 and a_b*c and * spaced * and _ spaced _.",
    "Smart strong: __not__strong and foo__bar__baz and **a**b and *a*b.",
    '[a link](http://example.org/ "title") and [a *styled* link](/x) and [empty]().',
    "[ref][r1] and [Ref][] and [r1] and [undefined][nope] and [not a link.\n\n[r1]: /r1 'R1'",
    "![an image](/i.png) and ![ref image][r1] and ![r1] and ![](/empty-alt.png)\n\n[r1]: /r1",
    "[![image in a link](/i.png)](/target) and ![alt with [brackets]](/b.png)",
    "<http://example.org/auto> and <https://x.y/z?a=1&b=2> and <ftp://f.example/> and <notalink>",
    "<user@example.org> and <mailto:user@example.org> and user@example.org and <a@b>",
    "Line with two spaces  \nnext line, and one space \nnot a break, and three   \nbreak.",
    'Raw <span class="x">html *em*</span> and <br/> and <!-- a comment --> and <?php x ?>.',
    "A < b and c > d and <not html and 1<2>3 and <![CDATA[ x ]]> and </closing>.",
    "Entities: &amp; &copy; &#169; &#xA9; &notanentity and AT&T and & alone &;.",
    "Footnote[^1] and another[^two] and a missing one[^nope] and [^] brackets.\n\n"
    "[^1]: The *first* note with `code`.\n[^two]: The second note [with a link](/n).",
    "*[HTML]: Hyper Text Markup Language\n\nHTML and XHTML and `HTML` and [HTML](/h).",
    "A paragraph with attributes.\n{: .lead #first }\n\n## A heading {: #h2 }\n\n[link](/a){: .c }",
    "Term\n:   Its *definition* with `code`.\n\nOther term\n:   [Linked](/d) definition.",
    "| a | *b* |\n|---|-----|\n| `1` | [2](/2) |\n| &amp; | <b>4</b> |",
    '<div markdown="1">\nSome *Markdown* inside HTML, [a link](/m) and `code`.\n</div>',
    "<div>\nRaw block with *no* Markdown & an entity.\n</div>\n\nAfter *the* block.",
    "```python\nprint('*not em*', \"[not a link]\")\n```\n\n    indented `code` & <b>",
    "> A quote with *em*, `code` and [a link](/q).\n>\n> > Nested **quote**.",
    "- item *one*\n- item `two`\n    - nested [three](/3)\n1. ordered &amp;\n2. <i>html</i>",
    "Mixed: *em `code *not em*` em* and [link `code` **strong**](/l) and `[not link](/x)`.",
    "Nested ***triple *inside* emphasis*** and **_mixed_ nesting** and *a **b** c*.",
    "Underscores_inside_words and *stars*inside*words* and __init__.py and **.",
    "Edge*\n*start of line and end of line*\nand _under\nscore_ across lines.",
    "Placeholder-like text: \x02klzzwxh:0000\x03 and wzxhzdk and klzzwxh:12.",
    "Unicode: café *naïve* `λ` [日本](/ja) &eacute; <em>ü</em> \u2014 done.",
    "Tabs\tand *tabs*\tand `\ttab code`  \nafter a break.",
    "Only _underscores_ and __strong__ here.",
    "Only &copy; and &#169; here.",
    "Only <b>html</b> here.",
    "Only [a link](/l) here.",
    "Only ![an image](/i.png) here.",
    "Only `code` here.",
    "Trailing star*",
    "_",
    "[",
    "`",
    "<",
    "&",
    "\\",
    "  \n",
]

EXTENSION_SETS = [
    ["markdown.extensions.extra", "markdown.extensions.codehilite", "markdown.extensions.meta"],
    ["markdown.extensions.extra", "markdown.extensions.toc", "markdown.extensions.smarty"],
    [
        "markdown.extensions.legacy_em",
        "markdown.extensions.nl2br",
        "markdown.extensions.sane_lists",
    ],
    [],
]


def convert(text, extensions, triggered):
    md = markdown.Markdown(extensions=extensions, output_format="html5")
    if triggered:
        install(md)
        assert type(md.treeprocessors["inline"]) is TriggeredInlineProcessor
    return md.convert(text)


@pytest.mark.parametrize(
    "extensions", EXTENSION_SETS, ids=["project", "toc-smarty", "legacy", "none"]
)
def test_every_sample_converts_as_without_the_triggers(extensions):
    for text in SAMPLES + ["\n\n".join(SAMPLES)]:
        assert convert(text, extensions, True) == convert(text, extensions, False), repr(text)


def test_a_text_without_a_patterns_trigger_never_matches_it():
    """Each trigger read from a regex, checked on every text of the samples and their pieces."""
    md = markdown.Markdown(extensions=EXTENSION_SETS[0])
    texts = set(SAMPLES)
    for text in SAMPLES:
        texts.update(text.split())
        texts.update(text[i:] for i in range(0, len(text), 3))
    checked = 0
    for pattern in md.inlinePatterns:
        need = triggers(pattern)
        assert need is not None, f"{type(pattern).__name__} is not known: it would always run"
        for text in texts:
            if not any(t in text for t in need):
                assert pattern.getCompiledRegExp().search(text) is None, (pattern, text)
                checked += 1
    assert checked > 1000


def test_the_test_sites_read_as_with_pelicans_reader(tmp_path, monkeypatch):
    settings = with_shared_formatters(load_settings(DEV_SETTINGS, PATH=str(tmp_path)))
    files = sorted(p for p in DATA.rglob("*.md") if "posts" in p.parts or "pages" in p.parts)
    assert len(files) > 10
    monkeypatch.setattr(readers, "Markdown", markdown.Markdown)
    plain = [read(MarkdownReader(settings), path) for path in files]
    made = []

    def prepare(md):
        made.append(install(md))

    fence.use_markdown_class(ReusedMarkdown(prepare=prepare))
    reader = MarkdownReader(settings)
    triggered = [read(reader, path) for path in files]
    assert made and type(made[0].treeprocessors["inline"]) is TriggeredInlineProcessor
    assert triggered == plain


def read(reader, path):
    """The body and the metadata's repr, or the error (tests/data/broken has bad headers)."""
    try:
        content, metadata = reader.read(str(path))
    except ValueError as error:
        return str(path), repr(error)
    return str(path), content, repr(metadata)


def test_a_pattern_not_known_always_runs():
    md = markdown.Markdown()
    # An extension's own pattern, a known class with another regex, a known regex in a subclass.
    md.inlinePatterns.register(SimpleTagInlineProcessor(r"()~~(.+?)~~", "del"), "del", 65)
    link = type(md.inlinePatterns["link"])
    md.inlinePatterns.register(link(r"\[\[", md), "wiki", 66)
    md.inlinePatterns.register(type("Mine", (link,), {})(r"(?<!\!)\[", md), "mine", 67)
    assert [triggers(md.inlinePatterns[name]) for name in ("del", "wiki", "mine")] == [None] * 3
    install(md)
    assert md.convert("~~gone~~ [[x]] and *em*") == "<p><del>gone</del> [[x]] and <em>em</em></p>"


def test_every_known_pattern_is_a_class_of_python_markdowns():
    for (name, regex), need in TRIGGERS.items():
        module, cls = name.rsplit(".", 1)
        assert module.startswith("markdown.")
        assert isinstance(getattr(import_module(module), cls), type), name
        assert re.compile(regex) and need and all(need), name


def test_the_python_markdown_code_relied_on_is_unchanged():
    for name, expected in fence.MARKDOWN_SOURCES.items():
        assert fence.markdown_source_hash(name) == expected, (
            f"Python-Markdown {markdown.__version__} changed {name}: see plugins/fastbuild/fence.py"
        )
    fence.markdown_problem.cache_clear()
    assert fence.markdown_problem() is None


def test_the_processor_is_left_alone_when_the_fence_fails(monkeypatch):
    name = "markdown.treeprocessors.InlineProcessor.__applyPattern"
    monkeypatch.setitem(fence.MARKDOWN_SOURCES, name, "0" * 16)
    fence.markdown_problem.cache_clear()
    try:
        assert name in fence.markdown_problem()
        md = install(markdown.Markdown())
        assert type(md.treeprocessors["inline"]) is InlineProcessor
    finally:
        monkeypatch.undo()
        fence.markdown_problem.cache_clear()


def test_another_inline_processor_is_left_alone():
    class Theirs(InlineProcessor):
        pass

    md = markdown.Markdown()
    md.treeprocessors.register(Theirs(md), "inline", 20)
    assert type(install(md).treeprocessors["inline"]) is Theirs
