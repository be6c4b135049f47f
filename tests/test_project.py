"""The project's own promises: pinned set-up, documented tasks, CI running the README command."""

import tomllib

from conftest import ROOT, load_script


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


def all_tasks(collection, prefix=""):
    """(dotted name, task) for every task in ``collection`` and its sub-collections."""
    for name, task in collection.tasks.items():
        yield prefix + name, task
    for name, sub in collection.collections.items():
        yield from all_tasks(sub, f"{prefix}{name}.")


def test_every_task_is_documented():
    import copy

    tasks = load_script("tasks.py")

    found = dict(all_tasks(tasks.ns))
    assert {"post.new", "check", "publish", "release", "livereload"} <= set(found)
    for name, task in found.items():
        doc = (task.__doc__ or task.body.__doc__ or "").strip()
        summary = doc.splitlines()[0] if doc else ""
        assert summary.endswith("."), f"{name}: the first docstring line is what --list shows"
        # invoke's get_arguments() pops entries from task.help: ask a copy, keep the task whole.
        probe = copy.copy(task)
        probe.help = dict(task.help)
        for arg in probe.get_arguments():
            assert arg.help and arg.help.strip(), f"{name}: --{arg.name} has no help"


def _targets(node):
    """The plain names a module-level assignment (annotated or not) binds."""
    import ast

    targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
    return [t for t in targets if isinstance(t, ast.Name)]


def project_settings():
    """Upper-case names the settings files assign, and every key of a plugin's *DEFAULTS dict."""
    import ast

    names = set()
    for settings_file in ("pelicanconf.py", "publishconf.py"):
        tree = ast.parse((ROOT / settings_file).read_text())
        for node in tree.body:
            targets = (
                node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
            )
            names |= {t.id for t in targets if isinstance(t, ast.Name) and t.id.isupper()}
    for module in code_files():
        for node in ast.parse(module.read_text()).body:
            defaults = any(t.id.endswith("DEFAULTS") for t in _targets(node))
            if defaults and isinstance(node.value, ast.Dict):
                names |= {k.value for k in node.value.keys if isinstance(k, ast.Constant)}
    return names


def code_files():
    return [*(ROOT / "plugins").rglob("*.py"), *(ROOT / "happening").rglob("*.py")]


def environment_variables():
    """Names read with os.environ.get / os.getenv, and every plugin's ENVIRONMENT tuple."""
    import ast

    names = set()
    sources = [ROOT / "pelicanconf.py", ROOT / "publishconf.py", ROOT / "tasks.py"]
    for module in [*sources, *code_files()]:
        tree = ast.parse(module.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
                func = ast.unparse(node.func)
                reads = func in ("os.environ.get", "os.getenv", "environ.get", "env.get")
                if reads and str(node.args[0].value).isupper():
                    names.add(node.args[0].value)
            if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "ENVIRONMENT" for t in node.targets
            ):
                names |= {e.value for e in ast.walk(node.value) if isinstance(e, ast.Constant)}
    return names


def test_every_setting_and_environment_variable_is_in_the_readme():
    readme = (ROOT / "README.md").read_text()
    settings = project_settings()
    assert {"POST_ID_AUTHORITY", "CHECK_PAGE_BUDGET_KB", "PUBLISH_DIR", "SSH_HOST"} <= settings
    missing = sorted(n for n in settings | environment_variables() if f"`{n}`" not in readme)
    assert not missing, f"document these in README.md: {', '.join(missing)}"


def test_every_task_in_the_readme_is_in_the_namespace():
    """Sections of tasks.py register their tasks; a second `ns = ...` once dropped half of them."""
    import re

    tasks = load_script("tasks.py")

    names = set(tasks.ns.task_names)
    documented = set(re.findall(r"^\| `\./inv ([a-z.]+)", (ROOT / "README.md").read_text(), re.M))
    assert documented, "the README's task table is missing"
    assert documented <= names, f"in the README but not in tasks.ns: {documented - names}"
    assert {"newsletter.send", "ping", "post.new", "release", "bench"} <= names


def test_every_package_folder_is_packaged():
    """pyproject lists packages by hand (plugins/ is mapped to happening.plugins): none missing."""
    listed = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    )
    found = {"happening.plugins"}
    for top, package in (
        (ROOT / "happening", "happening"),
        (ROOT / "plugins", "happening.plugins"),
    ):
        for init in top.rglob("__init__.py"):
            parts = init.parent.relative_to(top).parts
            found.add(".".join([package, *parts]))
    assert listed == found
