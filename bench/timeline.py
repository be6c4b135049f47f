"""Where one benchmark step's wall time goes: the step of ``bench/child.py``, marked by phase.

    python bench/timeline.py SETTINGS_FILE CONTENT OUTPUT CACHE --do release --work DIR
    python bench/timeline.py SETTINGS_FILE CONTENT OUTPUT CACHE          # a build
    python bench/timeline.py ... --listeners     # also each plugin's listener of those signals

Same arguments as ``bench/child.py``, whose step this runs once in this process. Printed to
stderr, in seconds since this script started: the imports, the production build and its
Pelican signals, each forked child's life (the helpers rendering pages, the child describing
posts ahead, the feeds' writer, the content cache's saver), the check and its parts, Pagefind,
the deploy and the newsletter; then why the process could not end at once, if anything would
keep it from it (``happening/quickexit.py``). With ``--listeners``, each listener of the marked
signals that took a millisecond or more is marked when it ends, with its seconds: where the work
between two signals goes, plugin by plugin.

The marks wrap only this project's functions and listen to Pelican's signals: wrapping Pelican's
own functions would trip fastbuild's fence (``plugins/fastbuild/fence.py``), and the build
would then run without its fast paths. No listener is added to ``content_written``, which would
switch fastbuild's page split off (``plugins/fastbuild/split.py``). Each mark costs a few
microseconds; the phases are what to compare, not the total against an unmarked run.
"""

import atexit
import functools
import inspect
import sys
import time

START = time.perf_counter()  # Before any import of the step's: the imports are a phase too.

import child  # noqa: E402 - bench/ is this script's folder, so Python finds it first
from pelican import signals  # noqa: E402 - after START, which times the imports

from happening import build, forked, newsletter, quickexit, search  # noqa: E402
from happening.workflow import check, publish, reuse  # noqa: E402
from happening.workflow.check import feeds, pages, posts, site, sources  # noqa: E402

MARKS = []  # (seconds since START, label)

SIGNALS = (
    "initialized",
    "article_generator_init",
    "article_generator_pretaxonomy",
    "article_generator_finalized",
    "page_generator_finalized",
    "all_generators_finalized",
    "get_writer",
    "article_writer_finalized",
    "page_writer_finalized",
    "finalized",
)


def mark(label):
    MARKS.append((time.perf_counter() - START, label))


def timed(owner, name, label):
    """Mark when ``owner.name`` starts and ends, each time it is called."""
    original = getattr(owner, name)

    @functools.wraps(original)
    def wrapper(*args, **kwargs):
        mark(f"{label} starts")
        try:
            return original(*args, **kwargs)
        finally:
            mark(f"{label} ends")

    static = isinstance(inspect.getattr_static(owner, name), staticmethod)
    setattr(owner, name, staticmethod(wrapper) if static else wrapper)


def _signal_marks():
    """A listener on each signal, connected before Pelican registers any plugin: it runs first."""
    listeners = []
    for name in SIGNALS:

        def listener(sender, _name=name, **_):
            mark(f"  signal {_name}")

        getattr(signals, name).connect(listener)
        listeners.append(listener)  # blinker holds listeners weakly: kept alive here.
    return listeners


LISTENER_SHOWN = 0.001  # seconds: a listener quicker than this is not marked


def _listener_marks():
    """Each marked signal's listeners called one by one, as blinker's ``send`` calls them, with
    the slower ones marked. Set on the signal objects (not Pelican's code, which the fence
    checks), and only for receivers that are plain callables, as every listener here is."""
    for name in SIGNALS:
        signal = getattr(signals, name)

        def send(sender=None, /, _signal=signal, _name=name, **kwargs):
            if _signal.is_muted:
                return []
            results = []
            for receiver in _signal.receivers_for(sender):
                started = time.perf_counter()
                results.append((receiver, receiver(sender, **kwargs)))
                took = time.perf_counter() - started
                if took >= LISTENER_SHOWN:
                    who = f"{receiver.__module__}.{receiver.__qualname__}"
                    mark(f"      {_name} listener {who}: {took:.3f} s")
            return results

        signal.send = send


def _children():
    """Each forked child prints when it started and ended (both on this script's clock)."""
    original = forked.Forked.__init__

    def init(self, function, *args, **kwargs):
        started = time.perf_counter() - START
        name = getattr(function, "__qualname__", repr(function))

        def run(*inner):
            try:
                return function(*inner)
            finally:
                ended = time.perf_counter() - START
                print(f"{started:7.3f}-{ended:7.3f}   child {name}", file=sys.stderr, flush=True)

        original(self, run, *args, **kwargs)

    forked.Forked.__init__ = init


def install():
    """Every mark in place; returns what must stay alive for them."""
    listeners = _signal_marks()
    _children()
    timed(reuse, "build", "build")  # a release's production build
    timed(build, "build", "build")  # a plain build (child.py looks it up when it runs)
    timed(search, "start_index", "  Pagefind's start")
    timed(search.Indexing, "wait", "  waiting for Pagefind")
    timed(publish, "check_site", "check")
    timed(site.Site, "load", "  its pages and sources")
    timed(sources, "read", "    the sources")
    for module in (pages, feeds, posts):
        index = check.CHECKS.index(module.check)  # the list holds the functions themselves
        timed(module, "check", f"  the {module.__name__.rsplit('.', 1)[-1]} check")
        check.CHECKS[index] = module.check
    timed(publish._Dir, "deploy", "deploy")
    timed(newsletter, "send", "newsletter")  # the release looks it up when it sends
    return listeners


def report():
    """The marks, then whether the process could end at once. At exit: a release's step ends
    the process itself (``quickexit.end``), after the exit handlers."""
    mark("step ends")
    for seconds, label in MARKS:
        print(f"{seconds:7.3f}   {label}", file=sys.stderr)
    why = quickexit.unfinished()
    print(f"quick exit: {'yes' if not why else 'no, ' + why}", file=sys.stderr, flush=True)


def main(argv=None):
    mark("imports end")
    argv = list(sys.argv[1:] if argv is None else argv)
    kept = install()
    if "--listeners" in argv:
        argv.remove("--listeners")
        _listener_marks()
    atexit.register(report)
    child.main(argv)
    return kept


if __name__ == "__main__":
    main()
