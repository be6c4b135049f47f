"""``newsletter.send`` to N subscribers over SMTP on 127.0.0.1, in a fresh process.

    python bench/smtp_child.py WORK N

Prints one JSON line: messages received per second and this process's peak memory. The
newsletter module belongs to the newsletter area; the settings below follow the brief's contract
(``NEWSLETTER_PROVIDER = "smtp"``) and the SMTP names the newsletter area is expected to use. If
they differ once it is merged, ``bench/run.py`` reports "n/a (...)" with the error instead.
"""

import json
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "plugins"))
sys.path.insert(0, str(ROOT / "bench"))


class Counter:
    """An aiosmtpd handler that only counts: the cost measured is ours, not the server's."""

    def __init__(self):
        self.messages = 0
        self.recipients = 0

    async def handle_DATA(self, server, session, envelope):
        self.messages += 1
        self.recipients += len(envelope.rcpt_tos)
        return "250 OK"


def main():
    work, count = Path(sys.argv[1]), int(sys.argv[2])
    import corpus
    from aiosmtpd.controller import Controller

    import newsletter
    from workflow.build import build, load_settings

    content = work / "corpus-email"
    if not content.exists():
        corpus.generate(5, content)
    subscribers = work / "subscribers.txt"
    subscribers.write_text(
        "".join(f"reader{i}@example.org\n" for i in range(count)), encoding="utf-8"
    )
    counter = Counter()
    controller = Controller(counter, hostname="127.0.0.1", port=0)
    controller.start()
    try:
        overrides = {
            "PATH": str(content),
            "OUTPUT_PATH": str(work / "out-email"),
            "NEWSLETTER_PROVIDER": "smtp",
            "NEWSLETTER_SMTP_HOST": "127.0.0.1",
            "NEWSLETTER_SMTP_PORT": controller.server.sockets[0].getsockname()[1],
            "NEWSLETTER_SMTP_SUBSCRIBERS": str(subscribers),
            "NEWSLETTER_LEDGER": str(work / "ledger.json"),
        }
        build(ROOT / "publishconf.py", **overrides)
        settings = load_settings(ROOT / "publishconf.py", **overrides)
        start = time.perf_counter()
        newsletter.send(settings)
        seconds = time.perf_counter() - start
    finally:
        controller.stop()
    if counter.recipients < count:
        raise SystemExit(f"only {counter.recipients} of {count} recipients reached the server")
    print(
        json.dumps(
            {
                "messages/s": counter.messages / seconds,
                "recipients": counter.recipients,
                "peak MB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            }
        )
    )


if __name__ == "__main__":
    main()
