"""Tasks for writing, building and sending the blog. `invoke --list` shows them all.

Each task parses its arguments and calls one library function in `plugins/`; errors a writer can
fix (`UserError`) become a one-line message and a non-zero exit, never a traceback.
"""

import functools
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

from invoke import Collection, Exit, task

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT / "plugins"))

from usererror import UserError  # noqa: E402
from workflow import build as site  # noqa: E402
from workflow import serve as serving  # noqa: E402


def user_errors(func):
    """Turn a UserError into a clean exit with its message."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except UserError as exc:
            raise Exit(f"error: {exc}", code=1) from None

    return wrapper


def _report(result, what):
    print(
        f"{what}: {result.articles} post(s), {result.pages} page(s) in {result.seconds:.2f}s "
        f"-> {result.output}/"
    )


@task(help={"no_cache": "Re-read every post instead of reusing the content cache."})
@user_errors
def build(c, no_cache=False):
    """Build the blog for local preview into output/."""
    overrides = {"LOAD_CONTENT_CACHE": False} if no_cache else {}
    _report(site.build(site.DEV_SETTINGS, **overrides), "Built")


@task
@user_errors
def preview(c):
    """Build the blog with production settings (publishconf.py) into output/."""
    _report(site.build(site.PROD_SETTINGS), "Built for production")


@task
def clean(c):
    """Remove generated files: output/ and the content cache."""
    for name in ("output", "cache"):
        shutil.rmtree(ROOT / name, ignore_errors=True)
    print("Removed output/ and cache/")


@task(help={"host": "Address to listen on (default 127.0.0.1).", "port": "Port (default 8000)."})
@user_errors
def serve(c, host="127.0.0.1", port=8000):
    """Serve output/ at http://127.0.0.1:8000/ (build first)."""
    serving.serve(ROOT / "output", host, int(port))


@task(
    help={
        "host": "Address to listen on (default 127.0.0.1).",
        "port": "Port (default 8000).",
        "drafts": "Also show drafts under /drafts/ (default on; --no-drafts hides them).",
    }
)
@user_errors
def livereload(c, host="127.0.0.1", port=8000, drafts=True):
    """Build, serve, and rebuild + reload the browser on every change."""
    serving.livereload(host, int(port), drafts)


@task(default=True)
@user_errors
def all(c):  # noqa: A001 - `invoke all` reads as the README's "do everything" command.
    """Build the blog into output/ and write new posts' emails to the outbox."""
    build(c)
    print("Read it: ./inv serve, then open http://127.0.0.1:8000/")


@task(help={"browser": "Install Debian's chromium if missing (default on) for the browser tests."})
def test(c, browser=True):
    """Run the linter and every test."""
    if browser and not Path("/usr/bin/chromium").exists():
        _install_chromium(c)
    c.run("ruff check .", pty=False)
    c.run("ruff format --check .", pty=False)
    c.run(f"{sys.executable} -m pytest", pty=False)


def _install_chromium(c):
    sudo = "" if _is_root() else "sudo "
    print("Installing Debian's chromium for the browser tests (once)...")
    c.run(f"{sudo}apt-get update -qq", pty=False)
    c.run(f"DEBIAN_FRONTEND=noninteractive {sudo}apt-get install -y -qq chromium", pty=False)


def _is_root():
    import os

    return os.geteuid() == 0


@task
def lock(c):
    """Re-pin requirements.lock from pyproject.toml's dependencies (needs the network)."""
    tmp = ROOT / ".venv-lock"
    shutil.rmtree(tmp, ignore_errors=True)
    c.run(f"{sys.executable} -m venv {tmp}")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = project["dependencies"] + project["optional-dependencies"]["test"]
    subprocess.run([f"{tmp}/bin/pip", "install", "--quiet", *wanted], check=True)
    frozen = subprocess.run(
        [
            f"{tmp}/bin/pip",
            "freeze",
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    pins = frozen.splitlines()
    (ROOT / "requirements.lock").write_text(
        "# Exact versions ./inv installs; regenerate with `./inv lock`.\n" + "\n".join(pins) + "\n"
    )
    shutil.rmtree(tmp, ignore_errors=True)
    print(f"Pinned {len(pins)} packages in requirements.lock")


ns = Collection(all, build, preview, clean, serve, livereload, test, lock)


# -- Benchmarks (bench/) --------------------------------------------------------------------------
@task(
    help={
        "quick": "A small run (50 posts) in under a minute instead of the full 10-15 minutes.",
        "json": "Also write the figures as JSON to this file.",
    }
)
def bench(c, quick=False, json=""):
    """Time build, rebuild and send against bare Pelican (see bench/RESULTS.md)."""
    args = ["--quick"] if quick else []
    args += ["--json", json] if json else []
    c.run(" ".join([sys.executable, str(ROOT / "bench" / "run.py"), *args]), pty=False)


ns.add_task(bench)
