"""What every HTTP provider shares: one session, timeouts, safe retries, one-line errors.

Only requests that are safe to repeat are retried (GET, PUT, PATCH, and a POST carrying an
idempotency key), and only on 429, 5xx, timeouts and connection errors, honouring
``Retry-After``: the loop is :func:`happening.retry.send_with_retries`, shared with WebSub. Any
other failure becomes a :class:`ProviderError` naming the setting or field to fix. Messages never
contain a credential: they are built from the status, the path and the service's own error text,
never from the request's headers."""

import time
from datetime import datetime
from urllib.parse import urljoin, urlsplit

import requests

from happening.retry import MAX_WAIT, WaitTooLong, exponential, send_with_retries

from ..errors import ProviderError, SettingError
from .base import Provider

SAFE_METHODS = {"GET", "HEAD", "PUT", "PATCH", "DELETE"}


def check_url(setting: str, value, service: str, example: str):
    """Raise SettingError unless ``value`` is a well-formed http(s) address."""
    try:
        parts = urlsplit(str(value or ""))
        parts.port  # noqa: B018 - parsing the port is what finds "host:abc"
        well_formed = parts.scheme in ("https", "http") and bool(parts.hostname)
    except ValueError:
        well_formed = False
    if not well_formed:
        raise SettingError(
            f"{service}: {setting} = {value!r} is not a web address; set it to e.g. {example}"
        )


class HttpClient:
    """One ``requests.Session`` for one service."""

    def __init__(
        self,
        service: str,
        base_url: str,
        *,
        base_setting: str,
        key_setting: str,
        headers=None,
        auth=None,
        timeout=30,
        retries=4,
        sleep=time.sleep,
        session=None,
    ):
        self.service = service
        self.base_url = base_url.rstrip("/") + "/"
        self.base_setting = base_setting
        self.key_setting = key_setting
        self.timeout = timeout
        self.retries = retries
        self.sleep = sleep
        self.session = session or requests.Session()
        self.session.headers.update(headers or {})
        self.session.headers.setdefault("User-Agent", "happening-now-newsletter/1")
        if auth is not None:
            self.session.auth = auth

    def url(self, path: str) -> str:
        return path if "://" in path else urljoin(self.base_url, path.lstrip("/"))

    def request(self, method, path, *, json=None, params=None, headers=None, safe=None):
        """The response to a successful request (2xx); anything else raises ProviderError."""
        method = method.upper()
        safe = method in SAFE_METHODS if safe is None else safe
        url = self.url(path)
        shown = urlsplit(url).path
        try:
            answer = send_with_retries(
                lambda: self.session.request(
                    method, url, json=json, params=params, headers=headers, timeout=self.timeout
                ),
                retries=self.retries if safe else 0,
                name=self.service,
                backoff=exponential(1, 60),
                max_wait=MAX_WAIT,
                sleep=self.sleep,
            )
        except WaitTooLong as exc:
            raise ProviderError(
                f"{self.service}: the service asks to wait {exc.delay:.0f}s before trying again; "
                "run `./inv newsletter.send` later"
            ) from None
        except requests.Timeout:
            raise ProviderError(
                f"{self.service}: no answer to {method} {shown} within {self.timeout}s "
                "(NEWSLETTER_HTTP_TIMEOUT); nothing is recorded as sent that was not, and the "
                "next `./inv newsletter.send` asks the service before creating anything"
            ) from None
        except requests.ConnectionError as exc:
            raise ProviderError(
                f"{self.service}: cannot reach {urlsplit(url).netloc} "
                f"({type(exc).__name__}); check {self.base_setting} and the network"
            ) from None
        except (requests.RequestException, ValueError) as exc:
            # A malformed URL or header: requests' own text may quote the header, credential
            # and all, so only the exception's name is shown.
            raise ProviderError(
                f"{self.service}: cannot send {method} {shown} ({type(exc).__name__}); check "
                f"{self.base_setting} and {self.key_setting}"
            ) from None
        response = answer.response
        if not response.ok:
            raise self.error(method, shown, response)
        if response.content:
            try:
                response.json()
            except ValueError:
                kind = response.headers.get("Content-Type", "no content type").split(";")[0]
                raise ProviderError(
                    f"{self.service}: {method} {shown} answered {kind}, not the API's JSON; "
                    f"check {self.base_setting} (it should be the API's address)"
                ) from None
        return response

    def error(self, method, path, response) -> ProviderError:
        status = response.status_code
        detail = _detail(response)
        if status in (401, 403):
            return ProviderError(
                f"{self.service}: the service refused the credentials ({status}"
                f"{': ' + detail if detail else ''}); check the environment variable "
                f"{self.key_setting}"
            )
        if status == 404:
            return ProviderError(
                f"{self.service}: {method} {path} was not found (404); check {self.base_setting}"
            )
        if status in (400, 409, 422):
            return ProviderError(
                f"{self.service}: the service rejected {method} {path} ({status}): "
                f"{detail or 'no reason given'}"
            )
        said = f": {detail}" if detail else ""
        if status == 429 or status >= 500:
            return ProviderError(
                f"{self.service}: {method} {path} failed ({status}{said})"
                "; nothing is recorded as sent that was not: run `./inv newsletter.send` again"
            )
        return ProviderError(f"{self.service}: {method} {path} failed ({status}): {detail}")

    def close(self):
        self.session.close()


class HttpProvider(Provider):
    """Base for a provider that speaks to its service through one :class:`HttpClient`.

    Its options, shared by every HTTP provider: ``session`` (a ``requests.Session`` to use;
    default a new one), ``timeout`` (seconds, default ``NEWSLETTER_HTTP_TIMEOUT``), ``retries``
    (of safe requests, default ``NEWSLETTER_HTTP_RETRIES``) and ``sleep`` (how to wait before a
    retry, default ``time.sleep``). A subclass adds its service's own options and says how to
    reach and authenticate with it in :meth:`client_options`.
    """

    def __init__(self, config, *, session=None, timeout=None, retries=None, sleep=None):
        super().__init__(config)
        self.session = session
        self.timeout = timeout if timeout is not None else config["NEWSLETTER_HTTP_TIMEOUT"]
        self.retries = retries if retries is not None else config["NEWSLETTER_HTTP_RETRIES"]
        self.sleep = sleep if sleep is not None else time.sleep
        self._http = None

    @property
    def http(self) -> HttpClient:
        # Made on first use, so that `validate` has named any missing secret before it is read.
        if self._http is None:
            self._http = HttpClient(
                self.name,
                timeout=self.timeout,
                retries=self.retries,
                session=self.session,
                sleep=self.sleep,
                **self.client_options(),
            )
        return self._http

    def client_options(self) -> dict:
        """``base_url``, ``base_setting``, ``key_setting`` and ``headers`` or ``auth``."""
        raise NotImplementedError

    def listing(self, data, key, path):
        """``data[key]`` from a list answer, checked to be a list (of objects) as documented.

        A proxy, a login page or another API can answer 200 with JSON of another shape; read
        as "no emails", that would let the archive out again, so it is an error instead.
        """
        items = data.get(key) if isinstance(data, dict) else None
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            raise self.malformed(f"no list {key!r}", path)
        return items

    def moment(self, item, fields, path) -> datetime:
        """The first of ``fields`` that ``item`` has, as an aware time (ISO 8601 with a zone)."""
        for name in fields:
            value = item.get(name)
            if value in (None, ""):
                continue
            try:
                when = datetime.fromisoformat(str(value))
            except ValueError:
                raise self.malformed(f"{name} = {str(value)[:40]!r} is not a time", path) from None
            if when.tzinfo is None:
                raise self.malformed(f"{name} = {value!r} has no time zone", path)
            return when
        raise self.malformed(f"an email sent with no {' or '.join(fields)}", path)

    def malformed(self, what, path) -> ProviderError:
        """``path`` (as given to ``request``) answered JSON of a shape the API does not have."""
        shown = urlsplit(self.http.url(path)).path
        return ProviderError(
            f"{self.name}: the answer to GET {shown} has {what}, not what the API documents; "
            f"check {self.http.base_setting} (it should be the API's address)"
        )

    def close(self):
        if self._http is not None:
            self._http.close()


def _detail(response) -> str:
    """The service's own words about what went wrong, naming the field where it says one."""
    try:
        data = response.json()
    except ValueError:
        return response.text.strip()[:200]
    if not isinstance(data, dict):
        return str(data)[:200]
    found = []
    errors = data.get("errors")
    if isinstance(errors, list):  # Mailchimp: [{"field": "...", "message": "..."}]
        found += [f"{e.get('field')}: {e.get('message')}" for e in errors if isinstance(e, dict)]
    detail = data.get("detail")
    if isinstance(detail, list):  # Buttondown (validation): [{"loc": [...], "msg": "..."}]
        for item in detail:
            if isinstance(item, dict):
                field = ".".join(
                    str(p) for p in item.get("loc", []) if p not in ("body", "payload")
                )
                found.append(f"{field}: {item.get('msg')}" if field else str(item.get("msg")))
    elif detail:
        found.insert(0, str(detail))
    if data.get("message"):  # listmonk
        found.insert(0, str(data["message"]))
    if not found and data.get("title"):
        found.append(str(data["title"]))
    return "; ".join(found)[:300]
