"""The suppression list: addresses never to email (unsubscribed, bounced, complained).

A file outside the repo (``NEWSLETTER_SUPPRESSIONS``, or ``suppressions.txt`` beside the
``NEWSLETTER_RECIPIENTS`` file), one ``address<TAB>ISO time<TAB>reason`` a line, ``#`` comments.
Minimal version for moving in; the exactly-once work owns its final form (same API).
"""

from datetime import UTC, datetime
from pathlib import Path

from .errors import SettingError


class Suppressions:
    def __init__(self, path: Path):
        self.path = Path(path).expanduser()
        self._addresses: dict[str, str] = {}
        if self.path.is_file():
            for line in self.path.read_text(encoding="utf-8").splitlines():
                if line.strip() and not line.startswith("#"):
                    address = line.split("\t", 1)[0].strip().lower()
                    self._addresses[address] = line

    @classmethod
    def for_config(cls, config) -> "Suppressions":
        path = config.env.get("NEWSLETTER_SUPPRESSIONS")
        if not path and config.env.get("NEWSLETTER_RECIPIENTS"):
            path = (
                Path(config.env["NEWSLETTER_RECIPIENTS"]).expanduser().parent / "suppressions.txt"
            )
        if not path:
            raise SettingError(
                "newsletter: set the environment variable NEWSLETTER_SUPPRESSIONS to a file "
                "outside the repo for the addresses never to email (unsubscribed, bounced)"
            )
        return cls(Path(path))

    def __contains__(self, address) -> bool:
        return str(address).strip().lower() in self._addresses

    def add(self, address: str, reason: str) -> bool:
        """Add ``address`` (True) unless it is there already (False)."""
        key = address.strip().lower()
        if key in self._addresses:
            return False
        when = datetime.now(UTC).replace(microsecond=0).isoformat()
        line = f"{address.strip()}\t{when}\t{' '.join(reason.split())}"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write(line + "\n")
        self._addresses[key] = line
        return True

    def addresses(self) -> set[str]:
        return set(self._addresses)
