"""The suite builds its own sites from tests/data/: no test reads the writer's content/.

A new owner replaces the essay with their own posts on day one; a test that read content/ would
turn red for them with nothing wrong. This guard reads every module in tests/ and names each
place that points at the repo's content/ folder. (conftest's audit hook catches what no source
line names, such as settings loaded without PATH.)
"""

import ast
import re
from pathlib import Path

import pytest

from conftest import ROOT, WRITERS_CONTENT, ReadTheWritersContent, WroteTheRepo

TESTS = Path(__file__).resolve().parent
# Names the tests give the repo's root folder (conftest.ROOT, happening.build.ROOT).
ROOT_NAMES = {"ROOT", "REPO", "REPO_ROOT", "PROJECT_ROOT"}
# A relative path into content/, as Pelican's PATH or a file to open (cwd is the repo root).
INTO_CONTENT = re.compile(r"^(\./)?content(/|$)")
OPENERS = {"Path", "PurePath", "open", "read_settings", "load_settings"}
# A comment that says why a line names content/ without reading it (conftest's fence).
NOT_A_READ = "# not a read:"
SETTINGS_LINE = re.compile(r"^\s*PATH\s*=\s*['\"](\./)?content(/|['\"])", re.M)


def _into_content(node) -> bool:
    """``node`` is a string literal holding a relative path into content/."""
    return isinstance(node, ast.Constant) and bool(INTO_CONTENT.match(str(node.value)))


def _is_root(node) -> bool:
    name = node.id if isinstance(node, ast.Name) else getattr(node, "attr", None)
    return name in ROOT_NAMES


def reads_of_content(source: str) -> list[tuple[int, str]]:
    """(line, what) for each expression in ``source`` that points at the repo's content/."""
    found = []
    for node in ast.walk(ast.parse(source)):
        hit = False
        if isinstance(node, ast.BinOp):  # ROOT / "content", ROOT / "content/posts"
            hit = isinstance(node.op, ast.Div) and _is_root(node.left) and _into_content(node.right)
        elif isinstance(node, ast.Call):
            func = node.func
            callee = getattr(func, "id", None) or getattr(func, "attr", None)
            hit = (
                # ROOT.joinpath("content", ...)
                (
                    callee == "joinpath"
                    and _is_root(func.value)
                    and any(map(_into_content, node.args))
                )
                # Path("content/posts"), open("content/pages/about.md")
                or (callee in OPENERS and bool(node.args) and _into_content(node.args[0]))
                # load_settings(PATH="content")
                or any(k.arg == "PATH" and _into_content(k.value) for k in node.keywords)
            )
        elif isinstance(node, ast.Dict):  # {"PATH": "content"}
            hit = any(
                isinstance(k, ast.Constant) and k.value == "PATH" and _into_content(v)
                for k, v in zip(node.keys, node.values, strict=True)
            )
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            # A settings file a test writes (PATH = 'content'), or content/'s absolute path.
            hit = bool(SETTINGS_LINE.search(node.value)) or str(WRITERS_CONTENT) in node.value
        if hit:
            found.append((node.lineno, ast.unparse(node)))
    lines = source.splitlines()
    return sorted({(n, what) for n, what in found if NOT_A_READ not in lines[n - 1]})


def test_no_test_module_reads_the_writers_content():
    offenders = [
        f"{path.relative_to(ROOT)}:{line}: {what}"
        for path in sorted(TESTS.glob("*.py"))
        for line, what in reads_of_content(path.read_text(encoding="utf-8"))
    ]
    assert not offenders, (
        "build from tests/data/ (conftest.BLOG, TEST_SITE) instead:\n" + "\n".join(offenders)
    )


def test_the_guard_sees_each_way_of_pointing_at_content():
    source = """
a = ROOT / "content"
b = ROOT / "content/posts" / "essay.md"
c = site.ROOT / "content"
d = ROOT.joinpath("content", "pages")
e = Path("content/posts")
f = open("./content/pages/about.md")
g = load_settings(PATH="content")
h = {"PATH": "content", "SITEURL": ""}
i = f"PATH = {ROOT / 'content'!r}"
j = "SITEURL = ''\\nPATH = 'content'\\n"
"""
    assert sorted({line for line, _ in reads_of_content(source)}) == list(range(2, 12))


def test_the_guard_leaves_other_contents_alone():
    source = """
a = tmp_path / "content"
b = meta["content"]
c = ROOT / "tests" / "data" / "content"
d = Path(tmp_path, "content")
e = load_settings(PATH=str(site_copy))
f = {"content": "x", "PATH": str(TEST_SITE)}
g = "content is king"
h = ROOT / "contents.md"
i = ROOT / "content"  # not a read: the fence itself
"""
    assert reads_of_content(source) == []


def test_opening_or_listing_content_fails_where_it_happens():
    # conftest's audit hook, for the reads no source line names.
    for attempt in (
        lambda: (WRITERS_CONTENT / "pages" / "about.md").read_text(),
        lambda: list(WRITERS_CONTENT.iterdir()),
        lambda: list((WRITERS_CONTENT / "posts").glob("*.md")),
    ):
        with pytest.raises(ReadTheWritersContent, match="build from tests/data/"):
            attempt()


def test_writing_into_the_repos_build_folders_fails_where_it_happens(tmp_path):
    # conftest's audit hook: the repo's output/ and cache/ would be shared by every test and
    # every xdist worker. Nothing is written: each attempt is stopped before the call.
    card = tmp_path / "card.png"
    card.write_bytes(b"")
    for attempt in (
        lambda: (ROOT / "cache" / "fastbuild-pages.pickle").write_bytes(b""),
        lambda: (ROOT / "output" / "index.html").open("a"),
        lambda: (ROOT / "output-production").mkdir(exist_ok=True),
        lambda: card.replace(ROOT / "cache" / "socialcards" / "card.png"),
    ):
        with pytest.raises(WroteTheRepo, match="in tmp_path instead"):
            attempt()
    # The same names anywhere else are fine.
    (tmp_path / "output").mkdir()
    (tmp_path / "output" / "index.html").write_text("<p>ok</p>")
    assert card.exists() and (tmp_path / "output" / "index.html").read_text() == "<p>ok</p>"
