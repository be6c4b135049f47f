"""The suppression list: addresses never to mail again (refused for good, bounced, unsubscribed).

A text file outside the repo (it holds people's addresses), UTF-8, ``#`` comments, one line per
address: ``address<TAB>ISO-8601 time<TAB>reason``. Its path is ``NEWSLETTER_SUPPRESSIONS``; by
default it sits beside the recipients file (``<NEWSLETTER_RECIPIENTS>.suppressed``), or, for a
service that keeps its own list, in ``~/.local/state/happening-now/suppressed.txt``.

SMTP sends skip every address on it; a permanent refusal (5xx) adds one; the inbox task adds
bounces and unsubscribes. Writes are atomic (temp file, then ``os.replace``), so a crash leaves
the old list or the new one.
"""

from datetime import UTC, datetime
from pathlib import Path

from happening.atomic import write_atomically

from .errors import SettingError

HEADER = "# Addresses never to mail again: address<TAB>time<TAB>reason (happening-now newsletter)\n"
DEFAULT_STATE = Path("~/.local/state/happening-now/suppressed.txt")


def _key(address: str) -> str:
    return address.strip().lower()


class Suppressions:
    """Addresses never to mail again; a file outside the repo (need not exist yet)."""

    def __init__(self, path: Path):
        self.path = Path(path).expanduser()
        self._entries: dict[str, str] = {}  # key -> the line as written
        self._read()

    @classmethod
    def for_config(cls, config) -> "Suppressions":
        """The list ``NEWSLETTER_SUPPRESSIONS`` names, else the default beside the recipients."""
        setting = config["NEWSLETTER_SUPPRESSIONS"] or config.env.get("NEWSLETTER_SUPPRESSIONS")
        if setting:
            return cls(Path(setting))
        recipients = config.env.get("NEWSLETTER_RECIPIENTS")
        if recipients:
            return cls(Path(str(Path(recipients).expanduser()) + ".suppressed"))
        return cls(DEFAULT_STATE)

    def __contains__(self, address: str) -> bool:
        return _key(address) in self._entries

    def addresses(self) -> set[str]:
        return {line.split("\t", 1)[0] for line in self._entries.values()}

    def add(self, address: str, reason: str) -> bool:
        """Add ``address`` (True) unless it is on the list already (False); written atomically."""
        if address in self:
            return False
        reason = " ".join(str(reason).split())  # One line, no tabs: the format is line-based.
        when = datetime.now(UTC).replace(microsecond=0).isoformat()
        self._entries[_key(address)] = f"{address.strip()}\t{when}\t{reason}"
        self._write()
        return True

    def _read(self):
        try:
            text = self.path.read_bytes().decode("utf-8")
        except FileNotFoundError:
            return
        except OSError as exc:
            raise SettingError(
                f"newsletter: cannot read the suppression list {self.path} ({exc.strerror}); "
                "check NEWSLETTER_SUPPRESSIONS"
            ) from None
        except UnicodeDecodeError:
            raise SettingError(
                f"newsletter: the suppression list {self.path} is not UTF-8 text; save it as UTF-8"
            ) from None
        for line in text.splitlines():
            if line.strip() and not line.lstrip().startswith("#"):
                address = line.split("\t", 1)[0].strip()
                self._entries.setdefault(_key(address), line.rstrip("\n"))

    def _write(self):
        text = HEADER + "".join(line + "\n" for line in self._entries.values())
        try:
            write_atomically(self.path, text)  # private (0600): it holds people's addresses
        except OSError as exc:
            raise SettingError(
                f"newsletter: cannot write the suppression list {self.path} ({exc.strerror}); "
                "free some space or fix its folder's permissions, then run send again"
            ) from None
