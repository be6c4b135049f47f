"""Shared fixtures: full Pelican builds of the test sites in tests/data/ into tmp_path.

No test reads the writer's ``content/``: the blog the suite checks is the frozen copy in
tests/data/blog/, so a new owner can replace every post and keep a green suite.
"""

import atexit
import functools
import importlib.util
import io
import os
import shutil
import sys
import tempfile
from datetime import datetime
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from PIL import Image

from happening.build import DEV_SETTINGS, PROD_SETTINGS, build

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"
TEST_SITE = DATA / "site"
BLOG = DATA / "blog"  # The essay and the About and Subscribe pages, as first published.
WRITERS_CONTENT = ROOT / "content"  # not a read: the fence below keeps tests out of it


class ReadTheWritersContent(RuntimeError):
    """A test opened or listed something in content/, which belongs to the writer."""


def _fence_off_the_writers_content(event, args, _inside=str(WRITERS_CONTENT)):
    """Audit hook: opening or listing anything under content/ fails at that call, naming it.

    The static guard (test_own_sites.py) sees what a test names; this sees what it reaches
    through defaults, such as settings loaded without PATH, which point at content/.
    """
    if event not in ("open", "os.listdir", "os.scandir") or not args:
        return
    path = args[0]
    if not isinstance(path, str | bytes | os.PathLike):
        return  # A file descriptor, or os.listdir() of the working folder.
    # Absolute paths only: a relative one may be relative to a dir_fd (rmtree of tmp folders
    # named content/), and Pelican makes PATH absolute; the static guard sees relative literals.
    path = os.path.normpath(os.fsdecode(path))
    if path == _inside or path.startswith(_inside + os.sep):
        raise ReadTheWritersContent(
            f"tests: {path!r} is in the writer's content/; build from tests/data/ instead "
            "(conftest.BLOG is the blog as published, TEST_SITE the tiny site)"
        )


sys.addaudithook(_fence_off_the_writers_content)

# The project's own build folders (the settings files' OUTPUT_PATH and CACHE_PATH, the outbox,
# the previews, publish's default folder). Every test, and every pytest-xdist worker, would share
# them: a file one test leaves there can answer another's build, and two workers can write one
# file at once. Tests build into tmp_path. (artifacts/ is not here: the browser tests keep their
# screenshots there on purpose, one file name per test.)
REPO_BUILD_FOLDERS = tuple(
    str(ROOT / name)
    for name in ("output", "output-production", "cache", "outbox", "previews", "public")
)
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC


class WroteTheRepo(RuntimeError):
    """A test wrote into one of the project's build folders, which every test would share."""


def _written(event, args):
    """The path an audit event writes, creates or removes; None for a read or another event."""
    if event == "open" and len(args) >= 3:
        path, mode, flags = args[:3]
        writes = any(c in mode for c in "wax+") if isinstance(mode, str) else flags & _WRITE_FLAGS
        return path if writes else None
    if event in ("os.mkdir", "os.remove", "os.rmdir", "shutil.rmtree") and args:
        return args[0]
    if event in ("os.rename", "os.replace") and len(args) >= 2:
        return args[1]
    return None


def _fence_off_the_repos_build_folders(event, args, _inside=REPO_BUILD_FOLDERS):
    """Audit hook: writing under output/, cache/ (...) of the repo fails at that call, naming it.

    A settings file read without CACHE_PATH or OUTPUT_PATH points there: pass paths in tmp_path.
    """
    path = _written(event, args)
    if not isinstance(path, str | bytes | os.PathLike):
        return
    path = os.path.normpath(os.fsdecode(path))
    if any(path == folder or path.startswith(folder + os.sep) for folder in _inside):
        raise WroteTheRepo(
            f"tests: {path!r} is in the project's own build folders, shared by every test and "
            "worker; pass OUTPUT_PATH/CACHE_PATH (or the task's folder) in tmp_path instead"
        )


sys.addaudithook(_fence_off_the_repos_build_folders)


@functools.cache
def load_script(relative: str):
    """A script of the project (``tasks.py``, ``bench/corpus.py``) as a module, loaded by path.

    They are files beside the package, not part of it; invoke loads ``tasks.py`` by path too.
    Loaded once, so a test's monkeypatch reaches the module the task functions run in.
    """
    path = ROOT / relative
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@functools.cache
def process_cache() -> Path:
    """A CACHE_PATH that the builds of one test process share (each xdist worker has its own).

    For helpers that build the same test site in test after test (the newsletter's): social
    cards and image sizes are cached under names that digest their inputs, so a card drawn for
    one test is the card the next one would draw. Removed when the process ends.
    """
    folder = Path(tempfile.mkdtemp(prefix="happening-tests-cache-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


def write_files(root: Path, files: dict[str, str]) -> Path:
    """Write each ``{relative path: text}`` under ``root``, folders and all; return ``root``."""
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return root


def how_pictures_differ(first: bytes, second: bytes) -> str:
    """For two different PNG files (a card drawn in two builds): their sizes, and whether they
    decode to the same pixels and palette, which tells an encoder's bytes from a drawing's."""

    def decoded(data):
        with Image.open(io.BytesIO(data)) as image:
            return image.mode, image.size, image.getpalette(), image.tobytes()

    try:
        same = decoded(first) == decoded(second)
    except OSError as exc:
        return f"{len(first)} vs {len(second)} bytes, not both pictures ({exc})"
    pixels = "the same pixels" if same else "other pixels"
    return f"{len(first)} vs {len(second)} bytes, {pixels}"


def calls_of(monkeypatch, owner, name: str) -> list:
    """Spy on ``owner.name`` for the rest of the test: it still runs, and the list returned
    gathers the first argument of every call (what a "read only what changed" test counts)."""
    real = getattr(owner, name)
    seen = []

    def spy(first, *args, **kwargs):
        seen.append(first)
        return real(first, *args, **kwargs)

    monkeypatch.setattr(owner, name, spy)
    return seen


def build_into(out: Path, content: Path = BLOG, settings=DEV_SETTINGS, **overrides):
    """A strict build (any warning fails it) of ``content`` into ``out``; no cache is shared."""
    return build(
        settings,
        PATH=str(content),
        OUTPUT_PATH=str(out),
        CACHE_PATH=str(out.parent / (out.name + "-cache")),
        LOAD_CONTENT_CACHE=False,
        **overrides,
    )


def published_posts(content: Path = TEST_SITE) -> list[dict]:
    """The posts a build of ``content`` publishes, newest first, read from their metadata.

    Several areas add posts to the shared test site: tests compute what to expect from the posts
    that are there instead of assuming only their own exist. Drafts and future posts are left out,
    as the build leaves them out. Keys are the metadata names lower-cased; ``tags`` is a list.
    """
    posts = []
    for path in sorted((content / "posts").glob("*.md")):
        head = path.read_text(encoding="utf-8").split("\n\n", 1)[0]
        meta = dict(line.split(": ", 1) for line in head.splitlines())
        post = {key.lower(): value.strip() for key, value in meta.items()}
        post["date"] = datetime.fromisoformat(post["date"])
        post["tags"] = [t.strip() for t in post.get("tags", "").split(",") if t.strip()]
        if post.get("status", "published") == "published" and post["date"] <= datetime.now():
            posts.append(post)
    return sorted(posts, key=lambda p: p["date"], reverse=True)


def retitle_redate_and_move(content: Path, dest: Path) -> Path:
    """Retitle "First light", give it a Modified date and move ``content`` to ``dest`` (returned).

    The changes a post's id, and so its feed entry's id, must survive.
    """
    post = content / "posts" / "first.md"
    text = post.read_text().replace("Title: First light", "Title: First light, renamed")
    post.write_text(text.replace("Summary:", "Modified: 2025-01-01 10:00\nSummary:"))
    content.rename(dest)
    return dest


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


@pytest.fixture(scope="session")
def real_site(tmp_path_factory):
    """tests/data/blog (the blog as published) built once with the development settings."""
    out = tmp_path_factory.mktemp("real") / "output"
    build_into(out)
    return out


@pytest.fixture(scope="session")
def real_site_prod(tmp_path_factory):
    """tests/data/blog (the blog as published) built once with the production settings."""
    out = tmp_path_factory.mktemp("real-prod") / "output"
    build_into(out, settings=PROD_SETTINGS)
    return out


@pytest.fixture(scope="session")
def test_site(tmp_path_factory):
    """tests/data/site built once with the development settings."""
    out = tmp_path_factory.mktemp("site") / "output"
    build_into(out, TEST_SITE)
    return out


@pytest.fixture(scope="session")
def readers_site(tmp_path_factory):
    """tests/data/readers built once (production settings at its SITEURL), for tests that read it.

    Related reading, threads and social cards each read the same build; none may write to it.
    """
    from readers_support import build_readers  # It imports this module: only once it is loaded.

    out = tmp_path_factory.mktemp("readers") / "output"
    build_readers(out)
    return out


@pytest.fixture(scope="session")
def sent_emails(tmp_path_factory) -> dict[str, bytes]:
    """The essay and its follow-up sent to the outbox once: each .eml's bytes by file name.

    The email tests parse their own copies of these bytes, so sharing them shares nothing mutable.
    """
    from email_helpers import outbox

    return outbox(tmp_path_factory.mktemp("sent-emails"))


@pytest.fixture
def site_copy(tmp_path):
    """A writable copy of the test site's content, for tests that break or change it."""
    dest = tmp_path / "content"
    shutil.copytree(TEST_SITE, dest)
    return dest
