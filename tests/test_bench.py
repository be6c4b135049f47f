"""The benchmarks run from a clean checkout; they print figures and never judge a timing."""

import json
import shutil
import subprocess
import sys

import pytest

from conftest import ROOT, load_script

corpus = load_script("bench/corpus.py")  # bench/ is a folder of scripts, not a package
hugo_site = load_script("bench/hugo_site.py")


@pytest.fixture
def bench_run(monkeypatch):
    """bench/run.py as a module: it imports its sibling scripts by name, as Python run on it
    does (its folder first on sys.path)."""
    monkeypatch.syspath_prepend(str(ROOT / "bench"))
    return load_script("bench/run.py")


def _front_matter(text):
    """The JSON front matter of a converted post and the body after it."""
    matter, _, body = text.partition("\n}\n")
    return json.loads(matter + "}"), body


# -- Hugo's side, without Hugo: the conversion and the "not installed" path ----------------------
def test_the_corpus_becomes_a_hugo_site_at_our_addresses(tmp_path):
    source = corpus.generate(8, tmp_path / "corpus")
    site = hugo_site.convert(source, tmp_path / "site")
    config = (site / "config.toml").read_text("utf-8")
    for line in (
        'posts = "/posts/:slug/"',
        'tag = "/tag/:slug/"',
        'category = "/category/:slug/"',
        "paginate = 10",
        'paginatePath = "page"',
        'home = ["HTML", "RSS"]',
        'term = ["HTML", "RSS"]',
    ):
        assert line in config
    posts = sorted((site / "content" / "posts").glob("*.md"))
    assert [p.name for p in posts] == [p.name for p in sorted((source / "posts").glob("*.md"))]

    matter, body = _front_matter((site / "content" / "posts" / "post-00003.md").read_text())
    pelican = (source / "posts" / "post-00003.md").read_text("utf-8").split("\n\n", 1)[0]
    meta = dict(line.split(": ", 1) for line in pelican.splitlines())
    assert matter["title"] == meta["Title"] and matter["slug"] == "post-00003"
    assert matter["date"] == meta["Date"].replace(" ", "T") + ":00Z"  # RFC 3339, in UTC
    assert matter["category"] == [meta["Category"]]
    assert matter["tag"] == meta["Tags"].split(", ")
    assert matter["summary"] == meta["Summary"]
    assert "Follows" not in matter and body.lstrip().startswith("## ")

    bodies = "".join(p.read_text("utf-8") for p in posts)
    assert "{filename}" not in bodies and "{static}" not in bodies
    links = [part.split('"', 1)[0] for part in bodies.split('{{< ref "')[1:]]
    assert links, "the corpus links posts to earlier ones: some links should have converted"
    assert all((site / "content" / link.lstrip("/")).is_file() for link in links)
    images = [part.split(")", 1)[0] for part in bodies.split("](/images/")[1:]]
    assert images and all((site / "static" / "images" / name).is_file() for name in images)

    about, about_body = _front_matter((site / "content" / "about.md").read_text("utf-8"))
    assert about == {"title": "About", "slug": "about"}
    assert "A synthetic blog" in about_body
    archives, _ = _front_matter((site / "content" / "archives.md").read_text("utf-8") + "\n")
    assert archives["url"] == "/archives/"
    for layout in ("index.html", "_default/single.html", "_default/term.html"):
        assert (site / "layouts" / layout).is_file()
    for layout in ("_default/taxonomy.html", "_default/rss.xml", "_default/archives.html"):
        assert (site / "layouts" / layout).is_file()
    rss = (site / "layouts" / "_default" / "rss.xml").read_text("utf-8")
    assert ".Content" in rss  # Full posts in the feeds, as ours.


def test_an_edited_post_is_converted_again(tmp_path):
    source = corpus.generate(3, tmp_path / "corpus")
    site = hugo_site.convert(source, tmp_path / "site")
    post = source / "posts" / "post-00001.md"
    post.write_text(post.read_text("utf-8") + "\nOne more thought.\n", "utf-8")
    hugo_site.convert_post(site, post)
    assert (
        (site / "content" / "posts" / post.name).read_text("utf-8").endswith("One more thought.\n")
    )


def test_a_bad_metadata_line_names_the_file_and_line():
    with pytest.raises(SystemExit) as stop:
        hugo_site.hugo_source("Title: A post\nno colon here\n\nBody.\n", "posts/bad.md")
    assert str(stop.value) == (
        "bench: posts/bad.md:2: not a 'Key: value' metadata line: 'no colon here'"
    )


def test_without_hugo_the_bench_says_so_and_records_null(bench_run, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # A PATH with no hugo on it.
    assert bench_run.hugo.find() is None
    assert bench_run.with_hugo(bench_run.hugo.find()) == ("bare", "ours")
    full = {"posts": 50, "runs": 1, "bare_s": 2.0, "ours_s": 1.0, "ratio": 0.5, "hugo_s": None}
    results = {"hugo": None, "full_50": full}
    summary = bench_run.loops_summary(results)
    assert "- Hugo: not installed (apt-get install hugo)" in summary
    assert "ours/Hugo" not in summary
    row = bench_run.table(results).splitlines()[2]
    assert row.startswith("| full build, 50 posts") and row.endswith("| 0.50 | - | - |")


def test_with_hugo_the_rows_and_loops_carry_ours_over_hugo(bench_run):
    full = {"posts": 50, "runs": 1, "bare_s": 2.0, "ours_s": 1.0, "ratio": 0.5}
    full.update(hugo_s=0.25, ratio_hugo=4.0)
    save = {"posts": 50, "edits": 3, "hows": ["hot"] * 3, "rss_mb": [80, 81], "saves": 5}
    save.update(identical_to_full_build=True, bare_rebuild_s=3.0, median_s=0.6, ratio=0.2)
    save["hugo"] = {"median_s": 0.3, "ratio": 2.0}
    results = {"hugo": {"binary": "/usr/bin/hugo", "version": "0.111.3"}, "full_50": full}
    results["save_to_page_50"] = save
    full_row, save_row = bench_run.table(results).splitlines()[2:4]
    assert full_row.endswith("| 0.50 | 0.25 s | 4.00 |")
    assert save_row.startswith("| save -> page") and save_row.endswith("| 0.30 s | 2.00 |")
    summary = bench_run.loops_summary(results)
    assert "Hugo 0.25 s, ours/Hugo 4.00" in summary and "- Hugo 0.111.3: timed" in summary
    assert "`hugo server` 0.30 s, ours/Hugo 2.00" in summary


def test_results_md_names_hugo_or_its_absence_and_keeps_the_notes(bench_run, tmp_path):
    page = tmp_path / "RESULTS.md"
    page.write_text(f"old figures\n{bench_run.NOTES}\nThe integrator's notes.\n", "utf-8")
    machine = {"nproc": 2, "cpu": "x", "python": "3.11", "pelican": "4.12", "date": "today"}
    results = {"hugo": None, "machine": machine, "command": "python bench/run.py --quick"}
    bench_run.write_results(results, page)
    text = page.read_text("utf-8")
    assert "old figures" not in text and text.endswith("\nThe integrator's notes.\n")
    assert "Pelican 4.12, Hugo: not installed (apt-get install hugo)" in text
    results["hugo"] = {"binary": "/usr/bin/hugo", "version": "0.111.3"}
    bench_run.write_results(results, page)
    assert "Pelican 4.12, Hugo 0.111.3" in page.read_text("utf-8")


def test_the_sides_alternate_so_noise_falls_on_each(bench_run):
    assert bench_run.alternate(3, ("bare", "ours", "hugo")) == [
        ("bare", "ours", "hugo"),
        ("hugo", "ours", "bare"),
        ("bare", "ours", "hugo"),
    ]
    assert bench_run.alternate(2) == [("bare", "ours"), ("ours", "bare")]


# -- The benchmarks themselves --------------------------------------------------------------------


@pytest.mark.bench  # `./inv test --quick` leaves these out.
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


@pytest.mark.bench
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
    assert released["slow_exits"] == []  # every release ended at once, as `./inv release` does
    assert checked["cold_s"] > 0 and checked["warm_s"] > 0 and checked["pages"] > 0
    assert "| release one new post" in done.stdout and "| `check --production`" in done.stdout
    # Hugo's side: timed where it is installed, an explicit null and a line saying so where not.
    if shutil.which("hugo"):
        assert figures["hugo"]["version"] and "ours/Hugo" in done.stdout
        assert full["hugo_s"] > 0 and full["ratio_hugo"] > 0 and rebuild["hugo_s"] > 0
        assert full["hugo_pages_differ"] == []  # Hugo wrote every post and listing page ours did
        assert figures["memory_50"]["hugo_mb"] > 0 and figures["bytes_50"]["hugo"] > 0
        assert figures["save_to_page_50"]["hugo"]["median_s"] > 0
    else:
        assert (
            figures["hugo"] is None and "Hugo: not installed (apt-get install hugo)" in done.stdout
        )
        assert full["hugo_s"] is None and rebuild["hugo_s"] is None
        assert figures["save_to_page_50"]["hugo"] is None


@pytest.mark.bench
def test_the_timeline_marks_every_phase_of_a_release_in_order(tmp_path):
    content = corpus.generate(12, tmp_path / "content")
    step = [str(ROOT / "publishconf.py"), str(content), str(tmp_path / "out")]
    step += [str(tmp_path / "cache"), "--do", "release", "--work", str(tmp_path), "--listeners"]
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "timeline.py"), *step],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    labels = [line.split(maxsplit=1)[1] for line in done.stderr.splitlines() if line[:1] == " "]
    phases = ["imports end", "build starts", "signal initialized", "signal get_writer"]
    phases += ["signal finalized", "build ends", "check starts", "the pages check starts"]
    phases += ["check ends", "deploy starts", "deploy ends", "newsletter starts", "step ends"]
    marked = [label for label in labels if label in phases]
    assert marked == phases, done.stderr  # each once, in the order a release runs them
    assert "child _write_all_noting_signals" in done.stderr  # the feeds' writer, forked
    # --listeners: a listener that took a millisecond or more, between its signal and the next
    # (a cold release draws its twelve cards, which socialcards' finalized listener waits for).
    drawn = "finalized listener happening.plugins.socialcards.plugin.write: "
    at = next(i for i, label in enumerate(labels) if label.startswith(drawn))
    assert labels.index("signal finalized") < at < labels.index("build ends"), done.stderr
    assert done.stderr.rstrip().endswith("quick exit: yes")
