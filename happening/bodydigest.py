"""One digest of a post's body a build, however many caches keyed by the body ask for it.

Three caches keep what they made of a body by its digest (plugins/readingtime's word counts,
plugins/images' rewrites, fastbuild's intrasite links), and the first two are asked about the
very same string, as the reader returned it; the third, about the same string too when no
picture rewrote it. Hashing a 13 kB body costs ~14 us (sha256, with SHA extensions; blake2b
twice that): asked once a body, not once a cache.

Remembered by the string's identity, with the string held so that no other takes its id, from
the first question to :func:`forget` (the plugins' ``finalized``), never into the next build.
:func:`code_digest` is the other half of those caches' keys: the code that made the answers.
"""

import hashlib
from pathlib import Path

_digests = {}  # id(text) -> (text, digest)


def of(text: str) -> str:
    """The sha256 of ``text``'s UTF-8 bytes, 32 hex digits (the same bytes, the same digest)."""
    found = _digests.get(id(text))
    if found is not None and found[0] is text:
        return found[1]
    digest = hashlib.sha256(text.encode()).hexdigest()[:32]
    _digests[id(text)] = (text, digest)
    return digest


def forget(*_):
    """Let go of the bodies asked about: the build is over."""
    _digests.clear()


def code_digest(form, files, *parts) -> str:
    """What a cache keyed by bodies keeps its answers with: its file's ``form`` (FORMAT), the
    settings its answers depend on (``parts``), and the bytes of the code that makes them
    (``files``) and of this module, which digests the bodies: other code, other answers."""
    h = hashlib.blake2b(repr(form).encode(), digest_size=16)
    for part in parts:
        h.update(repr(part).encode() + b"\0")
    for path in [*map(Path, files), Path(__file__)]:
        h.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()
