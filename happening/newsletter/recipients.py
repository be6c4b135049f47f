"""The subscribers file (``NEWSLETTER_RECIPIENTS``, outside the repo): one address a line.

A minimal version: adding a confirmed subscriber, once. ``#`` lines are comments; a line may be
``Name <address>``.
"""

from email.utils import formataddr, parseaddr
from pathlib import Path


def add_recipient(path: Path, address: str, name: str = "") -> bool:
    """Append ``address`` unless it is listed already (any case); True when added."""
    path = Path(path).expanduser()
    existing = set()
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.lstrip().startswith("#"):
                existing.add(parseaddr(line)[1].lower())
    if address.strip().lower() in existing:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    line = formataddr((name, address.strip())) if name else address.strip()
    with path.open("a", encoding="utf-8") as handle:
        handle.write(("" if not text or text.endswith("\n") else "\n") + line + "\n")
    return True
