"""The suppression list: addresses never to mail again (unsubscribed, bounced for good).

A minimal version of the list the send loop reads; it lives beside the recipients file, outside
the repo (``NEWSLETTER_SUPPRESSIONS``, default: the recipients path + ``.suppressed``). One line
per address: ``address<TAB>ISO time<TAB>reason``; ``#`` starts a comment.
"""

from datetime import UTC, datetime
from pathlib import Path

from .errors import SettingError


class Suppressions:
    def __init__(self, path: Path):
        self.path = Path(path).expanduser()

    @classmethod
    def for_config(cls, config) -> "Suppressions":
        chosen = config.env.get("NEWSLETTER_SUPPRESSIONS") or config["NEWSLETTER_SUPPRESSIONS"]
        if not chosen:
            recipients = config.env.get("NEWSLETTER_RECIPIENTS")
            if not recipients:
                raise SettingError(
                    "newsletter: set NEWSLETTER_RECIPIENTS (the subscribers file, outside the "
                    "repo); the suppression list lives beside it"
                )
            chosen = f"{recipients}.suppressed"
        return cls(Path(chosen))

    def __contains__(self, address: str) -> bool:
        return address.strip().lower() in self.addresses()

    def addresses(self) -> set[str]:
        if not self.path.exists():
            return set()
        found = set()
        for line in self.path.read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.lstrip().startswith("#"):
                found.add(line.split("\t", 1)[0].strip().lower())
        return found

    def add(self, address: str, reason: str) -> bool:
        """Add ``address``; True when it was not on the list yet."""
        if address in self:
            return False
        self.path.parent.mkdir(parents=True, exist_ok=True)
        when = datetime.now(UTC).isoformat(timespec="seconds")
        clean = " ".join(reason.split())
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write(f"{address.strip()}\t{when}\t{clean}\n")
        return True
