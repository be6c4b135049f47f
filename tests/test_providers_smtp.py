"""SMTP against a real aiosmtpd server on 127.0.0.1: one message per recipient, resumable."""

import json
from collections import Counter
from urllib.parse import quote

import pytest

from happening import newsletter
from happening.newsletter.errors import ProviderError, SettingError
from happening.newsletter.unsubscribe import token
from newsletter_helpers import SmtpServer, recipients, site

UNSUBSCRIBE = "https://blog.example/unsubscribe"


@pytest.fixture
def smtp():
    with SmtpServer() as server:
        yield server


def smtp_site(tmp_path, smtp, **settings):
    # A ledger that exists (empty) means the blog has started sending: no archive guard.
    ledger = tmp_path / "ledger.json"
    if not ledger.exists():
        ledger.write_text('{"posts": {}, "version": 1}\n')
    chosen = {
        "NEWSLETTER_PROVIDER": "smtp",
        "NEWSLETTER_UNSUBSCRIBE_URL": UNSUBSCRIBE,
        **smtp.settings(),
        **settings,
    }
    return site(tmp_path, **chosen)


def test_fifty_recipients_get_exactly_one_message_each_with_list_headers(tmp_path, smtp):
    env, addresses = recipients(tmp_path, 50)
    newsletter.send(smtp_site(tmp_path, smtp), post="first-light", env=env)
    assert Counter(to for tos, _ in smtp.messages for to in tos) == Counter(addresses)
    assert all(len(tos) == 1 for tos, _ in smtp.messages)
    ids = set()
    for (to,), message in smtp.messages:
        assert message["To"] == to
        assert message["Subject"] == "First light"
        assert message["Date"] and message["List-Id"]
        # Each copy's own token (unsubscribe.token), in the mailto and the one-click URL.
        mine = token(to, env["NEWSLETTER_UNSUBSCRIBE_SECRET"])
        one_click = f"{UNSUBSCRIBE}?address={quote(to, safe='')}&token={mine}"
        assert " ".join(message["List-Unsubscribe"].split()) == (
            f"<mailto:newsletter@happeningnow.example?subject=unsubscribe%20{mine}>, <{one_click}>"
        )
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert message.get_content_type() == "multipart/alternative"
        html = message.get_body(("html",)).get_content()
        assert f'href="{one_click.replace("&", "&amp;")}"' in html
        ids.add(message["Message-ID"])
    assert len(ids) == 50
    record = next(iter(json.loads((tmp_path / "ledger.json").read_text())["posts"].values()))
    assert record["state"] == "sent" and record["recipients_done"] == 50


def test_a_failure_at_recipient_21_resumes_there_with_no_duplicates(tmp_path, smtp):
    env, addresses = recipients(tmp_path, 50)
    smtp.handler.fail_after = 20
    with pytest.raises(ProviderError) as failure:
        newsletter.send(smtp_site(tmp_path, smtp), post="first-light", env=env)
    assert "stopped at recipient 21 of 50" in str(failure.value)
    assert "20 delivered and recorded" in str(failure.value)
    record = next(iter(json.loads((tmp_path / "ledger.json").read_text())["posts"].values()))
    assert record["state"] == "sending" and record["recipients_done"] == 20
    assert [tos[0] for tos, _ in smtp.messages] == addresses[:20]
    rows, _ = newsletter.status(smtp_site(tmp_path, smtp), env=env)
    row = next(r for r in rows if r["title"] == "First light")
    assert row["state"] == "sending (20/50)"
    assert row["next"] == "send via smtp (resume: it stopped while sending)"

    smtp.handler.fail_after = None
    newsletter.send(smtp_site(tmp_path, smtp), post="first-light", env=env)
    assert [tos[0] for tos, _ in smtp.messages] == addresses
    record = next(iter(json.loads((tmp_path / "ledger.json").read_text())["posts"].values()))
    assert record["state"] == "sent" and record["recipients_done"] == 50
    newsletter.send(smtp_site(tmp_path, smtp), post="first-light", env=env)
    assert len(smtp.messages) == 50


def test_one_connection_is_reused_for_every_recipient(tmp_path, smtp, monkeypatch):
    import smtplib

    opened = []
    real_init = smtplib.SMTP.__init__

    def counting_init(self, *args, **kwargs):
        opened.append(args)
        real_init(self, *args, **kwargs)

    monkeypatch.setattr(smtplib.SMTP, "__init__", counting_init)
    env, _ = recipients(tmp_path, 10)
    newsletter.send(smtp_site(tmp_path, smtp), post="first-light", env=env)
    assert len(opened) == 1 and len(smtp.messages) == 10


def test_missing_recipients_file_names_the_variable(tmp_path, smtp):
    with pytest.raises(SettingError, match="NEWSLETTER_RECIPIENTS"):
        newsletter.send(smtp_site(tmp_path, smtp), env={})
    assert json.loads((tmp_path / "ledger.json").read_text())["posts"] == {}


def test_a_server_that_is_not_there_is_a_clear_error(tmp_path, smtp):
    env, _ = recipients(tmp_path, 1)
    from newsletter_helpers import free_port

    with pytest.raises(ProviderError, match="SMTP_HOST, SMTP_PORT"):
        newsletter.send(
            smtp_site(tmp_path, smtp, SMTP_PORT=free_port()), post="first-light", env=env
        )


def test_a_changed_recipient_list_resumes_by_address(tmp_path, smtp):
    env, addresses = recipients(tmp_path, 10)
    smtp.handler.fail_after = 4
    with pytest.raises(ProviderError):
        newsletter.send(smtp_site(tmp_path, smtp), post="first-light", env=env)
    smtp.handler.fail_after = None
    path = tmp_path / "recipients.txt"
    # One added at the top, one of those done and one not yet done removed.
    kept = [a for a in addresses if a not in (addresses[0], addresses[7])]
    path.write_text("new@example.org\n" + "\n".join(kept) + "\n")
    newsletter.send(smtp_site(tmp_path, smtp), post="first-light", env=env)
    got = [tos[0] for tos, _ in smtp.messages]
    assert sorted(got) == sorted([*addresses[:4], "new@example.org", *kept[3:]])
    assert len(got) == len(set(got))


def test_starttls_is_used_when_asked(tmp_path):
    import ssl
    import subprocess

    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_tls.load_cert_chain(cert, key)
    client_tls = ssl.create_default_context(cafile=str(cert))
    env, addresses = recipients(tmp_path, 3)
    with SmtpServer(tls_context=server_tls, require_starttls=True) as server:
        settings = {**server.settings(), "SMTP_SECURITY": "starttls"}
        newsletter.send(
            smtp_site(tmp_path, server, **settings),
            post="first-light",
            env=env,
            ssl_context=client_tls,
        )
        assert sorted(to for (to,), _ in server.messages) == sorted(addresses)
        assert server.handler.secure == [True, True, True]
