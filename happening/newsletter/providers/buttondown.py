"""Buttondown (https://buttondown.com): one email per post through its v1 API.

Creating an email is a POST with ``X-Idempotency-Key`` derived from the post id, so it is safe to
retry; before creating, the existing emails are listed (``excluded_fields=body``, all pages) and
one carrying our ``metadata.post_id`` is taken up where it stands. ``status`` is always set:
the API's default would send at once, even for what was meant as a draft.

What Buttondown has already sent (for the archive guard) is the emails listed with the statuses
in ``GONE_OUT``, each one ours when its ``metadata.marker`` says so.
"""

import logging
import re

from ..errors import SettingError
from .base import Delivery, SentEmail
from .http import HttpProvider, check_url

log = logging.getLogger(__name__)

API_VERSION = "2026-04-01"
SCHEDULED = {"scheduled"}
DRAFT = {"draft"}
# EmailStatus values of an email that has reached readers or is reaching them now; "imported"
# is an archive brought from another service, whose readers had it there.
GONE_OUT = ("about_to_send", "in_flight", "throttled", "resending", "sent", "imported")
FORM_ACTION = "https://buttondown.com/api/emails/embed-subscribe/{username}"
_USERNAME = re.compile(r"^[A-Za-z0-9_.-]+$")


class ButtondownProvider(HttpProvider):
    name = "buttondown"
    description = "one email per post through Buttondown's API; drafts and schedules"
    settings = ("BUTTONDOWN_API_URL",)
    environment = ("BUTTONDOWN_API_KEY",)
    form_settings = ("BUTTONDOWN_USERNAME",)
    supports_draft = True
    supports_schedule = True
    unsubscribe = None  # Buttondown adds its own footer with the unsubscribe link.

    def __init__(
        self,
        config,
        *,
        api_url=None,
        api_key=None,
        session=None,
        timeout=None,
        retries=None,
        sleep=None,
    ):
        """``api_url``, ``api_key``: ``BUTTONDOWN_API_URL``, ``BUTTONDOWN_API_KEY``; the rest
        are :class:`HttpProvider`'s."""
        super().__init__(config, session=session, timeout=timeout, retries=retries, sleep=sleep)
        self.base_url = api_url if api_url is not None else config["BUTTONDOWN_API_URL"]
        self.api_key = api_key if api_key is not None else config.env.get("BUTTONDOWN_API_KEY")

    @classmethod
    def public_form(cls, settings):
        username = str(settings.get("BUTTONDOWN_USERNAME") or "").strip()
        if not username:
            return None
        if not _USERNAME.match(username):
            raise SettingError(
                f"subscribe: BUTTONDOWN_USERNAME is {username!r}; set your Buttondown username "
                "(letters, digits, '_', '.', '-'), as in buttondown.com/<username>"
            )
        return {
            "provider": cls.name,
            "action": FORM_ACTION.format(username=username),
            "email_name": "email",
            "hidden": [("embed", "1")],
        }

    def validate(self):
        self.secret(self.api_key, "BUTTONDOWN_API_KEY")
        check_url("BUTTONDOWN_API_URL", self.base_url, self.name, "https://api.buttondown.com/v1")

    def client_options(self):
        key = self.secret(self.api_key, "BUTTONDOWN_API_KEY")
        return {
            "base_url": self.base_url,
            "base_setting": "BUTTONDOWN_API_URL",
            "key_setting": "BUTTONDOWN_API_KEY",
            "headers": {"Authorization": f"Token {key}", "X-API-Version": API_VERSION},
        }

    # -- the contract ---------------------------------------------------------------------------
    def deliver(self, email, *, record, checkpoint, schedule=None, draft=False):
        existing = self.find(email)
        if existing is None:
            status = "draft" if draft else "scheduled" if schedule else "about_to_send"
            created = self.create(email, status, schedule)
            checkpoint(remote_id=created["id"])
            return Delivery(_state(status), created["id"])
        remote_id, status = existing["id"], existing.get("status")
        checkpoint(remote_id=remote_id)
        if status not in DRAFT:
            return Delivery(_state(status), remote_id, f"already at buttondown ({status})")
        # A draft (a test copy's, or --draft's) was made from the post as it was then: what
        # goes out must be what preview shows now, so its content is brought up to date first.
        self.http.request("PATCH", f"emails/{remote_id}", json=self.content(email))
        if draft:
            return Delivery("draft", remote_id, "draft at buttondown, content updated")
        update = {"status": "scheduled" if schedule else "about_to_send"}
        if schedule:
            update["publish_date"] = schedule.isoformat()
        self.http.request("PATCH", f"emails/{remote_id}", json=update)
        return Delivery(_state(update["status"]), remote_id)

    def send_test(self, email, address):
        existing = self.find(email) or self.create(email, "draft", None)
        self.http.request(
            "POST", f"emails/{existing['id']}/send-draft", json={"recipients": [address]}
        )
        return f"one copy to {address} from buttondown email {existing['id']}"

    # -- the API --------------------------------------------------------------------------------
    def find(self, email) -> dict | None:
        """Our email for this post, if Buttondown has one (every page is read)."""
        page = "emails"
        params = {"excluded_fields": "body"}
        while page:
            data = self.http.request("GET", page, params=params).json()
            for item in data.get("results", []):
                metadata = item.get("metadata") or {}
                if metadata.get("post_id") == email.post_id and item.get("status") != "deleted":
                    return item
            page, params = data.get("next"), None  # `next` is a full URL with the query.
        return None

    def sent_emails(self):
        """Every email Buttondown lists with a status in ``GONE_OUT`` (every page is read)."""
        page, params = "emails", {"status": list(GONE_OUT), "excluded_fields": "body"}
        found = []
        while page:
            data = self.http.request("GET", page, params=params).json()
            for item in self.listing(data, "results", "emails"):
                metadata = item.get("metadata")
                found.append(
                    SentEmail(
                        subject=str(item.get("subject") or ""),
                        # publish_date: "the date and time at which the email was published".
                        sent_at=self.moment(item, ("publish_date", "creation_date"), "emails"),
                        marker=metadata.get("marker") if isinstance(metadata, dict) else None,
                    )
                )
            page, params = data.get("next"), None  # `next` is a full URL with the query.
            if page is not None and not isinstance(page, str):
                raise self.malformed(f"next = {page!r}", "emails")
        return found

    def content(self, email) -> dict:
        """The email's content fields, as created and as brought up to date."""
        return {
            "subject": email.subject,
            "body": "<!-- buttondown-editor-mode: fancy -->\n" + email.html,
            "description": email.preheader,
        }

    def create(self, email, status, schedule) -> dict:
        payload = {
            **self.content(email),
            "slug": email.url.rstrip("/").rsplit("/", 1)[-1],
            "canonical_url": email.url,
            "metadata": {"post_id": email.post_id, "marker": email.marker},
            "status": status,
        }
        if schedule:
            payload["publish_date"] = schedule.isoformat()
        headers = {"X-Idempotency-Key": f"{email.marker}-{status}"}
        if status == "about_to_send":
            # Since API version 2026-04-01 an explicit about_to_send is refused (400,
            # sending_requires_confirmation) without this header: this is a real send.
            headers["X-Buttondown-Live-Dangerously"] = "true"
        response = self.http.request(
            "POST",
            "emails",
            json=payload,
            headers=headers,
            safe=True,  # The idempotency key makes a repeat return the first email.
        )
        return response.json()


def _state(status) -> str:
    if status in DRAFT:
        return "draft"
    if status in SCHEDULED:
        return "scheduled"
    return "sent"
