"""Hugo's side of the bench: find the binary, time a build, serve a site with its livereload.

Hugo is a tool for the bench only (``apt-get install hugo``): nothing else in the project needs
it. When it is missing, :func:`find` returns None and ``bench/run.py`` records null for every
Hugo figure and says "Hugo: not installed" instead. The site it builds is the bench corpus
converted by ``bench/hugo_site.py`` (whose docstring says what Hugo's side does and does not do).
"""

import os
import re
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path

INSTALL_HINT = "apt-get install hugo"
NOT_INSTALLED = f"Hugo: not installed ({INSTALL_HINT})"
SERVER_START_TIMEOUT_S = 300


def find():
    """The ``hugo`` on PATH, or None."""
    return shutil.which("hugo")


def version(binary) -> str:
    """``hugo v0.111.3+extended linux/amd64 ...`` -> ``0.111.3+extended``."""
    done = subprocess.run([binary, "version"], capture_output=True, text=True, check=True)
    match = re.search(r"v(\d+\.\d+\.\d+\S*)", done.stdout)
    return match.group(1) if match else done.stdout.strip()


def build(binary, site: Path, output: Path, cache: Path, *, cold=True) -> dict:
    """One ``hugo`` build of ``site`` into ``output``: wall and CPU seconds, peak memory.

    ``cold``: into an empty output folder with an empty cache that Hugo is also told to ignore,
    as a cold build of ours starts. Otherwise the output and cache of the last build stay (Hugo
    has no incremental build outside its server: it renders every page again). Warnings fail
    the build (``--panicOnWarning``), as a Pelican warning fails ours.
    """
    if cold:
        shutil.rmtree(output, ignore_errors=True)
        shutil.rmtree(cache, ignore_errors=True)
    cmd = [binary, "--quiet", "--panicOnWarning", "--source", str(site)]
    cmd += ["--destination", str(output), "--cacheDir", str(cache)]
    cmd += ["--ignoreCache"] if cold else []
    with tempfile.TemporaryFile() as log:
        start = time.perf_counter()
        process = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
        # wait4: this one process's CPU time and peak memory, as child.py reports ours.
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            log.seek(0)
            text = log.read().decode("utf-8", "replace")
            raise SystemExit(f"bench: the Hugo build of {site} failed:\n{text}")
    return {
        "wall_s": wall,
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "maxrss_kb": usage.ru_maxrss,
    }


def _free_port() -> int:
    """A port free on 127.0.0.1 now (Hugo prints "port 0" literally rather than pick one)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """A running ``hugo server``: its address and what it printed, read as it prints it."""

    def __init__(self, process):
        self.process = process
        self.base = None
        self.lines: list[str] = []
        self.changed = threading.Condition()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for line in self.process.stdout:
            with self.changed:
                self.lines.append(line)
                found = re.search(r"Web Server is available at (http://127\.0\.0\.1:\d+)/", line)
                self.base = self.base or (found.group(1) if found else None)
                self.changed.notify_all()
        with self.changed:
            self.lines.append(None)  # Hugo's output closed: it exited.
            self.changed.notify_all()

    def rebuilds(self) -> list[float]:
        """The seconds of each rebuild since it started ("Total in N ms")."""
        with self.changed:
            found = (re.search(r"Total in (\d+(?:\.\d+)?) ms", x or "") for x in self.lines)
            return [float(m.group(1)) / 1000 for m in found if m]

    def wait(self, predicate, timeout, what):
        """Block until ``predicate(self)`` holds (woken by each line Hugo prints)."""
        with self.changed:
            if not self.changed.wait_for(
                lambda: predicate(self) or None in self.lines, timeout=timeout
            ):
                raise SystemExit(f"bench: hugo server never {what}:\n{self.said()}")
            if None in self.lines:
                raise SystemExit(f"bench: hugo server exited:\n{self.said()}")

    def idle(self) -> bool:
        """Every change Hugo detected has been rebuilt."""
        changes = sum("Change detected" in (x or "") for x in self.lines)
        return changes == sum("Total in" in (x or "") for x in self.lines)

    def said(self) -> str:
        return "".join(x for x in self.lines if x)


@contextmanager
def serve(binary, site: Path, cache: Path):
    """``hugo server`` on 127.0.0.1 as a writer runs it (livereload, fast render, pages in
    memory); yields the :class:`Server` once Hugo prints the address it serves.
    """
    cmd = [binary, "server", "--source", str(site), "--cacheDir", str(cache)]
    cmd += ["--bind", "127.0.0.1", "--port", str(_free_port()), "--baseURL", "http://127.0.0.1/"]
    process = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        server = Server(process)
        server.wait(lambda s: s.base, SERVER_START_TIMEOUT_S, "said it was ready")
        yield server
    finally:
        process.terminate()
        process.wait(timeout=60)
