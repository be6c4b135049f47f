"""The fence around what fastbuild uses of Pelican that Pelican does not document.

When one of these fails after a Pelican upgrade, the test id names the changed name: read its new
source, adapt the code `plugins/fastbuild/fence.py` says depends on it, record the new hash there
and widen the pin in pyproject.toml.
"""

import re
import tomllib
from pathlib import Path

import pelican
import pytest

from happening.plugins.fastbuild import fence

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("name", sorted(fence.SOURCES))
def test_the_pelican_code_fastbuild_relies_on_is_unchanged(name):
    found = fence.source_hash(name)
    assert found == fence.SOURCES[name], (
        f"Pelican {pelican.__version__} changed {name} (source hash {found}, fastbuild was "
        f"written for {fence.SOURCES[name]}): see why in plugins/fastbuild/fence.py"
    )


@pytest.mark.parametrize("name", sorted(fence.ATTRIBUTES))
def test_the_private_attributes_fastbuild_reads_are_there(name):
    assert fence._attributes_present()[name], (
        f"Pelican {pelican.__version__} no longer has {name}: see plugins/fastbuild/fence.py"
    )


def test_the_installed_pelican_passes_the_fence():
    fence.problem.cache_clear()
    assert fence.problem() is None


def test_a_changed_method_is_named(monkeypatch):
    monkeypatch.setitem(fence.SOURCES, "pelican.contents.Content.get_url_setting", "0" * 16)
    assert fence.changed() == ["pelican.contents.Content.get_url_setting"]
    fence.problem.cache_clear()
    try:
        assert "pelican.contents.Content.get_url_setting" in fence.problem()
    finally:
        monkeypatch.undo()
        fence.problem.cache_clear()


@pytest.mark.parametrize(
    "version, supported",
    [("4.12.0", True), ("4.12.3", True), ("4.11.0", False), ("4.13.0", False), ("5.0.0", False)],
)
def test_only_the_supported_minor_versions_pass(monkeypatch, version, supported):
    monkeypatch.setattr(fence, "installed_version", lambda: version)
    fence.problem.cache_clear()
    try:
        reason = fence.problem()
    finally:
        monkeypatch.undo()
        fence.problem.cache_clear()
    if supported:
        assert reason is None
    else:
        assert f"Pelican {version}" in reason and "4.12.x" in reason


def test_pyproject_pins_pelican_to_the_supported_minor_versions():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    pins = [d for d in project["dependencies"] if re.match(r"pelican\b", d)]
    assert len(fence.SUPPORTED) == 1, "widen this test with the range"
    major, minor = fence.SUPPORTED[0].split(".")
    assert pins == [f"pelican>={major}.{minor},<{major}.{int(minor) + 1}"]


def test_patches_are_undone():
    class Thing:
        def method(self):
            return "plain"

    fence.patch(Thing, "method", lambda original: lambda self: "patched " + original(self))
    fence.patch(Thing, "method", lambda original: lambda self: "twice")  # Once per build.
    assert Thing().method() == "patched plain"
    fence.restore()
    assert Thing().method() == "plain"


def test_a_body_read_unkept_is_the_body_pelican_gives_and_is_not_memoised():
    from datetime import datetime

    from pelican.contents import Article
    from pelican.settings import DEFAULT_CONFIG

    settings = dict(DEFAULT_CONFIG, SITEURL="https://example.org")
    post = Article(
        '<p><a href="{static}/pic.png">x</a></p>',
        metadata={"title": "T", "slug": "t", "date": datetime(2024, 1, 1)},
        settings=settings,
        source_path="/site/t.md",
        context={
            "localsiteurl": "https://example.org",
            "generated_content": {},
            "static_content": {},
            "static_links": set(),
        },
    )
    kept = fence._memoised("get_content").cache
    fence.forget_memoised()
    body = fence.content_unkept(post)
    assert kept == {}  # Nothing held: what the memory saving rests on.
    assert body == post.content  # The same HTML Pelican's own read gives (and now keeps).
    assert len(kept) == 1
    assert fence.content_unkept(post) is post.content  # A kept body is returned as kept.
    fence.forget_memoised()
