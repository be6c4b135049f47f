"""One benchmark build in a fresh process; prints one JSON line with what the parent measures.

    python bench/child.py SETTINGS_FILE CONTENT OUTPUT CACHE [--cache] [--profile FILE]

It runs our strict build (``happening.build.build``: any Pelican warning fails it) with
``SETTINGS_FILE``, so bare Pelican's settings are held to the same standard as ours.
"""

import argparse
import json
import resource
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("settings", help="the Pelican settings file")
    parser.add_argument("content", help="PATH: the corpus folder")
    parser.add_argument("output", help="OUTPUT_PATH")
    parser.add_argument("cache", help="CACHE_PATH")
    parser.add_argument("--cache-on", action="store_true", help="load and write the cache")
    parser.add_argument("--profile", help="write a cProfile of the build to this file")
    args = parser.parse_args(argv)

    from happening.build import build

    overrides = {"PATH": args.content, "OUTPUT_PATH": args.output, "CACHE_PATH": args.cache}
    if args.cache_on:
        overrides.update(CACHE_CONTENT=True, LOAD_CONTENT_CACHE=True, DELETE_OUTPUT_DIRECTORY=False)
    else:
        overrides.update(LOAD_CONTENT_CACHE=False)
    start = time.perf_counter()
    if args.profile:
        import cProfile

        profiler = cProfile.Profile()
        result = profiler.runcall(build, args.settings, **overrides)
        profiler.dump_stats(args.profile)
    else:
        result = build(args.settings, **overrides)
    seconds = time.perf_counter() - start
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(
        json.dumps(
            {
                "build_s": seconds,
                "articles": result.articles,
                "pages": result.pages,
                "maxrss_kb": own,
                "worker_maxrss_kb": workers,
            }
        )
    )


if __name__ == "__main__":
    main()
