"""Save -> page: from a post file's write to the reloaded page's load event, in headless chromium.

    python bench/save_to_page.py N WORK [--edits 10] [--saves 50]

runs ``./inv livereload``'s preview (``happening.workflow.serve.start_livereload``, dev
settings) on the N-post corpus of ``bench/corpus.py`` copied into WORK, opens each edited post's
page in Debian's chromium and times 10 edits to different posts, each from just before the file
is written to the load event of the page the preview reloaded. Then it saves ``--saves`` more
edits (no browser: builds only) and reads the process's resident memory after each, and checks
the preview's output against a full build of the same sources. The parent,
``bench/run.py``, calls :func:`measure`, which runs this in a fresh process and adds bare
Pelican's own rebuild after one edit (a fresh process with its cache on, as
``pelican --autoreload`` would redo it) for the ratio.

    python bench/save_to_page.py N WORK --hugo [--edits 10]

times the same edits with ``hugo server`` (its livereload, fast render, as a writer runs it) on
the corpus converted by ``bench/hugo_site.py``: the same chromium, the same page, the same
clock from the write to the reloaded page's load event. :func:`measure` adds it when Hugo is
installed, and records null when it is not.
"""

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import hugo  # bench/ is this script's folder, so Python finds it first
import hugo_site

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
RELOAD_TIMEOUT_MS = 120_000


def spread(times):
    """The median, quickest and slowest of the timed edits, as every side reports them."""
    return {"median_s": statistics.median(times), "min_s": min(times), "max_s": max(times)}


def edit(post: Path, number: int):
    """A writer's edit: one more sentence at the end of the body."""
    text = post.read_text(encoding="utf-8")
    post.write_text(text + f"\nA thought added in save {number}.\n", encoding="utf-8")


def rss_mb() -> float:
    """This process's resident memory now (not the peak: flatness is about now)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _slug(post: Path):
    for line in post.read_text(encoding="utf-8").splitlines():
        if line.startswith("Slug:"):
            return line.split(":", 1)[1].strip()
    raise SystemExit(f"bench: {post} has no Slug:")


def child(n, work: Path, edits: int, saves: int):
    """The measurement, in this process: the live preview, chromium, the edits."""
    import logging

    from playwright.sync_api import sync_playwright

    from happening.workflow.serve import start_livereload, stop_livereload

    logging.basicConfig(level=logging.ERROR)
    content = work / f"preview-{n}" / "content"
    shutil.rmtree(content.parent, ignore_errors=True)
    shutil.copytree(work / f"corpus-{n}", content)
    out, cache = content.parent / "output", content.parent / "cache"
    started = time.perf_counter()
    preview, server = start_livereload(
        port=0, PATH=str(content), OUTPUT_PATH=str(out), CACHE_PATH=str(cache)
    )
    first_build = time.perf_counter() - started
    base = f"http://127.0.0.1:{server.server_address[1]}"
    posts = sorted((content / "posts").glob("*.md"))
    step = max(1, len(posts) // max(edits, 1))
    chosen = [posts[(i * step + step // 2) % len(posts)] for i in range(edits)]
    times, builds, hows = [], [], []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            page = browser.new_page()
            for number, post in enumerate(chosen, 1):
                page.goto(f"{base}/posts/{_slug(post)}/", wait_until="load")
                assert preview.wait_idle(timeout=RELOAD_TIMEOUT_MS / 1000)
                with page.expect_event("load", timeout=RELOAD_TIMEOUT_MS):
                    start = time.perf_counter()
                    edit(post, number)
                times.append(time.perf_counter() - start)
                builds.append(preview.outcomes[-1].seconds)
                hows.append(preview.outcomes[-1].how)
                assert f"save {number}." in page.content(), f"save {number} did not show"
            browser.close()
        assert preview.wait_idle(timeout=RELOAD_TIMEOUT_MS / 1000)
        memory, save_hows = [rss_mb()], []
        for number in range(saves):
            before = preview.builds
            edit(posts[(number * 7) % len(posts)], edits + number + 1)
            if not preview.hooks.wait(
                lambda b=before: preview.builds > b, RELOAD_TIMEOUT_MS / 1000
            ):
                raise SystemExit(f"bench: save {edits + number + 1} was never built")
            assert preview.wait_idle(timeout=RELOAD_TIMEOUT_MS / 1000)
            assert preview.outcomes[-1].ok, preview.outcomes[-1].message
            save_hows.append(preview.outcomes[-1].how)
            memory.append(rss_mb())
    finally:
        stop_livereload(preview, server)
    return {
        "posts": n,
        "edits": edits,
        **spread(times),
        "build_median_s": statistics.median(builds),
        # How the preview built each timed edit and each memory save (livepreview.HOT...).
        "hows": hows,
        "save_hows": save_hows,
        "first_build_s": first_build,
        "saves": saves,
        "rss_mb": memory,
        "output": str(out),
        "content": str(content),
        "base": base,  # The preview's own address, which its feeds and subscribe page carry.
    }


# Set by an init script when Hugo's livereload.js has its websocket open: an edit saved before
# then would reload nothing, so each timed edit waits for it (a condition, not a sleep).
LIVERELOAD_OPEN = (
    "document.addEventListener('LiveReloadConnect', () => { window.__livereloadOpen = true; });"
)


def hugo_child(n, work: Path, edits: int):
    """Save -> page with ``hugo server``, in this process: Hugo's side of :func:`child`."""
    from playwright.sync_api import sync_playwright

    binary = hugo.find()
    if binary is None:
        raise SystemExit(f"bench: {hugo.NOT_INSTALLED}")
    corpus = work / f"corpus-{n}"
    site = hugo_site.convert(corpus, work / f"hugo-preview-{n}" / "site")
    posts = sorted((site / "content" / "posts").glob("*.md"))
    step = max(1, len(posts) // max(edits, 1))
    chosen = [posts[(i * step + step // 2) % len(posts)] for i in range(edits)]
    times = []
    timeout = RELOAD_TIMEOUT_MS / 1000
    with hugo.serve(binary, site, site.parent / "cache") as server, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page()
        page.add_init_script(LIVERELOAD_OPEN)
        # hugo server dates a page by the second it rendered it (Last-Modified, no
        # Cache-Control), and fast render mode renders a page when it is first opened: an edit
        # within that second reloads into a 304 and the old page. The browser's cache off (as
        # with DevTools open) makes every reload show what Hugo serves now.
        cdp = page.context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
        for number, post in enumerate(chosen, 1):
            page.goto(f"{server.base}/posts/{post.stem}/", wait_until="load")
            page.wait_for_function("window.__livereloadOpen === true")
            # A rebuild of the last edit that Hugo is still running would reload this page before
            # this edit is in it.
            server.wait(hugo.Server.idle, timeout, "finished rebuilding")
            with page.expect_event("load", timeout=RELOAD_TIMEOUT_MS):
                start = time.perf_counter()
                edit(post, number)
            times.append(time.perf_counter() - start)
            assert f"save {number}." in page.content(), f"save {number} did not show"
        browser.close()
        builds = server.rebuilds()
    return {
        "posts": n,
        "edits": edits,
        **spread(times),
        # Hugo's own "Total in N ms" for each rebuild, and how many: one an edit, or more if Hugo
        # took one save for two changes.
        "build_median_s": statistics.median(builds) if builds else None,
        "rebuilds": len(builds),
    }


def measure(work: Path, n: int, corpus, child_build, edits=10, saves=50, bare_runs=3):
    """Run :func:`child` in a fresh process; add bare Pelican's rebuild and a full-build check.

    ``corpus`` and ``child_build`` are ``bench/run.py``'s (this script is not a package).
    """
    if not (work / f"corpus-{n}").exists():
        corpus.generate(n, work / f"corpus-{n}")
    cmd = [sys.executable, str(HERE / "save_to_page.py"), str(n), str(work)]
    cmd += ["--edits", str(edits), "--saves", str(saves)]
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    if done.returncode != 0:
        raise SystemExit(f"bench: save -> page failed:\n{done.stdout[-3000:]}\n{done.stderr}")
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    content, out = Path(figures.pop("content")), Path(figures.pop("output"))

    fresh = work / f"preview-{n}-check"
    shutil.rmtree(fresh, ignore_errors=True)
    _full_dev_build(content, fresh / "output", fresh / "cache", figures.pop("base"))
    figures["identical_to_full_build"] = _same(out, fresh / "output")

    bare = work / f"preview-{n}-bare"
    shutil.rmtree(bare, ignore_errors=True)
    child_build("bare", content, bare / "output", bare / "cache", cache_on=True)  # Prime.
    posts = sorted(content.glob("posts/*.md"))
    bare_times = []
    for run in range(bare_runs):
        edit(posts[(run * 31) % len(posts)], 10_000 + run)
        bare_times.append(
            child_build("bare", content, bare / "output", bare / "cache", cache_on=True)["wall_s"]
        )
    figures["bare_rebuild_s"] = statistics.median(bare_times)
    figures["ratio"] = figures["median_s"] / figures["bare_rebuild_s"]
    figures["hugo"] = _hugo_figures(work, n, edits)
    if figures["hugo"]:
        figures["hugo"]["ratio"] = figures["median_s"] / figures["hugo"]["median_s"]
    print(
        f"  save -> page, {n} posts: median {figures['median_s']:.2f}s "
        f"({figures['min_s']:.2f}-{figures['max_s']:.2f}s) against bare Pelican's rebuild "
        f"{figures['bare_rebuild_s']:.2f}s; memory {figures['rss_mb'][0]:.0f} -> "
        f"{figures['rss_mb'][-1]:.0f} MB over {figures['saves']} saves; "
        f"{figures['hows'].count('hot')} of {figures['edits']} edits on the hot path"
    )
    hugo_side = figures["hugo"]
    print(
        f"  save -> page, {n} posts, hugo server: median {hugo_side['median_s']:.2f}s "
        f"({hugo_side['min_s']:.2f}-{hugo_side['max_s']:.2f}s); ours/Hugo {hugo_side['ratio']:.2f}"
        if hugo_side
        else f"  save -> page, {n} posts: {hugo.NOT_INSTALLED}"
    )
    return {f"save_to_page_{n}": figures}


def _hugo_figures(work: Path, n: int, edits: int):
    """:func:`hugo_child` in a fresh process, or None when Hugo is not installed."""
    if hugo.find() is None:
        return None
    cmd = [sys.executable, str(HERE / "save_to_page.py"), str(n), str(work), "--hugo"]
    cmd += ["--edits", str(edits)]
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    if done.returncode != 0:
        output = f"{done.stdout[-3000:]}\n{done.stderr}"
        raise SystemExit(f"bench: Hugo's save -> page failed:\n{output}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _full_dev_build(content, output, cache, base):
    """A full build with the preview's settings (its address too), in a fresh process, into an
    empty folder."""
    code = (
        "import sys; from happening.build import build; "
        "from happening.workflow.serve import DRAFT_PREVIEW; "
        "build(PATH=sys.argv[1], OUTPUT_PATH=sys.argv[2], CACHE_PATH=sys.argv[3], "
        "FEEDS_LOCAL_URL=sys.argv[4], LOAD_CONTENT_CACHE=False, **DRAFT_PREVIEW)"
    )
    cmd = [sys.executable, "-c", code, str(content), str(output), str(cache), base]
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    if done.returncode != 0:
        raise SystemExit(f"bench: the check build failed:\n{done.stderr}")


def _same(a: Path, b: Path) -> bool:
    files = {p.relative_to(a) for p in a.rglob("*") if p.is_file()}
    if files != {p.relative_to(b) for p in b.rglob("*") if p.is_file()}:
        return False
    return all((a / f).read_bytes() == (b / f).read_bytes() for f in files)


def row(value):
    """The line of ``bench/run.py``'s table for one :func:`measure` figure."""
    rss = value["rss_mb"]
    return (
        f"| save -> page in chromium, {value['posts']:,} posts (median of {value['edits']} edits, "
        f"{value['hows'].count('hot')} on the hot path; "
        f"bare: its rebuild after one edit; memory {rss[0]:.0f} -> {rss[-1]:.0f} MB over "
        f"{value['saves']} saves; output identical to a full build: "
        f"{'yes' if value['identical_to_full_build'] else 'NO'}) "
        f"| {value['bare_rebuild_s']:.2f} s | {value['median_s']:.2f} s | {value['ratio']:.2f} |"
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("posts", type=int)
    parser.add_argument("work", type=Path, help="holds corpus-N (bench/corpus.py)")
    parser.add_argument("--edits", type=int, default=10)
    parser.add_argument("--saves", type=int, default=50)
    parser.add_argument("--hugo", action="store_true", help="time hugo server instead of ours")
    args = parser.parse_args(argv)
    if args.hugo:
        print(json.dumps(hugo_child(args.posts, args.work, args.edits)))
    else:
        print(json.dumps(child(args.posts, args.work, args.edits, args.saves)))


if __name__ == "__main__":
    main()
