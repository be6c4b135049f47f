"""fastbuild/cachesave.py: Pelican's content cache pickled in a forked child, the same bytes."""

import logging
import pickle

import pytest
from pelican.cache import FileDataCacher
from pelican.settings import DEFAULT_CONFIG

from happening import forked
from happening.plugins.fastbuild import cachesave, fence


def cacher(folder, entries):
    settings = {**DEFAULT_CONFIG, "CACHE_PATH": str(folder), "GZIP_CACHE": False}  # as ours
    cache = FileDataCacher(settings, "Readers", True, False)
    for i in range(entries):
        cache.cache_data(f"/content/post-{i}.md", (f"<p>body {i}</p>", {"title": f"Post {i}"}))
    return cache


@pytest.fixture
def saving(monkeypatch):
    # As on a machine with a second core (the child runs there; here it may share the one).
    monkeypatch.setattr(forked, "possible", lambda: True)
    cachesave.start()
    yield
    cachesave.finish()
    fence.restore()


def test_the_file_a_child_writes_is_the_one_pelican_writes(tmp_path, saving, monkeypatch):
    ours = cacher(tmp_path / "ours", 300)
    ours.save_cache()
    assert len(cachesave.state.saving) == 1, "not saved in a child"
    cachesave.finish()
    fence.restore()
    pelicans = cacher(tmp_path / "pelicans", 300)
    pelicans.save_cache()
    written = (tmp_path / "ours" / "Readers").read_bytes()
    assert written == (tmp_path / "pelicans" / "Readers").read_bytes()
    assert pickle.loads(written) == ours._cache


def test_a_small_cache_or_one_keeping_nothing_forks_no_child(tmp_path, saving, monkeypatch):
    monkeypatch.setattr(forked, "Forked", lambda *a, **k: pytest.fail("forked for it"))
    small = cacher(tmp_path, cachesave.MIN_ENTRIES - 1)
    small.save_cache()
    assert pickle.loads((tmp_path / "Readers").read_bytes()) == small._cache
    off = cacher(tmp_path / "off", 300)
    off._cache_data_policy = False
    off.save_cache()
    assert not (tmp_path / "off").exists()


def test_what_the_child_could_not_write_is_logged_here(tmp_path, saving, caplog):
    (tmp_path / "file").write_text("a file where the cache folder should be")
    cache = cacher(tmp_path / "file", 300)
    with caplog.at_level(logging.WARNING):
        cache.save_cache()
        cachesave.finish()
    assert any("Could not save cache" in r.getMessage() for r in caplog.records)
