"""The project's own promises: pinned set-up, documented tasks, CI running the README command."""

import tomllib

from conftest import ROOT


def pinned():
    lines = (ROOT / "requirements.lock").read_text().splitlines()
    return {
        line.split("==")[0].lower().replace("_", "-"): line.split("==")[1]
        for line in lines
        if line and not line.startswith("#")
    }


def test_every_dependency_is_pinned_exactly():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = project["dependencies"] + project["optional-dependencies"]["test"]
    pins = pinned()
    for requirement in wanted:
        name = requirement.split(">")[0].split("<")[0].split("=")[0].split("[")[0].strip()
        assert name.lower().replace("_", "-") in pins, f"{name} is not in requirements.lock"
    lines = [x for x in (ROOT / "requirements.lock").read_text().splitlines() if x and x[0] != "#"]
    assert all("==" in line for line in lines)


def test_ci_runs_the_readme_test_command_unchanged():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    assert "./inv test" in readme
    assert "./inv test" in ci.splitlines()


def test_every_task_is_documented():
    import tasks

    def walk(collection):
        yield from collection.tasks.values()
        for sub in collection.collections.values():
            yield from walk(sub)

    for t in walk(tasks.ns):
        doc = (t.__doc__ or t.body.__doc__ or "").strip()
        assert doc, f"task {t.name} has no docstring"
        args = [a for a in t.get_arguments() if a.name not in ("help",)]
        for arg in args:
            assert arg.help, f"task {t.name}: argument --{arg.name} has no help"
