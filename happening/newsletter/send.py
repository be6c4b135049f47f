"""The library behind ``./inv newsletter.*``: plan, send, status, baseline (preview.py: preview).

``send`` walks the published posts oldest first and, for each one the ledger does not record as
done, writes ``sending`` to the ledger, lets the provider deliver, and writes ``sent``. A post left
at ``sending`` (a crash, a failed call) is retried by the next ``send``; the provider first asks
the service whether the email exists, so nothing is sent twice and nothing is skipped.

Before anything goes out, :func:`plan` applies the guards that keep the archive from going out
again whatever the ledger file looks like (see its docstring): a post the ledger knows under
another id (an edited slug, date, file name) stops the run, posts older than the newest one sent
are held back, and more than NEWSLETTER_MAX_PER_RUN posts at once is refused. "The newest one
sent" is the newer of what the ledger records and what the service itself records
(:func:`ask_service`), so a lost or emptied ledger cannot make the archive look unsent.

Every provider goes through the same loop: what differs between them (where their record lives,
whether the archive guard applies, how the report words their work) is asked of the provider
through the contract in ``providers.base``, never decided here by its name.
"""

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from happening.dates import aware
from happening.errors import UserError

from . import config as configuration
from . import providers
from .errors import ArchiveGuard, NewsletterError, ProviderError, SettingError
from .ledger import DONE, Ledger, LedgerError, exclusive, now
from .posts import Post, as_site, find, published
from .recipients import valid as valid_address
from .render import marker, render

log = logging.getLogger(__name__)


@dataclass
class Step:
    """What ``send`` does (or did, or would do) with one post."""

    post: Post
    action: str  # "send", "done", "skip", "guard", "same" (an edited post already recorded)
    reason: str = ""
    refused: int = 0  # Recipients who refused it for good (SMTP 5xx), skipped and suppressed.


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

    @property
    def refused(self) -> int:
        """Recipients who refused a post for good in this run (the task exits with REFUSED)."""
        return sum(s.refused for s in self.steps)


# `./inv newsletter.send`'s exit code when every post went out but some recipients refused it.
REFUSED = 3


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


NOT_STARTED = "no post recorded as sent yet: see newsletter.baseline"


@dataclass
class Sent:
    """The newest post (or email) already sent, and whose record says so."""

    when: datetime
    title: str
    where: str = "the ledger"  # Or the provider's name: the service's own record.


@dataclass
class ServiceRecord:
    """What the service itself records as sent, as :func:`ask_service` read it."""

    done: dict[str, str]  # Post id -> subject: our emails that went out, recognised by marker.
    newest: Sent | None  # The newest of them, or of the service's other emails.


def ask_service(ctx: Context) -> ServiceRecord | None:
    """What the provider's service records as sent; None for a provider with no such record.

    An email of ours (its marker names a published post) stands for that post's date, as a
    ledger record does; any other (sent from the service's own editor, an email of a post
    whose id has since changed) for the time it went out, so every post written before it is
    held back too. A service that cannot answer stops the run: assuming it sent nothing is how
    an archive goes out twice.
    """
    try:
        emails = ctx.provider.sent_emails()
    except ProviderError as exc:
        raise ProviderError(
            f"{exc}; nothing was sent (send asks {ctx.provider.name} what it has already sent "
            "before anything goes out)"
        ) from None
    if emails is None:
        return None
    zone = ctx.config.settings.get("TIMEZONE")
    ours = {marker(p.id): p for p in ctx.posts}
    done, newest = {}, None
    for email in emails:
        post = ours.get(email.marker)
        if post is not None:
            done[post.id] = email.subject
            sent = Sent(aware(post.date, zone), post.title, ctx.provider.name)
        else:
            sent = Sent(email.sent_at, email.subject, ctx.provider.name)
        if newest is None or sent.when > newest.when:
            newest = sent
    return ServiceRecord(done, newest)


def plan(ctx: Context, chosen: Post | None = None, service: ServiceRecord | None = None):
    """What ``send`` would do now with each published post, oldest first (a list of Step).

    For a provider that reaches readers, three guards keep the archive from going out again,
    whatever the ledger file looks like (``chosen``, a post named with ``--post``, passes the
    first two). ``service`` is what the service itself records as sent (:func:`ask_service`),
    consulted as well as the ledger:

    - no post recorded as sent yet (no ledger, or an empty one, and nothing at the service) and
      no NEWSLETTER_SINCE: "guard", and ``send`` refuses to start;
    - a post older than the newest one already sent (by the ledger or the service): held back
      ("guard"), since new posts are newer than everything that went out;
    - a post whose id has no record but whose URL, source file, or title and date match a
      record under another id (an edited slug, date, file name, POST_ID_AUTHORITY): "same",
      and ``send`` stops before sending anything.
    """
    since, zone = ctx.config.since, ctx.config.settings.get("TIMEZONE")
    guarding = ctx.provider.reaches_readers
    newest = _newest_sent(ctx, zone)
    if service and service.newest and (newest is None or service.newest.when > newest.when):
        newest = service.newest
    at_service = service.done if service else {}
    twins = _Twins(ctx) if guarding else None
    steps = []
    for post in ctx.posts:
        record = _record(ctx, post.id)
        twin = twins.find(post, zone) if twins else None
        resuming = record.get("state") == "sending"
        held = guarding and not resuming and post is not chosen  # The guards apply to it.
        if not post.wanted:
            steps.append(Step(post, "skip", "Newsletter: no"))
        elif ctx.ledger.done(post.id):
            steps.append(Step(post, "done", f"{record['state']} via {record.get('provider')}"))
        elif ctx.deliveries.done(post.id):  # Only reached when the provider keeps its own.
            steps.append(Step(post, "done", f"already in {ctx.provider.name}"))
        elif post.id in at_service and not resuming:  # A resumed one is finished by deliver.
            done = f"sent, in {ctx.provider.name}'s own record (the ledger has no record of it)"
            steps.append(Step(post, "done", done))
        elif since and aware(post.date, zone) < aware(since, zone):
            steps.append(Step(post, "skip", "before NEWSLETTER_SINCE"))
        elif twin is not None:
            steps.append(Step(post, "same", _same_reason(ctx, post, *twin)))
        elif held and newest is None and not since:
            steps.append(Step(post, "guard", NOT_STARTED))
        elif held and newest and aware(post.date, zone) < newest.when:
            steps.append(Step(post, "guard", _older(post, newest)))
        else:
            resume = " (resume: it stopped while sending)" if resuming else ""
            steps.append(Step(post, "send", f"via {ctx.provider.name}{resume}"))
    return steps


def _older(post, newest: Sent) -> str:
    if newest.where == "the ledger":
        said = f"older than {newest.title!r}, the newest post already sent"
    else:
        said = f"older than {newest.title!r}, the newest email {newest.where} records as sent"
    return f"{said}; send it with `./inv newsletter.send --post {post.slug}` if it is new"


def _newest_sent(ctx, zone) -> Sent | None:
    """The date and title of the newest post the ledger records as done, or None for none."""
    dates = {p.id: (aware(p.date, zone), p.title) for p in ctx.posts}
    newest, any_done = None, False
    for ledger in _ledgers(ctx):
        for post_id, record in ledger.posts.items():
            if record.get("state") not in DONE:
                continue  # A draft or a half-sent post does not make the blog "started".
            any_done = True
            when = dates.get(post_id)
            if record.get("date"):
                try:
                    day = datetime.fromisoformat(record["date"])
                    when = (aware(day, zone), record.get("title"))
                except ValueError:
                    raise LedgerError(
                        f"newsletter: {ledger.path.name}, record {post_id!r}: date = "
                        f"{record['date']!r} is not an ISO 8601 time; correct it"
                    ) from None
            if when and (newest is None or when[0] > newest[0]):
                newest = when
    if newest is None and any_done:
        # Records of posts long gone, with no date: the blog has sent, but not since when.
        newest = (datetime.min.replace(tzinfo=UTC), "")
    return Sent(*newest) if newest else None


def _ledgers(ctx):
    return [ctx.ledger] if ctx.deliveries is ctx.ledger else [ctx.ledger, ctx.deliveries]


class _Twins:
    """Records whose post id no published post has: an edited post may be one of them."""

    def __init__(self, ctx):
        current = {p.id for p in ctx.posts}
        self.index: dict[tuple, tuple[str, dict]] = {}
        for ledger in _ledgers(ctx):
            for post_id, record in ledger.posts.items():
                if post_id not in current:
                    for key in _keys(record):
                        self.index.setdefault(key, (post_id, record))

    def find(self, post, zone) -> tuple[str, dict] | None:
        for key in _keys(post.identity(zone), legacy=True):
            if key in self.index:
                return self.index[key]
        return None


def _keys(fields: dict, legacy=False) -> list[tuple]:
    """How a record or a post is recognised: its URL, its source file, or title and day."""
    keys = [(name, fields[name]) for name in ("url", "source") if fields.get(name)]
    day = str(fields.get("date") or "")[:10]
    if day:
        keys += [(name, fields[name], day) for name in ("title", "slug") if fields.get(name)]
    if legacy or not (day or keys):
        # A record from before records named their post carries only its title.
        keys += [("title only", fields["title"])] if fields.get("title") else []
    return keys


def _same_reason(ctx, post, old_id, record) -> str:
    authority = ctx.config.settings.get("POST_ID_AUTHORITY")
    old_authority = old_id[4:].split(",", 1)[0] if old_id.startswith("tag:") else None
    if old_authority and authority and old_authority != authority and post.id.startswith("tag:"):
        fix = f"set POST_ID_AUTHORITY back to {old_authority!r}"
    else:
        fix = f"add `Id: {old_id}` to {post.source} to keep it as the same post"
    return f"already recorded ({record.get('state')}) under its old id {old_id}; {fix}"


def send(
    settings=None,
    *,
    post=None,
    dry_run=False,
    test_to=None,
    schedule=None,
    draft=False,
    max_per_run=None,
    env=None,
    **provider_options,
) -> Report:
    """Send every published post that has not gone out, oldest first (or just ``post``).

    ``max_per_run`` overrides NEWSLETTER_MAX_PER_RUN: more posts than that waiting is refused
    (an archive about to go out again looks exactly like that).

    ``settings`` is a :class:`posts.Site`, a settings file, or None (``publishconf.py``).
    ``provider_options`` are keyword options of the provider class's constructor (``session``,
    ``sleep``...; its signature lists them), overriding the settings.
    """
    ctx = _open(settings, env, **provider_options)
    try:
        with exclusive(ctx.ledger.path), ctx.provider.hiding_secrets():
            ctx.read()
            return _send(ctx, post, dry_run, test_to, schedule, draft, max_per_run)
    except UserError as exc:
        raise ctx.provider.redact(exc) from None
    finally:
        ctx.provider.close()


def _refuse_before_sending(ctx, steps, chosen, max_per_run, service=None):
    """Stop before anything goes out when the run would repeat or blast posts."""
    same = [s for s in steps if s.action == "same"]
    if same:
        more = f" (and {len(same) - 1} more post(s) like it)" if len(same) > 1 else ""
        raise ArchiveGuard(
            f"newsletter: {same[0].post.source} ({same[0].post.title!r}) has a new id but is "
            f"{same[0].reason}{more}; nothing was sent"
        )
    unstarted = [s for s in steps if s.action == "guard" and s.reason == NOT_STARTED]
    if unstarted:
        nor = f", nor does {ctx.provider.name}," if service is not None else ""
        raise ArchiveGuard(
            f"newsletter: {ctx.ledger.path.name} records no post as sent yet{nor} and "
            f"{len(unstarted)} published post(s) are waiting: sending now would email the whole "
            f"archive through {ctx.provider.name}. Run `./inv newsletter.baseline` to record "
            "them as already sent (then only new posts go out), send one with `--post`, or set "
            'NEWSLETTER_SINCE = "YYYY-MM-DD" in pelicanconf.py to send only posts after that date'
        )
    limit = ctx.config["NEWSLETTER_MAX_PER_RUN"] if max_per_run is None else max_per_run
    going = [s for s in steps if s.action == "send"]
    if ctx.provider.reaches_readers and chosen is None and len(going) > limit:
        raise ArchiveGuard(
            f"newsletter: {len(going)} posts would go out in one run, more than "
            f"NEWSLETTER_MAX_PER_RUN = {limit}; nothing was sent. If they are all new, run "
            f"`./inv newsletter.send --max-per-run {len(going)}` (or one with `--post`); if "
            "readers have them already, `./inv newsletter.baseline`"
        )


def _send(ctx, post, dry_run, test_to, schedule, draft, max_per_run=None) -> Report:
    when = parse_schedule(schedule, ctx.config) if schedule else None
    ctx.provider.check(draft=draft, schedule=when)
    chosen = find(ctx.posts, post) if post is not None else None
    # The service's record matters only to the guards, which a named post or a test copy
    # passes: asking for them would be a wait (and a failure) for nothing.
    asking = chosen is None and not test_to and ctx.provider.reaches_readers
    service = ask_service(ctx) if asking else None
    steps = plan(ctx, chosen, service)
    if chosen is not None:
        steps = [s for s in steps if s.post is chosen]
    report = Report(
        ctx.provider.name,
        dry_run=dry_run,
        verbs=dict(ctx.provider.verbs),
        nothing_new=ctx.provider.nothing_new,
    )
    if test_to:
        return _send_test(ctx, steps, test_to, report)
    _refuse_before_sending(ctx, steps, chosen, max_per_run, service)
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
        **post.identity(ctx.config.settings.get("TIMEZONE")),
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
    return Step(
        post, delivery.state, delivery.detail or f"via {provider.name}", refused=delivery.refused
    )


def _send_test(ctx, steps, address, report):
    if not valid_address(str(address)):
        raise SettingError(
            f"newsletter: --test-to {address!r} is not one email address; give one, "
            "e.g. --test-to you@example.org"
        )
    candidates = [s.post for s in steps if s.action in ("send", "guard")] or [s.post for s in steps]
    if not candidates:
        raise NewsletterError("newsletter: no published post to send a test copy of")
    post = candidates[-1]  # The one asked for, else the newest not yet sent.
    email = render(post, ctx.config, unsubscribe=ctx.provider.unsubscribe)
    detail = ctx.provider.send_test(email, address)
    report.steps.append(Step(post, "test", detail or f"one copy to {address}"))
    return report


def status(settings=None, *, env=None) -> tuple[list[dict], str]:
    """One row per published post (sent? when, how, remote id, what send would do) + provider.

    Where the provider's credentials are set, the service is asked what it has sent, as
    ``send`` asks it; without them (status needs none) the rows are the ledger's view alone.
    """
    ctx = _open(settings, env)
    try:
        with ctx.provider.hiding_secrets():
            return _status(ctx, _service_if_configured(ctx)), ctx.provider.name
    except UserError as exc:
        raise ctx.provider.redact(exc) from None
    finally:
        ctx.provider.close()


def _service_if_configured(ctx) -> ServiceRecord | None:
    if not ctx.provider.reaches_readers:
        return None
    try:
        ctx.provider.validate()
    except SettingError:
        return None  # No credentials here: nothing to ask with.
    return ask_service(ctx)


def _status(ctx, service) -> list[dict]:
    rows = []
    for step in plan(ctx, service=service):
        record = ctx.provider.status_row(_record(ctx, step.post.id))
        state = _state(record)
        if step.action == "done" and not record:  # Known only from the service's own record.
            state = f"sent ({ctx.provider.name}'s record)"
        rows.append(
            {
                "date": f"{step.post.date:%Y-%m-%d}",
                "title": step.post.title,
                "id": step.post.id,
                "state": state,
                "when": record.get("finished") or record.get("started") or "",
                "provider": record.get("provider", ""),
                "remote_id": record.get("remote_id", ""),
                "next": _next(step),
            }
        )
    return rows


def _record(ctx, post_id) -> dict:
    """The post's record: the shared ledger's, else the one the provider keeps (if apart)."""
    return ctx.ledger.get(post_id) or ctx.deliveries.get(post_id) or {}


def _state(record):
    state = record.get("state", "not sent")
    if record.get("recipients_total") is not None and state == "sending":
        state = f"{state} ({record.get('recipients_done', 0)}/{record['recipients_total']})"
    if record.get("recipients_refused"):
        state += f", {record['recipients_refused']} refused"
    return state


def _next(step):
    return {
        "send": "send " + step.reason,
        "done": "nothing (done)",
        "skip": f"skip ({step.reason})",
        "guard": f"hold back ({step.reason})",
        "same": f"refuse: {step.reason}",
    }[step.action]


def baseline(settings=None, *, env=None) -> Report:
    """Record every published post as already sent: for a blog whose readers have them already."""
    ctx = _open(settings, env)
    with exclusive(ctx.ledger.path):
        ctx.read()
        return _baseline(ctx)


def _baseline(ctx) -> Report:
    report = Report("baseline")
    steps = plan(ctx)
    for step in steps:
        record = _record(ctx, step.post.id)
        if record.get("state") == "sending" or "(sending)" in step.reason:
            # Recording it as sent would mean the rest of the list never gets it.
            raise NewsletterError(
                f"newsletter: {step.post.title!r} ({step.post.source}) stopped part-way while "
                f"being sent; finish it first with `./inv newsletter.send --post "
                f"{step.post.slug}`, then run baseline again. Nothing was recorded"
            )
    zone = ctx.config.settings.get("TIMEZONE")
    for step in steps:
        if step.action in ("send", "guard", "same") and not ctx.ledger.done(step.post.id):
            ctx.ledger.update(
                step.post.id,
                **step.post.identity(zone),
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
