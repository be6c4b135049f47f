"""The default provider: one standard .eml file per post in ``outbox/``; no account needed.

Any mail program opens the files. Nothing reaches anyone, so the shared ledger (what readers
have had) is left alone: the outbox keeps its own record (``outbox/outbox.json``), a second
``send`` writes nothing new, and the archive guard does not apply.
"""

import logging
from pathlib import Path

from ..ledger import Ledger
from ..unsubscribe import personalise
from .base import Delivery, Provider

log = logging.getLogger(__name__)


class OutboxProvider(Provider):
    name = "outbox"
    description = "writes each post's email as a .eml file any mail program opens; sends nothing"
    settings = ("NEWSLETTER_OUTBOX",)
    reaches_readers = False
    verbs = {"sent": "written"}  # It reaches nobody; "sent" would say otherwise.
    nothing_new = "nothing new for the outbox; every post's email is already there"

    @classmethod
    def signup_notice(cls, settings):
        return (
            "subscribe: readers cannot subscribe by email yet (NEWSLETTER_PROVIDER is 'outbox'); "
            "set NEWSLETTER_PROVIDER and its sign-up setting (README: Newsletter providers)"
        )

    def __init__(self, config, *, folder=None):
        """``folder``: where the files go (default ``NEWSLETTER_OUTBOX``, relative to the site)."""
        super().__init__(config)
        self.folder = Path(folder) if folder is not None else config.path("NEWSLETTER_OUTBOX")
        self._record = None

    def ledger(self, shared):
        self._record = _Record(self.folder / "outbox.json")
        return self._record

    def close(self):
        if self._record is not None:
            self._record.flush()

    def status_row(self, record):
        # An outbox.json from before the outbox went through send's loop: no provider, `file`.
        if record.get("provider", self.name) == self.name and record.get("state") == "sent":
            remote_id = record.get("remote_id") or record.get("file")
            return {
                **record,
                "state": f"in {self.name}",
                "provider": self.name,
                "remote_id": remote_id,
            }
        return record

    def path_for(self, email) -> Path:
        return self.folder / f"{email.date:%Y-%m-%d}-{Path(email.url.rstrip('/')).name}.eml"

    def deliver(self, email, *, record, checkpoint, schedule=None, draft=False):
        path = self.path_for(email)
        self.folder.mkdir(parents=True, exist_ok=True)
        path.write_bytes(
            personalise(email.message(self.config), self.config.sender, self.config).as_bytes()
        )
        return Delivery("sent", path.name, f"to {self.folder.name}/", files=[path])

    def send_test(self, email, address):
        path = self.folder / f"test-{self.path_for(email).name}"
        self.folder.mkdir(parents=True, exist_ok=True)
        path.write_bytes(personalise(email.message(self.config), address, self.config).as_bytes())
        return str(path)


class _Record(Ledger):
    """The outbox's record, written once when ``send`` closes the provider, not at every change.

    Two atomic, fsynced writes per post (``sending``, then ``sent``) cost ~2 ms a post: 2.2 s
    of a first run over a 1,000-post archive, beside ~7 s of rendering (0.05 s written once).
    The shared ledger needs them, since a post sent twice reaches readers twice; here a crash
    only means the next ``send`` writes the same files again, byte for byte.
    """

    changed = False

    def write(self, *, fsync=True):
        self.changed = True

    def flush(self):
        if self.changed:
            super().write(fsync=False)
            self.changed = False
