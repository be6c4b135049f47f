"""Block tests skipped over blocks they cannot match (fastbuild/block_triggers.py): the same HTML
as Python-Markdown's own block parser on every kind of block and on the test sites, alone and
with the inline skips as a Markdown worker has them, and the fence around what it relies on."""

import re
from importlib import import_module

import markdown
import pytest
from markdown.blockprocessors import BlockProcessor
from pelican import readers

from happening.build import DEV_SETTINGS, load_settings
from happening.plugins.fastbuild import block_triggers, fence, parallel
from happening.plugins.fastbuild.highlight import with_shared_formatters
from markdown_samples import BLOCKS, EXTENSION_SETS, SAMPLES, read_test_sites

PROJECT = EXTENSION_SETS[0]


def convert(text, extensions, prepare=None):
    md = markdown.Markdown(extensions=extensions, output_format="html5")
    if prepare is not None:
        prepare(md)
    return md.convert(text)


def guarded(md):
    return [type(p).__name__ for p in md.parser.blockprocessors if "test" in vars(p)]


@pytest.mark.parametrize(
    "extensions", EXTENSION_SETS, ids=["project", "toc-smarty", "legacy", "none"]
)
@pytest.mark.parametrize(
    "prepare", [block_triggers.install, parallel._skip_what_cannot_match], ids=["block", "worker"]
)
def test_every_sample_converts_as_without_the_skips(extensions, prepare):
    for text in SAMPLES + ["\n\n".join(SAMPLES), "\n".join(BLOCKS)]:
        assert convert(text, extensions, prepare) == convert(text, extensions), repr(text)


def test_every_known_processor_of_the_project_is_guarded():
    md = block_triggers.install(markdown.Markdown(extensions=PROJECT))
    assert sorted(guarded(md)) == sorted(
        name.rsplit(".", 1)[1] for name, *_ in block_triggers.GUARDS
    )


def test_a_block_without_a_processors_trigger_never_matches_its_regex():
    md = markdown.Markdown(extensions=PROJECT)
    blocks = set()
    for text in SAMPLES:
        for block in text.split("\n\n"):
            lines = block.split("\n")
            blocks.update(
                "\n".join(lines[i:j]) for i in range(len(lines)) for j in range(i, len(lines) + 1)
            )
    checked = 0
    for processor in md.parser.blockprocessors:
        found = block_triggers.guard_for(processor)
        if found is None:
            continue
        needs = found[0]
        regex = processor.SEARCH_RE if hasattr(processor, "SEARCH_RE") else processor.RE
        for block in blocks:
            if not any(text in block for text in needs):
                assert regex.search(block) is None, (type(processor).__name__, block)
                checked += 1
    assert checked > 1000


def test_the_test_sites_read_as_with_pelicans_reader(tmp_path, monkeypatch):
    settings = with_shared_formatters(load_settings(DEV_SETTINGS, PATH=str(tmp_path)))
    monkeypatch.setattr(readers, "Markdown", markdown.Markdown)
    made = []

    def prepare(md):
        parallel._skip_what_cannot_match(md)
        made.append(md)

    plain, skipping = read_test_sites(settings, prepare)
    assert made and len(guarded(made[0])) == len(block_triggers.GUARDS)
    assert skipping == plain


def test_a_processor_not_known_is_left_alone():
    class Mine(BlockProcessor):
        RE = re.compile(r"(^|\n)[ ]{0,3}>[ ]?(.*)")  # a quote's regex, in another class

        def test(self, parent, block):
            return bool(self.RE.search(block))

    md = markdown.Markdown(extensions=PROJECT)
    md.parser.blockprocessors.register(Mine(md.parser), "mine", 21)
    quote = md.parser.blockprocessors["quote"]
    quote.RE = re.compile(r"(^|\n)[ ]{0,3}}[ ]?(.*)")  # a known class with another regex
    block_triggers.install(md)
    assert "Mine" not in guarded(md) and "BlockQuoteProcessor" not in guarded(md)
    assert "HashHeaderProcessor" in guarded(md)


def test_every_guard_names_a_class_of_python_markdowns():
    for (name, attribute, regex, flags), (needs, kind) in block_triggers.GUARDS.items():
        module, cls = name.rsplit(".", 1)
        assert module.startswith("markdown.") and attribute in ("RE", "SEARCH_RE")
        assert isinstance(vars(import_module(module))[cls], type), name
        assert re.compile(regex, flags) and needs and all(needs) and kind in ("test", "run")
        assert f"{name}.test" in fence.MARKDOWN_SOURCES
        assert kind == "test" or f"{name}.run" in fence.MARKDOWN_SOURCES


def test_the_python_markdown_code_relied_on_is_unchanged():
    for name, expected in fence.MARKDOWN_SOURCES.items():
        assert fence.markdown_source_hash(name) == expected, (
            f"Python-Markdown {markdown.__version__} changed {name}: see plugins/fastbuild/fence.py"
        )
    fence.markdown_problem.cache_clear()
    assert fence.markdown_problem() is None


@pytest.mark.parametrize(
    "changed, left",
    [
        ("markdown.blockprocessors.ReferenceProcessor.run", ["ReferenceProcessor"]),
        ("markdown.blockprocessors.HRProcessor.test", ["HRProcessor"]),
        (
            "markdown.blockparser.BlockParser.parseBlocks",
            [n.rsplit(".", 1)[1] for n, *_ in block_triggers.GUARDS],
        ),
    ],
    ids=["a-run", "a-test", "the-parser"],
)
def test_a_processor_is_left_alone_when_what_it_relies_on_changed(monkeypatch, changed, left):
    monkeypatch.setitem(fence.MARKDOWN_SOURCES, changed, "0" * 16)
    fence.markdown_problem.cache_clear()
    try:
        md = block_triggers.install(markdown.Markdown(extensions=PROJECT))
        names = set(n.rsplit(".", 1)[1] for n, *_ in block_triggers.GUARDS)
        assert sorted(guarded(md)) == sorted(names - set(left))
        assert convert("\n\n".join(BLOCKS), PROJECT, block_triggers.install) == convert(
            "\n\n".join(BLOCKS), PROJECT
        )
    finally:
        monkeypatch.undo()
        fence.markdown_problem.cache_clear()
