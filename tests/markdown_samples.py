"""Markdown to convert with and without fastbuild's skips (inline_triggers, block_triggers):
every kind of inline and block syntax, with texts that hold a trigger without matching."""

from pelican.readers import MarkdownReader

from conftest import DATA
from happening.plugins.fastbuild import fence
from happening.plugins.fastbuild.markdown_reuse import ReusedMarkdown

# Each inline pattern, next to texts that hold its trigger without matching it, nested in
# others, escaped, at the edges of a text, in tails and in the texts of elements made by an
# earlier pattern (a link's text, emphasis inside emphasis), inside code and raw HTML.
INLINE = [
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

# Each kind of block, and blocks that hold a block regex's trigger without being that block.
BLOCKS = [
    "# Heading 1\n## Heading 2 ##\n###### Six\n####### Seven is text\n#hashtag and C# and a#b",
    "Setext 1\n========\n\nSetext 2\n--------\n\nNot setext\n= half\n\nText\n-not under",
    "---\n\n- - -\n\n***\n\n* * *\n\n___\n\n_ _ _\n\n--\n\nA line -- with dashes - and_under*star",
    "> Quote\n> *more*\nlazy line\n\n> > nested\n\nA > in text and 3>2 and -> arrows",
    "    code block > # : [^1]: *[X]: [r]: x\n    more\n\ntext after",
    "Term\n:   Definition\n:   Another\n\n    indented definition text\n\n"
    "Term 2\n: x\n\nA : in text",
    "Text[^a].\n\n[^a]: A note\n    with a second line\n\n    and a paragraph.\n"
    "[^b]: Straight after.\n"
    "Not a note: [^] and [^x]:y and a [^z] reference.",
    "*[ABBR]: An abbreviation\n*[Other]: ''\n\nABBR and Other and *[not an abbr] and *[X]:",
    '[r1]: http://example.org/1\n[r2]: <http://example.org/2> "Two"\n[r3]:\n    http://e.org/3\n'
    "    (Three)\n\n[r1] [r2] [r3] and a [bracket]: in text and [x]:y",
    "Para with [ref]\n[ref]: /inline-def\nand more text after",
    "- one\n- two\n    - nested\n\n* star\n+ plus\n\n1. one\n2. two\n\n1) not a list",
    "| a | b |\n|:--|--:|\n| 1 | 2 |\n\nNot | a | table",
    '<div>\n# not a heading\n> not a quote\n</div>\n\n<p markdown="1"># still not</p>',
    "~~~\nfenced # > : [^1]:\n~~~\n\n```\n---\n```",
    "Paragraph\n# Heading inside a paragraph's block\n> quote inside\ntext",
    "* * *\n- - -\nlist or rule\n\n-\n\n*\n\n_",
    "\n\n\n",
]

SAMPLES = INLINE + BLOCKS

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


def read_test_sites(settings, prepare):
    """Every Markdown post and page of the test sites (tests/data) read by Pelican's reader
    twice: with Python-Markdown's own converter, then with ``prepare`` given each converter
    fastbuild makes (``readers.Markdown`` must be restorable: the caller monkeypatches it).
    Returns both lists of ``(path, body, metadata's repr)`` (or ``(path, error)``)."""
    files = sorted(p for p in DATA.rglob("*.md") if "posts" in p.parts or "pages" in p.parts)
    assert len(files) > 10
    plain = [_read(MarkdownReader(settings), path) for path in files]
    fence.use_markdown_class(ReusedMarkdown(prepare=prepare))
    reader = MarkdownReader(settings)
    return plain, [_read(reader, path) for path in files]


def _read(reader, path):
    """The body and the metadata's repr, or the error (tests/data/broken has bad headers)."""
    try:
        content, metadata = reader.read(str(path))
    except ValueError as error:
        return str(path), repr(error)
    return str(path), content, repr(metadata)
