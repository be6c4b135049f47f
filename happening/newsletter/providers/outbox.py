"""The default provider: one standard .eml file per post in ``outbox/``; no account needed.

Any mail program opens the files. Nothing reaches anyone, so the ledger is left alone: the outbox
keeps its own record (``outbox/outbox.json``) and a second ``send`` writes nothing new.
"""

import logging
from pathlib import Path

from ..ledger import Ledger, now
from .base import Delivery, Provider

log = logging.getLogger(__name__)


class OutboxProvider(Provider):
    name = "outbox"
    uses_ledger = False

    def __init__(self, config, **overrides):
        self.folder = config.path("NEWSLETTER_OUTBOX")
        super().__init__(config, **overrides)
        self.folder = Path(self.folder)
        self.record = Ledger(self.folder / "outbox.json")

    def done(self, post_id):
        return self.record.done(post_id)

    def path_for(self, email) -> Path:
        return self.folder / f"{email.date:%Y-%m-%d}-{Path(email.url.rstrip('/')).name}.eml"

    def deliver(self, email, *, record, checkpoint, schedule=None, draft=False):
        path = self.path_for(email)
        self.folder.mkdir(parents=True, exist_ok=True)
        path.write_bytes(email.message(self.config).as_bytes())
        self.record.update(email.post_id, state="sent", file=path.name, finished=now())
        return Delivery("sent", None, str(path))

    def send_test(self, email, address):
        path = self.folder / f"test-{self.path_for(email).name}"
        self.folder.mkdir(parents=True, exist_ok=True)
        path.write_bytes(email.message(self.config, to=address).as_bytes())
        return str(path)
