"""Who has had a post already, per address: what lets an SMTP send resume without repeats.

One small file per post beside the recipients file, outside the repo
(``<NEWSLETTER_RECIPIENTS>.progress/<marker>.txt``), appended to after each message the server
accepted or refused: ``<hash of the address>\\t<sent|refused>``. The address is hashed (sha256 of
its lower-case form), so the file holds no address. Keeping progress per address rather than per
position means the list may change between runs: a reader added since gets the post, one removed
doesn't, and one done never gets it twice.
"""

import hashlib
from pathlib import Path

from .errors import SettingError


def digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()[:24]


class Progress:
    """The addresses a post's send has dealt with; used as a context manager while sending."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.states: dict[str, str] = {}
        self._handle = None
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            text = ""
        except (OSError, UnicodeDecodeError) as exc:
            raise SettingError(
                f"smtp: cannot read the progress file {self.path} ({exc}); restore it, or "
                "delete it only if you know nobody has had this post yet"
            ) from None
        for line in text.splitlines():
            hashed, _, state = line.partition("\t")
            if hashed and state:  # A line cut short by a crash is ignored: sent again, once.
                self.states[hashed] = state

    @classmethod
    def for_post(cls, recipients_file: Path, marker: str) -> "Progress":
        return cls(Path(str(recipients_file) + ".progress") / f"{marker}.txt")

    def __bool__(self) -> bool:
        return bool(self.states)

    def __contains__(self, key: str) -> bool:
        return digest(key) in self.states

    def count(self, state: str) -> int:
        return sum(1 for s in self.states.values() if s == state)

    def add(self, recipient, state: str):
        hashed = digest(recipient.key)
        self.states[hashed] = state
        self._open().write(f"{hashed}\t{state}\n")
        self._handle.flush()  # Survives a crash of this process (kill -9) as soon as written.

    def adopt(self, record: dict, everyone: list) -> None:
        """Take over a send begun when progress was kept as a position in the list.

        Only right if the list is the one that send used: its fingerprint must match.
        """
        done = int(record.get("recipients_done") or 0)
        fingerprint = hashlib.sha256()
        for recipient in everyone:
            fingerprint.update(recipient.key.encode() + b"\n")
        if record.get("recipients_sha256") not in (None, fingerprint.hexdigest()[:16]):
            raise SettingError(
                f"smtp: this post stopped after {done} recipients, recorded by position in a "
                "list that has changed since; restore that list for one run to finish the post"
            )
        for recipient in everyone[:done]:
            self.add(recipient, "sent")

    def _open(self):
        if self._handle is None:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._handle = self.path.open("a", encoding="utf-8")
            except OSError as exc:
                raise SettingError(
                    f"smtp: cannot write the progress file {self.path} ({exc.strerror}); it "
                    "sits beside NEWSLETTER_RECIPIENTS: make that folder writable"
                ) from None
        return self._handle

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self._handle is not None:
            self._handle.close()
            self._handle = None
        return False
