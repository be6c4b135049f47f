"""The plain `pelican` command loads the project exactly as `./inv` does, with nothing set up.

Pelican users run `pelican content -s pelicanconf.py` or `pelican --autoreload --listen`; it must
load every one of our plugins with no environment variable set and write the same files as
`./inv build` and `./inv preview`. The command runs in a subprocess with a bare environment (no
PYTHONPATH, nothing of this test process), from the project folder, like a person at a shell.
"""

import filecmp
import os
import queue
import shutil
import signal
import socket
import subprocess
import sys
import threading
import urllib.request
from pathlib import Path

import pytest

from conftest import ROOT, TEST_SITE, build_into, how_pictures_differ
from happening.build import PROD_SETTINGS

PELICAN = Path(sys.executable).with_name("pelican")
WAIT = 120  # seconds: the most a build may take before the test gives up (never slept).


def bare_env(home: Path) -> dict:
    """What a fresh shell has: a PATH with the virtualenv first, a HOME, a locale; nothing more."""
    return {"PATH": f"{PELICAN.parent}:/usr/bin:/bin", "HOME": str(home), "LANG": "C.UTF-8"}


def pelican(tmp_path, *args) -> subprocess.CompletedProcess:
    done = subprocess.run(
        [str(PELICAN), *map(str, args)],
        cwd=ROOT,
        env=bare_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=WAIT,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def differences(a: Path, b: Path) -> list[str]:
    """Every file only in one tree or different between them, as relative paths."""
    found = []

    def walk(cmp, here=""):
        found.extend(f"{here}{n} (only in {cmp.left})" for n in cmp.left_only)
        found.extend(f"{here}{n} (only in {cmp.right})" for n in cmp.right_only)
        _, mismatch, errors = filecmp.cmpfiles(cmp.left, cmp.right, cmp.common_files, shallow=False)
        found.extend(f"{here}{n} (differs{_how(cmp, n)})" for n in [*mismatch, *errors])
        for name, sub in cmp.subdirs.items():
            walk(sub, f"{here}{name}/")

    walk(filecmp.dircmp(a, b))
    return found


def _how(cmp, name):
    """For a picture, how it differs (a card seen differing once in CI, with no more said)."""
    if not name.endswith(".png"):
        return ""
    try:
        left, right = (Path(folder, name).read_bytes() for folder in (cmp.left, cmp.right))
    except OSError:
        return ""  # filecmp could not read it either: its name says enough
    return f": {how_pictures_differ(left, right)}"


def no_plugin_trouble(done: subprocess.CompletedProcess):
    said = done.stdout + done.stderr
    for sign in ("Cannot load plugin", "CRITICAL", "Traceback", "ERROR"):
        assert sign not in said, said


@pytest.mark.parametrize(
    ("settings", "task_settings"),
    [("pelicanconf.py", None), ("publishconf.py", PROD_SETTINGS)],
    ids=["build", "preview"],
)
def test_plain_pelican_writes_what_the_tasks_write(tmp_path, settings, task_settings):
    cli, ours = tmp_path / "cli", tmp_path / "ours"
    done = pelican(
        tmp_path, TEST_SITE, "-s", settings, "-o", cli, "--cache-path", tmp_path / "cli-cache"
    )
    no_plugin_trouble(done)
    # `./inv build` and `./inv preview` run happening.build.build with the same settings file.
    build_into(ours, TEST_SITE, **({"settings": task_settings} if task_settings else {}))
    # The plugins ran: feeds, robots.txt (and, with an absolute SITEURL, sitemap.xml), favicon.
    expected = ["feeds/all.atom.xml", "feeds/feed.json", "robots.txt", "favicon.ico"]
    for path in [*expected, *(["sitemap.xml"] if task_settings else [])]:
        assert (cli / path).is_file(), path
    assert differences(cli, ours) == []


def test_a_namespace_plugin_of_the_same_name_cannot_take_our_place(tmp_path):
    """pelican-sitemap installs pelican.plugins.sitemap; Pelican prefers such plugins by name."""
    installed = tmp_path / "site-packages"
    fake = installed / "pelican" / "plugins" / "sitemap"
    fake.mkdir(parents=True)
    # A namespace package, as pelican-sitemap ships it: no __init__.py in pelican/ or plugins/.
    (fake / "__init__.py").write_text(
        "from pelican import signals\n"
        "def mark(pelican):\n"
        "    open(pelican.settings['OUTPUT_PATH'] + '/IMPOSTOR', 'w').close()\n"
        "def register():\n"
        "    signals.finalized.connect(mark)\n"
    )
    env = {**bare_env(tmp_path), "PYTHONPATH": str(installed)}  # How pip would make it importable.
    probe = subprocess.run(
        [sys.executable, "-c", "from pelican.plugins._utils import get_namespace_plugins as g; "
         "print(sorted(g()))"],
        env=env, capture_output=True, text=True, cwd=ROOT, check=True,
    )  # fmt: skip
    assert "pelican.plugins.sitemap" in probe.stdout  # Pelican does see the impostor.
    out = tmp_path / "out"
    done = subprocess.run(
        [
            str(PELICAN),
            str(TEST_SITE),
            "-s",
            "pelicanconf.py",
            "-o",
            str(out),
            "--cache-path",
            str(tmp_path / "cache"),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=WAIT,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    no_plugin_trouble(done)
    assert not (out / "IMPOSTOR").exists()
    # Ours ran: it writes robots.txt in every build (pelican-sitemap never does).
    assert "User-agent: *" in (out / "robots.txt").read_text()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Running:
    """A process whose output lines arrive on a queue, so a test can wait for one (no sleeps)."""

    def __init__(self, args, **kwargs):
        # A session of its own: `--listen` serves from a child process, which must end too.
        self.process = subprocess.Popen(
            args,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
            **kwargs,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.process.stdout:
            self.lines.put(line)

    def wait_for(self, *texts: str, timeout: float = WAIT) -> bool:
        """Read lines until each of ``texts`` has appeared (in any order); False on time-out."""
        missing = set(texts)
        while missing:
            try:
                line = self.lines.get(timeout=timeout)
            except queue.Empty:
                return False
            self.seen.append(line)
            assert "Cannot load plugin" not in line and "Traceback" not in line, self.output
            missing = {text for text in missing if text not in line}
        return True

    @property
    def output(self) -> str:
        return "".join(self.seen)

    def stop(self):
        os.killpg(self.process.pid, signal.SIGTERM)  # Pelican and its server process alike.
        self.process.wait(timeout=WAIT)


def test_pelican_autoreload_listen_builds_serves_and_rebuilds(tmp_path):
    content, out, port = tmp_path / "content", tmp_path / "out", free_port()
    shutil.copytree(TEST_SITE, content)
    run = Running(
        [str(PELICAN), str(content), "-s", "pelicanconf.py", "-o", str(out), "--autoreload",
         "--listen", "-b", "127.0.0.1", "-p", str(port), "--cache-path", str(tmp_path / "cache")],
        cwd=ROOT, env=bare_env(tmp_path),
    )  # fmt: skip
    try:
        # The server and the first build run side by side; both say when they are ready.
        assert run.wait_for("Done: Processed", "Serving site at"), run.output
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/feeds/all.atom.xml") as answer:
            assert b"<entry>" in answer.read()  # The feeds plugin loaded and wrote the feed.
        # Its first build is what `./inv build` writes (`./inv livereload` serves the same).
        build_into(tmp_path / "ours", content)
        assert differences(out, tmp_path / "ours") == []
        # Pelican starts watching only after its first build has printed "Done"; an edit made
        # before then goes unseen, so edit again until it reports the change (bounded).
        post, text = content / "posts" / "first.md", (content / "posts" / "first.md").read_text()
        for attempt in range(20):
            post.write_text(text.replace("Title: First light", f"Title: First lamp {attempt}"))
            if run.wait_for("-> Modified", timeout=2):
                break
        assert run.wait_for("Done: Processed"), run.output
        page = (out / "posts" / "first-light" / "index.html").read_text()
        assert "First lamp" in page
    finally:
        run.stop()
