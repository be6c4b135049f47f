"""Imports run one way: tasks → workflow → (build, newsletter, plugins) → shared helpers.

The rule, read from the source of every module (function-level imports included):

- each module belongs to the first layer in ``LAYERS`` whose prefix names it;
- a module imports only from its own layer or the layers below it;
- the units of one layer (``happening.newsletter``, ``happening.plugins.feeds``, ...) import each
  other without a cycle, so each can be read, tested and replaced from the bottom up.
"""

import ast
from pathlib import Path

from conftest import ROOT

# Highest first. A module's layer is the first whose prefix matches its dotted name.
LAYERS = [
    ("entry points", ("tasks", "bench")),
    ("workflow", ("happening.workflow", "happening.importers")),
    ("build", ("happening.build", "happening.newsletter", "happening.plugins")),
    ("shared helpers", ("happening",)),
]
RANK = {name: rank for rank, (name, _) in enumerate(LAYERS)}


def module_files() -> dict[str, Path]:
    """Every module of ours by its dotted name (plugins/ is installed as happening.plugins)."""
    modules = {"tasks": ROOT / "tasks.py"}
    for path in sorted((ROOT / "bench").glob("*.py")):
        modules[f"bench.{path.stem}"] = path
    for top, package in (
        (ROOT / "happening", "happening"),
        (ROOT / "plugins", "happening.plugins"),
    ):
        for path in sorted(top.rglob("*.py")):
            parts = list(path.relative_to(top).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            modules[".".join([package, *parts])] = path
    return modules


def imports(name: str, path: Path) -> list[tuple[str, int]]:
    """``(imported module, line)`` for each import of one of ours in the file."""
    is_package = path.name == "__init__.py"
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = name.split(".")
                if not is_package:
                    package = package[:-1]
                package = package[: len(package) - (node.level - 1)]
                base = ".".join([*package, *([base] if base else [])])
            found.append((base, node.lineno))
            # `from happening import newsletter` imports a module, not just a package attribute.
            found += [(f"{base}.{alias.name}", node.lineno) for alias in node.names]
    ours = ("happening", "tasks", "bench", "pelicanconf", "publishconf")
    return [(target, line) for target, line in found if target.split(".")[0] in ours]


def layer(name: str) -> str:
    for layer_name, prefixes in LAYERS:
        if any(name == p or name.startswith(p + ".") for p in prefixes):
            return layer_name
    raise AssertionError(f"{name} belongs to no layer; add it to LAYERS in {__file__}")


def unit(name: str) -> str:
    """The package a module is part of, for the cycle check."""
    parts = name.split(".")
    depth = 3 if name.startswith("happening.plugins.") else 2
    return ".".join(parts[:depth])


def graph():
    modules = module_files()
    edges = []
    for name, path in modules.items():
        for target, line in imports(name, path):
            # `from happening.x import y` lists happening.x.y even when y is a name in x.
            while target not in modules and "." in target:
                target = target.rsplit(".", 1)[0]
            if target in modules and target != name:
                edges.append((name, target, path, line))
    return modules, edges


def test_every_module_is_in_a_layer_and_the_graph_is_not_empty():
    modules, edges = graph()
    assert {"happening.build", "happening.plugins.feeds", "happening.workflow.check"} <= set(
        modules
    )
    assert all(layer(name) for name in modules)
    assert len(edges) > 30


def test_no_module_imports_a_higher_layer():
    _, edges = graph()
    upward = [
        f"{path.relative_to(ROOT)}:{line}: {name} ({layer(name)}) imports {target} "
        f"({layer(target)})"
        for name, target, path, line in edges
        if RANK[layer(target)] < RANK[layer(name)]
    ]
    assert not upward, "imports must not go up a layer:\n" + "\n".join(upward)


def test_no_settings_file_is_imported_by_code():
    """Settings reach code through Pelican's read_settings, never by importing the file."""
    modules = module_files()
    found = [
        f"{path.relative_to(ROOT)}:{line}: imports {target}"
        for name, path in modules.items()
        for target, line in imports(name, path)
        if target.split(".")[0] in ("pelicanconf", "publishconf")
    ]
    assert not found, "\n".join(found)


def test_no_import_cycle_between_packages():
    _, edges = graph()
    depends: dict[str, set[str]] = {}
    for name, target, _, _ in edges:
        if unit(name) != unit(target):
            depends.setdefault(unit(name), set()).add(unit(target))
    cycles = []
    done: set[str] = set()

    def visit(node, trail):
        if node in trail:
            cycles.append(" -> ".join([*trail[trail.index(node) :], node]))
            return
        if node in done:
            return
        for nxt in sorted(depends.get(node, ())):
            visit(nxt, [*trail, node])
        done.add(node)

    for node in sorted(depends):
        visit(node, [])
    assert not cycles, "import cycles between packages:\n" + "\n".join(cycles)


def test_the_rule_catches_an_upward_import(tmp_path):
    """The check itself: a helper importing the workflow is reported, with file and line."""
    helper = tmp_path / "helper.py"
    helper.write_text("import os\nfrom happening.workflow import check\n")
    found = imports("happening.helper", helper)
    assert ("happening.workflow.check", 2) in found
    assert RANK[layer("happening.workflow.check")] < RANK[layer("happening.helper")]
    relative = tmp_path / "send.py"
    relative.write_text("from ..build import build\nfrom . import config\n")
    assert {t for t, _ in imports("happening.newsletter.send", relative)} >= {
        "happening.build",
        "happening.newsletter.config",
    }
