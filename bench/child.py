"""One benchmark step in a fresh process; prints one JSON line with what the parent measures.

    python bench/child.py SETTINGS_FILE CONTENT OUTPUT CACHE [--cache-on] [--profile FILE]
    python bench/child.py SETTINGS_FILE CONTENT OUTPUT CACHE --do release --work DIR
    python bench/child.py SETTINGS_FILE CONTENT OUTPUT CACHE --do check

``--do build`` (the default) runs our strict build (``happening.build.build``: any Pelican
warning fails it) with ``SETTINGS_FILE``, so bare Pelican's settings are held to the same
standard as ours. ``--do release`` runs ``release --target dir`` as the task does (production
build reusing the last one, check, deploy to a folder, WebSub with no hub, the outbox
newsletter), with every path of it under ``--work``. ``--do check`` runs ``check --production``
on OUTPUT, with its scan cache in CACHE.
"""

import argparse
import json
import resource
import time
from pathlib import Path

from happening import quickexit  # First: the files open before any step are not the step's.

ROOT = Path(__file__).resolve().parents[1]


def release_settings(args):
    work = Path(args.work)
    return {
        "PATH": args.content,
        "OUTPUT_PATH": args.output,
        "CACHE_PATH": args.cache,
        "PUBLISH_DIR": str(work / "public"),
        "WEBSUB_HUBS": [],
        "NEWSLETTER_PROVIDER": "outbox",
        # With no ledger yet, send only what is dated after the corpus: the posts the bench adds.
        "NEWSLETTER_SINCE": "2025-12-31",
        "NEWSLETTER_LEDGER": str(work / "ledger.json"),
        "NEWSLETTER_OUTBOX": str(work / "outbox"),
        "NEWSLETTER_PREVIEWS": str(work / "previews"),
    }


def run(args):
    """The step asked for; returns a dict of counts for the JSON line."""
    if args.do == "release":
        from happening.workflow.release import release

        outcomes = release("dir", settings_file=args.settings, **release_settings(args))
        # What would keep the release from ending at once, as `./inv release` ends ("" when
        # nothing): a file left open sends it through the heap's teardown (~0.1 s at 1,000).
        return {"steps": [o.step for o in outcomes if o.ok], "unfinished": quickexit.unfinished()}
    if args.do == "check":
        from happening.build import load_settings
        from happening.workflow.check import check_site

        settings = load_settings(args.settings, PATH=args.content, CACHE_PATH=args.cache)
        report = check_site(settings, args.output)
        return {"pages": report.pages, "errors": len(report.errors)}

    from happening.build import build

    overrides = {"PATH": args.content, "OUTPUT_PATH": args.output, "CACHE_PATH": args.cache}
    if args.cache_on:
        overrides.update(CACHE_CONTENT=True, LOAD_CONTENT_CACHE=True, DELETE_OUTPUT_DIRECTORY=False)
    else:
        overrides.update(LOAD_CONTENT_CACHE=False)
    result = build(args.settings, **overrides)
    return {"articles": result.articles, "pages": result.pages}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("settings", help="the Pelican settings file")
    parser.add_argument("content", help="PATH: the corpus folder")
    parser.add_argument("output", help="OUTPUT_PATH")
    parser.add_argument("cache", help="CACHE_PATH")
    parser.add_argument("--do", choices=("build", "release", "check"), default="build")
    parser.add_argument("--work", help="--do release: the folder for public/, the ledger...")
    parser.add_argument("--cache-on", action="store_true", help="load and write the cache")
    parser.add_argument("--profile", help="write a cProfile of the step to this file")
    args = parser.parse_args(argv)

    start = time.perf_counter()
    if args.profile:
        import cProfile

        profiler = cProfile.Profile()
        counts = profiler.runcall(run, args)
        profiler.dump_stats(args.profile)
    else:
        counts = run(args)
    seconds = time.perf_counter() - start
    own = resource.getrusage(resource.RUSAGE_SELF)
    workers = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(
        json.dumps(
            {
                "build_s": seconds,
                **counts,
                "maxrss_kb": own.ru_maxrss,
                "worker_maxrss_kb": workers.ru_maxrss,
                # CPU seconds of the build and its worker processes: on a shared machine the
                # wall time swings with the others' load, the work done much less.
                "cpu_s": own.ru_utime + own.ru_stime + workers.ru_utime + workers.ru_stime,
            }
        )
    )
    if args.do == "release":
        quickexit.end(0)  # As `./inv release` ends: no heap teardown once everything is done.


if __name__ == "__main__":
    main()
