"""The benchmarks run from a clean checkout; they print figures and never judge a timing."""

import json
import subprocess
import sys

import pytest

from conftest import ROOT, load_script

pytestmark = pytest.mark.bench  # `./inv test --quick` leaves these out.


corpus = load_script("bench/corpus.py")  # bench/ is a folder of scripts, not a package


def test_the_corpus_is_the_same_every_time(tmp_path):
    a, b = corpus.generate(4, tmp_path / "a"), corpus.generate(4, tmp_path / "b")
    files = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file())
    assert all((a / f).read_bytes() == (b / f).read_bytes() for f in files)
    post = (a / "posts" / "post-00003.md").read_text("utf-8")
    for key in ("Title:", "Slug: post-00003", "Date:", "Category:", "Tags:", "Summary:"):
        assert key in post
    assert 800 <= len(post.split("\n\n", 1)[1].split()) <= 3000
    assert (a / "images" / "figure-00.png").read_bytes().startswith(b"\x89PNG")


def test_quick_benchmark_runs_and_reports_every_figure(tmp_path):
    # Builds are strict: a Pelican warning on either side would fail the run.
    out = tmp_path / "figures.json"
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--quick", "--json", str(out)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    print(done.stdout)
    assert done.returncode == 0, done.stderr
    figures = json.loads(out.read_text())
    full, rebuild = figures["full_50"], figures["rebuild_50"]
    for row in (full, rebuild):
        assert row["bare_s"] > 0 and row["ours_s"] > 0 and row["ratio"] > 0
    assert rebuild["identical_to_full_build"], rebuild["differing_files"]
    assert figures["memory_50"]["bare_mb"] > 0 and figures["memory_50"]["ours_mb"] > 0
    assert figures["bytes_50"]["bare"] > 0 and figures["bytes_50"]["ours"] > 0
    assert figures["email_render"]["ms"] > 0
    send = figures["email_send"]  # bench/smtp_child.py checked every recipient got one message
    assert send["messages/s"] > 0 and send["peak MB"] >= send["peak MB before SMTP"] > 0
    assert "messages/s" in done.stdout
    assert figures["machine"]["nproc"] >= 1
    assert "| full build, 50 posts" in done.stdout
    # The writer's loops: release one new post (byte-identical to a cold build) and check.
    released, checked = figures["release_50"], figures["check_50"]
    assert released["identical_to_cold_build"], released["differing_files"]
    assert released["release_s"] > 0 and released["ratio_to_cold"] > 0
    assert checked["cold_s"] > 0 and checked["warm_s"] > 0 and checked["pages"] > 0
    assert "| release one new post" in done.stdout and "| `check --production`" in done.stdout
