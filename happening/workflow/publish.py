"""`publish`: a production build, then `check`, then the deploy; nothing goes out if check fails.

Targets, as in Pelican's quickstart: ``rsync`` over SSH (``rsync --delete``), ``gh-pages``
(ghp-import, pushed to a remote), or ``dir`` (an exact copy in a local folder: the first time,
or whenever the folder is not exactly what the last deploy left, swapped in whole; otherwise
only the files that changed are copied and those that went removed; which changed, the
production build says when it ran in this process, else every output file is looked at; a
release copies them while its check runs, under names no page links to, and renames them into
place once it passed).
Drafts are never written by the production settings, and a ``drafts/`` folder in the output
stops the deploy.
"""

import contextlib
import filecmp
import gc
import json
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from happening import forked
from happening import search as site_search
from happening.atomic import write_atomically
from happening.build import PROD_SETTINGS, ROOT, BuildResult, build, load_settings
from happening.errors import UserError
from happening.filestat import stat_of, tree

from .check import check_site, read_sources
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
    built: BuildResult | None = field(default=None, repr=False)  # The production build deployed.


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
    # A release looks at the target while it builds (dir: whether it is as the last deploy left
    # it), on the second core, rather than after the check, when the writer is waiting.
    early = deployer.look_early(destination) if reuse else None

    checked = []
    staging = []  # the deploy's copies made during a release's check (_Dir.stage), or None

    def check(built):
        output = Path(built.output)
        if settings.get("DRAFT_SAVE_AS") or (output / "drafts").exists():
            raise PublishError(
                f"publish: drafts were built into {output}; production must leave DRAFT_SAVE_AS "
                f"empty (it is {settings.get('DRAFT_SAVE_AS')!r} with {Path(settings_file).name})"
            )
        # What the build made (every post it read) lives until this function ends, and the
        # collector's next full pass in the check or the deploy would walk all of it (~0.15 s
        # at 1,000 posts): frozen, a pass walks only what they make. Thawed in the end.
        gc.freeze()
        # The build just read every source with these settings, and (a release's) knows every
        # file it left and where it wrote each post: the check takes its reading and its files.
        files = getattr(built, "files", None)
        saved_as = getattr(built, "saved_as", None)
        ahead = reading.take() if reading is not None else None
        if reuse:
            # The deploy's copies are made while the check runs; only their renames into place
            # wait for its verdict (nothing in the target changes before).
            staging.append(deployer.stage(output, destination, files, early))
        checked.append(
            check_site(
                settings,
                output,
                generators=built.generators,
                files=files,
                saved_as=saved_as,
                read=ahead,
            )
        )
        if on_check is not None:
            on_check(checked[0])

    # A release reads the sources for its check in a forked child as soon as every page is
    # written, while the build's last handlers and Pagefind's start run here.
    reading = _SourcesAhead(settings) if reuse and forked.possible() else None
    # The published search page needs its index (happening/search.py), reused or cold. A
    # release checks the pages while Pagefind, a process of its own, indexes them.
    try:
        if reuse:
            built = production_build(
                settings_file,
                search=True,
                while_indexing=check,
                when_written=reading.start if reading is not None else None,
                **overrides,
            )
        else:
            built = build(settings_file, search=True, **overrides)
            check(built)
        output = Path(built.output)
        report = checked[0]
        report.raise_for_errors()
        # A release's build knows every file it left (reuse.production_build): nothing to walk.
        known = getattr(built, "files", None)
        files = (
            len(known) if known is not None else sum(1 for p in output.rglob("*") if p.is_file())
        )
        started = datetime.now(UTC)
        staged = staging[0] if staging else None
        deployer.deploy(output, settings, destination, files=known, early=early, staged=staged)
        seconds = (datetime.now(UTC) - started).total_seconds()
    finally:
        gc.unfreeze()  # What check() froze is the collector's again (a long-lived caller's).
        for staged in staging:
            if staged is not None:
                staged.discard()  # Unless the deploy took them: none is left in the target.
        if early is not None:
            early.close()  # The build or the check failed: its child is reaped, its look unused.
        if reading is not None:
            reading.take()  # Likewise (a no-op once the check took it).
    log.info("Published %d files to %s", files, redact(str(destination)))
    shown = redact(str(destination))
    if isinstance(destination, Path) and destination.is_relative_to(ROOT):
        shown = f"{destination.relative_to(ROOT)}/"  # The default, public/, reads best short.
    return Published(target, shown, files, built.seconds + seconds, len(report.warnings), built)


def _reaped(child, failed, what):
    """A forked helper's result, or ``failed`` when it failed: then the work it did ahead is
    done the slow way, so the failure is only logged (at debug level, saying ``what``)."""
    try:
        return child.result()
    except forked.ForkedFailed as exc:
        log.debug("publish: %s failed (%s)", what, exc)
        return failed


class _SourcesAhead:
    """``check.read_sources`` for the build that just wrote its pages, worked out in a forked
    child from that moment (~0.025-0.045 s at 1,000 posts, while this process finishes the
    build and starts Pagefind), and taken by the check: then it has nothing to do while its
    page scans run, and scans them itself (check/site.py). The child reads what the check
    would read a moment later: the build's own reading of each post and the files under PATH.
    """

    def __init__(self, settings):
        self.settings = settings
        self.child = None

    def start(self, generators, saved_as):
        if self.child is None:
            try:
                self.child = forked.Forked(read_sources, self.settings, generators, saved_as)
            except OSError:  # No fork now (memory, process limits): the check reads them.
                self.child = None

    def take(self):
        """The sources the child read; None (the check reads them itself) when it failed or
        never started, or read something it could not send back whole."""
        child, self.child = self.child, None
        if child is None:
            return None
        return _reaped(child, None, "reading the sources ahead of the check")


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
    def look_early(dest):
        """Start looking whether ``dest`` is exactly as the last deploy left it, in a forked
        child (a walk of every deployed file: ~0.04 s at 1,000 posts, while the build reads);
        None where nothing can be forked."""
        if not forked.possible():
            return None
        try:
            return _EarlyLook(dest)
        except OSError:  # No fork now (memory, process limits): looked at in the deploy.
            return None

    @staticmethod
    def stage(output, dest, files, early):
        """Start copying, beside their places in ``dest``, the files of the build that changed
        since the last deploy, in a forked child (~0.06-0.1 s at 1,000 posts, while the check
        runs); None when that cannot be known yet or nothing can be forked.

        ``files``: every output file's stat as the build left them; Pagefind's bundle, which
        changes while the check runs, is left to the deploy. Only when ``early`` found ``dest``
        exactly as the last deploy left it: else the deploy swaps in a whole copy anyway.
        """
        if early is None or files is None:
            return None
        manifest = _manifest_of(dest)
        stamp = _stamp_or_none(manifest)
        if not early.answer(stamp):
            return None
        built = {rel: stat for rel, stat in files.items() if not rel.startswith(_BUNDLE)}
        try:
            return _Staging(output, dest, _read_manifest(manifest), stamp, built)
        except OSError:  # No fork now (memory, process limits): the deploy copies them.
            return None

    @staticmethod
    def deploy(output, settings, dest, files=None, early=None, staged=None):
        """Make ``dest`` an exact copy of ``output``.

        ``files``: every output file's stat as the build that just made it left them
        (``reuse.production_build``), so what changed since the last deploy is known without
        looking at each file of the output again; None: they are looked at. ``early``: the
        :meth:`look_early` started before the build, taken when it read this same manifest.
        ``staged``: the :meth:`stage` started during the check, taken on the same terms.
        """
        problem = _unsafe(dest, settings)  # Again: the folder may have changed since.
        if problem:
            raise PublishError(f"publish: PUBLISH_DIR {dest} {problem}; choose another folder")
        dest.parent.mkdir(parents=True, exist_ok=True)
        manifest = _manifest_of(dest)
        stamp = _stamp_or_none(manifest)
        # The staging read this very manifest (same stat) during the check: not parsed again.
        same = staged is not None and staged.stamp == stamp
        last = staged.last if same else _read_manifest(manifest)
        exact = early.answer(stamp) if early is not None else None
        # Until the new one is written, no deployed file is vouched for: an interrupted deploy
        # makes the next one copy everything.
        manifest.unlink(missing_ok=True)
        records = None
        if exact is None:
            exact = _exactly_as_deployed(dest, last)
        if exact:
            copies = staged.take(stamp) if staged is not None else None
            built = files if files is not None else tree(output)
            records = _update(output, dest, last, built, copies)
        if records is None:
            _replace_whole(output, dest)
            records = _records(output, dest)
        _write_manifest(manifest, records)


def _manifest_of(dest):
    """Where the deploy to ``dest`` keeps each file's stat as built and as deployed."""
    return dest.with_name(f".{dest.name}.manifest.json")


def _stamp_or_none(path):
    try:
        return stat_of(path)
    except OSError:
        return None


def _look(dest):
    """In the early look's child: the manifest's stat, and whether ``dest`` is as it says."""
    manifest = _manifest_of(dest)
    stamp = _stamp_or_none(manifest)
    last = _read_manifest(manifest)
    return stamp, _exactly_as_deployed(dest, last)


class _EarlyLook:
    """:func:`_exactly_as_deployed`, worked out in a forked child from the moment it is made.

    Looked at before the build rather than just before the copy: a file changed in ``dest``
    while the release builds (~1 s) is not seen by this deploy, as one changed during the copy
    is not seen by any. Nothing is lost by it: the deploy records such a file's stat as it
    deployed it, so the next deploy finds the folder touched and swaps in a whole copy.
    """

    def __init__(self, dest):
        self.child = forked.Forked(_look, dest)
        self.seen = None  # (the manifest's stat, exact), once the child has been waited for

    def answer(self, stamp):
        """Whether ``dest`` is exactly as the manifest with ``stamp`` says; None when the
        child read another manifest (or failed): the deploy looks again itself."""
        self.close()
        seen, exact = self.seen
        return exact if exact is not None and seen == stamp else None

    def close(self):
        """Wait for the child (at once, if its answer is never asked for: a failed build)."""
        if self.child is None:
            return
        child, self.child = self.child, None
        self.seen = _reaped(child, (None, None), "looking at the target early")


def _replace_whole(output, dest):
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


def _exactly_as_deployed(dest, last):
    """Whether ``dest`` holds exactly the files the last deploy left, none touched since; never
    with no manifest (``last`` empty): then nothing in ``dest`` is vouched for."""
    if not last:
        return False
    try:
        found = tree(dest)
    except OSError:
        return False
    return found.keys() == last.keys() and all(
        stat == last[rel]["deployed"] for rel, stat in found.items()
    )


def _update(output, dest, last, built, staged=None):
    """Bring ``dest``, exactly as the last deploy left it, to ``output``'s files: copy only what
    changed, remove only what went; an unchanged file is not touched. Returns the new manifest's
    records; None: nothing was done (a file where a folder must go, or the other way round), so
    the whole folder is replaced.

    ``built`` is every output file's stat: a file whose stat is the one recorded when it was
    deployed has not been written since; one written again with the same bytes (a page
    rendered the same) is compared, not copied. ``staged``: what :func:`_stage` found and
    copied during the check, taken for each file whose stat is still the one it saw.

    Every changed file is first copied beside its place, then all are renamed into place one
    after the other (each rename atomic), so the site moves from the old build to the new one
    in the moment the renames take, not over the whole copy; removed files go last, once no
    new page links to them.
    """
    staged = staged or {"copies": {}, "same": {}}
    copies = staged["copies"]
    changed = _changed(output, dest, last, built, staged["same"], copies)
    # A file the last deploy left (``dest`` holds exactly those) is a file in folders: only a
    # new one can meet a folder, or a file, in its way, and only its folders may be missing.
    new = [rel for rel in changed if rel not in last]
    if any((dest / rel).is_dir() or _file_in_the_way(dest, rel) for rel in new):
        _unlink_all(temporary for _, temporary in copies.values())
        return None
    for folder in sorted({os.path.dirname(rel) for rel in new} - {""}):
        (dest / folder).mkdir(parents=True, exist_ok=True)
    ready = {rel for rel in changed if rel in copies and copies[rel][0] == built[rel]}
    # A copy of a file written again since it was made (none is: Pelican's files are final by
    # then) is not the file's: it goes, and the file is copied here.
    _unlink_all(temporary for rel, (_, temporary) in copies.items() if rel not in ready)
    renames = _copy_beside(output, dest, [rel for rel in changed if rel not in ready])
    target_root = os.path.join(str(dest), "")
    renames += [(copies[rel][1], target_root + rel) for rel in sorted(ready)]
    _each_at_once(os.replace, renames)
    for rel in sorted(last.keys() - built.keys()):
        gone = dest / rel
        gone.unlink(missing_ok=True)
        _remove_empty_parents(gone.parent, dest)
    copied = set(changed)
    return {
        rel: {
            "built": stat,
            "deployed": stat_of(target_root + rel) if rel in copied else last[rel]["deployed"],
        }
        for rel, stat in built.items()
    }


def _changed(output, dest, last, built, same=None, copies=None):
    """The files of ``built`` (each file's stat) to copy to ``dest``, as the last deploy left
    it (``last``, its manifest), in order. ``same`` and ``copies`` (from :func:`_stage`): the
    files found to hold the deployed bytes, and those found not to, by the stat they had then.
    """
    same, copies = same or {}, copies or {}
    changed = []
    for rel in sorted(built):
        stat = built[rel]
        record = last.get(rel)
        if record is not None and stat == record["built"]:
            continue  # Not written since it was deployed: said by its stat, no path built.
        if record is not None and same.get(rel) == stat:
            continue  # Written again with the bytes deployed, as _stage compared them.
        if rel in copies and copies[rel][0] == stat:
            changed.append(rel)  # Compared (or new) when _stage copied it.
        elif record is None or not _same_bytes(output, dest, rel, stat, record):
            changed.append(rel)
    return changed


def _copy_beside(output, dest, rels):
    """Copy each of ``rels`` from ``output`` to a temporary file beside its place in ``dest``,
    whose folders exist; returns the ``(temporary, target)`` pairs to rename."""
    # Plain strings: ~150 files after one new post, each a few paths made (pathlib's cost).
    source, target_root = os.path.join(str(output), ""), os.path.join(str(dest), "")
    copies, staged = [], []
    for rel in rels:
        target = target_root + rel
        folder, name = os.path.split(target)
        temporary = os.path.join(folder, f".{name}.deploying")
        copies.append((source + rel, temporary))
        staged.append((temporary, target))
    try:
        _each_at_once(shutil.copy2, copies)
    except OSError:
        _unlink_all(temporary for temporary, _ in staged)
        raise
    return staged


def _unlink_all(paths):
    for path in paths:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)


_BUNDLE = f"{site_search.BUNDLE}/"


def _stage(output, dest, last, built):
    """In :class:`_Staging`'s child: the changed files of ``built`` copied beside their places
    in ``dest`` (as :func:`_update` would), with the folders new files need; None when a new
    file meets a folder or a file in its way (then the deploy replaces the whole folder)."""
    changed = _changed(output, dest, last, built)
    new = [rel for rel in changed if rel not in last]
    if any((dest / rel).is_dir() or _file_in_the_way(dest, rel) for rel in new):
        return None
    made = []
    for folder in sorted({os.path.dirname(rel) for rel in new} - {""}):
        # Each folder this makes, outermost first, to be removed again if the check fails.
        missing = [p for p in (dest / folder, *(dest / folder).parents) if not p.exists()]
        (dest / folder).mkdir(parents=True, exist_ok=True)
        made += [str(p) for p in reversed(missing) if str(p) not in made]
    renames = _copy_beside(output, dest, changed)
    copied = set(changed)
    return {
        "copies": {
            rel: (built[rel], temporary)
            for rel, (temporary, _) in zip(changed, renames, strict=True)
        },
        # Written again, compared and found the same: the deploy need not compare them again.
        "same": {
            rel: stat
            for rel, stat in built.items()
            if rel in last and rel not in copied and stat != last[rel]["built"]
        },
        "folders": made,
    }


class _Staging:
    """:func:`_stage` in a forked child from the moment it is made; :meth:`take` is its copies
    for the deploy, :meth:`discard` removes whatever it left in the target (a failed check)."""

    def __init__(self, output, dest, last, stamp, built):
        self.stamp = stamp  # the stat of the manifest ``last`` was read from
        self.last = last  # that manifest, for the deploy when it finds the same stat
        self.child = forked.Forked(_stage, output, dest, last, built)
        self.staged = None  # the child's answer, once waited for

    def take(self, stamp):
        """The copies for a deploy from the manifest with ``stamp`` (None when it is another:
        they are removed, and the deploy copies what it must itself)."""
        self._wait()
        staged, self.staged = self.staged, None
        if staged is not None and stamp == self.stamp:
            return staged
        self._remove(staged)
        return None

    def discard(self):
        """Whatever the child made in the target and no deploy took: removed."""
        self._wait()
        staged, self.staged = self.staged, None
        self._remove(staged)

    def _wait(self):
        if self.child is None:
            return
        child, self.child = self.child, None
        # Failed: copies it made (if any) stay, and the next deploy finds the folder touched and
        # swaps in a whole copy, so none of them is ever served as the site's.
        self.staged = _reaped(child, None, "copying for the deploy during the check")

    @staticmethod
    def _remove(staged):
        if staged is None:
            return
        _unlink_all(temporary for _, temporary in staged["copies"].values())
        for folder in reversed(staged["folders"]):  # innermost first
            with contextlib.suppress(OSError):
                os.rmdir(folder)  # only when empty: a deploy took the files put there


# File system calls at a time: they wait on the disk, not on this process. ext4 (auto_da_alloc)
# writes a file out when it is renamed over another: one rename after the other waited ~2.5 ms
# each, ~0.4 s for the ~150 files a release deploys.
AT_ONCE = 8


def _each_at_once(function, calls):
    """``function(*args)`` for each ``args`` of ``calls``, several at a time (copies, renames:
    each one as atomic as on its own). Every call is made, even after one failed (map would
    cancel those not started yet); the first that failed is then raised, as the deploy must."""
    if len(calls) < 2:
        for args in calls:
            function(*args)
        return
    with ThreadPoolExecutor(min(AT_ONCE, len(calls))) as pool:
        done = [pool.submit(function, *args) for args in calls]
        wait(done)
    for call in done:
        call.result()


def _file_in_the_way(dest, rel):
    """A file in ``dest`` where one of ``rel``'s folders must be."""
    parent = (dest / rel).parent
    while parent != dest:
        if parent.is_file():
            return True
        parent = parent.parent
    return False


def _remove_empty_parents(folder, dest):
    while folder != dest and dest in folder.parents:
        try:
            folder.rmdir()  # Only when empty: a copy of the build has no empty folders either.
        except OSError:
            return
        folder = folder.parent


def _same_bytes(output, dest, rel, stat, record):
    """Whether the deployed copy of ``rel`` (as ``record``ed, untouched since) holds the bytes
    of the output's, written again since it was deployed (a page rendered the same); ``stat``
    is the output file's."""
    if stat[0] != record["deployed"][0]:
        return False  # Another size: other bytes.
    try:
        return filecmp.cmp(output / rel, dest / rel, shallow=False)
    except OSError:
        return False


def _read_manifest(path):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _records(output, dest):
    """The manifest of a whole copy: each file's stat in the output and in ``dest``; None when
    ``dest`` is not the output's copy after all (the next deploy then copies all)."""
    records = {}
    for rel, deployed in tree(dest).items():
        try:
            records[rel] = {"built": stat_of(output / rel), "deployed": deployed}
        except OSError:
            return None
    return records


def _write_manifest(path, records):
    if records is None:
        return
    write_atomically(path, json.dumps(records, sort_keys=True), fsync=False, mode=0o644)


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

    @staticmethod
    def look_early(dest):
        return None  # rsync compares the files itself, as it copies

    @staticmethod
    def stage(output, dest, files, early):
        return None  # rsync copies only once the check passed, as it compares

    @classmethod
    def deploy(cls, output, settings, dest, files=None, early=None, staged=None):
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
    def look_early(dest):
        return None  # ghp-import makes a new commit of the output whatever the branch holds

    @staticmethod
    def stage(output, dest, files, early):
        return None  # ghp-import commits the output once the check passed

    @staticmethod
    def deploy(output, settings, dest, files=None, early=None, staged=None):
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
