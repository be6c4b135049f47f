"""The library behind ``invoke newsletter.*``: plan, send, status, baseline (preview.py: preview).

``send`` walks the published posts oldest first and, for each one the ledger does not record as
done, writes ``sending`` to the ledger, lets the provider deliver, and writes ``sent``. A post left
at ``sending`` (a crash, a failed call) is retried by the next ``send``; the provider first asks
the service whether the email exists, so nothing is sent twice and nothing is skipped.

Every provider goes through the same loop: what differs between them (where their record lives,
whether the archive guard applies, how the report words their work) is asked of the provider
through the contract in ``providers.base``, never decided here by its name.
"""

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from happening.dates import aware

from . import config as configuration
from . import providers
from .errors import ArchiveGuard, NewsletterError, SettingError
from .ledger import Ledger, exclusive, now
from .posts import Post, as_site, find, published
from .render import render

log = logging.getLogger(__name__)


@dataclass
class Step:
    """What ``send`` does (or did, or would do) with one post."""

    post: Post
    action: str  # "send", "done", "skip"
    reason: str = ""


@dataclass
class Report:
    """What a task did: one line per post it looked at, and the files it wrote."""

    provider: str
    steps: list[Step] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)
    dry_run: bool = False
    verbs: dict[str, str] = field(default_factory=dict)  # The provider's words for actions.
    nothing_new: str = ""  # The provider's line for a send that found nothing to do.

    @property
    def sent(self) -> list[Step]:
        return [s for s in self.steps if s.action in ("sent", "scheduled", "draft", "test")]


@dataclass
class Context:
    config: configuration.Config
    posts: list[Post]
    provider: providers.Provider
    ledger: Ledger = field(init=False)  # The shared one: what readers have had.
    deliveries: Ledger = field(init=False)  # Where the provider records its deliveries.

    def __post_init__(self):
        self.read()

    def read(self):
        """Read the ledgers (again under the lock: another send may have finished meanwhile)."""
        self.ledger = Ledger(self.config.path("NEWSLETTER_LEDGER"))
        self.deliveries = self.provider.ledger(self.ledger)


def _open(settings, env=None, **provider_options) -> Context:
    site = as_site(settings)
    posts, pelican_settings = published(site)
    config = configuration.load(pelican_settings, site.root, env)
    return Context(config, posts, providers.get(config, **provider_options))


def plan(ctx: Context) -> list[Step]:
    """What ``send`` would do now with each published post, oldest first."""
    since, zone = ctx.config.since, ctx.config.settings.get("TIMEZONE")
    guarded = ctx.provider.reaches_readers and not ctx.ledger.exists and since is None
    steps = []
    for post in ctx.posts:
        record = _record(ctx, post.id)
        if not post.wanted:
            steps.append(Step(post, "skip", "Newsletter: no"))
        elif ctx.ledger.done(post.id):
            steps.append(Step(post, "done", f"{record['state']} via {record.get('provider')}"))
        elif ctx.deliveries.done(post.id):  # Only reached when the provider keeps its own.
            steps.append(Step(post, "done", f"already in {ctx.provider.name}"))
        elif since and aware(post.date, zone) < aware(since, zone):
            steps.append(Step(post, "skip", "before NEWSLETTER_SINCE"))
        elif guarded:
            steps.append(Step(post, "guard", "no ledger yet: run newsletter.baseline"))
        else:
            resume = (
                " (resume: it stopped while sending)" if record.get("state") == "sending" else ""
            )
            steps.append(Step(post, "send", f"via {ctx.provider.name}{resume}"))
    return steps


def send(
    settings=None,
    *,
    post=None,
    dry_run=False,
    test_to=None,
    schedule=None,
    draft=False,
    env=None,
    **provider_options,
) -> Report:
    """Send every published post that has not gone out, oldest first (or just ``post``).

    ``settings`` is a :class:`posts.Site`, a settings file, or None (``publishconf.py``).
    ``provider_options`` are keyword options of the provider class's constructor (``session``,
    ``sleep``...; its signature lists them), overriding the settings.
    """
    ctx = _open(settings, env, **provider_options)
    try:
        with exclusive(ctx.ledger.path):
            ctx.read()
            return _send(ctx, post, dry_run, test_to, schedule, draft)
    finally:
        ctx.provider.close()


def _send(ctx, post, dry_run, test_to, schedule, draft) -> Report:
    when = parse_schedule(schedule, ctx.config) if schedule else None
    ctx.provider.check(draft=draft, schedule=when)
    steps = plan(ctx)
    if post is not None:
        chosen = find(ctx.posts, post)
        steps = [s for s in steps if s.post is chosen]
    report = Report(
        ctx.provider.name,
        dry_run=dry_run,
        verbs=dict(ctx.provider.verbs),
        nothing_new=ctx.provider.nothing_new,
    )
    if test_to:
        return _send_test(ctx, steps, test_to, report)
    guarded = [s for s in steps if s.action == "guard"]
    if guarded:
        raise ArchiveGuard(
            f"newsletter: no ledger yet ({ctx.ledger.path.name}) and {len(guarded)} published "
            f"post(s): sending now would email the whole archive through "
            f"{ctx.provider.name}. Run `invoke newsletter.baseline` to record them as "
            "already sent (then only new posts go out), or set NEWSLETTER_SINCE = "
            '"YYYY-MM-DD" in pelicanconf.py to send only posts after that date'
        )
    for step in steps:
        if step.action != "send":
            report.steps.append(step)
            continue
        if dry_run:
            report.steps.append(Step(step.post, "would send", step.reason))
            continue
        report.steps.append(_deliver(ctx, step.post, when, draft, report))
    return report


def _deliver(ctx, post, when, draft, report) -> Step:
    provider, ledger = ctx.provider, ctx.deliveries
    email = render(post, ctx.config, unsubscribe=provider.unsubscribe)
    record = dict(ledger.get(post.id) or {})
    if record.get("state") == "sending" and record.get("provider") not in (None, provider.name):
        raise NewsletterError(
            f"newsletter: {post.title!r} stopped while being sent through "
            f"{record['provider']}; set NEWSLETTER_PROVIDER = {record['provider']!r} and run send "
            "again to finish it there"
        )
    ledger.update(
        post.id,
        title=post.title,
        provider=provider.name,
        state="sending",
        started=record.get("started") or now(),
    )

    def checkpoint(**fields):
        ledger.update(post.id, fsync=False, **fields)

    delivery = provider.deliver(
        email, record=record, checkpoint=checkpoint, schedule=when, draft=draft
    )
    ledger.update(
        post.id,
        state=delivery.state,
        remote_id=delivery.remote_id,
        finished=now(),
        scheduled_for=when.isoformat() if when else None,
    )
    report.files.extend(delivery.files)
    return Step(post, delivery.state, delivery.detail or f"via {provider.name}")


def _send_test(ctx, steps, address, report):
    candidates = [s.post for s in steps if s.action in ("send", "guard")] or [s.post for s in steps]
    if not candidates:
        raise NewsletterError("newsletter: no published post to send a test copy of")
    post = candidates[-1]  # The one asked for, else the newest not yet sent.
    email = render(post, ctx.config, unsubscribe=ctx.provider.unsubscribe)
    detail = ctx.provider.send_test(email, address)
    report.steps.append(Step(post, "test", detail or f"one copy to {address}"))
    return report


def status(settings=None, *, env=None) -> tuple[list[dict], str]:
    """One row per published post (sent? when, how, remote id, what send would do) + provider."""
    ctx = _open(settings, env)
    rows = []
    for step in plan(ctx):
        record = ctx.provider.status_row(_record(ctx, step.post.id))
        rows.append(
            {
                "date": f"{step.post.date:%Y-%m-%d}",
                "title": step.post.title,
                "id": step.post.id,
                "state": _state(record),
                "when": record.get("finished") or record.get("started") or "",
                "provider": record.get("provider", ""),
                "remote_id": record.get("remote_id", ""),
                "next": _next(step),
            }
        )
    return rows, ctx.provider.name


def _record(ctx, post_id) -> dict:
    """The post's record: the shared ledger's, else the one the provider keeps (if apart)."""
    return ctx.ledger.get(post_id) or ctx.deliveries.get(post_id) or {}


def _state(record):
    state = record.get("state", "not sent")
    if record.get("recipients_total") is not None and state == "sending":
        return f"{state} ({record.get('recipients_done', 0)}/{record['recipients_total']})"
    return state


def _next(step):
    return {
        "send": "send " + step.reason,
        "done": "nothing (done)",
        "skip": f"skip ({step.reason})",
        "guard": "refuse: no ledger yet (baseline, or NEWSLETTER_SINCE)",
    }[step.action]


def baseline(settings=None, *, env=None) -> Report:
    """Record every published post as already sent: for a blog whose readers have them already."""
    ctx = _open(settings, env)
    with exclusive(ctx.ledger.path):
        ctx.read()
        return _baseline(ctx)


def _baseline(ctx) -> Report:
    report = Report("baseline")
    for step in plan(ctx):
        if step.action in ("send", "guard") and not ctx.ledger.done(step.post.id):
            ctx.ledger.update(
                step.post.id,
                title=step.post.title,
                provider="baseline",
                state="baseline",
                finished=now(),
            )
            report.steps.append(Step(step.post, "baseline", "recorded as already sent"))
        else:
            report.steps.append(step)
    if not ctx.ledger.exists:
        ctx.ledger.write()  # An empty ledger still means "this blog has started sending".
    return report


def parse_schedule(value, config) -> datetime:
    """``--schedule``: an ISO time in the future (no zone: the site's TIMEZONE)."""
    try:
        when = datetime.fromisoformat(str(value))
    except ValueError:
        raise SettingError(
            f"newsletter: --schedule {value!r} is not an ISO time; write it as 2026-05-01T08:00"
        ) from None
    when = aware(when, config.settings.get("TIMEZONE"))
    if when <= datetime.now(UTC):
        raise SettingError(f"newsletter: --schedule {value!r} is in the past")
    return when
