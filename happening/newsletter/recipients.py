"""Adding a reader to the SMTP provider's recipients file (``NEWSLETTER_RECIPIENTS``).

Minimal version for moving in; the exactly-once work owns its final form (same API).
"""

from email.utils import formataddr, parseaddr
from pathlib import Path


def add_recipient(path: Path, address: str, name: str = "") -> bool:
    """Append ``address`` (as ``Name <address>`` when named) unless listed; True when added."""
    path = Path(path).expanduser()
    wanted = address.strip().lower()
    if path.is_file():
        for line in path.read_text(encoding="utf-8").splitlines():
            line = line.strip()
            if line and not line.startswith("#") and parseaddr(line)[1].lower() == wanted:
                return False
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as handle:
        handle.write((formataddr((name, address.strip())) if name else address.strip()) + "\n")
    return True
