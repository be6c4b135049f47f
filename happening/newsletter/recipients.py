"""The subscribers file (``NEWSLETTER_RECIPIENTS``), read and checked whole before a send.

One recipient a line, as a mail program writes them: ``ann@example.org``, ``Ann <ann@example.org>``
or a comma list (``Ann <a@x.org>, b@x.org``), parsed with the standard library's
:func:`email.utils.getaddresses`; ``#`` starts a comment line. Any line that is not addresses is
an error naming the file and line, so a typo never drops a reader silently. The same address
twice (in any case: ``A@X.org`` and ``a@x.org``, or ``b@x.org`` and ``Bea <b@x.org>``) is one
recipient, mailed once. An empty list is an error too: "sent to nobody" is not "sent".

The file lives outside the repo (it holds people's addresses); ``add_recipient`` appends to it
for the inbox's subscribe flow.
"""

import os
import re
from dataclasses import dataclass
from email.utils import formataddr, getaddresses
from pathlib import Path

from .errors import SettingError

# A deliverable address: something before the @, a dotted domain of letters, digits and hyphens.
# Stricter than RFC 5322 on purpose: quoted local parts and IP literals are never a reader's.
_LOCAL = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+$")
_LABEL = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$")
_PUNCTUATION = re.compile(r'^[\s,<>"]*$')
_SIMPLE = re.compile(r'^[^\s<>,;:"()\[\]\\]+$')


@dataclass(frozen=True)
class Recipient:
    address: str  # As written (case kept: some servers care about the local part's case).
    name: str = ""

    @property
    def key(self) -> str:
        """What makes two recipients the same person: the address, case-insensitively."""
        return self.address.lower()


class RecipientsError(SettingError):
    """The recipients file is missing or has a line that is not an address; the message says."""


def key(address: str) -> str:
    return address.strip().lower()


def valid(address: str) -> bool:
    """Whether ``address`` is a plain, deliverable ``local@domain.tld``."""
    if not address.isascii() or address.count("@") != 1:
        return False
    local, domain = address.split("@")
    if not _LOCAL.match(local) or local.startswith(".") or local.endswith(".") or ".." in local:
        return False
    labels = domain.split(".")
    return len(labels) >= 2 and all(_LABEL.match(label) for label in labels)


def parse_line(line: str) -> list[Recipient] | None:
    """The recipients on one line, or None when the line is not a list of valid addresses."""
    if _SIMPLE.match(line):  # Most lines: one bare address, no need for the full parser.
        return [Recipient(line)] if valid(line) else None
    pairs = getaddresses([line])
    if not pairs or any(not valid(address) for _, address in pairs):
        return None
    # getaddresses (Python 3.11) drops text it cannot read: "a@x.org b@x.org" would lose one.
    # So whatever is left once the names and addresses it found are taken out must be only
    # the punctuation around them.
    rest = line
    for name, address in pairs:
        rest = rest.replace(address, "", 1).replace(name, "", 1)
    if not _PUNCTUATION.match(rest):
        return None
    return [Recipient(address, name) for name, address in pairs]


def read(path) -> list[Recipient]:
    """Every recipient in ``path``, in file order, each address once; raises RecipientsError."""
    path = Path(path).expanduser()
    try:
        text = path.read_bytes().decode("utf-8")
    except OSError as exc:
        raise RecipientsError(
            f"newsletter: cannot read the NEWSLETTER_RECIPIENTS file {path} ({exc.strerror}); "
            "set NEWSLETTER_RECIPIENTS to the path of your subscribers file"
        ) from None
    except UnicodeDecodeError as exc:
        line = text_line(path.read_bytes(), exc.start)
        raise RecipientsError(
            f"newsletter: {path}, line {line}: not UTF-8 text; save the recipients file as UTF-8"
        ) from None
    seen: set[str] = set()
    found: list[Recipient] = []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip().lstrip("\ufeff")
        if not line or line.startswith("#"):
            continue
        parsed = parse_line(line)
        if parsed is None:
            raise RecipientsError(
                f"newsletter: {path}, line {number}: {line!r} is not an email address; write one "
                "address a line (ann@example.org or Ann <ann@example.org>), or start it with #"
            )
        for recipient in parsed:
            if recipient.key not in seen:
                seen.add(recipient.key)
                found.append(recipient)
    if not found:
        raise RecipientsError(
            f"newsletter: the NEWSLETTER_RECIPIENTS file {path} lists nobody; add the "
            "subscribers' addresses (one a line) before sending"
        )
    return found


def text_line(data: bytes, offset: int) -> int:
    return data[:offset].count(b"\n") + 1


def add_recipient(path: Path, address: str, name: str = "") -> bool:
    """Append ``address`` to the recipients file unless it is there already; True when added."""
    address = address.strip()
    if not valid(address) or any(c in name for c in "\r\n"):
        raise RecipientsError(f"newsletter: {address!r} is not an email address to subscribe")
    path = Path(path).expanduser()
    if path.exists() and any(r.key == key(address) for r in _read_lenient(path)):
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    line = formataddr((name, address)) if name else address
    with path.open("a", encoding="utf-8") as handle:
        if path.stat().st_size and not path.read_bytes().endswith(b"\n"):
            handle.write("\n")
        handle.write(line + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    return True


def _read_lenient(path: Path) -> list[Recipient]:
    """What a subscribe can check against: every readable address, bad lines ignored."""
    found = []
    for raw in path.read_text(encoding="utf-8", errors="replace").splitlines():
        line = raw.strip()
        if line and not line.startswith("#"):
            found.extend(parse_line(line) or [])
    return found
