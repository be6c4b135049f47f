"""A finished command ends without its heap's teardown only when nothing is left to finish.

(happening/quickexit.py; used at the end of `./inv release` and the bench's release step.)
Each case runs in a fresh interpreter: the quick path ends it with ``os._exit``, which skips the
teardown (an object's ``__del__`` prints nothing) but not the atexit handlers; any other case
returns the reason and the script exits normally.
"""

import subprocess
import sys
import textwrap

import pytest

from conftest import load_script

PRELUDE = """
import atexit, logging, os, sys, threading, subprocess
from happening import quickexit
atexit.register(lambda: print("atexit ran", flush=True))
class Loud:
    def __del__(self):
        print("teardown ran", flush=True)
keep = Loud()
"""


def run(body, tmp_path, code=0):
    script = PRELUDE + textwrap.dedent(body) + f"\nprint('why:', quickexit.end({code}))\n"
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=tmp_path, timeout=60
    )
    return done.returncode, done.stdout


def test_nothing_left_ends_at_once_with_the_code_after_the_atexit_handlers(tmp_path):
    code, out = run(
        """
        with open("done.txt", "w") as f:
            f.write("all of it")
        print("buffered, not yet flushed", end="")
        """,
        tmp_path,
        code=5,
    )
    assert code == 5
    assert out == "buffered, not yet flushedatexit ran\n"  # no teardown, no "why:"
    assert (tmp_path / "done.txt").read_text() == "all of it"


def test_an_open_file_sends_the_exit_the_normal_way_and_keeps_its_bytes(tmp_path):
    code, out = run('left_open = open("half.txt", "w"); left_open.write("x" * 10)', tmp_path)
    assert code == 0
    assert "why: file descriptor(s)" in out and "teardown ran" in out
    assert (tmp_path / "half.txt").read_text() == "x" * 10


def test_a_log_file_is_closed_by_the_atexit_handlers_and_keeps_every_record(tmp_path):
    code, out = run(
        """
        handler = logging.FileHandler("log.txt")
        logging.getLogger("t").addHandler(handler)
        logging.getLogger("t").warning("the last record")
        """,
        tmp_path,
    )
    # The handler's file is open until logging's own atexit handler closes it: checked before
    # the handlers run, so the normal exit (which runs them once) finishes it.
    assert "why: file descriptor(s)" in out
    assert (tmp_path / "log.txt").read_text() == "the last record\n"
    assert code == 0


def test_a_running_thread_sends_the_exit_the_normal_way(tmp_path):
    code, out = run(
        """
        stop = threading.Event()
        waiting = threading.Thread(target=stop.wait)
        waiting.start()
        print("while it runs:", quickexit.unfinished())
        stop.set()
        waiting.join()
        """,
        tmp_path,
    )
    assert "while it runs: a thread is still running" in out
    assert "teardown ran" not in out and code == 0  # joined: then it ends at once


def test_a_thread_told_to_stop_and_not_waited_for_still_lets_it_end_at_once(tmp_path):
    # rich's live display (the release's spinner) stops its refresh thread without joining it:
    # the thread is still alive for a moment, and the exit waits that moment for it.
    code, out = run(
        """
        quickexit.THREAD_GRACE = 60  # as long as it takes here: the test is of the waiting
        stop = threading.Event()
        def refresh():
            while not stop.wait(0.001):
                pass
            sum(range(3_000_000))  # its last work, after it was told to stop
        threading.Thread(target=refresh, daemon=True).start()
        stop.set()
        print("told to stop:", quickexit.unfinished())
        """,
        tmp_path,
    )
    assert "told to stop: a thread is still running" in out
    assert out.endswith("atexit ran\n") and "teardown ran" not in out and "why:" not in out
    assert code == 0


def test_a_thread_that_does_not_end_sends_the_exit_the_normal_way(tmp_path):
    code, out = run(
        """
        quickexit.THREAD_GRACE = 0.01
        never = threading.Event()
        threading.Thread(target=never.wait, daemon=True).start()
        """,
        tmp_path,
    )
    assert "why: a thread is still running" in out and "teardown ran" in out
    assert code == 0


def test_the_release_spinner_lets_it_end_at_once(tmp_path):
    code, out = run(
        """
        import io
        from rich.console import Console
        quickexit.THREAD_GRACE = 60  # as long as it takes here: the test is of rich's thread
        console = Console(file=io.StringIO(), force_terminal=True)
        with console.status("Releasing..."):  # (it shows what is printed meanwhile)
            spinning = threading.active_count() > 1
        print("while it spins:", spinning)
        """,
        tmp_path,
    )
    assert "while it spins: True" in out  # rich's refresh thread ran during the block
    assert "teardown ran" not in out and "why:" not in out and code == 0


def test_a_child_process_sends_the_exit_the_normal_way(tmp_path):
    code, out = run(
        """
        child = subprocess.Popen([sys.executable, "-c", "pass"])
        os.waitid(os.P_PID, child.pid, os.WEXITED | os.WNOWAIT)  # ended, not reaped
        print("asked:", quickexit.unfinished())
        print("still ours to reap:", os.waitpid(child.pid, 0)[0] == child.pid)
        child = subprocess.Popen([sys.executable, "-c", "pass"])
        os.waitid(os.P_PID, child.pid, os.WEXITED | os.WNOWAIT)
        """,
        tmp_path,
    )
    assert "asked: a child process" in out
    assert "still ours to reap: True" in out  # asking reaps nothing
    assert "why: a child process" in out and "teardown ran" in out
    assert code == 0


@pytest.mark.parametrize(
    ("argv", "sole"),
    [
        (["release"], True),
        (["release", "--target", "dir"], True),
        (["release", "--target=dir", "-f", "ping"], True),
        (["release", "--target"], False),  # invoke would fail on it: not ours to end
        (["release", "build"], False),
        (["release", "--target", "dir", "build"], False),
        (["--echo", "release"], False),
        (["build", "release"], False),
        ([], False),
    ],
)
def test_release_ends_the_process_only_when_it_is_the_only_task(argv, sole):
    tasks = load_script("tasks.py")
    assert tasks._sole_task("release", tasks.RELEASE_OPTIONS, argv) is sole
