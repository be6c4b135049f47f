"""Moving readers in: a subscriber list goes to the provider, the rest to the suppression list.

Who goes where, whatever the source:

- an active reader who opted in on the old platform goes to ``NEWSLETTER_PROVIDER``'s list
  (``smtp``: the ``NEWSLETTER_RECIPIENTS`` file; ``buttondown``, ``listmonk``, ``mailchimp``:
  their documented subscriber endpoints), unless the suppression list already has them;
- an unsubscribed, bounced, disabled or deleted one goes to the suppression list, never to
  the list.

Every step is idempotent (a second run adds nothing), HTTP goes through the providers' own
client with ``happening.retry`` (429 and ``Retry-After`` honoured), and no address is ever
logged, printed or written inside the project: the report is counts only.

The list formats (read by :func:`read_list`):

- Substack ``email_list.<publication>.csv``: ``email``, ``active_subscription``, ``expiry``,
  ``plan``, ``email_disabled`` (``true``: Substack stopped emailing it, a bounce or complaint),
  ``created_at``; only current subscribers are in it.
- Ghost members CSV (Members -> Export): ``id``, ``email``, ``name``, ``note``,
  ``subscribed_to_emails`` (``false``: unsubscribed), ``complimentary_plan``,
  ``stripe_customer_id``, ``created_at``, ``deleted_at``, ``labels``, ``tiers``; a member whose
  address bounced is ``email_disabled`` in Ghost (Admin API member object), a column the
  export carries when present.
- Any CSV with an ``email`` column (``name`` and ``status`` optional: a status of
  unsubscribed, bounced, complained, blocked or cleaned suppresses it).
"""

import csv
import io
import json
import logging
import re
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from email.utils import parseaddr
from pathlib import Path

import requests

from happening.retry import MAX_WAIT, WaitTooLong, exponential, send_with_retries

from . import config as configuration
from . import providers
from .errors import NewsletterError, ProviderError, SettingError
from .posts import as_site
from .recipients import add_recipient
from .suppression import Suppressions

log = logging.getLogger(__name__)

SUPPRESSED_STATUSES = {"unsubscribed", "bounced", "complained", "blocked", "cleaned", "disabled"}
# Readers who never confirmed (double opt-in pending) or never asked for the newsletter: not
# consented, so neither listed nor suppressed (they may still sign up here).
UNCONSENTED_STATUSES = {"pending", "unconfirmed", "unactivated", "transactional", "archived"}
MAILCHIMP_BATCH = 500  # "Up to 500 members may be added or updated with each API call."
LISTMONK_BATCH = 1000  # Rows per uploaded CSV; listmonk runs one import at a time.
LISTMONK_POLLS = 600  # Seconds (one poll a second) to wait for one import to finish.


class ListError(NewsletterError):
    """A subscriber list that cannot be read; names the file and row, never an address."""


@dataclass
class Reader:
    address: str
    name: str = ""
    suppress: str = ""  # Why this reader must never be emailed ("" = active and consented).


@dataclass
class Counts:
    """What a subscriber import or export did: numbers only, never an address."""

    destination: str
    dry_run: bool = False
    read: int = 0
    added: int = 0
    already: int = 0  # On the list before this run.
    kept_out: int = 0  # Active in the file, but on the suppression list here.
    unconsented: int = 0  # Never confirmed there: left out.
    suppressed: Counter = field(default_factory=Counter)  # Added to the suppression list now.
    already_suppressed: int = 0
    refused: Counter = field(default_factory=Counter)  # By the service's error code.


def read_list(path: Path) -> list[Reader]:
    """Every reader in the CSV at ``path`` (or in Substack's export zip), each with why they
    are suppressed, if they are."""
    name, text = _list_text(Path(path))
    reader = csv.DictReader(io.StringIO(text))
    columns = {c.strip().lower() for c in reader.fieldnames or ()}
    if "email" not in columns:
        raise ListError(f"subscribers: {name} row 1 has no 'email' column")
    readers = []
    for row in reader:
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in row.items()}
        address = parseaddr(row.get("email", ""))[1]
        if "@" not in address or " " in address:
            # The address itself is not shown: a typo in it is still someone's address.
            raise ListError(
                f"subscribers: {name} row {reader.line_num}: the email column is not an email "
                "address"
            )
        readers.append(Reader(address, row.get("name", ""), _why_suppressed(row)))
    return readers


def _list_text(path: Path) -> tuple[str, str]:
    """The list's name for messages and its text; Substack's zip holds ``email_list.*.csv``."""
    try:
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                inside = [
                    n
                    for n in archive.namelist()
                    if n.rsplit("/", 1)[-1].startswith("email_list") and n.endswith(".csv")
                ]
                if not inside:
                    raise ListError(f"subscribers: {path.name} holds no email_list*.csv")
                return f"{path.name}:{inside[0]}", archive.read(inside[0]).decode("utf-8-sig")
        return path.name, path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError, zipfile.BadZipFile) as exc:
        raise ListError(f"subscribers: cannot read {path} ({exc})") from None


def _why_suppressed(row: dict) -> str:
    if _true(row.get("email_disabled")):
        return "bounced"  # Substack and Ghost stop emailing an address that bounced.
    if row.get("subscribed_to_emails", "true").lower() == "false":
        return "unsubscribed"
    if row.get("deleted_at"):
        return "deleted"
    status = row.get("status", "").lower()
    if status in UNCONSENTED_STATUSES:
        return "unconsented"
    return status if status in SUPPRESSED_STATUSES else ""


def _true(value) -> bool:
    return str(value or "").strip().lower() in ("true", "1", "yes")


# -- import --------------------------------------------------------------------------------------
def import_list(site, path: Path, *, dry_run: bool = False, env=None, **provider_options) -> Counts:
    """Move the readers in ``path`` to the configured provider; suppress the others."""
    config = _config(site, env)
    send = DESTINATIONS.get(config.provider)
    if send is None:
        raise SettingError(
            f"subscribers: NEWSLETTER_PROVIDER = {config.provider!r} keeps no list of readers; "
            "set it to smtp, buttondown, listmonk or mailchimp first"
        )
    readers = read_list(path)
    suppressions = Suppressions.for_config(config)
    _outside_project(suppressions.path, config, "NEWSLETTER_SUPPRESSIONS")
    counts = Counts(config.provider, dry_run, read=len(readers))
    active = []
    for reader in readers:
        if reader.suppress == "unconsented":
            counts.unconsented += 1
        elif reader.suppress:
            if reader.address in suppressions:
                counts.already_suppressed += 1
            else:
                counts.suppressed[reader.suppress] += 1
                if not dry_run:
                    suppressions.add(
                        reader.address, f"{reader.suppress} (imported from {path.name})"
                    )
        elif reader.address in suppressions:
            counts.kept_out += 1  # Unsubscribed here once: an old list must not undo that.
        else:
            active.append(reader)
    if dry_run:
        counts.added = len(active)  # At most; the service may already have some.
        return counts
    send(config, active, counts, provider_options)
    return counts


def _config(site, env):
    from pelican.settings import read_settings

    site = as_site(site)
    settings = read_settings(str(site.settings_file), override=site.overrides)
    return configuration.load(settings, site.root, env)


def _outside_project(path: Path, config, setting: str):
    where = Path(path).expanduser().resolve()
    folders = [config.root, *(config.settings.get(k) for k in ("PATH", "OUTPUT_PATH"))]
    if any(f and where.is_relative_to(Path(f).resolve()) for f in folders):
        raise SettingError(
            f"subscribers: {setting} points inside the project ({path}); addresses never go "
            "into the repo: keep the file elsewhere, e.g. ~/.config/happening-now/"
        )


def _to_smtp(config, readers, counts, _options):
    file = config.env.get("NEWSLETTER_RECIPIENTS")
    if not file:
        raise SettingError(
            "subscribers: set the environment variable NEWSLETTER_RECIPIENTS to the SMTP "
            "recipients file (outside the repo) to import into"
        )
    _outside_project(Path(file), config, "NEWSLETTER_RECIPIENTS")
    for reader in readers:
        if add_recipient(Path(file), reader.address, reader.name):
            counts.added += 1
        else:
            counts.already += 1


def _post(client, path, **request):
    """POST through the provider's session, retried on 429/5xx (every caller here is
    idempotent: a repeat creates nothing twice); returns the response, 4xx included."""
    url = client.url(path)
    try:
        return send_with_retries(
            lambda: client.session.request("POST", url, timeout=client.timeout, **request),
            retries=client.retries,
            name=client.service,
            backoff=exponential(1, 60),
            max_wait=MAX_WAIT,
            sleep=client.sleep,
        ).response
    except WaitTooLong as exc:
        raise ProviderError(
            f"{client.service}: the service asks to wait {exc.delay:.0f}s; run "
            "`./inv newsletter.subscribers import` again later (nobody is added twice)"
        ) from None
    except requests.RequestException as exc:
        raise ProviderError(
            f"{client.service}: cannot reach the service ({type(exc).__name__}); check "
            f"{client.base_setting} and the network"
        ) from None


def _to_buttondown(config, readers, counts, options):
    # POST /v1/subscribers, one reader a call (Buttondown has no bulk create). `type: regular`
    # skips the double opt-in: these readers confirmed on the old platform. The default
    # collision behaviour (no_op) answers 400 email_already_exists for a known address, so
    # a second run adds nobody and never resubscribes someone who unsubscribed there.
    provider = providers.get(config, **options)
    provider.validate()
    client = provider.http
    try:
        for reader in readers:
            body = {"email_address": reader.address, "type": "regular"}
            if reader.name:
                body["metadata"] = {"name": reader.name}
            response = _post(client, "subscribers", json=body)
            if response.status_code == 201:
                counts.added += 1
                continue
            code = _json(response).get("code", "")
            if response.status_code == 400 and code in (
                "email_already_exists",
                "subscriber_already_exists",
            ):
                counts.already += 1
            elif response.status_code == 400 and code:
                counts.refused[code] += 1  # subscriber_suppressed, email_blocked...
            else:
                raise _refusal(client, "POST", "/v1/subscribers", response)
    finally:
        provider.close()


def _to_mailchimp(config, readers, counts, options):
    # POST /lists/{list_id} ("batch subscribe or unsubscribe"): up to 500 members a call;
    # with update_existing false an address already in the audience comes back in `errors`
    # as ERROR_CONTACT_EXISTS and is left as it is (an unsubscribed contact stays so).
    provider = providers.get(config, **options)
    provider.validate()
    client = provider.http
    try:
        for start in range(0, len(readers), MAILCHIMP_BATCH):
            batch = readers[start : start + MAILCHIMP_BATCH]
            members = []
            for reader in batch:
                member = {"email_address": reader.address, "status": "subscribed"}
                if reader.name:
                    member["merge_fields"] = {"FNAME": reader.name}
                members.append(member)
            path = f"lists/{provider.list_id}"
            response = _post(client, path, json={"members": members, "update_existing": False})
            if not response.ok:
                raise _refusal(client, "POST", f"/3.0/{path}", response)
            data = _json(response)
            counts.added += int(data.get("total_created") or 0)
            for error in data.get("errors") or []:
                code = error.get("error_code") or "error"
                if code == "ERROR_CONTACT_EXISTS":
                    counts.already += 1
                else:
                    counts.refused[code] += 1
    finally:
        provider.close()


def _to_listmonk(config, readers, counts, options):
    # POST /api/import/subscribers: a CSV (email,name,attributes) and `params` as JSON, mode
    # subscribe, confirmed (they opted in before), overwrite false so existing subscribers are
    # skipped (idempotent). listmonk runs one import at a time: each batch is awaited through
    # GET /api/import/subscribers until its status is finished.
    provider = providers.get(config, **options)
    provider.validate()
    client = provider.http
    params = {
        "mode": "subscribe",
        "subscription_status": "confirmed",
        "delim": ",",
        "lists": list(provider.list_ids),
        "overwrite": False,
    }
    try:
        for start in range(0, len(readers), LISTMONK_BATCH):
            batch = readers[start : start + LISTMONK_BATCH]
            out = io.StringIO()
            writer = csv.writer(out)
            writer.writerow(["email", "name", "attributes"])
            writer.writerows([r.address, r.name or r.address.split("@")[0], "{}"] for r in batch)
            response = _post(
                client,
                "import/subscribers",
                data={"params": json.dumps(params)},
                files={"file": ("subscribers.csv", out.getvalue().encode(), "text/csv")},
            )
            if not response.ok:
                raise _refusal(client, "POST", "/api/import/subscribers", response)
            stats = _await_listmonk(client)
            imported = int(stats.get("imported") or 0)
            counts.added += imported
            counts.already += len(batch) - imported
    finally:
        provider.close()


def _await_listmonk(client) -> dict:
    for _ in range(LISTMONK_POLLS):
        stats = _json(client.request("GET", "import/subscribers")).get("data") or {}
        status = stats.get("status")
        if status == "finished":
            return stats
        if status in ("failed", "stopped"):
            raise ProviderError(
                f"listmonk: the subscriber import {status}; read its log in listmonk "
                "(Subscribers -> Import), then run the import again (nobody is added twice)"
            )
        client.sleep(1)
    raise ProviderError("listmonk: the subscriber import is still running; run it again later")


def _refusal(client, method, path, response) -> ProviderError:
    """The provider's one-line error, with any address the service quoted masked out."""
    error = client.error(method, path, response)
    return ProviderError(_ADDRESS.sub("<address>", str(error)))


_ADDRESS = re.compile(r"[^\s@\"'<>(),;:]+@[^\s@\"'<>(),;:]+")


def _json(response) -> dict:
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


DESTINATIONS = {
    "smtp": _to_smtp,
    "buttondown": _to_buttondown,
    "listmonk": _to_listmonk,
    "mailchimp": _to_mailchimp,
}


# -- export --------------------------------------------------------------------------------------
def export_list(site, path: Path, *, env=None, **provider_options) -> Counts:
    """Write the configured provider's list (SMTP: the recipients file) and the suppression
    list to the CSV ``path``, outside the repo, as ``email,name,status``: what
    :func:`read_list` reads back and any service's importer takes. Readers who never
    confirmed (double opt-in pending) are left out and counted."""
    config = _config(site, env)
    _outside_project(Path(path), config, "the export file")
    fetch = EXPORTERS.get(config.provider)
    if fetch is None:
        raise SettingError(
            f"subscribers: NEWSLETTER_PROVIDER = {config.provider!r} keeps no list of readers; "
            "set it to smtp, buttondown, listmonk or mailchimp first"
        )
    counts = Counts(Path(path).name)
    rows = {}
    for address, name, status in fetch(config, provider_options):
        if status in ("subscribed", *SUPPRESSED_STATUSES):
            rows.setdefault(address.lower(), (address, name, status))
        else:
            counts.refused[status] += 1  # Unconfirmed: never consented, so not exported.
    if config.provider == "smtp" or config.env.get("NEWSLETTER_SUPPRESSIONS"):
        for address in sorted(Suppressions.for_config(config).addresses()):
            rows[address.lower()] = (address, "", "unsubscribed")
    for _, _, status in rows.values():
        if status == "subscribed":
            counts.added += 1
        else:
            counts.suppressed[status] += 1
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with Path(path).open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["email", "name", "status"])
        writer.writerows(rows.values())
    counts.read = len(rows)
    return counts


def _from_smtp(config, _options):
    file = config.env.get("NEWSLETTER_RECIPIENTS")
    if not file:
        raise SettingError("subscribers: set NEWSLETTER_RECIPIENTS to the SMTP recipients file")
    for line in Path(file).expanduser().read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, address = parseaddr(line.strip())
            yield address, name, "subscribed"


# Buttondown's SubscriberType values (buttondown-enums.json): who receives email, who never may.
BUTTONDOWN_ACTIVE = {"regular", "premium", "gifted", "trialed", "churning", "past_due", "paused"}
BUTTONDOWN_SUPPRESSED = {
    "unsubscribed": "unsubscribed",
    "blocked": "blocked",
    "complained": "complained",
    "undeliverable": "bounced",
    "removed": "unsubscribed",
    "churned": "unsubscribed",
}


def _from_buttondown(config, options):
    # GET /v1/subscribers: a SubscriberPage (results, next, previous, count); follow `next`.
    provider = providers.get(config, **options)
    provider.validate()
    try:
        url = "subscribers"
        while url:
            page = _json(provider.http.request("GET", url))
            for sub in page.get("results") or []:
                kind = sub.get("type") or ""
                status = (
                    "subscribed"
                    if kind in BUTTONDOWN_ACTIVE
                    else BUTTONDOWN_SUPPRESSED.get(kind, kind or "unknown")
                )
                name = (sub.get("metadata") or {}).get("name") or ""
                yield sub.get("email_address") or "", str(name), status
            url = page.get("next")
    finally:
        provider.close()


def _from_listmonk(config, options):
    # GET /api/subscribers?per_page=all&list_id=...: data.results with email, name, status
    # (enabled, blocklisted) and each list's subscription_status.
    provider = providers.get(config, **options)
    provider.validate()
    try:
        params = {"per_page": "all", "list_id": list(provider.list_ids)}
        data = _json(provider.http.request("GET", "subscribers", params=params)).get("data") or {}
        for sub in data.get("results") or []:
            lists = [entry.get("subscription_status") for entry in sub.get("lists") or []]
            if sub.get("status") == "blocklisted":
                status = "blocked"
            elif lists and all(s == "unsubscribed" for s in lists):
                status = "unsubscribed"
            elif lists and all(s == "unconfirmed" for s in lists):
                status = "unconfirmed"
            else:
                status = "subscribed"
            yield sub.get("email") or "", sub.get("name") or "", status
    finally:
        provider.close()


def _from_mailchimp(config, options):
    # GET /lists/{list_id}/members?count=1000&offset=N: members (email_address, status:
    # subscribed, unsubscribed, cleaned, pending, transactional, archived) and total_items.
    provider = providers.get(config, **options)
    provider.validate()
    try:
        offset, total = 0, None
        while total is None or offset < total:
            params = {"count": 1000, "offset": offset}
            path = f"lists/{provider.list_id}/members"
            page = _json(provider.http.request("GET", path, params=params))
            members = page.get("members") or []
            total = int(page.get("total_items") or 0)
            for member in members:
                name = (member.get("merge_fields") or {}).get("FNAME") or ""
                yield member.get("email_address") or "", name, member.get("status") or ""
            if not members:
                break
            offset += len(members)
    finally:
        provider.close()


EXPORTERS = {
    "smtp": _from_smtp,
    "buttondown": _from_buttondown,
    "listmonk": _from_listmonk,
    "mailchimp": _from_mailchimp,
}


def format_counts(counts: Counts) -> str:
    """The task's report: how many of each, never who."""
    suppressed = sum(counts.suppressed.values())
    reasons = ", ".join(f"{n} {why}" for why, n in sorted(counts.suppressed.items()))
    prefix = "dry run, nothing changed: " if counts.dry_run else ""
    lines = [
        f"subscribers: {prefix}{counts.read} read; {counts.added} "
        f"{'would be ' if counts.dry_run else ''}added to {counts.destination}, "
        f"{counts.already} already there",
        f"suppressed: {suppressed} added to the suppression list"
        + (f" ({reasons})" if reasons else "")
        + f", {counts.already_suppressed} already on it",
    ]
    if counts.unconsented:
        lines.append(f"left out: {counts.unconsented} who never confirmed their subscription")
    if counts.kept_out:
        lines.append(f"kept out: {counts.kept_out} active there but unsubscribed here")
    if counts.refused:
        refused = ", ".join(f"{n} {code}" for code, n in sorted(counts.refused.items()))
        lines.append(f"refused by {counts.destination}: {refused}")
    return "\n".join(lines)
