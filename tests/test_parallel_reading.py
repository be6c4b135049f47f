"""The Markdown workers of a cold build start as soon as its settings are read (parallel.py's
start_early), before Pelican loads the plugins: the same site, and every early conversion used."""

import pytest
from pelican import signals

from conftest import TEST_SITE, build_into
from happening.build import DEV_SETTINGS, load_settings
from happening.plugins.fastbuild import fence, parallel
from readers_support import READERS


@pytest.fixture
def small_sites_pooled(monkeypatch):
    monkeypatch.setattr(parallel, "MIN_FILES", 1)  # the test sites have a few dozen files


def tree(root):
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def read_sources(result):
    """The source of every post and page the build read."""
    found = set()
    for generator in result.generators:
        for name in fence.CONTENT_LISTS:
            found |= {c.source_path for c in getattr(generator, name, None) or ()}
    return {path for path in found if path.endswith(".md")}


@pytest.mark.parametrize("content", [TEST_SITE, READERS], ids=["site", "readers"])
def test_a_cold_build_converts_early_what_pelican_reads_and_writes_the_same(
    tmp_path, monkeypatch, small_sites_pooled, content
):
    events = []
    submit, take = parallel._submit, parallel._take
    monkeypatch.setattr(
        parallel,
        "_submit",
        lambda todo, *a: events.append(("submit", list(todo))) or submit(todo, *a),
    )
    monkeypatch.setattr(parallel, "_take", lambda path: events.append(("take", path)) or take(path))

    def initialized(_):
        events.append(("initialized", None))

    signals.initialized.connect(initialized)
    try:
        early = build_into(tmp_path / "early", content, FASTBUILD_WORKERS=2)
    finally:
        signals.initialized.disconnect(initialized)
    assert events[0][0] == "submit", "nothing was converted before Pelican loaded the plugins"
    assert events.index(("initialized", None)) > 0
    submitted = {path for kind, paths in events if kind == "submit" for path in paths}
    taken = {path for kind, path in events if kind == "take"}
    assert submitted == taken == read_sources(early), "a file converted for nothing, or missed"
    assert parallel.state.pool is None, "the pool outlived the build"

    plain = build_into(tmp_path / "plain", content, FASTBUILD_WORKERS=0)  # converted here
    assert plain.articles == early.articles
    assert tree(tmp_path / "plain") == tree(tmp_path / "early")


@pytest.mark.parametrize(
    "change",
    [
        {"LOAD_CONTENT_CACHE": True},  # a rebuild converts a few changed files at most
        {"FASTBUILD_WORKERS": 0},
        {"FASTBUILD_WORKERS": "two"},  # settings.check names it once Pelican starts
        {"READERS": {"md": None}},  # the writer's own choice of reader
    ],
    ids=["content-cache", "no-workers", "bad-workers", "own-reader"],
)
def test_nothing_starts_early_when_the_build_would_not_use_it(tmp_path, small_sites_pooled, change):
    settings = load_settings(
        DEV_SETTINGS,
        PATH=str(TEST_SITE),
        OUTPUT_PATH=str(tmp_path / "out"),
        **{"LOAD_CONTENT_CACHE": False, **change},
    )
    parallel.start_early(settings)
    assert parallel.state.pool is None and not parallel.state.pending


def test_nothing_starts_early_without_fastbuild_in_the_plugins(tmp_path, small_sites_pooled):
    settings = load_settings(DEV_SETTINGS, PATH=str(TEST_SITE), LOAD_CONTENT_CACHE=False)
    settings["PLUGINS"] = [p for p in settings["PLUGINS"] if p != "happening.plugins.fastbuild"]
    parallel.start_early(settings)
    assert parallel.state.pool is None


def test_a_bad_worker_count_still_fails_the_build_with_its_message(tmp_path, small_sites_pooled):
    from happening.plugins.fastbuild import FastBuildSettingError

    with pytest.raises(FastBuildSettingError, match="FASTBUILD_WORKERS = 'two'"):
        build_into(tmp_path / "out", TEST_SITE, FASTBUILD_WORKERS="two")
