"""Tell WebSub hubs that the feeds changed, so subscribers' readers fetch them at once.

The WebSub publish notification is a form ``POST`` to the hub: ``hub.mode=publish`` and
``hub.url=<feed URL>``, one per feed; the hub answers 2xx when it accepted it. Telling a hub twice
is harmless (it just fetches the feed again), so timeouts, 5xx and 429 answers are retried a few
times (through :mod:`happening.retry`, which honours a hub's ``Retry-After``); any other answer is
a mistake a retry cannot fix and is reported at once.
"""

import logging
import time
from dataclasses import dataclass
from pathlib import Path

from happening.errors import UserError
from happening.retry import WaitTooLong, linear, send_with_retries

from .config import load_config

log = logging.getLogger(__name__)


class WebSubError(UserError):
    """A hub refused or never answered; ``results`` holds the pings that did succeed."""

    def __init__(self, message, results=()):
        super().__init__(message)
        self.results = list(results)


@dataclass(frozen=True)
class PingResult:
    hub: str
    feed: str
    status: int
    attempts: int


def feed_urls(settings, output_path) -> list[str]:
    """The public URL of every feed the last build wrote into ``output_path``."""
    config = load_config(settings)
    output = Path(output_path)
    paths = [p for p in (config.atom, config.rss, config.json) if p and (output / p).is_file()]
    for pattern in (config.category_atom, config.tag_atom):
        if pattern:
            found = output.glob(pattern.replace("{slug}", "*"))
            paths += sorted(p.relative_to(output).as_posix() for p in found if p.is_file())
    return [config.feed_link(p) for p in paths]


def ping(settings, output_path, session=None, sleep=time.sleep) -> list[PingResult]:
    """Notify every hub in ``WEBSUB_HUBS`` about every feed in ``output_path``.

    Returns one :class:`PingResult` per hub and feed; raises :class:`WebSubError` listing every
    ping that failed (after trying all the others). ``sleep`` waits between retries.
    """
    config = load_config(settings)
    if not config.hubs:
        log.info("websub: WEBSUB_HUBS is empty; no hub to notify")
        return []
    if config.is_local:
        raise WebSubError(
            "websub: SITEURL and FEED_DOMAIN are empty, so the feeds point at "
            f"{config.site_url}, which no hub can fetch; ping with the production settings "
            "(publishconf.py)"
        )
    feeds = feed_urls(settings, output_path)
    if not feeds:
        raise WebSubError(
            f"websub: no feeds in {output_path}; build first (`./inv preview`), then ping"
        )
    # Here, not at the top: a release with no hub (and the outbox) never loads requests.
    import requests

    session = session or requests.Session()
    results, failures = [], []
    for hub in config.hubs:
        for number, feed in enumerate(feeds):
            try:
                results.append(_ping_one(session, config, hub, feed, sleep))
            except _HubDown as exc:
                skipped = len(feeds) - number - 1
                failures.append(
                    f"{hub} did not answer for {feed} ({exc})"
                    + (f"; {skipped} more feed(s) not sent to it" if skipped else "")
                )
                break
            except _Refused as exc:
                failures.append(str(exc))
    if failures:
        raise WebSubError(
            f"websub: {len(failures)} ping(s) failed, {len(results)} succeeded; check "
            "WEBSUB_HUBS and run `./inv ping` again:\n  " + "\n  ".join(failures),
            results,
        )
    return results


class _HubDown(Exception):
    """No usable answer after every retry: a timeout, no connection, a 5xx or a 429."""


class _Refused(Exception):
    """The hub answered with an error a retry cannot fix (4xx, 3xx)."""


# Every 5xx: a hub that is down or overloaded may be back a moment later; 429: it asks us to wait.
_RETRY_STATUSES = frozenset({429, *range(500, 600)})
# A release waits on the ping: a hub wanting longer than this is told again by `./inv ping` later.
_MAX_WAIT = 60


def _ping_one(session, config, hub, feed, sleep) -> PingResult:
    import requests  # Loaded by ping() already: only its exceptions are needed here.

    form = {"hub.mode": "publish", "hub.url": feed}
    attempts = config.retries + 1
    try:
        answer = send_with_retries(
            lambda: session.post(hub, data=form, timeout=config.timeout, allow_redirects=False),
            retries=config.retries,
            name="websub",
            statuses=_RETRY_STATUSES,
            backoff=linear(config.retry_delay),  # back off: the hub is busy or down
            max_wait=_MAX_WAIT,
            sleep=sleep,
        )
    except requests.Timeout:
        raise _HubDown(f"no answer within {config.timeout:g}s, {attempts} attempt(s)") from None
    except requests.ConnectionError as exc:
        raise _HubDown(f"could not connect: {type(exc).__name__}, {attempts} attempt(s)") from None
    except WaitTooLong as exc:
        status = exc.response.status_code
        raise _HubDown(f"HTTP {status}, {exc}, {exc.attempts} attempt(s)") from None
    status = answer.response.status_code
    if 200 <= status < 300:
        log.info("websub: %s accepted %s (HTTP %d)", hub, feed, status)
        return PingResult(hub, feed, status, answer.attempts)
    if status in _RETRY_STATUSES:
        raise _HubDown(f"HTTP {status}, {answer.attempts} attempt(s)")
    body = " ".join(answer.response.text.split())[:200]
    raise _Refused(f"{hub} refused {feed}: HTTP {status}" + (f" {body!r}" if body else ""))
