"""happening/bodydigest.py: one digest a body a build, the same bytes' digest always."""

import hashlib

from happening import bodydigest


def test_a_body_is_hashed_once_and_equal_bytes_have_one_digest(monkeypatch):
    body = "<p>" + "words " * 2000 + "</p>"
    copy = "".join(list(body))  # Another string of the same characters.
    assert copy is not body
    hashed = []
    real = hashlib.sha256
    monkeypatch.setattr(hashlib, "sha256", lambda data: hashed.append(data) or real(data))
    try:
        first = bodydigest.of(body)
        assert bodydigest.of(body) == first
        assert len(hashed) == 1, "the same string was hashed twice in one build"
        assert bodydigest.of(copy) == first
        assert bodydigest.of(body + " ") != first
        assert first == real(body.encode()).hexdigest()[:32]
    finally:
        bodydigest.forget()
    assert bodydigest.of(body) == first
    assert len(hashed) == 4, "a body was remembered past forget()"
    bodydigest.forget()
