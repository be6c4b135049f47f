"""Render one email, then ``newsletter.send`` one post to N subscribers on a local aiosmtpd.

    python bench/smtp_child.py WORK N [CONTENT]

Runs in a fresh process, so its peak memory is its own. CONTENT (default: a 5-post corpus in
WORK) is the site the newsletter builds to collect its posts. Prints one JSON line:

- ``collect s``: ``newsletter.posts.published`` (a strict production build into a temporary
  folder), and ``collect read s``, the part of it until every post is read and linked
  (``all_generators_finalized``): the rest writes a whole site that is then thrown away;
- ``render ms``: ``newsletter.render.render`` of the newest post (median of 20; ``first`` apart);
- ``messages/s``: over the SMTP phase only, from the first message the server received to the
  last; ``send s``: the whole ``newsletter.send``, its own collection build included;
- ``peak MB before SMTP`` and ``peak MB``: this process's peak memory when the first message
  arrives and at the end: equal when sending costs no memory per recipient.

The server (aiosmtpd, counting only) runs in a process of its own, as a real mail server does:
in a thread of this one, its Python took turns with the sender's on one interpreter lock, and
the figure was of both.

The settings are the newsletter's own (``happening/newsletter/config.py``): ``NEWSLETTER_PROVIDER =
"smtp"``, ``SMTP_HOST``/``SMTP_PORT``/``SMTP_SECURITY = "none"``, the recipients file from the
``NEWSLETTER_RECIPIENTS`` environment variable (given to ``send`` as ``env``, so no ``.env`` or
shell variable is read).
"""

import json
import multiprocessing
import os
import shutil
import socket
import statistics
import sys
import time
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    # aiosmtpd's Controller cannot start on port 0 (it connects to its own port to check it).
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def peak_mb(pid=None) -> float:
    """A process's peak resident memory so far (``VmHWM``; this one's by default): the server's
    process reads the sender's when the first message arrives, the sender its own at the end."""
    pid = os.getpid() if pid is None else pid
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise SystemExit(f"bench: /proc/{pid}/status has no VmHWM")


class Counter:
    """An aiosmtpd handler that only counts: the cost measured is ours, not the server's."""

    def __init__(self, sender):
        self.sender = sender  # the sending process's id
        self.messages = 0
        self.recipients = 0
        self.first = self.last = None
        self.peak_before = None

    async def handle_DATA(self, server, session, envelope):
        now = time.perf_counter()  # CLOCK_MONOTONIC: the same clock in the sending process
        if self.first is None:
            self.first, self.peak_before = now, peak_mb(self.sender)
        self.last = now
        self.messages += 1
        self.recipients += len(envelope.rcpt_tos)
        return "250 OK"


def serve(port, sender, pipe):
    """The server, in a process of its own as a mail server is: its work (aiosmtpd is Python
    too) does not take turns with the sender's on one interpreter lock. Counts until told to
    stop, then sends back what it counted."""
    from aiosmtpd.controller import Controller

    counter = Counter(sender)
    controller = Controller(counter, hostname="127.0.0.1", port=port)
    controller.start()
    pipe.send("ready")
    pipe.recv()
    controller.stop()
    pipe.send(vars(counter))


def start_server(port):
    """:func:`serve` in a forked process (forked before the sender imports Pelican: small);
    returns a function that stops it and gives what it counted."""
    ours, theirs = multiprocessing.Pipe()
    server = multiprocessing.get_context("fork").Process(
        target=serve, args=(port, os.getpid(), theirs), daemon=True
    )
    server.start()
    if ours.recv() != "ready":
        raise SystemExit("bench: the SMTP server did not start")

    def stop():
        ours.send("stop")
        counted = SimpleNamespace(**ours.recv())
        server.join()
        return counted

    return stop


def main():
    work, count = Path(sys.argv[1]), int(sys.argv[2])
    port = free_port()
    stop_server = start_server(port)
    import corpus
    from pelican import signals

    from happening.build import PROD_SETTINGS
    from happening.newsletter import Site, config, posts, render, send
    from happening.newsletter.ledger import Ledger

    content = Path(sys.argv[3]) if len(sys.argv) > 3 else work / "corpus-email"
    if not content.exists():
        corpus.generate(5, content)
    recipients = work / "recipients.txt"
    recipients.write_text("".join(f"reader{i}@example.org\n" for i in range(count)), "utf-8")
    # A throwaway secret: each copy needs an unsubscribe token (unsubscribe.personalise).
    env = {"NEWSLETTER_RECIPIENTS": str(recipients), "NEWSLETTER_UNSUBSCRIBE_SECRET": "bench-only"}
    ledger = work / "ledger.json"
    ledger.unlink(missing_ok=True)
    # Who has had each post is kept beside the recipients file: a fresh run starts with nobody.
    shutil.rmtree(work / "recipients.txt.progress", ignore_errors=True)
    (work / "recipients.txt.suppressed").unlink(missing_ok=True)

    try:
        site = Site(
            PROD_SETTINGS,
            {
                "PATH": str(content),
                "NEWSLETTER_PROVIDER": "smtp",
                "SMTP_HOST": "127.0.0.1",
                "SMTP_PORT": port,
                "SMTP_SECURITY": "none",
                "NEWSLETTER_LEDGER": str(ledger),
            },
        )
        read = {}

        def linked(generators):
            read.setdefault("at", time.perf_counter())

        signals.all_generators_finalized.connect(linked)
        start = time.perf_counter()
        collected, settings = posts.published(site)
        collect_s = time.perf_counter() - start
        collect_read_s = read["at"] - start
        signals.all_generators_finalized.disconnect(linked)

        newest = collected[-1]
        cfg = config.load(settings, ROOT, env)
        unsubscribe = render.unsubscribe_mailto(cfg)
        times = []
        for _ in range(21):
            begin = time.perf_counter()
            render.render(newest, cfg, unsubscribe=unsubscribe)
            times.append((time.perf_counter() - begin) * 1000)

        # An empty ledger: the blog has started sending, so only the post asked for goes out.
        Ledger(ledger).write()
        start = time.perf_counter()
        report = send(site, post=newest.slug, env=env)
        send_s = time.perf_counter() - start
    finally:
        counter = stop_server()
    if counter.recipients != count or [s.action for s in report.steps] != ["sent"]:
        raise SystemExit(
            f"{counter.recipients} of {count} recipients reached the server; "
            f"send reported {[(s.action, s.reason) for s in report.steps]}"
        )
    print(
        json.dumps(
            {
                "posts": len(collected),
                "collect s": collect_s,
                "collect read s": collect_read_s,
                "render ms": statistics.median(times[1:]),
                "first render ms": times[0],
                "recipients": counter.recipients,
                "messages/s": (counter.messages - 1) / (counter.last - counter.first),
                "send s": send_s,
                "peak MB before SMTP": counter.peak_before,
                "peak MB": peak_mb(),
            }
        )
    )


if __name__ == "__main__":
    main()
