"""The ledger: which post went out, through which provider, when, under which remote id.

A small JSON file committed to the repo, one record per post id, keys sorted and one field per
line so a diff reads as "this post went out". Every change is written atomically (temp file in
the same folder, then ``os.replace``), so a crash leaves either the old or the new ledger, never
half of one. ``send`` writes ``sending`` before the provider call and ``sent`` after it; a record
left at ``sending`` means "ask the provider before creating anything".
"""

import contextlib
import json
import logging
import os
from datetime import UTC, datetime
from pathlib import Path

from happening.atomic import write_atomically

from .errors import NewsletterError

log = logging.getLogger(__name__)

VERSION = 1
# States that mean "this post is done: never send it again".
DONE = ("sent", "scheduled", "baseline")
STATES = ("sending", "draft", *DONE)
# Providers that have no drafts: a "draft" record from one of them is a hand edit gone wrong.
NO_DRAFTS = ("smtp", "outbox", "baseline", "import")
# Every record names its post by these, so that send recognises a post whose id has changed.
IDENTITY = ("title", "url", "slug", "source", "date")
_COUNTS = ("recipients_done", "recipients_total", "recipients_refused", "recipients_suppressed")
_TEXTS = (*IDENTITY, "provider", "started", "finished", "scheduled_for", "recipients_sha256")


class LedgerError(NewsletterError):
    """The ledger file cannot be read; the message names it."""


def now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


class Ledger:
    """One record per post id; ``path`` need not exist yet (no ledger = nothing sent)."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.exists = self.path.exists()
        self.posts: dict[str, dict] = {}
        self._chunks: dict[str, str] = {}  # Each record's serialised text, until it changes.
        if self.exists:
            self.posts = _read(self.path)

    def get(self, post_id: str) -> dict | None:
        return self.posts.get(post_id)

    def done(self, post_id: str) -> bool:
        record = self.posts.get(post_id)
        return bool(record) and record.get("state") in DONE

    def update(self, post_id: str, *, fsync: bool = True, **fields) -> dict:
        """Merge ``fields`` into the post's record and write the whole ledger atomically."""
        record = self.posts.setdefault(post_id, {})
        record.update({k: v for k, v in fields.items() if v is not None})
        self._chunks.pop(post_id, None)
        self.write(fsync=fsync)
        return record

    def text(self) -> str:
        """``json.dumps(ledger, indent=2, sort_keys=True)``, re-serialising only changed records.

        SMTP writes the ledger after every recipient; with hundreds of posts, dumping them all
        each time would cost more than sending the message.
        """
        if not self.posts:
            return json.dumps({"posts": {}, "version": VERSION}, indent=2)
        chunks = []
        for post_id in sorted(self.posts):
            chunk = self._chunks.get(post_id)
            if chunk is None:
                one = json.dumps(
                    {post_id: self.posts[post_id]}, indent=2, sort_keys=True, ensure_ascii=False
                )
                chunk = self._chunks[post_id] = "\n".join(
                    "  " + line for line in one.splitlines()[1:-1]
                )
            chunks.append(chunk)
        return '{\n  "posts": {\n' + ",\n".join(chunks) + f'\n  }},\n  "version": {VERSION}\n}}'

    def write(self, *, fsync: bool = True):
        try:
            self._write(fsync)
        except OSError as exc:
            raise LedgerError(
                f"newsletter: cannot write the ledger {self.path} ({exc.strerror or exc}); free "
                "some space or make its folder writable, then run `./inv newsletter.send` again "
                "(what went out before this is recorded)"
            ) from None
        self.exists = True

    def _write(self, fsync):
        # 0644: mkstemp makes it private; the ledger is an ordinary file, committed to the repo.
        # A state change must survive a power cut (fsync); per-recipient progress (many writes
        # a second) only needs to survive a crash, which the rename gives.
        write_atomically(self.path, self.text() + "\n", fsync=fsync, mode=0o644)


@contextlib.contextmanager
def exclusive(path: Path):
    """Only one ``send`` at a time per ledger (a cron job and a writer at once would both send).

    The lock is on the ledger's folder, not the file: the file is replaced on every write.
    """
    try:
        import fcntl
    except ImportError:  # Not on Windows; there the writer runs one send at a time.
        yield
        return
    folder = Path(path).parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(folder, os.O_RDONLY)
    except OSError as exc:
        raise LedgerError(
            f"newsletter: cannot use the ledger's folder {folder} ({exc.strerror}); check "
            "NEWSLETTER_LEDGER and the folder's permissions"
        ) from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise NewsletterError(
                f"newsletter: another `./inv newsletter.send` is running on {Path(path).name}; "
                "let it finish, then run send again"
            ) from None
        yield
    finally:
        os.close(fd)  # Closing the last descriptor releases the lock.


def _read(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise LedgerError(
            f"newsletter: cannot read the ledger {path.name} ({exc}); restore it from git "
            "(`git checkout -- " + path.name + "`)"
        ) from None
    if not isinstance(data, dict) or not isinstance(data.get("posts"), dict):
        raise LedgerError(
            f'newsletter: {path.name} is not a newsletter ledger (no "posts"); restore it from git'
        )
    for post_id, record in data["posts"].items():
        check_record(path, post_id, record)
    return data["posts"]


def check_record(path: Path, post_id: str, record) -> None:
    """A record ``send`` can trust, or a LedgerError naming the record and the field.

    An unknown state must never read as "not sent": that would send the post to everyone again.
    """
    where = f"newsletter: {path.name}, record {post_id!r}"
    fix = "correct it (or restore the file from git)"
    if not isinstance(record, dict):
        raise LedgerError(f"{where} is {type(record).__name__}, not an object; {fix}")
    state = record.get("state")
    if state not in STATES:
        said = "has no state" if state is None else f"has state {state!r}"
        raise LedgerError(f"{where} {said}; it must be one of {', '.join(STATES)}: {fix}")
    if state == "draft" and record.get("provider") in NO_DRAFTS:
        raise LedgerError(
            f"{where} has state 'draft', but {record.get('provider')} makes no drafts; set it to "
            f"'sent' if it went out or 'sending' if it stopped part-way: {fix}"
        )
    for name in _COUNTS:
        value = record.get(name)
        if value is not None and (type(value) is not int or value < 0):
            raise LedgerError(f"{where}: {name} = {value!r} must be a whole number; {fix}")
    for name in _TEXTS:
        value = record.get(name)
        if value is not None and not isinstance(value, str):
            raise LedgerError(f"{where}: {name} = {value!r} must be text; {fix}")
    remote = record.get("remote_id")
    if remote is not None and not isinstance(remote, str | int):
        raise LedgerError(f"{where}: remote_id = {remote!r} must be text; {fix}")
