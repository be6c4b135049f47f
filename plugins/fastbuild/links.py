"""The intrasite links of each body, kept across builds by the digest of the body searched.

Two passes of every build run Pelican's intrasite-link regex over every body: Pelican's own
search for the static files a body links (``get_static_links``, staticlinks.py), and the page
cache's digest of what a body's HTML is made of (``pages._body_hash``). The regex is the slow
part, ~0.11 ms a body (0.11 s of a reused build's main process at 1,000 posts, twice), though a
release after one new post searches the same 1,000 bodies as the last one.

What the regex finds is a function of the body's characters and the regex alone, so a body is
searched once a build (both passes share the answer) and, when the build keeps Pelican's content
cache (``LOAD_CONTENT_CACHE``, ``CACHE_CONTENT``), the answers are kept in ``CACHE_PATH`` as
``{sha256(body): [(what, value), ...]}``: a body with other bytes has another digest and is
searched. The file also holds the regex's pattern and a digest of this module and fence.py (the
code that searches), so another regex or another way of searching starts afresh. Only the last
build's bodies are kept: the file does not grow with every edit.
"""

import json
import logging
from pathlib import Path

from happening import bodydigest
from happening.atomic import write_atomically

from . import fence

log = logging.getLogger(__name__)

FILE = "fastbuild-links.json"
FORMAT = 2  # Bump when the file's layout changes.


def _code_digest() -> str:
    """The bytes of the code that searches: another way of searching, other answers."""
    return bodydigest.code_digest(FORMAT, [__file__, fence.__file__])


class _State:
    def __init__(self):
        self.reset()

    def reset(self):
        self.active = False  # Outside a build every body is searched, as Pelican does.
        self.save_to = None
        self.pattern = None  # The regex of this build's posts (the first one asked about).
        self.file_pattern = None  # The regex the kept answers were found with.
        self.code = None
        self.searched = 0  # Bodies this build searched: none means the file holds them all.
        self.stored = {}  # digest -> links, from the last build's file.
        self.now = {}  # digest -> links, of this build's bodies.
        # id(body) -> (body, digest, links): a body is hashed once a build however often it is
        # asked about (the body is held, so its id names no other string meanwhile).
        self.seen = {}


state = _State()


def start(settings):
    """``initialized``: load the last build's answers when the build keeps its caches."""
    state.reset()
    folder = settings.get("CACHE_PATH")
    load = bool(folder and settings.get("LOAD_CONTENT_CACHE"))
    state.save_to = Path(folder) / FILE if folder and settings.get("CACHE_CONTENT") else None
    state.active = True
    state.code = _code_digest()
    if load:
        state.stored = _load(Path(folder) / FILE, state.code)


def _load(path, code) -> dict:
    try:
        found = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(found, dict) or found.get("code") != code:
        return {}
    links = found.get("links")
    if not isinstance(links, dict) or not isinstance(found.get("pattern"), str):
        return {}
    state.file_pattern = found["pattern"]
    return links


def of(content) -> tuple[str, list]:
    """``(digest of the body, [(what, value), ...] of its intrasite links)`` for ``content``."""
    body = fence.body(content)
    if not state.active:
        return bodydigest.of(body), list(fence.intrasite_links(content, body))
    seen = state.seen.get(id(body))
    if seen is not None and seen[0] is body:
        return seen[1], seen[2]
    digest = bodydigest.of(body)
    pattern = fence.intrasite_pattern(content)
    if state.pattern is None:
        state.pattern = pattern
        if pattern != state.file_pattern:
            state.stored = {}  # Found with another regex: none of them holds for this one.
    if pattern == state.pattern:
        found = state.now.get(digest)
        if found is None:
            found = _as_links(state.stored.get(digest))
            if found is None:
                found = list(fence.intrasite_links(content, body))
                state.searched += 1
            state.now[digest] = found
    else:  # A post with settings of its own (a plugin's): searched, not kept.
        found = list(fence.intrasite_links(content, body))
    state.seen[id(body)] = (body, digest, found)
    return digest, found


def _as_links(kept) -> list | None:
    """The links as kept in the file, or None for what is not a list of two strings each."""
    if type(kept) is not list:
        return None
    try:
        found = [(what, value) for what, value in kept]
    except (TypeError, ValueError):
        return None
    return found if all(type(w) is str and type(v) is str for w, v in found) else None


def finish(*_):
    """``finalized``: keep this build's answers for the next, when the build keeps its caches."""
    save_to, now, pattern, code = state.save_to, state.now, state.pattern, state.code
    unchanged = not state.searched and now.keys() == state.stored.keys()
    state.reset()
    bodydigest.forget()
    if save_to is None or not now or unchanged:
        return
    text = json.dumps({"code": code, "pattern": pattern, "links": now}, sort_keys=True)
    try:
        write_atomically(save_to, text, fsync=False)
    except OSError as exc:  # Only the next build's speed depends on it.
        log.debug("fastbuild: could not keep %s (%s)", save_to, exc)
