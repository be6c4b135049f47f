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

from happening.build import DEV_SETTINGS, load_settings
from happening.plugins.fastbuild import fence
from happening.plugins.fastbuild.highlight import with_shared_formatters
from happening.plugins.fastbuild.inline_triggers import (
    TRIGGERS,
    TriggeredInlineProcessor,
    _any_trigger_from,
    install,
    triggers,
)
from markdown_samples import EXTENSION_SETS, SAMPLES, read_test_sites


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
    monkeypatch.setattr(readers, "Markdown", markdown.Markdown)
    made = []

    def prepare(md):
        made.append(install(md))

    plain, triggered = read_test_sites(settings, prepare)
    assert made and type(made[0].treeprocessors["inline"]) is TriggeredInlineProcessor
    assert triggered == plain


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


def test_one_search_finds_a_trigger_of_any_pattern_from_an_index_on():
    md = markdown.Markdown(extensions=EXTENSION_SETS[0])
    needs = tuple(triggers(pattern) for pattern in md.inlinePatterns)
    quick = _any_trigger_from(needs)
    assert len(quick) == len(needs) and None not in quick
    for text in SAMPLES + [t[i:] for t in SAMPLES for i in range(0, len(t), 5)]:
        for index in range(len(needs)):
            some = any(t in text for need in needs[index:] for t in need)
            assert (quick[index].search(text) is not None) == some, (index, text)
    # A pattern that always runs: no single search stands for it or the patterns before it.
    assert _any_trigger_from((("a",), None, ("b",)))[:2] == (None, None)
