"""Render every other page in a forked helper process, so writing uses two cores too.

After reading, rendering the pages is a build's biggest cost, and Pelican does it one page at a
time. While the post and page generators write, :class:`Splitter` takes a page that must be
rendered whenever fewer than a batch are waiting for the helper: the main process still does all
of Pelican's bookkeeping for it, in order (which file, overwrite rules, the ``content_written``
signal with the page's context), but leaves the rendering to a helper forked from itself, which
therefore sees the very same objects and writes the same bytes. The main process renders the
other pages meanwhile. (Taking every other page left the helper idle a third of the time: the
main process, doing the bookkeeping of every page, was the slower side.)

Everything a helper wrote is on disk before the generator's ``*_writer_finalized`` signal is
handled, so later generators and plugins see a complete output folder. A helper's log records
are logged again here (a strict build still fails on its warnings) and its errors fail the build.
The split stays off when a plugin listens to ``content_written`` (it might read the file at once)
and where ``fork`` is not available. A listener that only notes the path (the production reuse's
record of what a build wrote) says so with :func:`notes_path_only`, and the split stays on.
"""

import logging
import multiprocessing
import weakref

from pelican import signals

from happening import forked

log = logging.getLogger(__name__)

BATCH = 48  # Calls per helper: a fork costs a few milliseconds (tens at 5,000 posts), a page two.
BATCH_PAGES = 200  # ...or pages, whichever comes first: one call of a listing renders many.
MIN_BATCH = 8  # Fewer pages left at the end: render them here rather than fork for them.


class HelperFailed(RuntimeError):
    """A helper process could not render its pages; the message is its error."""


def _render(writer, calls):
    """In a helper: render a batch of delegated calls; their cache records go back."""
    return [writer.render_planned(call) for call in calls]


class Splitter:
    """Hands rendering calls to a helper process, one helper at a time, as fast as it takes them.

    A batch is closed at :data:`BATCH` calls or :data:`BATCH_PAGES` pages: one call of a
    paginated listing is as many pages as it has (the index at 5,000 posts is 500 of them, a
    tag's ~30). Counted in calls only, the last batch of a generator (its tag and category
    listings, ~50 calls of ~30 pages) kept the helper busy seconds after this process was done,
    and the build waited for it; counted in pages only, the listings took a fork every ~20
    calls, and forking a process holding 5,000 posts takes tens of milliseconds.
    """

    def __init__(self, writer, on_result):
        self.writer = writer
        self.on_result = on_result
        self.pending = []  # (call, pages)
        self.waiting = 0  # the pages of the pending calls
        self.helper = None
        self.helpers = 0  # How many were forked, for the tests and the benchmark.

    def takes_next(self) -> bool:
        """Whether the next call goes to the helpers: yes while less than a batch waits for them.

        So the helper is never idle while there are pages, and this process renders whatever
        the helper cannot keep up with; the share each side takes follows their speeds.
        """
        self._keep_busy()
        return not self._full()

    def add(self, call, pages=1):
        """Queue ``call`` for a helper; ``pages``: how many files it renders."""
        self.pending.append((call, pages))
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
        takes the second half of its pages, and this process renders from the front meanwhile.
        """
        leftovers, self.pending, self.waiting = self.pending, [], 0
        while leftovers:
            if self.helper is not None:
                self._reap(block=False)
            left = sum(pages for _, pages in leftovers)
            if self.helper is None and len(leftovers) >= 2 and left >= MIN_BATCH:
                cut = _half(leftovers, left)
                self.pending, leftovers = leftovers[cut:], leftovers[:cut]
                self._launch()
            call, _ = leftovers.pop(0)
            self.on_result(self.writer.render_planned(call))
        if self.helper is not None:
            self._reap(block=True)

    def _launch(self):
        calls = [call for call, _ in self.pending]
        self.pending, self.waiting = [], 0
        # A strict build fails on warnings: those are what a helper's log must bring back.
        self.helper = forked.Forked(_render, self.writer, calls, level=logging.WARNING)
        self.helpers += 1

    def _reap(self, block):
        if not block and not self.helper.done():
            return
        helper, self.helper = self.helper, None
        try:
            results = helper.result()  # Its records are logged here, in order.
        except forked.ForkedFailed as exc:
            raise HelperFailed(
                f"fastbuild: rendering pages in a helper process failed: {exc}"
            ) from None
        for result in results:
            self.on_result(result)


def notes_path_only(listener):
    """Mark a ``content_written`` listener that never opens the file: the split may stay on."""
    listener.notes_path_only = True
    return listener


def _half(calls, pages) -> int:
    """Where to cut ``calls`` (call, pages) so that the part after it has about half the pages;
    each side keeps at least one call."""
    before = 0
    for index, (_, count) in enumerate(calls):
        if index and before + count / 2 > pages / 2:
            return index
        before += count
    return len(calls) - 1


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
