"""The fault matrix: every way a writer's edit or a fault could email a post twice, or lose it.

Each case runs a real send against a real server on 127.0.0.1 (aiosmtpd counting deliveries per
recipient and per post, able to refuse one mailbox or drop the connection at recipient k; the
Buttondown, listmonk and Mailchimp fakes built from their published specs) and asserts the
exact outcome: the count of copies each recipient got of each post (or each service sent of
each post), and the message or state the writer sees. The site is a tiny
blog written into tmp_path for each test, so that a test can edit it the way a writer would.
"""

import base64
import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
from collections import Counter
from pathlib import Path

import pytest
import requests
from aiosmtpd.controller import Controller

from happening import newsletter
from happening.errors import UserError
from happening.newsletter.errors import ArchiveGuard, ProviderError, SettingError
from happening.newsletter.ledger import LedgerError
from happening.newsletter.providers import listmonk as listmonk_provider
from happening.newsletter.providers import mailchimp as mailchimp_provider
from happening.newsletter.recipients import RecipientsError, add_recipient
from happening.newsletter.recipients import read as read_recipients
from happening.newsletter.suppression import Suppressions
from newsletter_helpers import fake_service, free_port, http_server, site
from test_providers_buttondown import KEY as BUTTONDOWN_KEY
from test_providers_buttondown import FakeButtondown
from test_providers_listmonk import FakeListmonk
from test_providers_mailchimp import KEY as MAILCHIMP_KEY
from test_providers_mailchimp import FakeMailchimp

ROOT = Path(__file__).resolve().parents[1]

POSTS = {
    # file name: (title, date, slug or None: from the file name)
    "alpha.md": ("Alpha", "2024-01-01 09:00", None),
    "beta.md": ("Beta", "2024-02-01 09:00", "beta"),
    "gamma.md": ("Gamma", "2024-03-01 09:00", "gamma"),
}


def write_post(folder: Path, name, title, date, slug=None, body="Some words.", **meta):
    head = [f"Title: {title}", f"Date: {date}"]
    head += [f"Slug: {slug}"] if slug else []
    head += [f"{key.title()}: {value}" for key, value in meta.items()]
    path = folder / "posts" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(head) + f"\n\n{body}\n", encoding="utf-8")
    return path


@pytest.fixture
def blog(tmp_path):
    folder = tmp_path / "content"
    for name, (title, date, slug) in POSTS.items():
        write_post(folder, name, title, date, slug)
    return folder


# -- an SMTP server that counts --------------------------------------------------------------


class Counting:
    """aiosmtpd handler: counts copies per (recipient, subject); can refuse, drop or kill.

    ``refuse``: addresses answered ``550`` at RCPT (a mailbox that does not exist);
    ``drop_at``: the k-th message (1-based, over the server's life) finds the connection cut;
    ``kill_at``: (k, pid, count_it): at the k-th message, kill -9 the process ``pid``, before
    (count_it False) or after (True) the message counts as delivered.
    """

    def __init__(self):
        self.copies = Counter()
        self.seen = 0
        self.refuse = set()
        self.temporary = set()
        self.drop_at = None
        self.kill_at = None
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.refuse:
            return "550 5.1.1 No such mailbox here"
        if address.lower() in self.temporary:
            return "451 4.2.1 Mailbox busy, try later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        from email import message_from_bytes, policy

        with self.lock:
            self.seen += 1
            if self.drop_at == self.seen:
                server.transport.abort()  # Gone before the reply: nothing was delivered.
                return "421 4.3.0 closing"
            subject = message_from_bytes(envelope.content, policy=policy.SMTP)["Subject"]
            kill = self.kill_at if self.kill_at and self.kill_at[0] == self.seen else None
            if kill and not kill[2]:
                os.kill(kill[1], signal.SIGKILL)  # Dies before this message is accepted.
                return "451 4.3.0 gone"
            for to in envelope.rcpt_tos:
                self.copies[(to.lower(), str(subject))] += 1
            if kill:
                os.kill(kill[1], signal.SIGKILL)  # Accepted here, but the sender never hears.
        return "250 OK"

    def per_recipient(self, subject) -> dict[str, int]:
        return {to: n for (to, s), n in self.copies.items() if s == subject}


@pytest.fixture
def smtp():
    handler = Counting()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    handler.port = port
    yield handler
    controller.stop()


READERS = [f"reader{n}@example.org" for n in range(1, 6)]


def readers(tmp_path, lines=READERS) -> dict:
    path = tmp_path / "private" / "recipients.txt"
    path.parent.mkdir(exist_ok=True)
    path.write_text("# subscribers\n" + "".join(f"{line}\n" for line in lines), encoding="utf-8")
    # Every SMTP copy carries its reader's own unsubscribe token (newsletter/unsubscribe.py).
    return {"NEWSLETTER_RECIPIENTS": str(path), "NEWSLETTER_UNSUBSCRIBE_SECRET": "fault-matrix"}


def smtp_site(tmp_path, blog, smtp, **settings):
    return site(
        tmp_path,
        blog,
        NEWSLETTER_PROVIDER="smtp",
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=smtp.port,
        SMTP_SECURITY="none",
        NEWSLETTER_UNSUBSCRIBE_URL="https://blog.example/unsubscribe",
        **settings,
    )


def ledger(tmp_path) -> dict:
    return json.loads((tmp_path / "ledger.json").read_text())["posts"]


def once_each(addresses=READERS) -> dict[str, int]:
    return dict.fromkeys(addresses, 1)


def started(tmp_path, blog, smtp, env):
    """The blog as it is after Alpha and Beta went out before and Gamma went out now."""
    gamma = blog / "posts" / "gamma.md"
    held = gamma.read_text()
    gamma.unlink()
    newsletter.baseline(smtp_site(tmp_path, blog, smtp), env=env)
    gamma.write_text(held)
    newsletter.send(smtp_site(tmp_path, blog, smtp), env=env)
    assert smtp.per_recipient("Gamma") == once_each()


# -- the archive guard -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "records",
    [
        {},  # An empty ledger.
        {"tag:x,2023-01-01:y": {"state": "draft", "provider": "buttondown"}},  # Only a draft.
    ],
)
def test_an_empty_ledger_is_no_ledger_nothing_is_sent(tmp_path, blog, smtp, records):
    env = readers(tmp_path)
    (tmp_path / "ledger.json").write_text(json.dumps({"posts": records, "version": 1}))
    with pytest.raises(ArchiveGuard, match="records no post as sent yet"):
        newsletter.send(smtp_site(tmp_path, blog, smtp), env=env)
    assert smtp.copies == Counter()  # 0 sent.
    # Naming the one post to send is the way to start a blog's first email.
    newsletter.send(smtp_site(tmp_path, blog, smtp), post="gamma", env=env)
    assert smtp.per_recipient("Gamma") == once_each() and len(smtp.copies) == 5


def test_posts_older_than_the_newest_sent_are_held_back(tmp_path, blog, smtp):
    env = readers(tmp_path)
    newsletter.send(smtp_site(tmp_path, blog, smtp), post="gamma", env=env)
    report = newsletter.send(smtp_site(tmp_path, blog, smtp), env=env)
    assert [(s.post.title, s.action) for s in report.steps] == [
        ("Alpha", "guard"),
        ("Beta", "guard"),
        ("Gamma", "done"),
    ]
    assert "older than 'Gamma'" in report.steps[0].reason
    assert smtp.per_recipient("Alpha") == {} and smtp.per_recipient("Gamma") == once_each()


def test_more_than_max_per_run_is_refused_whatever_the_ledger_says(tmp_path, blog, smtp):
    env = readers(tmp_path)
    newsletter.send(smtp_site(tmp_path, blog, smtp), post="alpha", env=env)
    for n in range(4):
        write_post(blog, f"new-{n}.md", f"New {n}", f"2024-05-0{n + 1} 09:00")
    with pytest.raises(ArchiveGuard, match="6 posts would go out .* NEWSLETTER_MAX_PER_RUN = 3"):
        newsletter.send(smtp_site(tmp_path, blog, smtp), env=env)
    assert sum(smtp.copies.values()) == 5  # Alpha's five; nothing more.
    # Beta, Gamma and the four new ones: an explicit allowance lets them through, once each.
    report = newsletter.send(smtp_site(tmp_path, blog, smtp), max_per_run=6, env=env)
    assert len(report.sent) == 6
    assert set(smtp.copies.values()) == {1} and len(smtp.copies) == 7 * 5


def test_a_changed_post_id_authority_sends_nothing_again(tmp_path, blog, smtp):
    env = readers(tmp_path)
    started(tmp_path, blog, smtp, env)
    moved = smtp_site(tmp_path, blog, smtp, POST_ID_AUTHORITY="elsewhere.example")
    with pytest.raises(ArchiveGuard, match="set POST_ID_AUTHORITY back to 'happeningnow.example'"):
        newsletter.send(moved, env=env)
    assert smtp.per_recipient("Gamma") == once_each()
    assert smtp.per_recipient("Alpha") == {} and smtp.per_recipient("Beta") == {}


# -- identity: edits to a sent post never send it again ---------------------------------------


@pytest.mark.parametrize(
    "edit",
    [
        "slug",  # Slug: gamma -> gamma-rays: a new id and a new URL
        "day",  # Date: 2024-03-01 -> 2024-03-02: a new id
        "file",  # alpha.md -> alpha-first.md, no Slug: a new id
        "folder",  # posts/alpha.md -> posts/2024/alpha.md, no Slug: the id keeps the file name
    ],
)
def test_an_edited_sent_post_is_recognised_and_nothing_is_sent(tmp_path, blog, smtp, edit):
    env = readers(tmp_path)
    newsletter.send(smtp_site(tmp_path, blog, smtp), post="alpha", env=env)
    newsletter.send(smtp_site(tmp_path, blog, smtp), post="gamma", env=env)
    posts = blog / "posts"
    if edit == "slug":
        write_post(blog, "gamma.md", "Gamma", "2024-03-01 09:00", "gamma-rays")
    elif edit == "day":
        write_post(blog, "gamma.md", "Gamma", "2024-03-02 09:00", "gamma")
    elif edit == "file":
        (posts / "alpha.md").rename(posts / "alpha-first.md")
    else:
        (posts / "2024").mkdir()
        (posts / "alpha.md").rename(posts / "2024" / "alpha.md")
    report = newsletter.status(smtp_site(tmp_path, blog, smtp), env=env)
    if edit == "folder":  # Same id: nothing to recognise, it is simply done.
        newsletter.send(smtp_site(tmp_path, blog, smtp), env=env)
    else:
        with pytest.raises(ArchiveGuard, match=r"has a new id .* add `Id: tag:happeningnow"):
            newsletter.send(smtp_site(tmp_path, blog, smtp), env=env)
        assert any(row["next"].startswith("refuse:") for row in report[0])
    assert smtp.per_recipient("Alpha") == once_each()
    assert smtp.per_recipient("Gamma") == once_each()
    assert smtp.per_recipient("Beta") == {}


def test_the_fix_the_message_names_keeps_the_post_sent(tmp_path, blog, smtp):
    env = readers(tmp_path)
    newsletter.send(smtp_site(tmp_path, blog, smtp), post="gamma", env=env)
    old_id = next(iter(ledger(tmp_path)))
    write_post(blog, "gamma.md", "Gamma", "2024-03-01 09:00", "gamma-rays")
    with pytest.raises(ArchiveGuard) as refused:
        newsletter.send(smtp_site(tmp_path, blog, smtp), env=env)
    assert f"add `Id: {old_id}` to posts/gamma.md" in str(refused.value)
    write_post(blog, "gamma.md", "Gamma", "2024-03-01 09:00", "gamma-rays", id=old_id)
    report = newsletter.send(smtp_site(tmp_path, blog, smtp), env=env)
    assert [s.action for s in report.steps if s.post.title == "Gamma"] == ["done"]
    assert smtp.per_recipient("Gamma") == once_each()


def test_every_record_names_its_post(tmp_path, blog, smtp):
    env = readers(tmp_path)
    newsletter.send(smtp_site(tmp_path, blog, smtp), post="alpha", env=env)
    (record,) = ledger(tmp_path).values()
    assert {k: record[k] for k in ("title", "url", "slug", "source", "date")} == {
        "title": "Alpha",
        "url": "posts/alpha/",
        "slug": "alpha",
        "source": "posts/alpha.md",
        "date": "2024-01-01T09:00:00+00:00",
    }


def test_an_imported_record_counts_as_sent(tmp_path, blog, smtp):
    env = readers(tmp_path)
    imported = {
        "tag:old-host.example,2024-02-01:beta": {
            "state": "baseline",
            "provider": "import",
            "finished": "2025-01-01T00:00:00+00:00",
            "title": "Beta",
            "url": "posts/beta/",
            "slug": "beta",
            "source": "posts/beta.md",
            "date": "2024-02-01T09:00:00+00:00",
        }
    }
    (tmp_path / "ledger.json").write_text(json.dumps({"posts": imported, "version": 1}))
    with pytest.raises(ArchiveGuard, match="posts/beta.md .*already recorded \\(baseline\\)"):
        newsletter.send(smtp_site(tmp_path, blog, smtp), env=env)
    assert smtp.copies == Counter()


# -- the recipients file -----------------------------------------------------------------------


def test_duplicates_in_any_case_or_with_a_name_get_one_copy(tmp_path, blog, smtp):
    lines = [
        "a@example.org",
        "A@EXAMPLE.ORG",
        "b@example.org",
        "Bea <b@example.org>",
        '"Smith, Cy" <c@example.org>, d@example.org',
    ]
    env = readers(tmp_path, lines)
    newsletter.send(smtp_site(tmp_path, blog, smtp), post="alpha", env=env)
    assert smtp.per_recipient("Alpha") == once_each(
        ["a@example.org", "b@example.org", "c@example.org", "d@example.org"]
    )


@pytest.mark.parametrize(
    ("line", "number"),
    [("a@example.org b@example.org", 3), ("@example.test", 3), ("ann@localhost", 3)],
)
def test_a_bad_line_is_an_error_naming_the_line_and_nothing_goes(
    tmp_path, blog, smtp, line, number
):
    env = readers(tmp_path, ["ok@example.org", line])
    with pytest.raises(RecipientsError, match=f"recipients.txt, line {number}: "):
        newsletter.send(smtp_site(tmp_path, blog, smtp), post="alpha", env=env)
    assert smtp.copies == Counter()
    assert not (tmp_path / "ledger.json").exists()


@pytest.mark.parametrize("lines", [[], ["# only a comment", ""]])
def test_an_empty_list_is_refused_not_sent_to_nobody(tmp_path, blog, smtp, lines):
    env = readers(tmp_path, lines)
    with pytest.raises(RecipientsError, match="lists nobody"):
        newsletter.send(smtp_site(tmp_path, blog, smtp), post="alpha", env=env)
    assert not (tmp_path / "ledger.json").exists()  # Not "sent": retried once there are readers.
    readers(tmp_path)
    newsletter.send(smtp_site(tmp_path, blog, smtp), post="alpha", env=env)
    assert smtp.per_recipient("Alpha") == once_each()


def test_recipients_added_and_removed_between_runs(tmp_path, blog, smtp):
    env = readers(tmp_path)
    smtp.drop_at = 3  # The connection is cut at recipient 3: two have it.
    with pytest.raises(ProviderError, match="stopped at recipient 3 of 5 .* 2 delivered"):
        newsletter.send(smtp_site(tmp_path, blog, smtp), post="alpha", env=env)
    # reader1 (done) and reader4 (not yet) leave; new@ joins.
    readers(
        tmp_path, ["new@example.org", *[r for r in READERS if r not in (READERS[0], READERS[3])]]
    )
    newsletter.send(smtp_site(tmp_path, blog, smtp), post="alpha", env=env)
    assert smtp.per_recipient("Alpha") == once_each(
        ["reader1@example.org", "reader2@example.org", "reader3@example.org"]
        + ["reader5@example.org", "new@example.org"]
    )
    assert ledger(tmp_path)  # and the post is done:
    assert next(iter(ledger(tmp_path).values()))["state"] == "sent"


def test_add_recipient_is_idempotent(tmp_path):
    path = tmp_path / "recipients.txt"
    assert add_recipient(path, "ann@example.org", "Ann")
    assert not add_recipient(path, "ANN@example.org")
    assert [r.address for r in read_recipients(path)] == ["ann@example.org"]


# -- permanent refusals ------------------------------------------------------------------------


def test_a_550_is_recorded_and_skipped_and_the_address_suppressed(tmp_path, blog, smtp):
    env = readers(tmp_path)
    smtp.refuse = {"reader3@example.org"}
    report = newsletter.send(smtp_site(tmp_path, blog, smtp), post="alpha", env=env)
    others = [r for r in READERS if r != "reader3@example.org"]
    assert smtp.per_recipient("Alpha") == once_each(others)
    assert report.refused == 1 and report.steps[0].action == "sent"
    assert "sent to 4 via 127.0.0.1, 1 refused: see `./inv newsletter.status`" in (
        newsletter.format_report(report)
    )
    record = next(iter(ledger(tmp_path).values()))
    assert (record["state"], record["recipients_done"], record["recipients_refused"]) == (
        "sent",
        4,
        1,
    )
    suppressed = Suppressions(Path(env["NEWSLETTER_RECIPIENTS"] + ".suppressed"))
    assert "READER3@example.org" in suppressed
    line = suppressed.path.read_text().splitlines()[-1].split("\t")
    assert line[0] == "reader3@example.org" and "550 5.1.1 No such mailbox here" in line[2]
    # The next post goes to everyone else and never to the suppressed address; no rerun blocks.
    smtp.refuse = set()
    newsletter.send(smtp_site(tmp_path, blog, smtp), post="beta", env=env)
    assert smtp.per_recipient("Beta") == once_each(others)
    newsletter.send(smtp_site(tmp_path, blog, smtp), post="alpha", env=env)
    assert smtp.per_recipient("Alpha") == once_each(others)


def test_a_temporary_4xx_stops_and_the_next_run_retries_it(tmp_path, blog, smtp):
    env = readers(tmp_path)
    smtp.temporary = {"reader2@example.org"}
    with pytest.raises(ProviderError, match="451 4.2.1 .* `./inv newsletter.send` again"):
        newsletter.send(smtp_site(tmp_path, blog, smtp), post="alpha", env=env)
    smtp.temporary = set()
    newsletter.send(smtp_site(tmp_path, blog, smtp), post="alpha", env=env)
    assert smtp.per_recipient("Alpha") == once_each()


def test_the_task_exits_with_a_distinct_code_when_some_refused(tmp_path, blog, smtp, monkeypatch):
    from invoke import Context, Exit

    from conftest import load_script

    tasks = load_script("tasks.py")
    env = readers(tmp_path)
    smtp.refuse = {"reader1@example.org"}
    chosen = smtp_site(tmp_path, blog, smtp)
    real = newsletter.send
    monkeypatch.setattr(tasks._nl, "send", lambda _site, **kw: real(chosen, env=env, **kw))
    with pytest.raises(Exit) as exited:
        tasks.newsletter_send(Context(), post="alpha")
    assert exited.value.code == newsletter.REFUSED == 3


# -- the ledger is checked, and baseline never hides a half-sent post ------------------------


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ({"state": "Sent"}, "has state 'Sent'; it must be one of"),
        ({"title": "Alpha"}, "has no state"),
        ({"state": "draft", "provider": "smtp"}, "smtp makes no drafts"),
        ("sent", "is str, not an object"),
        ({"state": "sending", "recipients_done": "4"}, "recipients_done = '4' must be a whole"),
    ],
)
def test_an_unknown_ledger_state_or_type_is_an_error_never_not_sent(
    tmp_path, blog, smtp, record, message
):
    env = readers(tmp_path)
    data = {"posts": {"tag:happeningnow.example,2024-01-01:alpha": record}, "version": 1}
    (tmp_path / "ledger.json").write_text(json.dumps(data))
    with pytest.raises(LedgerError, match="record 'tag:happeningnow.example,2024-01-01:alpha'"):
        newsletter.send(smtp_site(tmp_path, blog, smtp), env=env)
    with pytest.raises(LedgerError, match=message):
        newsletter.send(smtp_site(tmp_path, blog, smtp), env=env)
    assert smtp.copies == Counter()


def test_baseline_refuses_a_half_sent_post(tmp_path, blog, smtp):
    env = readers(tmp_path)
    smtp.drop_at = 2
    with pytest.raises(ProviderError):
        newsletter.send(smtp_site(tmp_path, blog, smtp), post="alpha", env=env)
    before = (tmp_path / "ledger.json").read_bytes()
    with pytest.raises(UserError, match=r"'Alpha' .* `./inv newsletter.send --post alpha`"):
        newsletter.baseline(smtp_site(tmp_path, blog, smtp), env=env)
    assert (tmp_path / "ledger.json").read_bytes() == before
    newsletter.send(smtp_site(tmp_path, blog, smtp), post="alpha", env=env)
    assert smtp.per_recipient("Alpha") == once_each()


def test_a_full_disk_under_the_ledger_is_one_line(tmp_path, blog, smtp, monkeypatch):
    import errno

    env = readers(tmp_path)

    def full(src, dst):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "replace", full)
    with pytest.raises(LedgerError, match="cannot write the ledger .*No space left"):
        newsletter.send(smtp_site(tmp_path, blog, smtp), post="alpha", env=env)
    assert smtp.copies == Counter()  # The ledger write comes first: nothing went out.


# -- kill -9 in the middle of a send, at points the server chooses ---------------------------

CHILD = textwrap.dedent(
    """
    import json, sys
    from happening.build import PROD_SETTINGS
    from happening.newsletter import Site, send
    overrides, env = json.loads(sys.argv[1]), json.loads(sys.argv[2])
    send(Site(PROD_SETTINGS, overrides), post="alpha", env=env)
    """
)


@pytest.mark.parametrize(
    ("k", "counted", "repeats"),
    [
        (1, False, 0),  # Killed as the first message arrives: nobody has it yet.
        (3, False, 0),  # Killed before message 3 is accepted: two have it, both recorded.
        (3, True, 1),  # Killed after message 3 is accepted, before we hear: the one repeat.
        (5, True, 1),  # The last one, accepted and unrecorded.
    ],
)
def test_kill_9_then_rerun_delivers_each_once_at_most_one_repeat(
    tmp_path, blog, smtp, k, counted, repeats
):
    env = readers(tmp_path)
    chosen = smtp_site(tmp_path, blog, smtp)
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, json.dumps(chosen.overrides), json.dumps(env)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    smtp.kill_at = (k, child.pid, counted)
    child.communicate(timeout=120)
    assert child.returncode == -signal.SIGKILL
    assert sum(smtp.copies.values()) == k - 1 + counted
    smtp.kill_at = None
    newsletter.send(smtp_site(tmp_path, blog, smtp), post="alpha", env=env)
    copies = smtp.per_recipient("Alpha")
    assert set(copies) == set(READERS)
    assert sum(copies.values()) == len(READERS) + repeats
    assert max(copies.values()) <= 1 + repeats
    assert next(iter(ledger(tmp_path).values()))["state"] == "sent"


# -- Buttondown: real sends confirmed, test copies never freeze the body ---------------------


@pytest.fixture(scope="module")
def server():
    yield from http_server()


@pytest.fixture
def buttondown(server):
    yield from fake_service(server, FakeButtondown)


def buttondown_site(tmp_path, blog, service, **settings):
    chosen = {
        "NEWSLETTER_PROVIDER": "buttondown",
        "BUTTONDOWN_API_URL": service.server.url_for("/v1"),
        "NEWSLETTER_HTTP_RETRIES": 0,  # Retries (and their waits) are test_providers_*'s matter.
        **settings,
    }
    return site(tmp_path, blog, **chosen)


def test_buttondown_refuses_about_to_send_without_the_header_and_we_send_it(
    tmp_path, blog, buttondown
):
    # The fake itself: what the spec forbids is refused.
    answer = requests.post(
        buttondown.server.url_for("/v1/emails"),
        json={"subject": "x", "status": "about_to_send"},
        headers={"Authorization": f"Token {BUTTONDOWN_KEY}", "X-API-Version": "2026-04-01"},
        timeout=5,
    )
    assert answer.status_code == 400 and answer.json()["code"] == "sending_requires_confirmation"
    newsletter.send(
        buttondown_site(tmp_path, blog, buttondown),
        post="alpha",
        env={"BUTTONDOWN_API_KEY": BUTTONDOWN_KEY},
    )
    sent = [e for e in buttondown.emails if e["subject"] == "Alpha"]
    assert [e["status"] for e in sent] == ["about_to_send"]  # One real send, once.


class KillingButtondown(FakeButtondown):
    """The Buttondown fake that kill -9s the sender at the request ``kill`` names.

    ``kill = (method, path, pid, after)``: before answering (``after`` False: the request did
    nothing) or after doing what it asks (True: the email exists, the sender never hears).
    """

    kill = None

    def handle(self, request, payload):
        kill = self.kill
        if kill and (request.method, request.path) == kill[:2]:
            self.kill = None
            if not kill[3]:
                os.kill(kill[2], signal.SIGKILL)
                return 503, {"detail": "gone"}
            answer = super().handle(request, payload)
            os.kill(kill[2], signal.SIGKILL)
            return answer
        return super().handle(request, payload)


@pytest.mark.parametrize(
    ("method", "after"),
    [("GET", False), ("POST", False), ("POST", True)],
)
def test_kill_9_of_a_buttondown_send_then_rerun_makes_one_email(
    tmp_path, blog, killing_buttondown, method, after
):
    service = killing_buttondown
    env = {"BUTTONDOWN_API_KEY": BUTTONDOWN_KEY}
    chosen = buttondown_site(tmp_path, blog, service)
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, json.dumps(chosen.overrides), json.dumps(env)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    service.kill = (method, "/v1/emails", child.pid, after)
    child.communicate(timeout=120)
    assert child.returncode == -signal.SIGKILL
    assert len(service.emails) == (1 if after else 0)
    newsletter.send(chosen, post="alpha", env=env)
    assert [(e["subject"], e["status"]) for e in service.emails] == [("Alpha", "about_to_send")]
    assert next(iter(ledger(tmp_path).values()))["state"] == "sent"


@pytest.fixture
def killing_buttondown(server):
    yield from fake_service(server, KillingButtondown)


def test_a_test_copy_never_freezes_the_body(tmp_path, blog, buttondown):
    env = {"BUTTONDOWN_API_KEY": BUTTONDOWN_KEY}
    chosen = buttondown_site(tmp_path, blog, buttondown)
    newsletter.send(chosen, post="alpha", test_to="me@example.org", env=env)
    write_post(blog, "alpha.md", "Alpha", "2024-01-01 09:00", body="Fixed the typo.")
    newsletter.send(chosen, post="alpha", env=env)
    (email,) = buttondown.emails
    assert "Fixed the typo." in email["body"] and email["status"] == "about_to_send"
    preview = newsletter.preview(chosen, post="alpha", env=env)[0].read_text()
    # The preview file ends with a newline; the body Buttondown holds is the HTML itself.
    assert email["body"].endswith(preview.rstrip("\n"))


@pytest.fixture
def listmonk(server):
    yield from fake_service(server, FakeListmonk)


def test_a_listmonk_test_copy_never_freezes_the_body(tmp_path, blog, listmonk):
    env = {"LISTMONK_API_USER": "api-user", "LISTMONK_API_TOKEN": "lm-token-789"}
    chosen = site(
        tmp_path,
        blog,
        NEWSLETTER_PROVIDER="listmonk",
        LISTMONK_URL=listmonk.server.url_for("/"),
        LISTMONK_LIST_IDS=[3],
        NEWSLETTER_HTTP_RETRIES=0,
    )
    newsletter.send(chosen, post="alpha", test_to="me@example.org", env=env)
    write_post(blog, "alpha.md", "Alpha", "2024-01-01 09:00", body="Fixed the typo.")
    newsletter.send(chosen, post="alpha", env=env)
    (campaign,) = listmonk.campaigns
    assert "Fixed the typo." in campaign["body"] and campaign["status"] == "running"
    assert listmonk.tests == [(1, ["me@example.org"])]  # One test copy; one real send.


# -- the archive guard asks the service too: its record outlives a lost ledger ----------------

SERVICES = ("buttondown", "listmonk", "mailchimp")
FAKES = {"buttondown": FakeButtondown, "listmonk": FakeListmonk, "mailchimp": FakeMailchimp}


@pytest.fixture
def service(request, server, monkeypatch):
    """The fake of the service ``request.param`` names, answering on the module's server."""
    # Pages of 2 where the client chooses the page size (Buttondown's fake pages by 2 itself),
    # so that three emails take two pages and the paging is what is tested.
    monkeypatch.setattr(listmonk_provider, "PAGE", 2)
    monkeypatch.setattr(mailchimp_provider, "PAGE", 2)
    running = fake_service(server, FAKES[request.param])
    fake = next(running)
    fake.name = request.param
    yield fake
    next(running, None)


def service_site(tmp_path, blog, fake, **settings):
    chosen = {
        "buttondown": {"BUTTONDOWN_API_URL": fake.server.url_for("/v1")},
        "listmonk": {"LISTMONK_URL": fake.server.url_for("/"), "LISTMONK_LIST_IDS": [3]},
        "mailchimp": {
            "MAILCHIMP_API_URL": fake.server.url_for("/3.0"),
            "MAILCHIMP_LIST_ID": "a1b2c3d4e5",
        },
    }[fake.name]
    chosen = {"NEWSLETTER_PROVIDER": fake.name, "NEWSLETTER_HTTP_RETRIES": 0, **chosen}
    return site(tmp_path, blog, **{**chosen, **settings})


def service_env(fake, secret=None) -> dict:
    """The service's credentials: the ones its fake accepts, or ``secret`` in their place."""
    return {
        "buttondown": {"BUTTONDOWN_API_KEY": secret or BUTTONDOWN_KEY},
        "listmonk": {
            "LISTMONK_API_USER": "api-user",
            "LISTMONK_API_TOKEN": secret or "lm-token-789",
        },
        "mailchimp": {"MAILCHIMP_API_KEY": secret or MAILCHIMP_KEY},
    }[fake.name]


def went_out(fake) -> Counter:
    """How many emails of each subject the service holds as gone out to readers.

    Buttondown: EmailStatus about_to_send or sent; listmonk: campaign status running or
    finished; Mailchimp: campaign status sending or sent.
    """
    if fake.name == "buttondown":
        return Counter(
            e["subject"] for e in fake.emails if e["status"] in ("about_to_send", "sent")
        )
    if fake.name == "listmonk":
        return Counter(
            c["subject"] for c in fake.campaigns if c["status"] in ("running", "finished")
        )
    return Counter(
        c["settings"]["subject_line"] for c in fake.campaigns if c["status"] in ("sending", "sent")
    )


def finished(fake, subject):
    """The email ``subject`` done going out: the status each service gives it at the end."""
    final = {"buttondown": "sent", "listmonk": "finished", "mailchimp": "sent"}[fake.name]
    for item in getattr(fake, "emails", None) or fake.campaigns:
        if (
            item.get("subject") == subject
            or (item.get("settings") or {}).get("subject_line") == subject
        ):
            item["status"] = final


def sent_from_the_service(fake, subject, when):
    """An email the service sent that carries no marker of ours (written in its own editor, or
    made for a post whose id has since changed), as the service lists it."""
    if fake.name == "buttondown":
        # components.schemas.Email: id, subject, status, publish_date ("the date and time at
        # which the email was published, for sent emails"), metadata.
        fake.emails.append(
            {
                "id": f"0d3e0000-0000-4000-8000-{len(fake.emails):012d}",
                "subject": subject,
                "body": f"<p>{subject}, written at Buttondown.</p>",
                "status": "sent",
                "creation_date": when,
                "publish_date": when,
                "metadata": {},
                "email_type": "public",
                "slug": subject.lower(),
            }
        )
    elif fake.name == "listmonk":
        # listmonk-openapi.yaml, components.schemas.Campaign.
        fake.campaigns.append(
            {
                "id": len(fake.campaigns) + 1,
                "uuid": f"uuid-ui-{len(fake.campaigns)}",
                "name": subject,
                "subject": subject,
                "status": "finished",
                "created_at": when,
                "updated_at": when,
                "started_at": when,
                "type": "regular",
                "content_type": "richtext",
                "body": f"<p>{subject}</p>",
                "lists": [{"id": 3, "name": "Readers"}],
                "tags": [],
            }
        )
    else:
        # Mailchimp reference, the Campaign object: id, type, status, create_time, send_time,
        # settings.subject_line, settings.title.
        fake.campaigns.append(
            {
                "id": f"f0e1d2c3{len(fake.campaigns):02d}",
                "web_id": 900 + len(fake.campaigns),
                "type": "regular",
                "status": "sent",
                "create_time": when,
                "send_time": when,
                "content_type": "template",
                "recipients": {"list_id": "a1b2c3d4e5"},
                "settings": {"subject_line": subject, "title": subject},
            }
        )


def lose_the_ledger(tmp_path, how):
    path = tmp_path / "ledger.json"
    if how == "deleted":
        path.unlink(missing_ok=True)
    else:
        path.write_text(json.dumps({"posts": {}, "version": 1}))


@pytest.mark.parametrize("how", ["deleted", "emptied"])
@pytest.mark.parametrize("service", SERVICES, indirect=True)
def test_a_lost_ledger_sends_nothing_the_service_sent_and_the_new_post_once(
    tmp_path, blog, service, how
):
    """Alpha and Beta went out through us; the ledger is lost; Gamma, the new post, goes once."""
    env = service_env(service)
    gamma = blog / "posts" / "gamma.md"
    held = gamma.read_text()
    gamma.unlink()
    newsletter.send(service_site(tmp_path, blog, service), post="alpha", env=env)
    newsletter.send(service_site(tmp_path, blog, service), env=env)  # Beta: newer than Alpha.
    finished(service, "Alpha")  # One done going out, one still going: both count.
    gamma.write_text(held)
    assert went_out(service) == {"Alpha": 1, "Beta": 1}
    lose_the_ledger(tmp_path, how)
    # status asks the service as send does (with credentials; without, the ledger's view).
    rows, _ = newsletter.status(service_site(tmp_path, blog, service), env=env)
    assert [(r["state"], r["next"][:4]) for r in rows] == [
        (f"sent ({service.name}'s record)", "noth"),
        (f"sent ({service.name}'s record)", "noth"),
        ("not sent", "send"),
    ]
    rows, _ = newsletter.status(service_site(tmp_path, blog, service), env={})
    assert [r["next"][:4] for r in rows] == ["hold", "hold", "hold"]

    report = newsletter.send(service_site(tmp_path, blog, service), env=env)
    assert [(s.post.title, s.action) for s in report.steps] == [
        ("Alpha", "done"),
        ("Beta", "done"),
        ("Gamma", "sent"),
    ]
    assert f"in {service.name}'s own record" in report.steps[0].reason
    assert went_out(service) == {"Alpha": 1, "Beta": 1, "Gamma": 1}  # 0 more of the old two.
    # The next run finds everything done: still one of each.
    newsletter.send(service_site(tmp_path, blog, service), env=env)
    assert went_out(service) == {"Alpha": 1, "Beta": 1, "Gamma": 1}


@pytest.mark.parametrize("how", ["deleted", "emptied"])
@pytest.mark.parametrize("service", SERVICES, indirect=True)
def test_posts_older_than_the_services_newest_email_are_held_back(tmp_path, blog, service, how):
    """The service sent Alpha and Beta without our marker; the ledger has nothing."""
    env = service_env(service)
    sent_from_the_service(service, "Alpha", "2024-01-01T12:00:00+00:00")
    sent_from_the_service(service, "Beta", "2024-02-01T12:00:00+00:00")
    lose_the_ledger(tmp_path, how)

    report = newsletter.send(service_site(tmp_path, blog, service), env=env)
    assert [(s.post.title, s.action) for s in report.steps] == [
        ("Alpha", "guard"),
        ("Beta", "guard"),
        ("Gamma", "sent"),
    ]
    reason = report.steps[0].reason
    assert f"older than 'Beta', the newest email {service.name} records as sent" in reason
    assert "./inv newsletter.send --post alpha" in reason
    assert went_out(service) == {"Alpha": 1, "Beta": 1, "Gamma": 1}  # Gamma once; 0 old.
    # --post still overrides: the writer says Beta really is new (here: a second Beta).
    newsletter.send(service_site(tmp_path, blog, service), post="beta", env=env)
    assert went_out(service) == {"Alpha": 1, "Beta": 2, "Gamma": 1}


@pytest.mark.parametrize("service", SERVICES, indirect=True)
def test_a_fresh_ledger_and_a_service_that_sent_nothing_refuse_the_archive(tmp_path, blog, service):
    env = service_env(service)
    with pytest.raises(
        ArchiveGuard, match=f"records no post as sent yet, nor does {service.name},"
    ):
        newsletter.send(service_site(tmp_path, blog, service), env=env)
    assert went_out(service) == Counter()  # 0 sent.
    newsletter.send(service_site(tmp_path, blog, service), post="gamma", env=env)
    assert went_out(service) == {"Gamma": 1}


LIST_PATH = {"buttondown": "/emails", "listmonk": "/campaigns", "mailchimp": "/campaigns"}


def failing_answer(fake, kind):
    """(status, body) for the service's list of sent emails: what ``kind`` of failure says."""
    from werkzeug import Response

    if kind == "HTML":  # A proxy's or a login page's answer.
        return 200, Response("<html><body>Sign in</body></html>", 200, content_type="text/html")
    if kind == "another shape":  # JSON, but not the API's list.
        return 200, {"items": [], "note": "this is not the API"}
    if kind == "a time that is not one":  # The API's list, with a sent email's time garbled.
        return 200, {
            "buttondown": {
                "results": [{"subject": "A", "status": "sent", "publish_date": "soon"}],
                "next": None,
                "previous": None,
                "count": 1,
            },
            "listmonk": {
                "data": {
                    "results": [
                        {"name": "A", "subject": "A", "status": "finished", "started_at": "soon"}
                    ],
                    "query": "",
                    "total": 1,
                    "per_page": 2,
                    "page": 1,
                }
            },
            "mailchimp": {
                "campaigns": [{"status": "sent", "send_time": "soon", "settings": {"title": "A"}}],
                "total_items": 1,
            },
        }[fake.name]
    echo = {  # A 401 that echoes the credential back (each service's error shape).
        "buttondown": {"detail": f"Invalid token: Token {SECRET}"},
        "listmonk": {"message": f"invalid API credentials: api-user:{SECRET}"},
        "mailchimp": {"title": "API Key Invalid", "status": 401, "detail": f"Key {SECRET}"},
    }
    return 401, echo[fake.name]


@pytest.mark.parametrize(
    "kind", ["unreachable", "401", "HTML", "another shape", "a time that is not one"]
)
@pytest.mark.parametrize("service", SERVICES, indirect=True)
def test_a_service_that_cannot_say_what_it_sent_stops_the_run(
    tmp_path, blog, service, kind, capsys, caplog
):
    caplog.set_level("DEBUG")
    chosen = service_site(tmp_path, blog, service)
    if kind == "unreachable":  # Nothing listens there.
        address = f"http://127.0.0.1:{free_port()}"
        setting = {"buttondown": "BUTTONDOWN_API_URL", "listmonk": "LISTMONK_URL"}
        chosen = service_site(
            tmp_path, blog, service, **{setting.get(service.name, "MAILCHIMP_API_URL"): address}
        )
    else:
        status, body = failing_answer(service, kind)
        service.script.append(("GET", LIST_PATH[service.name], status, {}, body))
    with pytest.raises(ProviderError) as failed:
        newsletter.send(chosen, env=service_env(service, SECRET))
    message = str(failed.value)
    assert "\n" not in message and message.startswith(f"{service.name}: ")
    assert message.endswith("what it has already sent before anything goes out)")
    assert {
        "unreachable": "cannot reach 127.0.0.1:",
        "401": "refused the credentials (401",
        "HTML": "answered text/html, not the API's JSON",
        "another shape": "has no list",
        "a time that is not one": "= 'soon' is not a time, not what the API documents",
    }[kind] in message
    # Asked once (or could not ask), created nothing: 0 sent.
    assert [c[0] for c in service.calls] == ([] if kind == "unreachable" else ["GET"])
    assert went_out(service) == Counter()
    out = capsys.readouterr()
    seen = [message, out.out, out.err, caplog.text]
    seen += [p.read_text(errors="replace") for p in tmp_path.rglob("*") if p.is_file()]
    assert all(SECRET not in text for text in seen)


# Per service: the list's address, a credential the fake takes, where the items are, and a
# status that lists Alpha, one that lists nothing.
LISTING = {
    "buttondown": ("/v1/emails", f"Token {BUTTONDOWN_KEY}", "results", "sent", "draft"),
    "listmonk": ("/api/campaigns", "token api-user:lm-token-789", "results", "finished", "draft"),
    "mailchimp": (
        "/3.0/campaigns",
        "Basic " + base64.b64encode(f"anystring:{MAILCHIMP_KEY}".encode()).decode(),
        "campaigns",
        "sent",
        "save",
    ),
}


@pytest.mark.parametrize("service", SERVICES, indirect=True)
def test_the_fakes_list_sent_emails_as_the_specs_say(service):
    """Each fake filters by status as its spec documents and refuses a status it does not have.

    Buttondown: paths./emails.get, `status` an array of EmailStatus (422 otherwise); listmonk:
    GET /api/campaigns, `status` repeated, a campaign status (400 otherwise); Mailchimp:
    GET /campaigns, `status` one of save, paused, schedule, sending, sent (400 otherwise).
    """
    path, auth, items, sent, other = LISTING[service.name]
    sent_from_the_service(service, "Alpha", "2024-01-01T12:00:00+00:00")

    def listed(status):
        answer = requests.get(
            service.server.url_for(path),
            params={"status": status},
            headers={"Authorization": auth},
            timeout=5,
        )
        body = answer.json()
        body = body.get("data", body) if service.name == "listmonk" else body  # {"data": ...}
        return answer.status_code, len(body.get(items, []))

    assert listed(sent) == (200, 1)
    assert listed(other) == (200, 0)
    assert listed("delivered")[0] in (400, 422)  # Not a status the service has.


# -- secrets are never shown -------------------------------------------------------------------

SECRET = "PLANTED-s3cr3t-7f3a9c"


def test_a_planted_secret_appears_nowhere(tmp_path, blog, buttondown, smtp, capsys, caplog):
    caplog.set_level("DEBUG")
    failures = []
    # A key pasted with its newline works (stripped, with a note) ...
    env = {"BUTTONDOWN_API_KEY": BUTTONDOWN_KEY + "\n"}
    newsletter.send(buttondown_site(tmp_path, blog, buttondown), post="alpha", env=env)
    assert "removed whitespace around BUTTONDOWN_API_KEY" in caplog.text
    # ... and every failure path with the planted secret says so without it.
    cases = [
        (buttondown_site(tmp_path, blog, buttondown), {"BUTTONDOWN_API_KEY": SECRET + "\n"}),
        (buttondown_site(tmp_path, blog, buttondown), {"BUTTONDOWN_API_KEY": SECRET + "\r\nX: y"}),
        (
            buttondown_site(tmp_path, blog, buttondown, BUTTONDOWN_API_URL="http://[::1"),
            {"BUTTONDOWN_API_KEY": SECRET},
        ),
        (
            buttondown_site(
                tmp_path, blog, buttondown, BUTTONDOWN_API_URL=f"http://127.0.0.1:{free_port()}"
            ),
            {"BUTTONDOWN_API_KEY": SECRET},
        ),
    ]
    # A service that echoes the Authorization header in its 401 body.
    buttondown.script.append(("GET", "/emails", 401, {}, {"detail": f"Bad header: Token {SECRET}"}))
    cases.insert(0, (buttondown_site(tmp_path, blog, buttondown), {"BUTTONDOWN_API_KEY": SECRET}))
    for chosen, env in cases:
        with pytest.raises(UserError) as failed:
            newsletter.send(chosen, post="beta", env=env)
        failures.append(str(failed.value))
    smtp.refuse = {"reader1@example.org"}
    smtp_env = {**readers(tmp_path), "SMTP_USERNAME": "ann", "SMTP_PASSWORD": SECRET + "é"}
    with pytest.raises(SettingError, match="SMTP_PASSWORD has characters") as failed:
        newsletter.send(smtp_site(tmp_path, blog, smtp), post="beta", env=smtp_env)
    failures.append(str(failed.value))
    assert "refused the credentials (401" in failures[0]
    assert all("\n" not in f for f in failures)
    out = capsys.readouterr()
    seen = [out.out, out.err, caplog.text, *failures]
    # Every file any of it wrote: ledger, outbox, previews, progress, suppression list.
    seen += [p.read_text(errors="replace") for p in tmp_path.rglob("*") if p.is_file()]
    assert (tmp_path / "ledger.json").exists() and len(seen) > 6
    assert all(SECRET not in text for text in seen)
    assert all(SECRET[:12] not in text for text in seen)


def test_an_smtp_server_that_echoes_the_password_has_it_shown_nowhere(tmp_path, blog, caplog):
    from aiosmtpd.smtp import AuthResult

    class Echo(Counting):
        async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
            if address == "reader2@example.org":
                return f"550 5.7.1 user ann pass {SECRET} may not send to {address}"
            return await super().handle_RCPT(server, session, envelope, address, rcpt_options)

    handler = Echo()
    port = free_port()
    controller = Controller(
        handler,
        hostname="127.0.0.1",
        port=port,
        auth_require_tls=False,
        authenticator=lambda *args: AuthResult(success=True),
    )
    controller.start()
    handler.port = port
    try:
        env = {**readers(tmp_path), "SMTP_USERNAME": "ann", "SMTP_PASSWORD": f" {SECRET}\n"}
        report = newsletter.send(smtp_site(tmp_path, blog, handler), post="alpha", env=env)
    finally:
        controller.stop()
    assert report.refused == 1 and sum(handler.copies.values()) == 4
    texts = [caplog.text, newsletter.format_report(report)]
    texts += [p.read_text(errors="replace") for p in tmp_path.rglob("*") if p.is_file()]
    assert any("may not send to reader2" in t for t in texts)  # What it said is kept, masked.
    assert all(SECRET not in t for t in texts)


# -- one-line errors for bad input -------------------------------------------------------------


@pytest.mark.parametrize(
    ("settings", "env", "message"),
    [
        ({"NEWSLETTER_HTTP_TIMEOUT": 0}, {}, "NEWSLETTER_HTTP_TIMEOUT = 0 must be a number"),
        ({"NEWSLETTER_HTTP_TIMEOUT": -1}, {}, "NEWSLETTER_HTTP_TIMEOUT = -1"),
        ({"NEWSLETTER_REPLY_TO": "a@x.org\r\nBcc: all@x.org"}, {}, "NEWSLETTER_REPLY_TO = "),
        ({}, {"SMTP_USERNAME": "ann", "SMTP_PASSWORD": "pässword"}, "SMTP_PASSWORD has"),
        ({"NEWSLETTER_MAX_PER_RUN": "lots"}, {}, "NEWSLETTER_MAX_PER_RUN = 'lots'"),
    ],
)
def test_bad_settings_are_one_line_naming_the_setting(tmp_path, blog, smtp, settings, env, message):
    env = {**readers(tmp_path), **env}
    with pytest.raises(SettingError, match=message) as failed:
        newsletter.send(smtp_site(tmp_path, blog, smtp, **settings), post="alpha", env=env)
    assert "\n" not in str(failed.value)
    assert smtp.copies == Counter()


def test_a_recipients_file_that_is_not_utf8_is_named(tmp_path, blog, smtp):
    env = readers(tmp_path)
    Path(env["NEWSLETTER_RECIPIENTS"]).write_bytes(b"ok@example.org\nJos\xe9 <j@example.org>\n")
    with pytest.raises(RecipientsError, match=r"recipients.txt, line 2: not UTF-8"):
        newsletter.send(smtp_site(tmp_path, blog, smtp), post="alpha", env=env)


def test_a_test_address_with_a_line_break_is_refused(tmp_path, blog, smtp):
    env = readers(tmp_path)
    with pytest.raises(SettingError, match="--test-to"):
        newsletter.send(
            smtp_site(tmp_path, blog, smtp), test_to="me@example.org\r\nBcc: x@y.org", env=env
        )
    assert smtp.copies == Counter()


def test_an_api_url_that_answers_html_is_named(tmp_path, blog, buttondown):
    from werkzeug import Response

    buttondown.server.clear()
    buttondown.server.expect_request("/v1/emails").respond_with_response(
        Response("<html>Welcome</html>", 200, content_type="text/html")
    )
    with pytest.raises(ProviderError, match="answered text/html, not the API's JSON; check BUTTON"):
        newsletter.send(
            buttondown_site(tmp_path, blog, buttondown),
            post="alpha",
            env={"BUTTONDOWN_API_KEY": BUTTONDOWN_KEY},
        )


# -- metadata and sanitising -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "wanted"),
    [("0", False), ("No", False), ("OFF", False), ("false", False), ("1", True), ("On", True)],
)
def test_newsletter_metadata_yes_and_no(tmp_path, blog, value, wanted):
    write_post(blog, "alpha.md", "Alpha", "2024-01-01 09:00", newsletter=value)
    rows, _ = newsletter.status(site(tmp_path, blog), env={})
    row = next(r for r in rows if r["title"] == "Alpha")
    assert (row["next"] != "skip (Newsletter: no)") is wanted


@pytest.mark.parametrize("value", ["never", "n", "maybe"])
def test_newsletter_metadata_anything_else_is_an_error_naming_the_file(tmp_path, blog, value):
    write_post(blog, "alpha.md", "Alpha", "2024-01-01 09:00", newsletter=value)
    # The file from the project folder and the line of the Newsletter: field (Title, Date, it).
    wanted = rf"^content/posts/alpha\.md:3: newsletter: Newsletter: '{value}' is not yes or no"
    with pytest.raises(UserError, match=wanted):
        newsletter.status(site(tmp_path, blog), env={})


def test_email_html_is_sanitised_with_one_warning(tmp_path, blog, caplog):
    body = (
        'Hello <a href="javascript:alert(1)" onclick="steal()">there</a>.\n\n'
        "<script>alert(1)</script>\n\n<iframe src='https://x.example/'></iframe>\n\n"
        "<form action='https://x.example/'><input name='q'></form>\n\n"
        "<object data='x.swf'></object><embed src='y.swf'>\n\nThe end."
    )
    write_post(blog, "alpha.md", "Alpha", "2024-01-01 09:00", body=body)
    paths = newsletter.preview(site(tmp_path, blog), post="alpha", env={})
    html = paths[0].read_text().lower()
    for banned in ("<script", "<iframe", "<object", "<embed", "<form", "onclick", "javascript:"):
        assert banned not in html
    assert "the end." in html and "there</a>" in html
    warnings = [
        r.getMessage() for r in caplog.records if "removed from the email" in r.getMessage()
    ]
    assert len(warnings) == 1 and "'Alpha'" in warnings[0]
