"""`publish`: a production build, then `check`, then the deploy; nothing goes out if check fails.

Targets, as in Pelican's quickstart: ``rsync`` over SSH (``rsync --delete``), ``gh-pages``
(ghp-import, pushed to a remote), or ``dir`` (an exact copy in a local folder). Drafts are never
written by the production settings, and a ``drafts/`` folder in the output stops the deploy.
"""

import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from happening.build import PROD_SETTINGS, ROOT, build, load_settings
from happening.errors import UserError

from .check import check_site
from .config import TARGETS, setting
from .reuse import production_build

log = logging.getLogger(__name__)


class PublishError(UserError):
    """The deploy cannot go ahead or failed; the message names the setting or command to fix."""


@dataclass
class Published:
    target: str
    destination: str
    files: int
    seconds: float
    warnings: int


def publish(
    target=None, *, settings_file=PROD_SETTINGS, on_check=None, reuse=False, **overrides
) -> Published:
    """Build with ``settings_file``, check, then deploy to ``target`` (default PUBLISH_TARGET).

    ``reuse``: build through :func:`reuse.production_build`, which reuses the last production
    build where it provably changes nothing (``release`` does).

    ``on_check(report)`` is called with the check report before any deploy decision, so callers
    can show it; a report with errors raises :class:`check.CheckFailed` and nothing is deployed.
    """
    settings = load_settings(settings_file, **overrides)
    target = target or setting(settings, "PUBLISH_TARGET")
    if target not in TARGETS:
        raise PublishError(f"publish: --target {target!r} is not one of {', '.join(TARGETS)}")
    deployer = _DEPLOYERS[target]
    destination = deployer.destination(settings)  # Settings are checked before a slow build.

    # The published search page needs its index (happening/search.py), reused or cold.
    built = (production_build if reuse else build)(settings_file, search=True, **overrides)
    output = Path(built.output)
    if settings.get("DRAFT_SAVE_AS") or (output / "drafts").exists():
        raise PublishError(
            f"publish: drafts were built into {output}; production must leave DRAFT_SAVE_AS "
            f"empty (it is {settings.get('DRAFT_SAVE_AS')!r} with {Path(settings_file).name})"
        )
    report = check_site(settings, output)
    if on_check is not None:
        on_check(report)
    report.raise_for_errors()
    files = sum(1 for p in output.rglob("*") if p.is_file())
    started = datetime.now(UTC)
    deployer.deploy(output, settings, destination)
    seconds = (datetime.now(UTC) - started).total_seconds()
    log.info("Published %d files to %s", files, redact(str(destination)))
    shown = redact(str(destination))
    if isinstance(destination, Path) and destination.is_relative_to(ROOT):
        shown = f"{destination.relative_to(ROOT)}/"  # The default, public/, reads best short.
    return Published(target, shown, files, built.seconds + seconds, len(report.warnings))


# -- dir: an exact copy in a local folder --------------------------------------------------------


class _Dir:
    @staticmethod
    def destination(settings):
        value = setting(settings, "PUBLISH_DIR")
        if not value:
            raise PublishError("publish: set PUBLISH_DIR to the folder --target dir copies to")
        dest = Path(value)
        if not dest.is_absolute():
            dest = ROOT / dest
        dest = dest.resolve()
        problem = _unsafe(dest, settings)
        if problem:
            raise PublishError(f"publish: PUBLISH_DIR = {value!r} {problem}; choose another folder")
        return dest

    @staticmethod
    def deploy(output, settings, dest):
        problem = _unsafe(dest, settings)  # Again: the folder may have changed since.
        if problem:
            raise PublishError(f"publish: PUBLISH_DIR {dest} {problem}; choose another folder")
        dest.parent.mkdir(parents=True, exist_ok=True)
        fresh = dest.with_name(f".{dest.name}.new")
        stale = dest.with_name(f".{dest.name}.old")
        for leftover in (fresh, stale):
            shutil.rmtree(leftover, ignore_errors=True)
        shutil.copytree(output, fresh)
        # Swap whole folders: readers see the old site or the new one, never half of each.
        if dest.exists():
            dest.rename(stale)
        fresh.rename(dest)
        shutil.rmtree(stale, ignore_errors=True)


def _unsafe(dest, settings):
    """Why replacing ``dest`` could lose something, or "" when it is safe.

    The deploy replaces the whole folder, so it must be empty, new, or an earlier deploy (a
    site with an index.html), and never the project, its sources or its build folders.
    """
    within = [Path(settings[k]).resolve() for k in ("PATH", "OUTPUT_PATH", "CACHE_PATH")]
    within += [
        ROOT / name
        for name in ("content", "output", "output-production", "cache", "theme", "plugins", ".git")
    ]
    for folder in within:
        if dest == folder or dest.is_relative_to(folder) or folder.is_relative_to(dest):
            return f"is or overlaps {folder}"
    for folder in (ROOT, Path.home().resolve(), Path("/")):
        if folder.is_relative_to(dest):
            return f"would replace {folder}"
    if dest.is_relative_to(ROOT):
        tracked = subprocess.run(
            ["git", "-C", str(ROOT), "ls-files", "--", str(dest)], capture_output=True, text=True
        )
        if tracked.stdout.strip():
            return "holds files tracked by git"
    if dest.is_dir() and any(dest.iterdir()):
        if (dest / ".git").exists():
            return "is a git repository"
        if not (dest / "index.html").is_file():
            return "is not empty and holds no earlier deploy (no index.html)"
    return ""


# -- rsync over SSH, as Pelican's quickstart tasks.py does it ------------------------------------


class _Rsync:
    @staticmethod
    def destination(settings):
        host = setting(settings, "SSH_HOST")
        path = setting(settings, "SSH_TARGET_DIR")
        missing = [
            name for name, value in (("SSH_HOST", host), ("SSH_TARGET_DIR", path)) if not value
        ]
        if missing:
            raise PublishError(
                f"publish: --target rsync needs {' and '.join(missing)} in publishconf.py"
            )
        user = setting(settings, "SSH_USER")
        return f"{user}@{host}:{path}" if user else f"{host}:{path}"

    @staticmethod
    def command(output, settings, dest):
        port = setting(settings, "SSH_PORT")
        return [
            "rsync",
            "-e",
            f"ssh -p {port}",
            "-P",
            "-rvzc",
            "--include",
            "tags",  # --cvs-exclude would skip files named "tags"; ours is a page folder.
            "--cvs-exclude",
            "--delete",
            f"{output}/",
            dest,
        ]

    @classmethod
    def deploy(cls, output, settings, dest):
        _run(cls.command(output, settings, dest), "rsync")


# -- gh-pages: ghp-import in a scratch repository, pushed to the remote --------------------------


class _GhPages:
    @staticmethod
    def destination(settings):
        remote = setting(settings, "GITHUB_PAGES_REMOTE")
        branch = setting(settings, "GITHUB_PAGES_BRANCH")
        if not remote or not branch:
            raise PublishError("publish: set GITHUB_PAGES_REMOTE and GITHUB_PAGES_BRANCH")
        if "/" not in remote and ":" not in remote:  # A remote's name: ask this repository.
            found = subprocess.run(
                ["git", "-C", str(ROOT), "remote", "get-url", remote],
                capture_output=True,
                text=True,
            )
            if found.returncode != 0:
                raise PublishError(
                    f"publish: GITHUB_PAGES_REMOTE = {remote!r} is not a git remote here; "
                    "set it to a remote's name or URL"
                )
            remote = found.stdout.strip()
        return f"{remote}#{branch}"

    @staticmethod
    def deploy(output, settings, dest):
        url, branch = dest.rsplit("#", 1)
        # A scratch repository keeps the writer's own checkout and branches untouched.
        with tempfile.TemporaryDirectory(prefix="gh-pages-") as scratch:

            def git(*args, what="git"):
                return _run(["git", "-C", scratch, *args], what)

            git("init", "-q")
            # The project's git config brings the committer and any stored credentials (CI's
            # checkout keeps its token there); the remote gets a name the project cannot have.
            common = subprocess.run(
                ["git", "-C", str(ROOT), "rev-parse", "--path-format=absolute", "--git-common-dir"],
                capture_output=True,
                text=True,
            )
            if common.returncode == 0:
                git("config", "include.path", str(Path(common.stdout.strip()) / "config"))
            git("remote", "add", REMOTE, url)
            heads = git("ls-remote", "--heads", REMOTE, branch, what=f"git ls-remote {redact(url)}")
            if heads.strip():  # Build on the branch's history rather than replace it.
                git("fetch", "-q", "--depth=1", REMOTE, f"+{branch}:refs/remotes/{REMOTE}/{branch}")
            if not _git_config(scratch, "user.name"):
                git("config", "user.name", "invoke publish")
            if not _git_config(scratch, "user.email"):
                git("config", "user.email", "publish@localhost")
            when = f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
            message = f"Publish {settings.get('SITEURL') or 'the site'} ({when})"
            _run(
                [sys.executable, "-c", "import ghp_import; ghp_import.main()"]
                + ["-b", branch, "-r", REMOTE, "-m", message, "-p", str(output)],
                "ghp-import",
                cwd=scratch,
            )


REMOTE = "publish-target"


def _git_config(repo, key):
    found = subprocess.run(["git", "-C", repo, "config", key], capture_output=True, text=True)
    return found.stdout.strip()


def _run(command, what, cwd=None):
    try:
        done = subprocess.run(
            command, cwd=cwd, capture_output=True, text=True, env={**os.environ, "LC_ALL": "C"}
        )
    except FileNotFoundError:
        raise PublishError(f"publish: {command[0]} is not installed (needed by {what})") from None
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()
        reason = redact(detail[-1]) if detail else f"exit code {done.returncode}"
        raise PublishError(f"publish: {what} failed: {reason}")
    return done.stdout


_USERINFO = re.compile(r"(?P<scheme>[a-z][a-z0-9+.-]*://)[^/@\s]+@", re.IGNORECASE)


def redact(text):
    """``text`` with any credentials in a URL (https://user:token@host) replaced by ***."""
    return _USERINFO.sub(r"\g<scheme>***@", text)


_DEPLOYERS = {"dir": _Dir, "rsync": _Rsync, "gh-pages": _GhPages}
