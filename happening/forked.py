"""Run one function in a forked process while this one goes on; its result and its log come back.

For a build's self-contained side work on a second core while the main process writes the
pages: writing the feeds, rendering a batch of pages (fastbuild's split.py). The child is a copy
of this process at the fork, so it sees the very same objects and writes the same bytes; it ends
with ``os._exit`` (nothing of the parent's is flushed, closed or cleaned up twice). What it
returns is pickled to a temporary file; every record it logs (of the level asked for) is kept,
and :meth:`Forked.result` logs them again here, through the same loggers, so the build's log and
a strict build's warnings are as if it had run here.
"""

import gc
import logging
import multiprocessing
import os
import pickle
import tempfile


class ForkedFailed(RuntimeError):
    """The function raised in the child; the message is its error."""


def cores() -> int:
    """How many cores this process may run on: its CPU affinity (a container's or ``taskset``'s
    limit, which ``os.cpu_count()`` ignores); 1 where the system has none to ask (macOS,
    Windows), so nothing there starts helpers it cannot be sure will run side by side."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1


def possible() -> bool:
    """Whether forking gains anything here: ``fork`` exists and there is a second core."""
    return "fork" in multiprocessing.get_all_start_methods() and cores() >= 2


class LogRecords(logging.Handler):
    """Every record of ``level`` or worse it is given, as (logger name, level, message): what a
    child process logged, kept to be logged again in the parent."""

    def __init__(self, level=logging.NOTSET):
        super().__init__(level)
        self.records = []

    def emit(self, record):
        self.records.append((record.name, record.levelno, record.getMessage()))


class Forked:
    """``function(*args)`` running in a forked child from the moment this is made; the child's
    log records of ``level`` or worse are kept for the parent."""

    def __init__(self, function, *args, level=logging.NOTSET):
        fd, self._report = tempfile.mkstemp(prefix="happening-forked-", suffix=".pickle")
        os.close(fd)
        self._collected = False
        self._status = None  # The child's exit status, once it has been waited for.
        self.pid = os.fork()
        if self.pid == 0:  # pragma: no cover - runs in the child, which never returns.
            _run_child(function, args, self._report, level)

    def done(self) -> bool:
        """Whether the child has ended (without waiting for it)."""
        if self._status is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid != 0:
                self._status = status
        return self._status is not None

    def result(self, relog=True):
        """Wait for the child; log its records here (unless not ``relog``); return its value or
        raise ForkedFailed."""
        if self._collected:
            raise RuntimeError("forked: result() was already collected")
        self._collected = True
        if self._status is None:
            self._status = os.waitpid(self.pid, 0)[1]
        status = self._status
        try:
            with open(self._report, "rb") as f:
                outcome, value, records = pickle.load(f)
        except Exception:  # noqa: BLE001 - the child died before it could report.
            outcome, value, records = "error", f"exited with status {status}, no report", []
        finally:
            os.unlink(self._report)
        for name, level, message in records if relog else ():
            logging.getLogger(name).log(level, "%s", message)
        if outcome != "ok":
            raise ForkedFailed(value)
        return value


def _run_child(function, args, report, level):
    # What the child inherited is never collected here: collecting it would only copy the
    # memory pages it shares with the parent.
    gc.freeze()
    records = LogRecords(level)
    logging.getLogger().handlers = [records]
    try:
        payload = ("ok", function(*args), records.records)
    except BaseException as exc:  # noqa: BLE001 - reported to the parent, which raises.
        payload = ("error", f"{type(exc).__name__}: {exc}", records.records)
    try:
        with open(report, "wb") as f:
            pickle.dump(payload, f, protocol=pickle.HIGHEST_PROTOCOL)
    finally:
        os._exit(0)
