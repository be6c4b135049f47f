"""The small holes in the writer's loop: empty alt text, --help for every task, table width."""

import copy
import importlib.util
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from invoke import Program

from conftest import ROOT, build_into, load_script, soup
from happening.newsletter import format_status

TASKS = load_script("tasks.py")


def test_an_empty_alt_is_a_decorative_image_not_a_failed_build(tmp_path):
    posts = tmp_path / "content" / "posts"
    posts.mkdir(parents=True)
    (posts / "ornament.md").write_text(
        "Title: Ornament\nDate: 2026-01-01\nSummary: Dek.\n\nText.\n\n![](x.png)\n"
    )
    result = build_into(tmp_path / "out", tmp_path / "content")
    assert result.warnings == []
    img = soup(tmp_path / "out/posts/ornament/index.html").select_one(".content img")
    assert img["alt"] == "" and img["src"] == "x.png"


def _task_names(collection, prefix=""):
    for name in collection.tasks:
        yield prefix + name
    for name, sub in collection.collections.items():
        yield from _task_names(sub, f"{prefix}{name}.")


@pytest.mark.parametrize("name", sorted(_task_names(TASKS.ns)))
def test_every_task_has_help(name, capsys):
    # invoke's help pops entries from each task's help dict: ask a copy, keep the tasks whole.
    Program(namespace=copy.deepcopy(TASKS.ns)).run(["invoke", "--help", name], exit=False)
    shown = capsys.readouterr().out
    assert f"Usage: invoke [--core-opts] {name}" in shown and "Docstring:" in shown


@pytest.mark.parametrize("name", ["post.new", "post.publish"])
def test_help_after_a_task_that_takes_a_word_shows_its_help(name):
    # invoke would hand `--help` to the task's first argument; ./inv asks for the help instead.
    shown = subprocess.run(
        ["bash", str(ROOT / "inv"), name, "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert f"{name} [--options]" in shown and "looks like an option" not in shown


def test_the_status_table_fits_the_terminal(monkeypatch):
    rows = [
        {
            "date": "2026-11-25",
            "title": "What I Learned at Netflix, and Felt About Anora: An Oscars AI Parable",
            "state": "sent",
            "when": "2026-11-25 14:19",
            "provider": "buttondown",
            "remote_id": "em_0123456789abcdef0123456789abcdef",
            "next": "nothing (done)",
        }
    ]
    for width in (80, 120, 200):
        monkeypatch.setenv("COLUMNS", str(width))
        lines = format_status(rows, "buttondown").splitlines()
        assert max(len(line) for line in lines) <= width
        assert any("│ 2026-11-25 │" in line for line in lines)  # The date stays whole.
        # The id folds onto more lines in its column, never cut off: every piece is there.
        column = [line.split("│")[6].strip() for line in lines if line.count("│") == 8]
        assert "".join(column) == "em_0123456789abcdef0123456789abcdef"


def test_the_install_counts_packages_as_it_goes(tmp_path):
    script = (ROOT / "inv").read_text()
    function = script[
        script.index("progress() {") : script.index("\n}\n", script.index("progress() {")) + 3
    ]
    pip = "Collecting a==1 (from -r x)\n  Downloading a.whl\nProcessing /wheels/b-2.whl\n"
    done = subprocess.run(
        ["bash", "-c", function + "progress 2"],
        input=pip,
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stderr.strip().splitlines()[-1] == "inv: 2 packages installed"


def test_inv_compiles_the_projects_modules_even_where_python_writes_none(tmp_path):
    # Where PYTHONDONTWRITEBYTECODE is set, Python reads __pycache__/ but never writes it, and
    # every command would compile the project from source; ./inv compiles it when it changed.
    script = (ROOT / "inv").read_text()
    start = script.index("compile_project() {")
    function = script[start : script.index("\n}\n", start) + 3]
    (tmp_path / ".venv/bin").mkdir(parents=True)
    (tmp_path / ".venv/bin/python").symlink_to(sys.executable)
    sources = ("happening/a.py", "plugins/b/c.py", "tasks.py")
    for rel in sources:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    stamp = tmp_path / ".venv/.bytecode"

    def compile_project():
        run = ["bash", "-c", function + "compile_project"]
        subprocess.run(run, cwd=tmp_path, env=env, check=True)  # never stops ./inv
        return stamp.stat().st_mtime_ns

    def written_long_ago(rel, text):
        (tmp_path / rel).write_text(text)
        os.utime(tmp_path / rel, ns=(time.time_ns() - 10**11,) * 2)

    def compiled(rel):
        return Path(importlib.util.cache_from_source(str(tmp_path / rel)))

    for rel in sources:
        written_long_ago(rel, "VALUE = 1\n")
    last = compile_project()
    assert all(compiled(rel).is_file() for rel in sources)
    first = compiled("happening/a.py").read_bytes()

    assert compile_project() == last  # nothing newer than the stamp: not run
    assert compiled("happening/a.py").read_bytes() == first

    (tmp_path / "happening/a.py").write_text("VALUE = 22\n")
    last = compile_project()
    assert compiled("happening/a.py").read_bytes() != first

    # A file that does not compile is left to the command importing it, to say why; the stamp
    # stays where it was, so it is tried again next time.
    (tmp_path / "plugins/b/c.py").write_text("def broken(:\n")
    assert compile_project() == last
