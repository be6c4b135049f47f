"""Mailchimp (Marketing API 3.0): one regular campaign per post.

The data centre is the API key's suffix (``...-us21`` -> ``https://us21.api.mailchimp.com/3.0``)
unless ``MAILCHIMP_API_URL`` is set. The campaign's title carries our marker; before creating
one, campaigns are listed (all pages) and one found is taken up where it stands. Creating and
sending are POSTs, never retried blindly; setting the content is a PUT, retried when it fails.

What Mailchimp has already sent (for the archive guard) is the campaigns listed with status
``sending`` or ``sent``; one is ours when its title ends with our marker.
"""

import logging
from email.utils import parseaddr
from urllib.parse import urlsplit

from ..errors import ProviderError, SettingError
from .base import Delivery, SentEmail, check_form_url, label, marker_of
from .http import HttpProvider

log = logging.getLogger(__name__)

UNSUBSCRIBE = "*|UNSUB|*"
DONE = {"sent": "sent", "sending": "sent", "schedule": "scheduled"}
PAGE = 1000  # The API's largest page.
GONE_OUT = ("sending", "sent")  # Campaign statuses of one that is reaching, or reached, readers.


class MailchimpProvider(HttpProvider):
    name = "mailchimp"
    description = "one regular campaign per post through Mailchimp's Marketing API"
    settings = ("MAILCHIMP_LIST_ID", "MAILCHIMP_API_URL")
    environment = ("MAILCHIMP_API_KEY",)
    form_settings = ("MAILCHIMP_FORM_ACTION",)
    supports_draft = True
    supports_schedule = True
    unsubscribe = UNSUBSCRIBE

    def __init__(
        self,
        config,
        *,
        api_url=None,
        api_key=None,
        list_id=None,
        session=None,
        timeout=None,
        retries=None,
        sleep=None,
    ):
        """``api_url`` (default from the key's data centre), ``api_key``, ``list_id``:
        ``MAILCHIMP_API_URL``, ``MAILCHIMP_API_KEY``, ``MAILCHIMP_LIST_ID``; the rest are
        :class:`HttpProvider`'s."""
        super().__init__(config, session=session, timeout=timeout, retries=retries, sleep=sleep)
        self.base_url = api_url if api_url is not None else config["MAILCHIMP_API_URL"]
        self.api_key = api_key if api_key is not None else config.env.get("MAILCHIMP_API_KEY")
        self.list_id = list_id if list_id is not None else config["MAILCHIMP_LIST_ID"]
        host = urlsplit(str(self.base_url or "")).hostname or ""
        centre = self.api_key.rsplit("-", 1)[-1] if self.api_key and "-" in self.api_key else ""
        if host.endswith(".api.mailchimp.com") and centre and host.split(".")[0] != centre:
            raise SettingError(
                f"mailchimp: MAILCHIMP_API_URL = {self.base_url!r} is another data centre than "
                f"the API key's (-{centre}); remove MAILCHIMP_API_URL (the key names its data "
                "centre) or use a key from that data centre"
            )

    @classmethod
    def public_form(cls, settings):
        action = str(settings.get("MAILCHIMP_FORM_ACTION") or "").strip()
        if not action:
            return None
        check_form_url(
            "MAILCHIMP_FORM_ACTION",
            action,
            "the action URL of Mailchimp's embedded form "
            "(…list-manage.com/subscribe/post?u=…&id=…)",
        )
        return {"provider": cls.name, "action": action, "email_name": "EMAIL", "hidden": []}

    def validate(self):
        key = self.secret(self.api_key, "MAILCHIMP_API_KEY")
        if not self.base_url and "-" not in key:
            raise SettingError(
                "mailchimp: MAILCHIMP_API_KEY does not end in its data centre (like -us21); "
                "copy the whole key, or set MAILCHIMP_API_URL"
            )
        if not self.list_id:
            raise SettingError(
                "mailchimp: set MAILCHIMP_LIST_ID to your audience's id (Audience > Settings)"
            )

    def check(self, *, draft=False, schedule=None):
        super().check(draft=draft, schedule=schedule)
        if schedule and (schedule.minute % 15 or schedule.second or schedule.microsecond):
            raise SettingError(
                f"mailchimp: --schedule {schedule.isoformat()} must be on a quarter hour "
                "(:00, :15, :30 or :45); Mailchimp schedules only those"
            )

    def client_options(self):
        key = self.secret(self.api_key, "MAILCHIMP_API_KEY")
        return {
            "base_url": self.base_url or f"https://{key.rsplit('-', 1)[-1]}.api.mailchimp.com/3.0",
            "base_setting": "MAILCHIMP_API_URL",
            "key_setting": "MAILCHIMP_API_KEY",
            "auth": ("anystring", key),
        }

    # -- the contract ---------------------------------------------------------------------------
    def deliver(self, email, *, record, checkpoint, schedule=None, draft=False):
        existing = self.find(email)
        if existing is None:
            existing = self.create(email)
        remote_id, status = existing["id"], existing.get("status")
        checkpoint(remote_id=remote_id)
        if status in DONE:
            return Delivery(DONE[status], remote_id, f"mailchimp campaign {remote_id} ({status})")
        if status == "paused":
            raise ProviderError(
                f"mailchimp: campaign {remote_id} for {email.subject!r} is paused; resume it "
                "in Mailchimp"
            )
        # The content is (re)set every time: a PUT, safe to repeat, so a crash before it is fine.
        self.http.request(
            "PUT",
            f"campaigns/{remote_id}/content",
            json={"html": email.html, "plain_text": email.text},
        )
        if draft:
            return Delivery("draft", remote_id)
        if schedule:
            self.http.request(
                "POST",
                f"campaigns/{remote_id}/actions/schedule",
                json={"schedule_time": schedule.isoformat()},
            )
            return Delivery("scheduled", remote_id)
        self.http.request("POST", f"campaigns/{remote_id}/actions/send")
        return Delivery("sent", remote_id)

    def send_test(self, email, address):
        existing = self.find(email) or self.create(email)
        remote_id = existing["id"]
        self.http.request(
            "PUT",
            f"campaigns/{remote_id}/content",
            json={"html": email.html, "plain_text": email.text},
        )
        self.http.request(
            "POST",
            f"campaigns/{remote_id}/actions/test",
            json={"test_emails": [address], "send_type": "html"},
        )
        return f"one copy to {address} from mailchimp campaign {remote_id}"

    # -- the API --------------------------------------------------------------------------------
    def find(self, email) -> dict | None:
        fields = "campaigns.id,campaigns.status,campaigns.settings.title,total_items"
        for campaign in self.campaigns({"fields": fields}):
            if email.marker in ((campaign.get("settings") or {}).get("title") or ""):
                return campaign
        return None

    def sent_emails(self):
        """Every campaign Mailchimp lists with status sending or sent (every page of each)."""
        fields = (
            "campaigns.status,campaigns.send_time,campaigns.create_time,"
            "campaigns.settings.subject_line,campaigns.settings.title,total_items"
        )
        found = []
        for status in GONE_OUT:  # `status` takes one value per request.
            # Oldest first: a campaign that goes out meanwhile lands at the end, shifting nothing.
            query = {"fields": fields, "status": status}
            query |= {"sort_field": "send_time", "sort_dir": "ASC"}
            for campaign in self.campaigns(query):
                settings = campaign.get("settings")
                settings = settings if isinstance(settings, dict) else {}
                found.append(
                    SentEmail(
                        subject=str(settings.get("subject_line") or ""),
                        # send_time is "" until a campaign goes out.
                        sent_at=self.moment(campaign, ("send_time", "create_time"), "campaigns"),
                        marker=marker_of(settings.get("title")),
                    )
                )
        return found

    def campaigns(self, query):
        """Every campaign ``GET /campaigns`` lists for ``query``, a page of PAGE at a time."""
        offset = 0
        while True:
            params = {**query, "count": PAGE, "offset": offset}
            data = self.http.request("GET", "campaigns", params=params).json()
            campaigns = self.listing(data, "campaigns", "campaigns")
            yield from campaigns
            offset += len(campaigns)
            total = data.get("total_items")
            if not isinstance(total, int):
                raise self.malformed(f"total_items = {total!r}", "campaigns")
            if not campaigns or offset >= total:
                return

    def create(self, email) -> dict:
        name, address = parseaddr(self.config.sender)
        payload = {
            "type": "regular",
            "recipients": {"list_id": self.list_id},
            "settings": {
                "subject_line": email.subject,
                "preview_text": email.preheader,
                "title": label(email.subject, email.marker),
                "from_name": name or self.config.settings.get("SITENAME", ""),
                "reply_to": parseaddr(self.config["NEWSLETTER_REPLY_TO"] or "")[1] or address,
            },
        }
        return self.http.request("POST", "campaigns", json=payload).json()
