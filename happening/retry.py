"""Repeat an HTTP request with backoff, honouring ``Retry-After``: one loop for every caller.

WebSub pings and every HTTP provider go through :func:`send_with_retries`. Whether a request may
be repeated at all is the caller's to say, because only it knows (a WebSub ping always may; a
provider's POST only with an idempotency key): it passes ``retries=0`` when it may not. What is
worth repeating is the same for all: no answer in time, no connection, or one of ``statuses``
(the service is busy or down). Any other answer is returned at once, for the caller to read.

A service's ``Retry-After`` (seconds, or an HTTP date) wins over the backoff; one asking for more
than ``max_wait`` raises :class:`WaitTooLong`, because answering it means "run this again later",
not a process left sleeping.
"""

import email.utils
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # Imported where a request is sent: a release with no hub never loads it.
    import requests

log = logging.getLogger(__name__)

# 429: slow down; 5xx that a later try may not get (501 Not Implemented and 505 never change).
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_WAIT = 300  # Seconds; a service asking for longer is better answered by running again later.


def exponential(first: float = 1.0, cap: float = 60.0) -> Callable[[int], float]:
    """Waits of ``first``, then twice as long each time (1, 2, 4, 8... s), never over ``cap``."""
    return lambda retry: min(first * 2 ** (retry - 1), cap)


def linear(step: float) -> Callable[[int], float]:
    """Waits of ``step``, ``2 * step``, ``3 * step``...; ``linear(0)`` retries at once."""
    return lambda retry: step * retry


@dataclass(frozen=True)
class Answer:
    """The last response and how many requests it took to get it (1: no retry)."""

    response: "requests.Response"
    attempts: int


class WaitTooLong(Exception):
    """The service asked to wait longer than the caller's ``max_wait`` before trying again.

    Never shown to the writer as it is: each caller turns it into its own one-line UserError.
    """

    def __init__(self, delay: float, response: "requests.Response", attempts: int):
        super().__init__(f"the service asks to wait {delay:.0f}s")
        self.delay = delay
        self.response = response
        self.attempts = attempts


def send_with_retries(
    send: Callable[[], "requests.Response"],
    *,
    retries: int,
    name: str,
    statuses=RETRY_STATUSES,
    backoff: Callable[[int], float] | None = None,
    max_wait: float = MAX_WAIT,
    sleep: Callable[[float], None] = time.sleep,
) -> Answer:
    """``send()``'s answer, asking again (``retries`` times at most) while it is worth it.

    Returns the last response, which may still be one of ``statuses`` once the retries are used
    up. A timeout or connection error on the last attempt is raised as it is, so the caller
    says in its own words what failed. ``name`` starts each log line (``"websub"``,
    ``"buttondown"``); ``sleep`` is injectable so tests never wait.
    """
    import requests  # What ``send`` raises; loaded only once there is something to send.

    backoff = backoff or exponential()
    attempts = retries + 1
    attempt = 0
    while True:
        attempt += 1
        last = attempt == attempts
        try:
            response = send()
        except requests.Timeout:
            if last:
                raise
            problem, delay = "no answer in time", backoff(attempt)
        except requests.ConnectionError as exc:
            if last:
                raise
            problem, delay = f"could not connect ({type(exc).__name__})", backoff(attempt)
        else:
            if last or response.status_code not in statuses:
                return Answer(response, attempt)
            problem = f"HTTP {response.status_code}"
            asked = retry_after(response.headers.get("Retry-After"))
            delay = backoff(attempt) if asked is None else asked
            if delay > max_wait:
                raise WaitTooLong(delay, response, attempt)
        log.info(
            "%s: %s, attempt %d of %d; retrying in %.1fs", name, problem, attempt, attempts, delay
        )
        if delay > 0:
            sleep(delay)


def retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (seconds or an HTTP date); None if unusable.

    A date in the past means "now" (0.0); a value that is neither is ignored, so the caller's
    own backoff applies.
    """
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:  # RFC 9110 dates are GMT; "-0000" parses naive.
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())
