"""One Markdown converter per worker (fastbuild/markdown_reuse.py): the same HTML and metadata
as Pelican's reader making a new converter for every file, whatever was converted before."""

import markdown
import pytest
from markdown.extensions.toc import TocExtension
from pelican import readers
from pelican.readers import MarkdownReader

from conftest import DATA
from happening.build import DEV_SETTINGS, load_settings
from happening.plugins.fastbuild import fence
from happening.plugins.fastbuild.highlight import with_shared_formatters
from happening.plugins.fastbuild.markdown_reuse import ReusedMarkdown, reusable

# State an instance could carry from one document into the next: footnotes (their numbers and
# back-links), abbreviations (defined in one post only), the table of contents and the heading
# ids it keeps unique, raw HTML stashed by md_in_html, reference links, the metadata itself.
FIRST = """Title: Notes with everything
Date: 2024-03-01 10:00
Tags: Alpha, Beta
Summary: A dek with a footnote[^d] and *emphasis* and HTML.

[^d]: The dek's note.

[TOC]

## Intro

The HTML spec has a note.[^1] See [the spec][spec].

*[HTML]: Hyper Text Markup Language

| a | b |
|---|---|
| 1 | 2 |

Term
:   Its definition.

<div markdown="1">
Some *Markdown* inside HTML.
</div>

A paragraph with attributes.
{: .lead #first }

```python
print("hi")
```

    :::sql
    SELECT 1;

[spec]: https://example.org/spec "The spec"
[^1]: The first note.
"""

SECOND = """Title: Another post
Date: 2024-03-02 10:00
Category: Other

[TOC]

## Intro

HTML again, but no abbreviation here,[^1] and [the spec][spec] is not defined here.

[^1]: Its own first note.

```{.python hl_lines="1"}
a = 1
```
"""

THIRD = "Title: No body to speak of\nDate: 2024-03-03\n\nOne line.\n"


@pytest.fixture
def posts(tmp_path):
    files = []
    for name, text in (("first.md", FIRST), ("second.md", SECOND), ("third.md", THIRD)):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        files.append(path)
    # And every post of the test sites.
    files += sorted((DATA / "blog").rglob("*.md")) + sorted((DATA / "readers").rglob("*.md"))
    return files


def settings_for(tmp_path, **markdown_changes):
    settings = load_settings(DEV_SETTINGS, PATH=str(tmp_path))
    settings["MARKDOWN"]["extension_configs"].update(markdown_changes)
    return settings


@pytest.fixture
def reused(monkeypatch):
    """Pelican's reader in this process making its converters as a Markdown worker does."""
    monkeypatch.setattr(readers, "Markdown", readers.Markdown)  # put back after the test
    factory = ReusedMarkdown()
    fence.use_markdown_class(factory)
    return factory


def read_all(settings, files):
    reader = MarkdownReader(settings)
    return [(str(path), *reader.read(str(path))) for path in files]


@pytest.mark.parametrize(
    "changes",
    [
        {},  # the project's own MARKDOWN setting
        {"markdown.extensions.toc": {"permalink": True}, "markdown.extensions.smarty": {}},
    ],
    ids=["project", "toc-smarty"],
)
def test_one_converter_reads_every_file_as_a_new_one_does(tmp_path, posts, reused, changes):
    settings = with_shared_formatters(settings_for(tmp_path, **changes))
    with pytest.MonkeyPatch.context() as fresh:
        fresh.setattr(readers, "Markdown", markdown.Markdown)
        expected = read_all(settings, posts)
    assert "fnref:1" in expected[0][1] and 'title="Hyper Text Markup Language"' in expected[0][1]
    # In order, then backwards: each file converted after different ones.
    for order in (posts, posts[::-1]):
        got = {path: (content, metadata) for path, content, metadata in read_all(settings, order)}
        for path, content, metadata in expected:
            assert got[path][0] == content, path
            assert got[path][1] == metadata, path
            assert repr(got[path][1]) == repr(metadata), path
    assert reused.instance is not None, "the converter was not reused"


def test_the_converter_is_reused_and_gets_its_meta_preprocessor_back(tmp_path, posts, reused):
    settings = settings_for(tmp_path)
    reader = MarkdownReader(settings)
    made = []
    real = markdown.Markdown
    with pytest.MonkeyPatch.context() as counting:
        counting.setattr(
            "happening.plugins.fastbuild.markdown_reuse.markdown.Markdown",
            lambda **config: made.append(1) or real(**config),
        )
        first = reader.read(str(posts[0]))
        second = reader.read(str(posts[1]))
    assert len(made) == 1
    assert first[1]["title"] == "Notes with everything"
    assert second[1]["title"] == "Another post"  # read through the meta preprocessor put back


def test_a_converter_with_an_extension_not_markdowns_own_is_made_for_every_file(reused):
    own = {"extensions": ["extra", "markdown.extensions.abbr", TocExtension(permalink=True)]}
    assert reusable(own)
    assert reused(**own) is reused(**own)
    theirs = {"extensions": ["extra", "pelican_footnote_popups.ext"]}
    assert not reusable(theirs)
    assert not reusable({"extensions": [_ThirdPartyExtension()]})
    other = {"extensions": ["extra", _ThirdPartyExtension()]}
    assert reused(**other) is not reused(**other)


def test_other_settings_get_a_converter_of_their_own(reused):
    one = reused(extensions=["extra"])
    other = reused(extensions=["extra", "toc"])
    assert other is not one
    assert "toc" in {type(e).__module__.rsplit(".", 1)[1] for e in other.registeredExtensions}


class _ThirdPartyExtension(markdown.extensions.Extension):
    """An extension from outside Python-Markdown (its module is this test's)."""

    def extendMarkdown(self, md):  # noqa: N802 - Python-Markdown's name
        md.registerExtension(self)


def test_the_fence_names_what_the_reader_calls():
    assert fence._attributes_present()["pelican.readers.Markdown"]
