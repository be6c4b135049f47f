"""The contract every email provider keeps (Django's email backends are the model).

A provider is constructed from the newsletter :class:`~newsletter.config.Config`; keyword
arguments override settings (tests pass a base URL, a ``requests.Session`` or a ``sleep``
function). ``newsletter.send`` drives it; a provider never touches the ledger itself, it only
reports progress through the ``checkpoint`` callback it is given.

What ``send`` guarantees a provider:
- ``deliver`` is called only for a post that the ledger does not record as done, after the ledger
  records it as ``sending``; ``record`` is the post's ledger record as it was before (empty for
  a first attempt, or what a failed attempt left: its ``remote_id``, ``recipients_done``...).

What a provider guarantees ``send``:
- ``deliver(email, record=, checkpoint=, schedule=, draft=)`` makes the post's email go out
  (or be scheduled at ``schedule``, or be created as a draft when ``draft``) exactly once, and
  returns a :class:`Delivery`. Before creating anything remote it asks the service whether an
  email with ``email.marker`` already exists (a previous attempt may have created it and crashed
  before the ledger heard of it) and carries on from that email's state.
- Progress that must survive a crash (the remote id as soon as it is known, recipients done) is
  reported with ``checkpoint(**fields)``, which writes the ledger atomically.
- Failures raise :class:`~newsletter.errors.ProviderError` (or another ``UserError``) with one
  line naming the setting or field to fix, never a secret.
- ``send_test(email, address)`` sends one copy to ``address`` and leaves no trace that ``send``
  would take for "already sent".
- ``unsubscribe`` is the href the email's own unsubscribe link carries (the service's
  placeholder), or None when the service adds its own footer.

``uses_ledger`` is False only for the outbox: it reaches nobody, so it keeps its own record
(``done``/``delivered``) and the archive guard does not apply to it.
"""

import logging
from dataclasses import dataclass

from ..errors import SettingError

log = logging.getLogger(__name__)


@dataclass
class Delivery:
    """What became of a post's email at the provider."""

    state: str  # "sent", "scheduled" or "draft"
    remote_id: str | None = None
    detail: str = ""  # A path, a count of recipients... for the writer to read.


class Provider:
    """Base class: subclasses set ``name`` and implement ``deliver`` and ``send_test``."""

    name = "base"
    uses_ledger = True
    supports_draft = False
    supports_schedule = False

    def __init__(self, config, **overrides):
        self.config = config
        for key, value in overrides.items():
            if not hasattr(self, key):
                raise TypeError(f"{type(self).__name__} has no option {key!r}")
            setattr(self, key, value)

    @property
    def unsubscribe(self) -> str | None:
        """The href of the email's unsubscribe link."""
        from ..render import unsubscribe_mailto

        return self.config["NEWSLETTER_UNSUBSCRIBE_URL"] or unsubscribe_mailto(self.config)

    def check(self, *, draft=False, schedule=None):
        """Fail early, before anything is rendered or recorded, on an impossible request."""
        if draft and not self.supports_draft:
            raise SettingError(
                f"newsletter: --draft needs a provider with drafts (buttondown, listmonk, "
                f"mailchimp); NEWSLETTER_PROVIDER is {self.name!r}"
            )
        if schedule and not self.supports_schedule:
            raise SettingError(
                f"newsletter: --schedule needs a provider that schedules (buttondown, listmonk, "
                f"mailchimp); NEWSLETTER_PROVIDER is {self.name!r}"
            )
        self.validate()

    def validate(self):
        """Check credentials and settings (a subclass's job) so nothing starts half-configured."""

    def done(self, post_id: str) -> bool:
        """Only for providers that keep their own record (``uses_ledger`` False)."""
        return False

    def deliver(self, email, *, record, checkpoint, schedule=None, draft=False) -> Delivery:
        raise NotImplementedError

    def send_test(self, email, address: str) -> str:
        raise NotImplementedError

    def close(self):
        """Release connections; ``send`` calls it once at the end."""
