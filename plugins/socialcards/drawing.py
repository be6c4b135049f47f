"""Draw the cards a build lacks into the cache, on the other cores while the pages are written.

A fresh clone or a CI machine has no cache, so every post's card is drawn (~1-5 ms each, see
render.py). Drawn at the end of the build, that was a tail the build waited for; drawn by
processes forked as soon as every post's title is known (before any page is written), the
cards fill what the page writers leave of the cores (the main process's bookkeeping, the
feeds) and are usually done before the build ends. (Not at a lower priority: on a busy machine
the build would then wait at its end for drawers starved by other work.) A card's bytes depend
only on its inputs, so which process draws it changes nothing.

The same processes first copy into the output the cards the cache already has: a cold build
into an empty output folder with a warm cache (CI keeping its cache, a production build) copied
every one of them at the end of the build, on one core (~0.4 s at 1,000 posts, 0.6 s at 5,000),
after the last page.
"""

import logging
import multiprocessing
import os
import shutil
from pathlib import Path

from happening import forked

from .render import render_card

log = logging.getLogger(__name__)

MIN_POOL = 32  # Fewer cards to draw (a rebuild after a few edits): quicker here than forking.
MIN_COPIES = 64  # Fewer cached cards to copy into the output: copied at the end of the build.


class Drawing:
    """Cards being drawn by forked processes; ``finish`` waits and draws whatever is left."""

    def __init__(self, jobs, children, delivered=frozenset()):
        self.jobs = jobs
        self.children = children  # process ids
        # Output files found to be copies of their cached cards already: nothing in the build
        # writes either again (only a card the cache lacks is drawn, and only a stale copy
        # replaced), so the build's end need not look at them again (~2,000 stats at 1,000).
        self.delivered = delivered

    def finish(self) -> int:
        """Wait for the drawers, draw here any card still missing; return how many were drawn.

        A drawer that failed leaves its cards undrawn: drawing them here raises the error in
        the build, with its traceback, as drawing them here in the first place would have.
        """
        for pid in self.children:
            os.waitpid(pid, 0)
        self.children = []
        for job in self.jobs:
            if not job[0].exists():
                _draw(job)
        return len(self.jobs)


def start(cards, settings, cache: Path, outputs) -> Drawing:
    """Start drawing each ``(digest, title, dek)`` not yet in ``cache``.

    ``outputs`` maps a digest to the output files that show its card: a card drawn here is
    copied there too, by the process that drew it, and so is a card the cache already has.
    """
    todo, copies, delivered = {}, [], set()
    seen = set()
    for digest, title, dek in cards:
        target = cache / f"{digest}.png"
        if target in seen:
            continue
        seen.add(target)
        shown = tuple(outputs.get(digest, ()))
        try:
            source = target.stat()
        except FileNotFoundError:
            todo[target] = (title, dek, shown)
            continue
        for copy in shown:
            if _stale(target, copy, source):
                copies.append((target, copy))
            else:
                delivered.add(copy)
    jobs = [
        (target, title, dek, settings.site_name, settings.faces, settings.host, copies)
        for target, (title, dek, copies) in todo.items()
    ]
    cores = forked.cores()
    if (
        (len(jobs) < MIN_POOL and len(copies) < MIN_COPIES)
        or cores < 2
        or "fork" not in multiprocessing.get_all_start_methods()
    ):
        return Drawing(jobs, [], frozenset(delivered))
    # Forked: a drawer starts in a millisecond and already holds the fonts and settings. Every
    # other job to each, so each gets long titles and short ones alike.
    children = [_fork(jobs[i::cores], copies[i::cores]) for i in range(cores)]
    return Drawing(jobs, children, frozenset(delivered))


def _fork(jobs, copies=()) -> int:
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child, which never returns.
        status = 0
        try:
            for cached, target in copies:
                try:
                    deliver(cached, target)
                except OSError:
                    status = 1  # The build's own copy at its end (plugin.write) tries again.
            for job in jobs:
                try:
                    _draw(job)
                except Exception:  # noqa: BLE001 - finish() draws it again and raises there.
                    status = 1  # ...and the others are still drawn.
        finally:
            # No cleanup of the parent's objects in the child (they are the build's), and no
            # traceback here: finish() draws a failed card again and raises its error there.
            os._exit(status)
    return pid


def _draw(job):
    target, title, dek, site_name, faces, host, copies = job
    data = render_card(title, dek, site_name, faces, host)
    # Written whole or not at all: a build stopped half-way must not leave a cut card cached.
    partial = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    partial.write_bytes(data)
    os.replace(partial, target)
    for copy in copies:
        deliver(target, copy)


def deliver(cached: Path, target: Path):
    """Copy a cached card to the output unless the output already holds this very copy.

    The copy keeps the cached file's time, so the same size and time mean the same bytes (the
    cache's files are never rewritten in place, only replaced): nothing is read to compare.
    """
    if _stale(cached, target):
        shutil.copy2(cached, target)


def _stale(cached: Path, target: Path, source=None) -> bool:
    """Whether ``target`` is missing or not a copy of ``cached`` (see :func:`deliver`);
    ``source``: ``cached``'s stat, when the caller has it."""
    source = source or cached.stat()
    try:
        there = target.stat()
    except FileNotFoundError:
        return True
    return (there.st_size, there.st_mtime_ns) != (source.st_size, source.st_mtime_ns)
