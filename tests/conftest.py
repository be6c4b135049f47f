"""Shared fixtures: full Pelican builds of the real content or the tiny test site into tmp_path."""

import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from workflow.build import DEV_SETTINGS, PROD_SETTINGS, build

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"
TEST_SITE = DATA / "site"


def build_into(out: Path, content: Path = ROOT / "content", settings=DEV_SETTINGS, **overrides):
    """A strict build (any warning fails it) of ``content`` into ``out``; no cache is shared."""
    return build(
        settings,
        PATH=str(content),
        OUTPUT_PATH=str(out),
        CACHE_PATH=str(out.parent / (out.name + "-cache")),
        LOAD_CONTENT_CACHE=False,
        **overrides,
    )


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


@pytest.fixture(scope="session")
def real_site(tmp_path_factory):
    """The real content/ built once with the development settings."""
    out = tmp_path_factory.mktemp("real") / "output"
    build_into(out)
    return out


@pytest.fixture(scope="session")
def real_site_prod(tmp_path_factory):
    """The real content/ built once with the production settings."""
    out = tmp_path_factory.mktemp("real-prod") / "output"
    build_into(out, settings=PROD_SETTINGS)
    return out


@pytest.fixture(scope="session")
def test_site(tmp_path_factory):
    """tests/data/site built once with the development settings."""
    out = tmp_path_factory.mktemp("site") / "output"
    build_into(out, TEST_SITE)
    return out


@pytest.fixture
def site_copy(tmp_path):
    """A writable copy of the test site's content, for tests that break or change it."""
    dest = tmp_path / "content"
    shutil.copytree(TEST_SITE, dest)
    return dest
