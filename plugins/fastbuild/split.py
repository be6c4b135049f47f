"""Render every other page in a forked helper process, so writing uses two cores too.

After reading, rendering the pages is a build's biggest cost, and Pelican does it one page at a
time. While the post and page generators write, :class:`Splitter` takes a page that must be
rendered whenever fewer than a batch are waiting for the helper: the main process still does all
of Pelican's bookkeeping for it, in order (which file, overwrite rules, the ``content_written``
signal with the page's context), but leaves the rendering to a helper forked from itself, which
therefore sees the very same objects and writes the same bytes. The main process renders the
other pages meanwhile. (Taking every other page left the helper idle a third of the time: the
main process, doing the bookkeeping of every page, was the slower side.)

At the end of a generator, what is left is shared, not handed over: a listing of many pages
(the index of a 1,000-post blog is a hundred of them, all shifted by a new post) is cut into
pieces of a few pages, a helper takes pieces from the front of its batch and this process takes
them from the back until they meet (:class:`_Claims`). With the batch handed over whole, a
release after one new post waited 0.26-0.56 s for one helper rendering its ~140-210 listing pages
while this process had nothing left to do (now 0.14-0.20 s).

Everything a helper wrote is on disk before the generator's ``*_writer_finalized`` signal is
handled, so later generators and plugins see a complete output folder. A helper's log records
are logged again here (a strict build still fails on its warnings) and its errors fail the build.
The split stays off when a plugin listens to ``content_written`` (it might read the file at once)
and where ``fork`` is not available. A listener that only notes the path (the production reuse's
record of what a build wrote) says so with :func:`notes_path_only`, and the split stays on.
"""

import logging
import mmap
import multiprocessing
import weakref

from pelican import signals

from happening import forked

log = logging.getLogger(__name__)

# Pieces (a call, or part of a long one) per helper: a fork costs a few milliseconds (tens at
# 5,000 posts), a page two.
BATCH = 48
BATCH_PAGES = 100  # ...or pages, whichever comes first: one call of a listing renders many.
MIN_BATCH = 8  # Fewer pages left at the end: render them here rather than fork for them.
PIECE_PAGES = 8  # A listing of more pages is rendered in pieces of about this many,
MAX_PIECES = 8  # ...and in no more pieces than this: each goes through Pelican's loop over the
# pages before its own, so the index of a 5,000-post blog (500 pages) in 63 pieces of eight would
# run that loop over ~16,000 pages, against ~1,800 in eight pieces.
CLAIM_WAIT = 1.0  # Seconds to wait for the claims' lock before leaving the rest to the helper.


class HelperFailed(RuntimeError):
    """A helper process could not render its pages; the message is its error."""


def _render(writer, pieces, claims):
    """In a helper: render the pieces of its batch it claims first; their results go back."""
    done = []
    while (index := claims.front()) is not None:
        serial, call, span = pieces[index]
        done.append((serial, span, writer.render_planned(call, span)))
    return done


class _Claims:
    """Which pieces of a helper's batch are still to be taken: the helper takes them from the
    front, this process, once it has nothing else left, from the back; each piece once.

    Two integers in memory shared with the forked helper, and a lock (both made before the
    fork, so the helper inherits them). The memory is an anonymous shared mapping, which holds
    no file: ``multiprocessing.RawArray`` keeps a file in /dev/shm open for writing until the
    process ends, and an open file sends the release's end down the slow exit (quickexit.py:
    ~0.1 s of heap teardown at 1,000 posts).
    """

    def __init__(self, count):
        self._lock = multiprocessing.Lock()  # A semaphore: no file is left open either.
        self._ends = memoryview(mmap.mmap(-1, 8)).cast("i")  # [next front, end of the rest]
        self._ends[1] = count

    def front(self):
        with self._lock:
            first, end = self._ends[0], self._ends[1]
            if first >= end:
                return None
            self._ends[0] = first + 1
            return first

    def back(self):
        # A helper that died holding the lock leaves the rest to it: its failure is raised
        # when it is reaped.
        if not self._lock.acquire(timeout=CLAIM_WAIT):
            return None
        try:
            first, end = self._ends[0], self._ends[1]
            if first >= end:
                return None
            self._ends[1] = end - 1
            return end - 1
        finally:
            self._lock.release()


def spans(pages: int) -> list:
    """The pieces a call of ``pages`` pages is rendered in: ``[None]`` (whole) for a short one,
    else ``(start, stop)`` page ranges of about :data:`PIECE_PAGES` pages each (at most
    :data:`MAX_PIECES` of them)."""
    if pages <= PIECE_PAGES:
        return [None]
    count = min(-(-pages // PIECE_PAGES), MAX_PIECES)
    cuts = [pages * n // count for n in range(count + 1)]
    return list(zip(cuts, cuts[1:], strict=False))


class Splitter:
    """Hands rendering calls to a helper process, one helper at a time, as fast as it takes them.

    A batch is closed at :data:`BATCH` pieces or :data:`BATCH_PAGES` pages: one call of a
    paginated listing is as many pages as it has (the index at 5,000 posts is 500 of them, a
    tag's ~30). Counted in calls only, the last batch of a generator (its tag and category
    listings, ~50 calls of ~30 pages) kept the helper busy seconds after this process was done,
    and the build waited for it; counted in small numbers of pages, the listings took a fork
    every few calls, and forking a process holding 5,000 posts takes tens of milliseconds. At
    100 pages, a release after one new post starts its helper on the index (a hundred pages at
    1,000 posts) while this process is still deciding the tag and category pages.
    """

    def __init__(self, writer, on_result):
        self.writer = writer
        self.on_result = on_result  # Given each call's results, in page order, once all are in.
        self.pending = []  # ((serial, call, span), pages): the pieces waiting for a helper
        self.waiting = 0  # the pages of the pending pieces
        self.helper = None  # (Forked, its pieces, their _Claims)
        self.helpers = 0  # How many were forked, for the tests and the benchmark.
        self.cut = 0  # How many calls were rendered in pieces, for the tests.
        self._serial = 0
        self._parts = {}  # serial -> [pieces still out, [(start, result)]]

    def takes_next(self) -> bool:
        """Whether the next call goes to the helpers: yes while less than a batch waits for them.

        So the helper is never idle while there are pages, and this process renders whatever
        the helper cannot keep up with; the share each side takes follows their speeds.
        """
        self._keep_busy()
        return not self._full()

    def add(self, call, pages=1):
        """Queue ``call`` for a helper; ``pages``: how many files it renders."""
        serial, self._serial = self._serial, self._serial + 1
        pieces = spans(pages)
        self.cut += len(pieces) > 1
        self._parts[serial] = [len(pieces), []]
        for span in pieces:
            size = pages if span is None else span[1] - span[0]
            self.pending.append(((serial, call, span), size))
        self.waiting += pages
        self._keep_busy()

    def _keep_busy(self):
        if self.helper is not None:
            self._reap(block=False)
        if self.helper is None and self._full():
            self._launch()

    def _full(self) -> bool:
        return len(self.pending) >= BATCH or self.waiting >= BATCH_PAGES

    def flush(self):
        """Render what is left and wait for the helper: the output folder is then complete.

        What is left is shared: whenever no helper is running and enough remains, a new one
        takes it all, and this process renders its pieces from the back meanwhile (while a
        helper is still busy with an earlier batch, this process renders what is left itself).
        """
        leftovers, self.pending, self.waiting = self.pending, [], 0
        while True:
            if self.helper is not None:
                self._reap(block=False)
            left = sum(pages for _, pages in leftovers)
            if self.helper is None and len(leftovers) >= 2 and left >= MIN_BATCH:
                self.pending, leftovers = leftovers, []
                self._launch()
            if leftovers:
                self._render_here(leftovers.pop(0)[0])
                continue
            if self.helper is None:
                return
            _, pieces, claims = self.helper
            index = claims.back()
            if index is None:
                self._reap(block=True)
                return
            self._render_here(pieces[index])

    def _render_here(self, piece):
        serial, call, span = piece
        self._done(serial, span, self.writer.render_planned(call, span))

    def _done(self, serial, span, result):
        parts = self._parts[serial]
        parts[0] -= 1
        parts[1].append((0 if span is None else span[0], result))
        if parts[0] == 0:
            del self._parts[serial]
            self.on_result([result for _, result in sorted(parts[1], key=lambda p: p[0])])

    def _launch(self):
        pieces = [piece for piece, _ in self.pending]
        self.pending, self.waiting = [], 0
        claims = _Claims(len(pieces))
        # A strict build fails on warnings: those are what a helper's log must bring back.
        child = forked.Forked(_render, self.writer, pieces, claims, level=logging.WARNING)
        self.helper = (child, pieces, claims)
        self.helpers += 1

    def _reap(self, block):
        child = self.helper[0]
        if not block and not child.done():
            return
        self.helper = None
        try:
            results = child.result()  # Its records are logged here, in order.
        except forked.ForkedFailed as exc:
            raise HelperFailed(
                f"fastbuild: rendering pages in a helper process failed: {exc}"
            ) from None
        for serial, span, result in results:
            self._done(serial, span, result)


def notes_path_only(listener):
    """Mark a ``content_written`` listener that never opens the file: the split may stay on."""
    listener.notes_path_only = True
    return listener


def possible(workers: int) -> bool:
    """Whether this build may split its rendering (see the module docstring)."""
    return (
        workers >= 2
        and "fork" in multiprocessing.get_all_start_methods()
        and not any(
            not getattr(listener, "notes_path_only", False)
            for listener in _listeners(signals.content_written)
        )
    )


def _listeners(signal):
    # blinker keeps a weak reference to most receivers (``Signal.receivers``: id -> receiver).
    for held in list(signal.receivers.values()):
        listener = held() if isinstance(held, weakref.ref) else held
        if listener is not None:
            yield listener
