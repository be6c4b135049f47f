"""Build, rebuild and send cost of our blog against bare Pelican 4.12, on one synthetic corpus.

    python bench/run.py            # the full run (about 10-15 minutes on 2 cores)
    python bench/run.py --quick    # a small version in under a minute

Every build runs in a fresh process (``bench/child.py``); the two sides alternate (A B, then
B A, ...) so that noise from a shared machine falls on both, and each figure is the median of its
runs with the ratio ours/bare taken from the same run. Side A is bare Pelican with its default
theme and the quickstart's production feeds plus per-tag Atom (``bench/bare/pelicanconf.py``);
side B is ours: ``publishconf.py`` with our theme and plugins, only PATH/OUTPUT_PATH changed.
When ``hugo`` is installed (``apt-get install hugo``; the bench's only use of it), side C is Hugo
on the same corpus converted by ``bench/hugo_site.py``, in the same alternation, for the cold
build, the rebuild after one edit and save -> page; with no Hugo every Hugo figure is null and
the summary says "Hugo: not installed".
"""

import argparse
import compileall
import filecmp
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import corpus  # bench/ is this script's folder, so Python finds it first
import hugo
import hugo_site
import save_to_page

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


SIDES = {"bare": HERE / "bare" / "pelicanconf.py", "ours": ROOT / "publishconf.py"}
FULL = {"100": 5, "1000": 5, "5000": 2}
QUICK = {"50": 2}
EMAIL_RECIPIENTS = 1000
EMAIL_COLLECT = 1000  # The corpus on which the newsletter's collection build is also timed.


# -- Builds ---------------------------------------------------------------------------------------
def child_build(side, content, output, cache, *, cache_on=False, extra=()):
    """One build (or ``extra``: another step) in a fresh process: wall seconds and its report."""
    cmd = [sys.executable, str(HERE / "child.py"), str(SIDES[side]), str(content)]
    cmd += [str(output), str(cache)] + (["--cache-on"] if cache_on else []) + list(extra)
    start = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"bench: the {side} build failed:\n{done.stdout}\n{done.stderr}")
    report = json.loads(done.stdout.strip().splitlines()[-1])
    report["wall_s"] = wall
    return report


def alternate(runs, sides=("bare", "ours")):
    """The side order for each run: A B (C), then the reverse, then A B (C) again, ..."""
    sides = tuple(sides)
    return [sides if r % 2 == 0 else sides[::-1] for r in range(runs)]


def with_hugo(binary):
    """The sides of a run: bare Pelican and ours, and Hugo when it is installed."""
    return ("bare", "ours", "hugo") if binary else ("bare", "ours")


def hugo_build(binary, site, output, cache, *, cold=True):
    """Hugo's build, with the fields :func:`child_build` reports for the Pelican sides."""
    report = hugo.build(binary, site, output, cache, cold=cold)
    report["worker_maxrss_kb"] = 0  # One process: Hugo's parallelism is threads.
    return report


def _ratio_or_none(tops, bottoms):
    return _median_ratio(tops, bottoms) if bottoms else None


def _median_or_none(values):
    return statistics.median(values) if values else None


def tree_bytes(path):
    return sum(p.stat().st_size for p in Path(path).rglob("*") if p.is_file())


def same_tree(a, b):
    """The relative paths that differ between two output trees (missing, extra or changed)."""
    a, b = Path(a), Path(b)
    left = {p.relative_to(a) for p in a.rglob("*") if p.is_file()}
    right = {p.relative_to(b) for p in b.rglob("*") if p.is_file()}
    differ = sorted(str(p) for p in left ^ right)
    for rel in sorted(left & right):
        if not filecmp.cmp(a / rel, b / rel, shallow=False):
            differ.append(
                f"{rel} ({_pixels(a / rel, b / rel)})" if rel.suffix == ".png" else str(rel)
            )
    return differ


def _pixels(a, b):
    """Whether two differing PNG files decode to the same picture: an encoder's bytes or a
    drawing's difference (the card flake in RESULTS.md's eleventh round was the first)."""
    from PIL import Image

    def decoded(path):
        with Image.open(path) as image:
            return image.mode, image.size, image.getpalette(), image.tobytes()

    try:
        return "the same pixels" if decoded(a) == decoded(b) else "other pixels"
    except OSError as exc:
        return f"not both pictures: {exc}"


def full_builds(work, n, runs, results, binary=None):
    content = work / f"corpus-{n}"
    if not content.exists():
        corpus.generate(n, content)
    sides = with_hugo(binary)
    site = hugo_site.convert(content, work / f"hugo-site-{n}") if binary else None
    times, cpu = {side: [] for side in sides}, {side: [] for side in sides}
    memory, worker_memory = {side: [] for side in sides}, {side: [] for side in sides}
    ratios, size = [], {}
    for order in alternate(runs, sides):
        this_run = {}
        for side in order:
            out = work / f"out-{side}-{n}"
            shutil.rmtree(out, ignore_errors=True)
            if side == "hugo":
                report = hugo_build(binary, site, out, work / f"cache-hugo-{n}-full")
            else:
                report = child_build(side, content, out, work / f"cache-{side}-{n}-full")
            this_run[side] = report["wall_s"]
            times[side].append(report["wall_s"])
            cpu[side].append(report["cpu_s"])
            memory[side].append(report["maxrss_kb"])
            worker_memory[side].append(report["worker_maxrss_kb"])
            size[side] = tree_bytes(out)
        ratios.append(this_run["ours"] / this_run["bare"])
        hugo_part = f", Hugo {this_run['hugo']:.2f}s (CPU {cpu['hugo'][-1]:.1f}s)" if binary else ""
        print(
            f"  full build, {n} posts: bare {this_run['bare']:.2f}s, ours {this_run['ours']:.2f}s"
            f"{hugo_part} (CPU: bare {cpu['bare'][-1]:.1f}s, ours {cpu['ours'][-1]:.1f}s; load "
            f"average {os.getloadavg()[0]:.1f})"
        )
    hugo_s = times.get("hugo", [])
    results[f"full_{n}"] = {
        "posts": n,
        "runs": runs,
        "bare_s": statistics.median(times["bare"]),
        "ours_s": statistics.median(times["ours"]),
        "ratio": statistics.median(ratios),
        # The work done, which a loaded machine changes much less than the wall time.
        "bare_cpu_s": statistics.median(cpu["bare"]),
        "ours_cpu_s": statistics.median(cpu["ours"]),
        # Hugo's side: null when Hugo is not installed.
        "hugo_s": _median_or_none(hugo_s),
        "hugo_cpu_s": _median_or_none(cpu.get("hugo", [])),
        "ratio_hugo": _ratio_or_none(times["ours"], hugo_s),
        "ratio_hugo_cpu": _ratio_or_none(cpu["ours"], cpu.get("hugo", [])),
        # The pages both write at the same addresses (posts, tags, categories, pagination).
        "hugo_pages_differ": same_pages(work / f"out-ours-{n}", work / f"out-hugo-{n}")
        if binary
        else None,
    }
    results[f"memory_{n}"] = {
        "bare_mb": max(memory["bare"]) / 1024,
        "ours_mb": max(memory["ours"]) / 1024,
        "ours_worker_mb": max(worker_memory["ours"]) / 1024,
        "ratio": max(memory["ours"]) / max(memory["bare"]),
        "hugo_mb": max(memory["hugo"]) / 1024 if binary else None,
        "ratio_hugo": max(memory["ours"]) / max(memory["hugo"]) if binary else None,
    }
    results[f"bytes_{n}"] = {
        "bare": size["bare"],
        "ours": size["ours"],
        "ratio": size["ours"] / size["bare"],
        "hugo": size.get("hugo"),
        "ratio_hugo": size["ours"] / size["hugo"] if binary else None,
    }


# The listing and post pages Hugo's side writes at our addresses (bench/hugo_site.py).
SHARED_PAGES = ("posts/*/index.html", "tag/*/index.html", "category/*/index.html")
SHARED_PAGES += ("page/*/index.html", "tag/*/page/*/index.html", "category/*/page/*/index.html")


def same_pages(ours, theirs):
    """Ours' pages among :data:`SHARED_PAGES` that Hugo's output lacks, and the reverse (Hugo
    writes page 1 of each listing twice, as the listing and as ``page/1/``: not counted)."""
    ours, theirs = Path(ours), Path(theirs)

    def pages(root):
        found = {str(p.relative_to(root)) for pattern in SHARED_PAGES for p in root.glob(pattern)}
        return {path for path in found if "page/1/" not in path}

    return sorted(pages(ours) ^ pages(theirs))[:10]


def edit(post, run):
    """Change one post's body the way a writer does: a sentence added at the end."""
    text = post.read_text(encoding="utf-8")
    post.write_text(text + f"\nOne more thought, the {run + 1}th edit.\n", encoding="utf-8")


def rebuilds(work, n, runs, results, binary=None):
    """Edit one post, rebuild with the cache on; check ours against a full build of the same.

    Hugo's side rebuilds into its last output with its cache: outside ``hugo server`` that is
    all Hugo has (it renders every page again), and what a writer running ``hugo`` waits for.
    """
    content = work / f"corpus-{n}-edited"
    shutil.rmtree(content, ignore_errors=True)
    shutil.copytree(work / f"corpus-{n}", content)
    post = sorted((content / "posts").glob("*.md"))[n // 2]
    sides = with_hugo(binary)
    for side in sides:  # Prime: a build that fills the cache and the output folder.
        shutil.rmtree(work / f"rebuild-{side}", ignore_errors=True)
        rebuild_out = work / f"rebuild-{side}" / "output"
        if side == "hugo":
            site = hugo_site.convert(content, work / "rebuild-hugo" / "site")
            hugo_build(binary, site, rebuild_out, work / "rebuild-hugo" / "cache")
            continue
        child_build(side, content, rebuild_out, work / f"rebuild-{side}" / "cache", cache_on=True)
    times, ratios = {side: [] for side in sides}, []
    for run, order in enumerate(alternate(runs, sides)):
        edit(post, run)
        if binary:  # The same edit in Hugo's copy of the post (not timed: it is not Hugo's work).
            hugo_site.convert_post(site, post)
        this_run = {}
        for side in order:
            rebuild_out = work / f"rebuild-{side}" / "output"
            cache = work / f"rebuild-{side}" / "cache"
            if side == "hugo":
                report = hugo_build(binary, site, rebuild_out, cache, cold=False)
            else:
                report = child_build(side, content, rebuild_out, cache, cache_on=True)
            this_run[side] = report["wall_s"]
            times[side].append(report["wall_s"])
        ratios.append(this_run["ours"] / this_run["bare"])
        hugo_part = f", Hugo {this_run['hugo']:.2f}s" if binary else ""
        print(
            f"  rebuild, {n} posts: bare {this_run['bare']:.2f}s, ours {this_run['ours']:.2f}s"
            f"{hugo_part}"
        )
    fresh = work / "rebuild-check"
    shutil.rmtree(fresh, ignore_errors=True)
    child_build("ours", content, fresh, work / "rebuild-check-cache")
    differ = same_tree(work / "rebuild-ours" / "output", fresh)
    results[f"rebuild_{n}"] = {
        "posts": n,
        "runs": runs,
        "bare_s": statistics.median(times["bare"]),
        "ours_s": statistics.median(times["ours"]),
        "ratio": statistics.median(ratios),
        "identical_to_full_build": not differ,
        "differing_files": differ[:10],
        "hugo_s": _median_or_none(times.get("hugo", [])),
        "ratio_hugo": _ratio_or_none(times["ours"], times.get("hugo", [])),
    }


# -- The loops a writer waits for: release one new post, check ------------------------------------
NEW_POST = """Title: A new post, number {run}
Slug: new-post-{run}
Date: 2026-01-{day:02d} 09:00
Category: Technology
Tags: Python
Summary: Written after the last release.

{body}
"""


def add_post(content, run):
    """A new post, as a writer adds one between two releases."""
    body = "A paragraph of the new post, long enough to be a page of its own. " * 60
    post = content / "posts" / f"new-post-{run:03d}.md"
    post.write_text(NEW_POST.format(run=run, day=run % 28 + 1, body=body), encoding="utf-8")


def release_loop(work, n, runs, results, binary=None):
    """``release --target dir`` after one new post against a cold build of the same content.

    Primed by one release (the first is cold); then each run adds a post, runs bare Pelican's
    and our cold build (alternating), then the release that reuses the last one. The release's
    output is compared with the last cold build's, file by file. Hugo, where installed, builds
    the same content too: it reuses nothing between builds, so its build is what its release
    waits for (before the upload, which it leaves to other tools).
    """
    base = work / f"release-{n}"
    shutil.rmtree(base, ignore_errors=True)
    content = base / "content"
    shutil.copytree(work / f"corpus-{n}", content)
    out, cache, cold_out = base / "output", base / "cache", base / "cold"
    release = ["--do", "release", "--work", str(base)]
    child_build("ours", content, out, cache, extra=release)  # prime: the cold first release
    sides = with_hugo(binary)
    site = hugo_site.convert(content, base / "hugo-site") if binary else None
    times, ratios, bare_ratios = {side: [] for side in (*sides, "release")}, [], []
    memory, unfinished = [], []
    for run, order in enumerate(alternate(runs, sides)):
        add_post(content, run)
        if binary:
            hugo_site.convert_post(site, content / "posts" / f"new-post-{run:03d}.md")
        this_run = {}
        for side in order:
            if side == "hugo":
                report = hugo_build(binary, site, base / "hugo-out", base / "hugo-cache")
                this_run[side] = report["wall_s"]
                continue
            shutil.rmtree(cold_out, ignore_errors=True)
            report = child_build(side, content, cold_out, base / f"cold-cache-{side}")
            this_run[side] = report["wall_s"]
        report = child_build("ours", content, out, cache, extra=release)
        this_run["release"] = report["wall_s"]
        memory.append(report["maxrss_kb"])
        unfinished.append(report["unfinished"])
        for key, value in this_run.items():
            times[key].append(value)
        ratios.append(this_run["release"] / this_run["ours"])
        bare_ratios.append(this_run["release"] / this_run["bare"])
        hugo_part = f", Hugo {this_run['hugo']:.2f}s" if binary else ""
        print(
            f"  release one post, {n} posts: {this_run['release']:.2f}s; cold build: ours "
            f"{this_run['ours']:.2f}s, bare {this_run['bare']:.2f}s{hugo_part}"
        )
    last_pelican = [side for side in order if side != "hugo"][-1]
    differ = same_tree(out, cold_out) if last_pelican == "ours" else None
    if differ is None:  # the last cold build was bare's: build ours once more to compare
        shutil.rmtree(cold_out, ignore_errors=True)
        child_build("ours", content, cold_out, base / "cold-cache-ours")
        differ = same_tree(out, cold_out)
    # A release also indexes the site for search (Pagefind); the cold builds it is timed against
    # do not, so its index is the one difference allowed.
    differ = [path for path in differ if not path.startswith("pagefind/")]
    results[f"release_{n}"] = {
        "posts": n,
        "runs": runs,
        "release_s": statistics.median(times["release"]),
        "ours_cold_s": statistics.median(times["ours"]),
        "bare_cold_s": statistics.median(times["bare"]),
        "ratio_to_cold": statistics.median(ratios),
        "ratio_to_bare": statistics.median(bare_ratios),
        "peak_mb": max(memory) / 1024,
        # Why a release could not end at once (quickexit.py), for each run that could not.
        "slow_exits": sorted({why for why in unfinished if why}),
        "identical_to_cold_build": not differ,
        "differing_files": differ[:10],
        "hugo_s": _median_or_none(times.get("hugo", [])),
        "ratio_hugo": _ratio_or_none(times["release"], times.get("hugo", [])),
    }


def check_loop(work, n, runs, results, binary=None):
    """``check --production`` on a production build: with no scan cache, then with one.

    Timed against our cold build of the same corpus in the same run (the target is a ratio).
    Hugo has no check to set against it (``binary`` is unused).
    """
    base = work / f"check-{n}"
    shutil.rmtree(base, ignore_errors=True)
    base.mkdir(parents=True)
    content, out = work / f"corpus-{n}", base / "output"
    times = {"build": [], "cold": [], "warm": []}
    pages = 0
    for _ in range(runs):
        shutil.rmtree(out, ignore_errors=True)
        times["build"].append(child_build("ours", content, out, base / "build-cache")["wall_s"])
        shutil.rmtree(base / "scans", ignore_errors=True)
        report = child_build("ours", content, out, base / "scans", extra=["--do", "check"])
        times["cold"].append(report["wall_s"])
        pages = report["pages"]
        report = child_build("ours", content, out, base / "scans", extra=["--do", "check"])
        times["warm"].append(report["wall_s"])
        print(
            f"  check, {n} posts ({pages} pages): {times['cold'][-1]:.2f}s, again "
            f"{times['warm'][-1]:.2f}s; build {times['build'][-1]:.2f}s"
        )
    build_s = statistics.median(times["build"])
    cold, warm = statistics.median(times["cold"]), statistics.median(times["warm"])
    results[f"check_{n}"] = {
        "posts": n,
        "runs": runs,
        "pages": pages,
        "build_s": build_s,
        "cold_s": cold,
        "warm_s": warm,
        "ratio_cold": _median_ratio(times["cold"], times["build"]),
        "ratio_warm": _median_ratio(times["warm"], times["build"]),
        "cold_s_per_1000_pages": cold / pages * 1000 if pages else 0,
    }


def _median_ratio(tops, bottoms):
    """The median of the ratios taken run by run (each pair measured in the same run)."""
    return statistics.median(t / b for t, b in zip(tops, bottoms, strict=True))


# The loops `./inv bench` times, in the order it prints them: (name, function(work, n, runs,
# results, binary)), binary being Hugo's or None. The cold build runs at every --sizes size before
# them; save -> page is the live preview's (its module adds one entry here).
LOOPS = [
    ("release one post", release_loop),
    ("check", check_loop),
]


# -- Email ----------------------------------------------------------------------------------------
def email_figures(work, results, collect_sizes=()):
    """Render one email and send one post to 1,000 recipients over SMTP on 127.0.0.1.

    On a 5-post site, so the figures are the email side's own; then, for each of
    ``collect_sizes``, the same send on that corpus, where the newsletter's collection build
    (a whole production build, see ``newsletter.posts.published``) dominates.
    """
    small = _send_smtp(work)
    results["email_render"] = {"ms": small["render ms"], "first ms": small["first render ms"]}
    results["email_send"] = {
        "messages/s": small["messages/s"],
        "peak MB before SMTP": small["peak MB before SMTP"],
        "peak MB": small["peak MB"],
        "send s": small["send s"],
    }
    for n in collect_sizes:
        content = work / f"corpus-{n}"
        if not content.exists():
            corpus.generate(n, content)
        big = _send_smtp(work, content)
        results[f"email_collect_{n}"] = {
            "posts": big["posts"],
            "collect s": big["collect s"],
            "collect read s": big["collect read s"],
            "send s": big["send s"],
            "messages/s": big["messages/s"],
            "peak MB": big["peak MB"],
        }


def _send_smtp(work, content=None):
    """``bench/smtp_child.py`` in a fresh process: render, then send to 1,000 on aiosmtpd."""
    cmd = [sys.executable, str(HERE / "smtp_child.py"), str(work), str(EMAIL_RECIPIENTS)]
    cmd += [str(content)] if content else []
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    if done.returncode != 0:
        raise SystemExit(f"bench: the email run failed:\n{done.stdout}\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# -- Report ---------------------------------------------------------------------------------------
def machine():
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import pelican

    return {
        "nproc": os.cpu_count(),
        "cpu": model,
        "python": platform.python_version(),
        "pelican": pelican.__version__,
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


NO_HUGO = " - | - |"  # The Hugo cells of a row Hugo has no figure for.


def hugo_cells(value, seconds="hugo_s", ratio="ratio_hugo", unit="s", digits=2):
    """The Hugo and ours/Hugo cells of one row, to append to its ``|``; dashes when the run had
    no Hugo (not installed, or a measure Hugo has no counterpart for)."""
    if value.get(seconds) is None:
        return NO_HUGO
    return f" {value[seconds]:.{digits}f} {unit} | {value[ratio]:.2f} |"


def table(results):
    rows = [
        "| measure | bare Pelican | ours | ours/bare | Hugo | ours/Hugo |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for key, value in results.items():
        if key.startswith("full_"):
            rows.append(
                f"| full build, {value['posts']:,} posts, cache off (median of {value['runs']}) "
                f"| {value['bare_s']:.2f} s | {value['ours_s']:.2f} s | {value['ratio']:.2f} |"
                + hugo_cells(value)
            )
        elif key.startswith("rebuild_"):
            same = "identical" if value["identical_to_full_build"] else "DIFFERS"
            rows.append(
                f"| rebuild after editing one post, {value['posts']:,} posts, cache on "
                f"(median of {value['runs']}; output {same} to a full build) "
                f"| {value['bare_s']:.2f} s | {value['ours_s']:.2f} s | {value['ratio']:.2f} |"
                + hugo_cells(value)
            )
        elif key.startswith("save_to_page_"):
            rows.append(
                save_to_page.row(value) + hugo_cells(value.get("hugo") or {}, "median_s", "ratio")
            )
        elif key.startswith("memory_"):
            rows.append(
                f"| peak memory (ru_maxrss), {key[7:]} posts, full build "
                f"| {value['bare_mb']:.0f} MB | {value['ours_mb']:.0f} MB "
                f"(largest helper process {value['ours_worker_mb']:.0f} MB, forked: shares pages) "
                f"| {value['ratio']:.2f} |" + hugo_cells(value, "hugo_mb", unit="MB", digits=0)
            )
        elif key.startswith("bytes_"):
            megabytes = {**value, "hugo": value["hugo"] / 1e6 if value.get("hugo") else None}
            rows.append(
                f"| output, {key[6:]} posts | {value['bare'] / 1e6:.1f} MB "
                f"| {value['ours'] / 1e6:.1f} MB | {value['ratio']:.2f} |"
                + hugo_cells(megabytes, "hugo", unit="MB", digits=1)
            )
    for key, value in results.items():
        if key.startswith("release_"):
            same = "identical" if value["identical_to_cold_build"] else "DIFFERS"
            rows.append(
                f"| release one new post (`release --target dir`), {value['posts']:,} posts "
                f"(median of {value['runs']}; output {same} to a cold build; ours cold build "
                f"{value['ours_cold_s']:.2f} s, ratio release/our cold build "
                f"**{value['ratio_to_cold']:.2f}**; peak {value['peak_mb']:.0f} MB; Hugo: its "
                f"build of the same content, as it reuses nothing) "
                f"| {value['bare_cold_s']:.2f} s (cold build) | {value['release_s']:.2f} s "
                f"| {value['ratio_to_bare']:.2f} |" + hugo_cells(value)
            )
        elif key.startswith("check_"):
            rows.append(
                f"| `check --production`, {value['posts']:,} posts, {value['pages']:,} pages "
                f"(median of {value['runs']}; ours cold build {value['build_s']:.2f} s; "
                f"check/build **{value['ratio_cold']:.2f}** with no scan cache, "
                f"{value['ratio_warm']:.2f} with one; "
                f"{value['cold_s_per_1000_pages']:.1f} s per 1,000 pages) "
                f"| - | {value['cold_s']:.2f} s / {value['warm_s']:.2f} s | - |" + NO_HUGO
            )
    render = results.get("email_render")
    if render:
        rows.append(
            f"| render one email (median of 20; the first {render['first ms']:.1f} ms) "
            f"| - | {render['ms']:.1f} ms | - |" + NO_HUGO
        )
    sent = results.get("email_send")
    if sent:
        rows.append(
            f"| `newsletter.send` over SMTP to {EMAIL_RECIPIENTS:,} recipients, aiosmtpd on "
            f"127.0.0.1 (5-post site; SMTP phase only) | - | {sent['messages/s']:.0f} messages/s "
            f"(whole send {sent['send s']:.1f} s) | - |" + NO_HUGO
        )
        rows.append(
            f"| peak memory of that send (before the first message / at the end) | - "
            f"| {sent['peak MB before SMTP']:.0f} MB / {sent['peak MB']:.0f} MB | - |" + NO_HUGO
        )
    for key, value in results.items():
        if key.startswith("email_collect_"):
            rows.append(
                f"| the same send on the {value['posts']:,}-post corpus: collection build "
                f"(of which reading) / whole send / SMTP phase | - | {value['collect s']:.1f} s "
                f"({value['collect read s']:.1f} s) / {value['send s']:.1f} s / "
                f"{value['messages/s']:.0f} messages/s, peak {value['peak MB']:.0f} MB | - |"
                + NO_HUGO
            )
    return "\n".join(rows)


def loops_summary(results):
    """The four loops a writer waits for, one line each: median and ratio, or why it is absent."""
    lines = ["The writer's loops (medians; ratios taken within each run):"]
    full = [v for k, v in results.items() if k.startswith("full_")]
    for value in full:
        against_hugo = (
            f", Hugo {value['hugo_s']:.2f} s, ours/Hugo {value['ratio_hugo']:.2f}"
            if value.get("hugo_s") is not None
            else ""
        )
        lines.append(
            f"- cold build, {value['posts']:,} posts: ours {value['ours_s']:.2f} s, bare Pelican "
            f"{value['bare_s']:.2f} s, ours/bare {value['ratio']:.2f}{against_hugo}"
        )
    for key, value in results.items():
        if key.startswith("rebuild_") and value.get("hugo_s") is not None:
            lines.append(
                f"- rebuild after editing one post, {value['posts']:,} posts: ours "
                f"{value['ours_s']:.2f} s, Hugo (`hugo`, no server) {value['hugo_s']:.2f} s, "
                f"ours/Hugo {value['ratio_hugo']:.2f}"
            )
    saves = [v for k, v in results.items() if k.startswith("save_")]
    for value in saves:
        hugo_side = value.get("hugo")
        against_hugo = (
            f"; `hugo server` {hugo_side['median_s']:.2f} s, ours/Hugo {hugo_side['ratio']:.2f}"
            if hugo_side
            else ""
        )
        lines.append(
            f"- save -> page, {value['posts']:,} posts: median {value['median_s']:.2f} s, "
            f"{value['ratio']:.2f}x bare Pelican's rebuild ({value['bare_rebuild_s']:.2f} s)"
            f"{against_hugo}"
        )
    if not saves:
        lines.append("- save -> page: not measured by this run (the live preview's loop)")
    for key, value in results.items():
        if key.startswith("release_"):
            lines.append(
                f"- release one new post, {value['posts']:,} posts: {value['release_s']:.2f} s, "
                f"{value['ratio_to_cold']:.2f}x our cold build, {value['ratio_to_bare']:.2f}x "
                f"bare Pelican's"
                + (
                    f", {value['ratio_hugo']:.2f}x Hugo's build ({value['hugo_s']:.2f} s)"
                    if value.get("hugo_s") is not None
                    else ""
                )
                + f"; output identical to a cold build: {value['identical_to_cold_build']}"
            )
        elif key.startswith("check_"):
            lines.append(
                f"- check --production, {value['posts']:,} posts: {value['cold_s']:.2f} s "
                f"({value['ratio_cold']:.2f}x our build), {value['warm_s']:.2f} s with the last "
                f"check's scans ({value['ratio_warm']:.2f}x)"
            )
    side = results.get("hugo")
    lines.append(
        f"- Hugo {side['version']}: timed in the same runs as the cold build, the rebuild, "
        "save -> page and the release (its build: Hugo reuses nothing); it has no check"
        if side
        else f"- {hugo.NOT_INSTALLED}"
    )
    return "\n".join(lines)


NOTES = "<!-- Written by hand below this line; bench/run.py --results keeps it. -->"


def write_results(results, path: Path):
    """``bench/RESULTS.md``: the figures, the machine, the date and the exact command."""
    info = results["machine"]
    side = results.get("hugo")
    hugo_line = f"Hugo {side['version']}" if side else hugo.NOT_INSTALLED
    kept = ""
    if path.exists() and NOTES in path.read_text(encoding="utf-8"):
        kept = path.read_text(encoding="utf-8").split(NOTES, 1)[1]
    text = f"""# Benchmark results

Bare Pelican {info["pelican"]} with its default theme and the quickstart's production feeds plus
per-tag Atom (`bench/bare/pelicanconf.py`) against ours (`publishconf.py`: our theme and plugins),
on the synthetic long-form corpus of `bench/corpus.py` (800-2,500 words a post), and, where it is
installed, Hugo on the same corpus converted by `bench/hugo_site.py` (its docstring says what that
side does and does not do). Each build is a fresh process, timed from its start to its exit; the
sides alternate and each ratio is taken within one run, then the median. Peak memory is the build
process's `ru_maxrss`.

- Machine: {info["nproc"]} cores ({info["cpu"]}), shared with other work while measuring
- Python {info["python"]}, Pelican {info["pelican"]}, {hugo_line}
- Date: {info["date"]}
- Command: `{results["command"]}`

{table(results)}

{loops_summary(results)}

{NOTES}{kept}"""
    path.write_text(text.rstrip("\n") + "\n", encoding="utf-8")


def email_only(args, argv=None):
    """``--email-only``: add the email figures to an earlier run's ``--json`` file."""
    results = {}
    if args.json and args.json.exists():
        results = json.loads(args.json.read_text(encoding="utf-8"))
    work = args.work or Path(tempfile.mkdtemp(prefix="bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        email_figures(work, results, () if args.quick else (EMAIL_COLLECT,))
    finally:
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)
    results["command"] = results.get("command", "python bench/run.py") + (
        " && python bench/run.py " + " ".join(argv if argv is not None else sys.argv[1:])
    )
    print(table(results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    if args.results:
        write_results(results, args.results)
    return results


def plan(spec):
    """``"100:5,1000:5"`` -> {100: 5, 1000: 5}: corpus sizes and runs per size."""
    out = {}
    for part in spec.split(","):
        n, _, runs = part.partition(":")
        out[int(n)] = int(runs or 3)
    return out


def _compile_ours():
    """Compile our modules before any side is timed, as ``./inv`` does: bare Pelican's code was
    compiled when pip installed it, and ours would otherwise be compiled from source in every
    child where PYTHONDONTWRITEBYTECODE is set (~0.06 s a process, ~130 modules)."""
    for folder in ("happening", "plugins"):
        compileall.compile_dir(ROOT / folder, quiet=1)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a small run, under a minute")
    parser.add_argument("--sizes", help='corpus sizes and runs, e.g. "100:5,1000:5,5000:2"')
    parser.add_argument(
        "--rebuild", help='rebuild and save -> page: corpus size and runs, e.g. "1000:5"; "0" skips'
    )
    parser.add_argument(
        "--loops", help='release and check: corpus size and runs, e.g. "1000:3"; "0" skips them'
    )
    parser.add_argument("--work", type=Path, help="keep corpora and outputs here (default: temp)")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON here")
    parser.add_argument(
        "--saves",
        type=int,
        help="save -> page: the untimed saves after the 10 edits, for memory (default 50; 0 for "
        "a run of the edits alone)",
    )
    parser.add_argument("--no-email", action="store_true", help="skip the email figures")
    parser.add_argument("--results", type=Path, help="also write the figures as Markdown here")
    parser.add_argument("--render", type=Path, help="only turn a --json file into --results")
    parser.add_argument(
        "--email-only",
        action="store_true",
        help="only the email figures, merged into the --json file's (and --results)",
    )
    args = parser.parse_args(argv)
    if args.render:
        results = json.loads(args.render.read_text(encoding="utf-8"))
        write_results(results, args.results or HERE / "RESULTS.md")
        return results

    _compile_ours()
    sizes = (
        plan(args.sizes)
        if args.sizes
        else {int(k): v for k, v in (QUICK if args.quick else FULL).items()}
    )
    if args.email_only:
        return email_only(args, argv)
    rebuild = (
        {} if args.rebuild == "0" else plan(args.rebuild or ("50:2" if args.quick else "1000:5"))
    )
    loops = {} if args.loops == "0" else plan(args.loops or ("50:1" if args.quick else "1000:3"))
    work = args.work or Path(tempfile.mkdtemp(prefix="bench-"))
    work.mkdir(parents=True, exist_ok=True)
    info = machine()
    binary = hugo.find()
    print(
        f"bench: {info['nproc']} cores, {info['cpu']}, Python {info['python']}, "
        f"Pelican {info['pelican']}, {info['date']}; work in {work}"
    )
    # Recorded either way: null says this run had no Hugo, not that a figure went missing.
    results = {"hugo": {"binary": binary, "version": hugo.version(binary)} if binary else None}
    print(f"bench: Hugo {results['hugo']['version']}" if binary else f"bench: {hugo.NOT_INSTALLED}")
    try:
        for n, runs in sizes.items():
            full_builds(work, n, runs, results, binary)
        for n, runs in rebuild.items():
            if not (work / f"corpus-{n}").exists():
                corpus.generate(n, work / f"corpus-{n}")
            rebuilds(work, n, runs, results, binary)
            quick = {"edits": 3, "saves": 5, "bare_runs": 1} if args.quick else {}
            if args.saves is not None:
                quick["saves"] = args.saves
            results.update(save_to_page.measure(work, n, corpus, child_build, **quick))
        for n, runs in loops.items():
            if not (work / f"corpus-{n}").exists():
                corpus.generate(n, work / f"corpus-{n}")
            for _, loop in LOOPS:
                loop(work, n, runs, results, binary)
        if not args.no_email:
            email_figures(work, results, () if args.quick else (EMAIL_COLLECT,))
    finally:
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)
    results["machine"] = info
    results["command"] = "python bench/run.py " + " ".join(
        argv if argv is not None else sys.argv[1:]
    )
    print()
    print(table(results))
    print()
    print(loops_summary(results))
    print(
        f"\nbench peak memory of this process tree: "
        f"{resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024:.0f} MB (largest child)"
    )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    if args.results:
        write_results(results, args.results)
    return results


if __name__ == "__main__":
    main()
