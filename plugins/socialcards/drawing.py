"""Draw the cards a build lacks into the cache, on every core when there are many.

A fresh clone or a CI machine has no cache, so every post's card is drawn: ~12 ms each (see
render.py), which would be 12 s of a 1,000-post build on one core while the others sat idle
(the pages are all written by then). Forked processes draw them side by side instead.
A card's bytes depend only on its inputs, so which process draws it changes nothing.
"""

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor

from .render import render_card

MIN_POOL = 32  # Fewer cards to draw (a rebuild after a few edits): quicker here than forking.
CHUNK = 8  # Cards per task: enough to amortise the round trip, small enough to balance cores.


def draw_missing(cards, settings, cache) -> int:
    """Draw each ``(digest, title, dek)`` not yet in ``cache``; return how many were drawn."""
    todo = {}
    for digest, title, dek in cards:
        target = cache / f"{digest}.png"
        if target not in todo and not target.exists():
            todo[target] = (title, dek)
    jobs = [
        (target, title, dek, settings.site_name, settings.faces, settings.host)
        for target, (title, dek) in todo.items()
    ]
    cores = _cores()
    if len(jobs) < MIN_POOL or cores < 2 or "fork" not in multiprocessing.get_all_start_methods():
        for job in jobs:
            _draw(job)
    else:
        # Fork: the processes start in milliseconds and already hold the fonts and settings.
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(cores, mp_context=context) as pool:
            for _ in pool.map(_draw, jobs, chunksize=CHUNK):
                pass  # Any card that failed raises here, and fails the build as before.
    return len(jobs)


def _cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1


def _draw(job):
    target, title, dek, site_name, faces, host = job
    data = render_card(title, dek, site_name, faces, host)
    # Written whole or not at all: a build stopped half-way must not leave a cut card cached.
    partial = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    partial.write_bytes(data)
    os.replace(partial, target)
