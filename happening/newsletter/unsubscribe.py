"""Per-recipient unsubscribe: an HMAC token per address, and the headers and link that carry it.

RFC 8058 wants the one-click URI to identify the recipient and be hard to forge, and RFC 2369's
``List-Unsubscribe`` is what mail apps show as their own "Unsubscribe" button. The token is an
HMAC-SHA256 of the lower-cased address with ``NEWSLETTER_UNSUBSCRIBE_SECRET`` (from the
environment): whoever holds one copy of the email can unsubscribe that address, nobody can make a
token for someone else's. The mailto carries the token alone (the inbox task finds whose it is
among the subscribers, so no address travels in a subject line); the https URL carries the
address as well, so a small endpoint can verify it without the list.

The email is rendered once with :data:`PLACEHOLDER` where the token goes; :func:`personalise`
turns a copy into one recipient's message (token, headers, Message-ID and threading ids).
"""

import binascii
import copy
import hashlib
import hmac
from email.utils import parseaddr
from urllib.parse import quote, urlencode

from .errors import SettingError

SECRET = "NEWSLETTER_UNSUBSCRIBE_SECRET"
# Letters only: survives HTML attributes, URLs and quoted-printable without any escaping. As
# long as a token, so a copy made by replacing it in the encoded bytes keeps every line's length.
PLACEHOLDER = "HNUNSUBSCRIBETOKENPLACEHOLDERXYZ"
# The token where no secret is set (outbox, preview): it verifies for nobody.
NO_SECRET = "no-secret-set"
TOKEN_LENGTH = 32  # hex digits: 128 bits, far beyond guessing


def token(address: str, secret: str) -> str:
    """The unsubscribe token of ``address``: the same every time, for this secret only."""
    mac = hmac.new(secret.encode(), b"unsubscribe:" + address.strip().lower().encode(), "sha256")
    return mac.hexdigest()[:TOKEN_LENGTH]


def verify(candidate: str, address: str, secret: str) -> bool:
    """Whether ``candidate`` is ``address``'s token (compared in constant time)."""
    return hmac.compare_digest(candidate.strip().lower(), token(address, secret))


def owner(candidate: str, addresses, secret: str) -> str | None:
    """Which of ``addresses`` the token ``candidate`` belongs to, or None (forged or stale)."""
    for address in addresses:
        if verify(candidate, address, secret):
            return address
    return None


def mailbox(config) -> str:
    """The address unsubscribe requests go to: NEWSLETTER_UNSUBSCRIBE_MAILTO, else the sender."""
    return config["NEWSLETTER_UNSUBSCRIBE_MAILTO"] or parseaddr(config.sender)[1]


def mailto(config, value: str = PLACEHOLDER) -> str:
    return f"mailto:{mailbox(config)}?subject={quote('unsubscribe ' + value)}"


def web(config, address: str, value: str = PLACEHOLDER) -> str | None:
    """The https one-click URL for ``address`` (None when NEWSLETTER_UNSUBSCRIBE_URL is unset)."""
    base = config["NEWSLETTER_UNSUBSCRIBE_URL"]
    if not base:
        return None
    joiner = "&" if "?" in base else "?"
    return f"{base}{joiner}{urlencode({'address': address, 'token': value})}"


def body_link(config) -> tuple[str, str]:
    """The body's unsubscribe link (with the placeholder) and which kind it is: https or mailto."""
    if config["NEWSLETTER_UNSUBSCRIBE_URL"]:
        # The address is not known at render time; personalise fills in both halves.
        return web(config, PLACEHOLDER_ADDRESS), "https"
    return mailto(config), "mailto"


# The address half of the https link, filled per recipient (URL-encoded by urlencode above).
PLACEHOLDER_ADDRESS = "HNUNSUBSCRIBEADDRESSPLACEHOLDER"


def secret(config) -> str | None:
    """The secret from the environment, or None (tokens are then placeholders: outbox, preview)."""
    return config.env.get(SECRET) or None


def require_secret(config) -> str:
    """The secret, for a provider that mails real readers: else a one-line SettingError."""
    value = secret(config)
    if value:
        return value
    raise SettingError(
        f"newsletter: NEWSLETTER_PROVIDER = {config.provider!r} sends to real readers, so every "
        f"message needs its own unsubscribe token; set the environment variable {SECRET} to a "
        "long random string (`openssl rand -hex 32`) in your shell or the git-ignored .env, and "
        "keep it: the links in emails already sent depend on it"
    )


def personalise(message, address: str, config):
    """Make ``message`` (a copy of the rendered email) ``address``'s own; returns it.

    Sets ``To``, ``List-Unsubscribe`` (mailto with the token, plus the https URL and RFC 8058's
    ``List-Unsubscribe-Post`` when ``NEWSLETTER_UNSUBSCRIBE_URL`` is set), fills the body's link,
    and gives ``Message-ID``, ``In-Reply-To`` and ``References`` a per-recipient part, so each
    copy is unique and a follow-up still points at the very id this reader's copy had.
    """
    address = parseaddr(address)[1] or address
    key = secret(config)
    value = token(address, key) if key else NO_SECRET
    del message["To"]
    message["To"] = address
    links = [f"<{mailto(config, value)}>"]
    url = web(config, address, value)
    del message["List-Unsubscribe"]
    del message["List-Unsubscribe-Post"]
    if url:
        links.append(f"<{url}>")
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message["List-Unsubscribe"] = ", ".join(links)
    tag = recipient_tag(address)
    for name in ("Message-ID", "In-Reply-To", "References"):
        ids = message.get(name)
        if ids:
            del message[name]
            message[name] = str(ids).replace(".newsletter@", f".{tag}.newsletter@")
    # A List-Unsubscribe URI longer than a 78-column line cannot fold, and the email package
    # would then MIME-encode it ("=?utf-8?q?..."), which no mail app reads as a URI. Headers may
    # run to 998 characters (RFC 5322); the parts were encoded already, at 76 (quoted-printable).
    message.policy = message.policy.clone(max_line_length=998)
    for part in message.walk():
        if part is message or part.get_content_maintype() != "text":
            continue
        content = part.get_content()
        filled = content.replace(PLACEHOLDER_ADDRESS, quote(address, safe="")).replace(
            PLACEHOLDER, value
        )
        if filled != content:
            part.set_content(filled, subtype=part.get_content_subtype(), cte="quoted-printable")
    return message


def fresh_copy(message):
    """A copy of ``message`` that :func:`personalise` may change without touching the original.

    ``copy.deepcopy`` would do, but it walks every header's parse tree and the policy: three
    quarters of a message's sending time (1,700 objects a copy). personalise only replaces
    headers and text parts' payloads, so copying each part's header list and each multipart's
    list of parts is enough. (``_headers`` and ``_payload`` are the email package's own
    attributes, unchanged since Python 3.6's EmailMessage.)
    """
    copied = copy.copy(message)
    copied._headers = list(message._headers)
    if message.is_multipart():
        copied._payload = [fresh_copy(part) for part in message._payload]
    return copied


class Copies:
    """Each recipient's message as bytes, from one run's template: what SMTP sends.

    :func:`personalise` on a :func:`fresh_copy` re-encodes both text parts through the email
    package for every reader, which caps a send near 100 messages a second. Here the template
    is serialised once with a marker where each text part's body goes; a reader's copy is the
    part texts with their token put in, quoted-printable encoded by ``binascii`` (C), put in
    place of the markers, and the headers personalise would set written in front. With an https
    one-click URL (its address half is filled per reader too) it is personalise, every copy.
    """

    ID_HEADERS = ("Message-ID", "In-Reply-To", "References")
    PER_READER = ("To", *ID_HEADERS, "List-Unsubscribe", "List-Unsubscribe-Post")

    def __init__(self, template, config):
        self.template, self.config = template, config
        self.key = secret(config)
        self.ids = {name: str(template[name]) for name in self.ID_HEADERS if template[name]}
        self.texts: list[tuple[bytes, str]] = []  # (marker, the part's text, placeholder in)
        self.raw = self._shared_bytes()

    def _shared_bytes(self) -> bytes | None:
        if not self.key or self.config["NEWSLETTER_UNSUBSCRIBE_URL"]:
            return None
        shared = fresh_copy(self.template)
        for name in self.PER_READER:
            del shared[name]
        for number, part in enumerate(shared.walk()):
            if part is shared or part.get_content_maintype() != "text":
                continue
            if part.get("Content-Transfer-Encoding", "").lower() != "quoted-printable":
                return None
            marker = f"HNPARTBODY{number}MARKER"
            text = part.get_content().replace("\r\n", "\n").replace("\n", "\r\n")
            self.texts.append((marker.encode(), text))
            part.set_payload(marker)  # Headers (charset, quoted-printable) stay as they were.
        return shared.as_bytes()

    def for_reader(self, address: str) -> bytes:
        if self.raw is None:
            return personalise(fresh_copy(self.template), address, self.config).as_bytes()
        value = token(address, self.key)
        tag = recipient_tag(address)
        head = [f"To: {address}", f"List-Unsubscribe: <{mailto(self.config, value)}>"]
        for name, ids in self.ids.items():
            head.append(f"{name}: " + ids.replace(".newsletter@", f".{tag}.newsletter@"))
        raw = self.raw
        for marker, text in self.texts:
            body = binascii.b2a_qp(text.replace(PLACEHOLDER, value).encode("utf-8"), istext=True)
            raw = raw.replace(marker, body, 1)
        return ("\r\n".join(head) + "\r\n").encode("ascii") + raw


def recipient_tag(address: str) -> str:
    """A short, stable mark of the recipient for their Message-IDs (not reversible in practice)."""
    return hashlib.sha256(address.strip().lower().encode()).hexdigest()[:10]
