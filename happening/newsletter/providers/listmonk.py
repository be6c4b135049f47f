"""listmonk (self-hosted, https://listmonk.app): one campaign per post.

The campaign's name carries our marker; before creating one, campaigns are searched by it
(``query=<marker>&per_page=all&no_body=true``) and one found is taken up where it stands.
Creating a campaign (POST) is not safe to repeat, so it is never retried blindly: a failure is
resolved by the next ``send``, which searches first. Starting or scheduling it is a PUT.

What listmonk has already sent (for the archive guard) is the campaigns whose status is running
or finished, read page by page; one is ours when its name ends with our marker.
"""

import logging
import re

from ..errors import ProviderError, SettingError
from .base import Delivery, SentEmail, check_form_url, label, marker_of
from .http import HttpProvider, check_url

log = logging.getLogger(__name__)

UNSUBSCRIBE = "{{ UnsubscribeURL }}"
DONE = {"running": "sent", "finished": "sent", "scheduled": "scheduled"}
GONE_OUT = ("running", "finished")  # A campaign reaching readers, or that reached them.
PAGE = 100  # Campaigns per page when listing what was sent.
_UUID = re.compile(r"^[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}$")


class ListmonkProvider(HttpProvider):
    name = "listmonk"
    description = "one campaign per post on your (self-hosted) listmonk; drafts and schedules"
    settings = ("LISTMONK_URL", "LISTMONK_LIST_IDS")
    environment = ("LISTMONK_API_USER", "LISTMONK_API_TOKEN")
    form_settings = ("LISTMONK_URL", "LISTMONK_LIST_UUID")
    supports_draft = True
    supports_schedule = True
    unsubscribe = UNSUBSCRIBE

    def __init__(
        self,
        config,
        *,
        url=None,
        list_ids=None,
        api_user=None,
        api_token=None,
        session=None,
        timeout=None,
        retries=None,
        sleep=None,
    ):
        """``url``, ``list_ids``: ``LISTMONK_URL``, ``LISTMONK_LIST_IDS``; ``api_user``,
        ``api_token``: ``LISTMONK_API_USER``, ``LISTMONK_API_TOKEN``; the rest are
        :class:`HttpProvider`'s."""
        super().__init__(config, session=session, timeout=timeout, retries=retries, sleep=sleep)
        env = config.env
        self.base_url = url if url is not None else config["LISTMONK_URL"]
        self.list_ids = list_ids if list_ids is not None else config["LISTMONK_LIST_IDS"]
        self.api_user = api_user if api_user is not None else env.get("LISTMONK_API_USER")
        self.api_token = api_token if api_token is not None else env.get("LISTMONK_API_TOKEN")

    @classmethod
    def public_form(cls, settings):
        root = str(settings.get("LISTMONK_URL") or "").strip().rstrip("/")
        uuid = str(settings.get("LISTMONK_LIST_UUID") or "").strip()
        if not (root and uuid):
            return None
        check_form_url(
            "LISTMONK_URL", root, "your listmonk's public address, e.g. https://lists.example.org"
        )
        if not _UUID.match(uuid):
            raise SettingError(
                f"subscribe: LISTMONK_LIST_UUID is {uuid!r}; copy the list's UUID from "
                "listmonk (Lists -> the list -> UUID)"
            )
        return {
            "provider": cls.name,
            "action": f"{root}/subscription/form",
            "email_name": "email",
            "hidden": [("l", uuid), ("nonce", "")],
        }

    def validate(self):
        check_url("LISTMONK_URL", self.base_url, self.name, "https://lists.example.org")
        ids = self.list_ids
        if not ids or not all(isinstance(i, int) for i in ids):
            raise SettingError(
                f"listmonk: LISTMONK_LIST_IDS = {ids!r} must be a list of list ids, e.g. [1]"
            )
        self.secret(self.api_user, "LISTMONK_API_USER")
        self.secret(self.api_token, "LISTMONK_API_TOKEN")

    def client_options(self):
        user = self.secret(self.api_user, "LISTMONK_API_USER")
        token = self.secret(self.api_token, "LISTMONK_API_TOKEN")
        return {
            "base_url": self.base_url.rstrip("/") + "/api",
            "base_setting": "LISTMONK_URL",
            "key_setting": "LISTMONK_API_USER / LISTMONK_API_TOKEN",
            "headers": {"Authorization": f"token {user}:{token}"},
        }

    # -- the contract ---------------------------------------------------------------------------
    def deliver(self, email, *, record, checkpoint, schedule=None, draft=False):
        existing = self.find(email)
        stale = existing is not None  # Made by an earlier run: perhaps from an older render.
        if existing is None:
            existing = self.create(email, schedule)
        remote_id, status = str(existing["id"]), existing.get("status")
        checkpoint(remote_id=remote_id)
        if status in DONE:
            return Delivery(DONE[status], remote_id, f"listmonk campaign {remote_id} ({status})")
        if status in ("paused", "cancelled"):
            raise ProviderError(
                f"listmonk: campaign {remote_id} for {email.subject!r} is {status}; resume or "
                "delete it in listmonk, then run send again"
            )
        # A draft campaign (a test copy's, or --draft's) holds the post as it was then: what goes
        # out must be what preview shows now, so the campaign is brought up to date first.
        # send_at is part of the campaign, not of the status change.
        if stale or schedule:
            update = {**self.payload(email), **({"send_at": _iso(schedule)} if schedule else {})}
            self.http.request("PUT", f"campaigns/{remote_id}", json=update)
        if draft:
            return Delivery("draft", remote_id)
        if schedule:
            self.http.request("PUT", f"campaigns/{remote_id}/status", json={"status": "scheduled"})
            return Delivery("scheduled", remote_id)
        self.http.request("PUT", f"campaigns/{remote_id}/status", json={"status": "running"})
        return Delivery("sent", remote_id)

    def send_test(self, email, address):
        existing = self.find(email) or self.create(email, None)
        self.http.request(
            "POST",
            f"campaigns/{existing['id']}/test",
            json={**self.payload(email), "subscribers": [address]},
        )
        return f"one copy to {address} from listmonk campaign {existing['id']}"

    # -- the API --------------------------------------------------------------------------------
    def find(self, email) -> dict | None:
        data = self.http.request(
            "GET",
            "campaigns",
            params={"query": email.marker, "per_page": "all", "no_body": "true"},
        ).json()
        for campaign in (data.get("data") or {}).get("results") or []:
            if email.marker in (campaign.get("name") or ""):
                return campaign
        return None

    def sent_emails(self):
        """Every campaign listmonk lists as running or finished (every page is read)."""
        found, page = [], 1
        while True:
            params = {
                "status": list(GONE_OUT),  # Repeated in the query: status=running&status=finished.
                "no_body": "true",
                "order_by": "created_at",
                "order": "ASC",  # A campaign started meanwhile goes to the end, never shifts one.
                "per_page": PAGE,
                "page": page,
            }
            data = self.http.request("GET", "campaigns", params=params).json()
            body = data.get("data") if isinstance(data, dict) else None
            campaigns = self.listing(body, "results", "campaigns")
            for campaign in campaigns:
                when = ("started_at", "updated_at", "created_at")
                found.append(
                    SentEmail(
                        subject=str(campaign.get("subject") or ""),
                        sent_at=self.moment(campaign, when, "campaigns"),
                        marker=marker_of(campaign.get("name")),
                    )
                )
            total = body.get("total")
            if not isinstance(total, int):
                raise self.malformed(f"total = {total!r}", "campaigns")
            if not campaigns or page * PAGE >= total:
                return found
            page += 1

    def payload(self, email) -> dict:
        return {
            "name": label(email.subject, email.marker),
            "subject": email.subject,
            "lists": list(self.list_ids),
            "from_email": self.config.sender,
            "type": "regular",
            "content_type": "html",
            "body": email.html,
            "altbody": email.text,
            "tags": ["newsletter"],
        }

    def create(self, email, schedule) -> dict:
        payload = self.payload(email)
        if schedule:
            payload["send_at"] = _iso(schedule)
        return self.http.request("POST", "campaigns", json=payload).json()["data"]


def _iso(moment):
    return moment.isoformat()
