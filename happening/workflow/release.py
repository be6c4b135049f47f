"""`release`: publish, then tell the WebSub hubs, then email subscribers — in that order.

Emails and feed readers link to the new pages, so the pages must be live first. Each step is
safe to run again: a deploy replaces the site with the same build, a hub just fetches the feeds
again, and the newsletter's ledger (or the outbox's record) never sends a post twice. So after a
failure, rerunning `release` (or resuming at the failed step) finishes the job.
"""

import contextlib
import gc
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from happening import newsletter
from happening.build import PROD_SETTINGS, load_settings
from happening.errors import UserError
from happening.plugins.feeds import websub

from . import publish, reuse

log = logging.getLogger(__name__)


class ReleaseStopped(UserError):
    """A step failed; the message says which, what already happened, and how to resume."""

    def __init__(self, message, results=()):
        super().__init__(message)
        self.results = list(results)


@dataclass
class Release:
    """What every step needs: the settings file, Pelican overrides, the deploy target."""

    settings_file: Path = PROD_SETTINGS
    target: str | None = None
    overrides: dict = field(default_factory=dict)
    on_check: Callable | None = None
    built: object = None  # The production build the publish step deployed (None: not run).

    def settings(self):
        return load_settings(self.settings_file, **self.overrides)


@dataclass
class Step:
    name: str
    run: Callable[[Release], str]  # Does the step; returns a one-line outcome.
    safe_to_repeat: str  # Why running it again after a failure does no harm.


@dataclass
class Outcome:
    step: str
    ok: bool
    detail: str


def _publish(release: Release) -> str:
    done = publish.publish(
        release.target,
        settings_file=release.settings_file,
        on_check=release.on_check,
        reuse=True,
        **release.overrides,
    )
    release.built = done.built
    warnings = f", {done.warnings} check warning(s)" if done.warnings else ""
    return f"{done.files} files to {done.destination} ({done.target}{warnings})"


def _ping(release: Release) -> str:
    settings = release.settings()
    results = websub.ping(settings, settings["OUTPUT_PATH"])
    if not results:
        return "no hub to tell (WEBSUB_HUBS is empty)"
    hubs = sorted({r.hub for r in results})
    return f"{len(results)} feed(s) announced to {', '.join(hubs)}"


def _newsletter(release: Release) -> str:
    if release.built is not None:
        # The posts of the build just deployed: the same settings and overrides, read once.
        site = newsletter.Site(Path(release.settings_file), dict(release.overrides), release.built)
    else:
        site = _reading_site(release)
    report = newsletter.send(site)
    sent = [step.post.title for step in report.sent]
    if not sent:
        return f"nothing new to send ({report.provider}): every post has gone out"
    return f"sent via {report.provider}: " + "; ".join(sent)


def _reading_site(release: Release):
    """Resumed at this step, nothing was built: the newsletter reads the posts again (a build
    that renders nothing), with a reader cache of its own beside the production build's, by
    content too. Not the production build's own: plugins leave their marks on the metadata
    Pelican caches, and a read-only build's marks (no feeds) would then show in the next
    production build."""
    cache = reuse.cache_folder(release.settings(), release.settings_file) / "newsletter"
    reading = {**reuse.reuse_settings(cache), "FASTBUILD_PAGE_CACHE": False}
    # Nor the production OUTPUT_PATH: the read-only build writes category pages into a folder of
    # its own, where they cannot spoil the released output (and its reuse next time).
    kept = {k: v for k, v in release.overrides.items() if k != "OUTPUT_PATH"}
    return newsletter.Site(Path(release.settings_file), {**kept, **reading})


# Objects the collector lets pile up before a young collection while a release runs (CPython's
# default: 700). See _few_collections.
RELEASE_GC_THRESHOLD = 20_000


@contextlib.contextmanager
def _few_collections():
    """Collect garbage cycles rarely while the release runs, as it is a short process.

    A release reads ~1,000 cached posts into objects that all live until it ends: with CPython's
    default thresholds the collector ran ~300 young and ~28 middle collections and two full
    ones over them, ~0.09-0.1 s of its CPU, finding next to nothing to free; with a young
    threshold of 20,000 (and what was imported before it frozen out of the full collections'
    way) ~8 collections, ~0.03-0.045 s. Collections still run, so cycles are still freed; the
    thresholds are given back when it ends, and what was frozen thawed."""
    before = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(RELEASE_GC_THRESHOLD, *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)
        gc.unfreeze()


STEPS = [
    Step("publish", _publish, "a deploy replaces the site with the same build"),
    Step("ping", _ping, "a hub told twice only fetches the feeds again"),
    Step("newsletter", _newsletter, "the ledger sends each post once, however often it runs"),
]

SAFE = [step.safe_to_repeat for step in STEPS]


def release(
    target=None,
    *,
    start=None,
    settings_file=PROD_SETTINGS,
    on_check=None,
    on_step=None,
    steps=None,
    **overrides,
) -> list[Outcome]:
    """Run the steps in order from ``start`` (a step's name; default the first).

    ``on_step(outcome)`` is called after each step. A step raising a UserError stops the
    release: :class:`ReleaseStopped` names the step, what already happened and how to resume.
    """
    steps = steps if steps is not None else STEPS
    names = [step.name for step in steps]
    if start is not None and start not in names:
        raise ReleaseStopped(f"release: --from-step {start!r} is not one of {', '.join(names)}")
    todo = steps[names.index(start) :] if start else steps
    context = Release(Path(settings_file), target, dict(overrides), on_check)
    with _few_collections():
        return _run(todo, context, on_step, target)


def _run(todo, context, on_step, target) -> list[Outcome]:
    outcomes = []
    for number, step in enumerate(todo):
        try:
            detail = step.run(context)
        except UserError as exc:
            failed = Outcome(step.name, False, str(exc))
            outcomes.append(failed)
            if on_step:
                on_step(failed)
            raise ReleaseStopped(
                _stopped_message(step, outcomes, todo[number + 1 :], target), outcomes
            ) from exc
        except Exception:
            log.error(
                "release: %r crashed; once fixed, resume with `%s --from-step %s`",
                step.name,
                _command(target),
                step.name,
            )
            raise
        outcomes.append(Outcome(step.name, True, detail))
        log.info("release: %s: %s", step.name, detail)
        if on_step:
            on_step(outcomes[-1])
    return outcomes


def _command(target):
    return f"./inv release --target {target}" if target else "./inv release"


def _stopped_message(step, outcomes, skipped, target):
    done = [o.step for o in outcomes if o.ok]
    lines = [
        f"release: stopped at {step.name!r}: {outcomes[-1].detail}",
        f"  done: {', '.join(done) if done else 'nothing'}; "
        f"not run: {', '.join(s.name for s in skipped) if skipped else 'nothing'}",
        f"  fix the problem, then resume with `{_command(target)} --from-step {step.name}`, "
        f"or rerun `{_command(target)}`: every step is safe to repeat ({'; '.join(SAFE)}).",
    ]
    return "\n".join(lines)
