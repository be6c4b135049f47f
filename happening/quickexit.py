"""End a finished command without tearing its heap down, when nothing can be lost by it.

After a release the process holds the build it just made (~100 MB of posts, pages and
caches). A normal exit frees every object and module one by one (~0.15-0.2 s at 1,000
posts) only for the kernel to take the memory back whole a moment later. ``os._exit`` skips
that, and also skips what a normal exit finishes: Python's atexit handlers, flushing buffered
files, joining threads, reaping children. So :func:`end` takes that shortcut only once it has
seen that each of those is done, and otherwise returns, for the caller to exit normally:

- no thread but the main one is alive (a normal exit would wait for it). A thread that was
  told to stop and not waited for (rich's live display, the spinner of ``./inv release``, stops
  its refresh thread so) ends a moment later: each is given :data:`THREAD_GRACE` seconds in all
  to end first, and one still alive then sends the exit the normal way;
- no child process exists, running or unreaped (``os.waitid`` finds none, reaping none);
- no file descriptor that this process opened since this module was imported is still open
  for writing (a file object with bytes in its buffer holds one; so do sockets and pipes to
  anyone): what is left open is read-only, or the descriptors the process was started with;
- then the atexit handlers run (logging's shutdown among them, which flushes and closes its
  handlers), and stdout and stderr are flushed; a handler that opens something for writing
  or starts a thread or process sends the exit back to the normal path too.

Everything written with ``write()`` is in the kernel when the descriptor is closed; neither
exit path syncs to disk, so the files on disk are the same either way.
"""

import atexit
import os
import sys
import threading
import time

# Seconds the other threads are given, together, to end before the exit is decided: rich's
# refresh thread, told to stop, ends within milliseconds; the release's spinner left it alive
# at the check in 4 of 9 runs, and each of those paid the heap's teardown.
THREAD_GRACE = 0.1

# The descriptors the process was started with (a shell's or a harness's, never wrapped in a
# Python buffer by this project), each with the file it is: only those opened after this
# import count as ours, a number reused since for another file included.
_FD_FOLDER = "/proc/self/fd"


def _open_fds() -> dict:
    """Every open descriptor with its file's (device, inode); the listing's own is left out
    (it appears in the listing, closed by the time it is looked at)."""
    try:
        names = os.listdir(_FD_FOLDER)
    except OSError:
        return {}
    found = {}
    for name in names:
        try:
            st = os.fstat(int(name))
        except OSError:
            continue
        found[int(name)] = (st.st_dev, st.st_ino)
    return found


_INHERITED = _open_fds() if os.path.isdir(_FD_FOLDER) else None


def _writable(fd) -> bool:
    try:
        import fcntl  # noqa: PLC0415 - POSIX only; where it is missing, _INHERITED is None

        flags = fcntl.fcntl(fd, fcntl.F_GETFL)
    except OSError:
        return False  # Closed meanwhile: nothing to finish.
    return flags & os.O_ACCMODE in (os.O_WRONLY, os.O_RDWR)


def unfinished() -> str:
    """What a quick exit would leave unfinished, or "" when there is nothing."""
    if _INHERITED is None:
        return "this system has no /proc/self/fd to list open files with"
    if threading.active_count() > 1 or threading.current_thread() is not threading.main_thread():
        return "a thread is still running"
    try:
        # WNOWAIT: asked, not reaped (a Popen of the caller's may still wait for its child).
        found = os.waitid(os.P_ALL, 0, os.WEXITED | os.WNOHANG | os.WNOWAIT)
    except ChildProcessError:
        found = None  # No child at all: the one answer that proves none is left.
    else:
        pid = found.si_pid if found is not None else "running"
        return f"a child process (pid {pid}) has not been reaped"
    now = _open_fds()
    ours = sorted(
        fd for fd, file in now.items() if fd > 2 and _INHERITED.get(fd) != file and _writable(fd)
    )
    if ours:
        return f"file descriptor(s) {ours} still open for writing"
    return ""


def _let_threads_end():
    """Wait up to :data:`THREAD_GRACE` seconds in all for the threads but this one to end."""
    if threading.current_thread() is not threading.main_thread():
        return  # unfinished() sends such an exit the normal way.
    deadline = time.monotonic() + THREAD_GRACE
    for thread in threading.enumerate():
        # A thread Python did not start (a "dummy" one) cannot be waited for.
        if thread is threading.current_thread() or isinstance(thread, threading._DummyThread):
            continue
        thread.join(max(0.0, deadline - time.monotonic()))


def end(code: int = 0) -> str:
    """Exit the process now with ``code`` if :func:`unfinished` finds nothing, before and after
    the atexit handlers run; otherwise return why not (the caller then exits normally)."""
    _let_threads_end()
    why = unfinished()
    if why:
        return why
    atexit._run_exitfuncs()  # What a normal exit runs first; each handler runs once.
    why = unfinished()
    for stream in (sys.stdout, sys.stderr):
        if stream is not None:
            try:
                stream.flush()
            except (OSError, ValueError):
                why = why or "stdout or stderr could not be flushed"
    if why:
        return why
    os._exit(code)
