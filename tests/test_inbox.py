"""newsletter.inbox against a real IMAP server (dovecot, started here on 127.0.0.1 over TLS).

Confirmation requests go out through a real SMTP server (aiosmtpd). The bounce reports are
written from RFC 3464's examples (section 9.1, a simple DSN; 9.2, a multi-recipient DSN), with
our subscribers' addresses in place of the RFC's.
"""

import logging
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest

from dovecot_helpers import PASSWORD, USER, Dovecot
from happening import newsletter
from happening.newsletter import config as configuration
from happening.newsletter import inbox
from happening.newsletter.suppression import Suppressions
from happening.newsletter.unsubscribe import token
from newsletter_helpers import SmtpServer, site

SECRET = "inbox-test-secret"
LIST = "list@blog.example"

# RFC 3464, 9.2 (multi-recipient DSN), one permanent failure and one "failed" 4.x.x given up
# after retries (9.1's "Cannot send message for 5 days"): only the permanent one suppresses.
DSN = """\
Date: Thu, 7 Jul 1994 17:16:05 -0400
From: Mail Delivery Subsystem <MAILER-DAEMON@mx.example.net>
Message-Id: <199407072116.RAA14128@mx.example.net>
Subject: Returned mail: Cannot send message
To: <newsletter@blog.example>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
    boundary="RAA14128.773615765/mx.example.net"

--RAA14128.773615765/mx.example.net

The original message was received at Sat, 2 Jul 1994 17:10:28 -0400

   ----- The following addresses had delivery problems -----
<b@example.org>  (unrecoverable error)
<c@example.org>  (transient error, given up)

--RAA14128.773615765/mx.example.net
content-type: message/delivery-status

Reporting-MTA: dns; mx.example.net

Original-Recipient: rfc822;b@example.org
Final-Recipient: rfc822;b@example.org
Action: failed
Status: 5.0.0 (permanent failure)
Diagnostic-Code: smtp; 550 'b@example.org' is not a registered user
Last-Attempt-Date: Thu, 7 Jul 1994 17:15:49 -0400

Final-Recipient: rfc822;c@example.org
Action: failed
Status: 4.0.0
Diagnostic-Code: smtp; 426 connection timed out
Last-Attempt-Date: Thu, 7 Jul 1994 17:15:49 -0400

--RAA14128.773615765/mx.example.net
content-type: message/rfc822

Subject: First light

[original message goes here]
--RAA14128.773615765/mx.example.net--
""".replace("\n", "\r\n").encode()


def mail(sender, subject, to=LIST, body="hello\n") -> bytes:
    message = EmailMessage(policy=policy.SMTP)
    message["From"], message["To"], message["Subject"] = sender, to, subject
    message.set_content(body)
    return message.as_bytes()


class OnDisk:
    """The suppression list as the file says now (a Suppressions object reads it once)."""

    def __init__(self, path):
        self.path = path

    def addresses(self):
        return Suppressions(self.path).addresses()

    def __contains__(self, address):
        return address in Suppressions(self.path)


@pytest.fixture
def world(tmp_path):
    with Dovecot() as dovecot, SmtpServer() as smtp:
        recipients = tmp_path / "private" / "subscribers.txt"
        recipients.parent.mkdir()
        recipients.write_text("a@example.org\nb@example.org\nc@example.org\n")
        settings = {
            "SITENAME": "Happening Now",
            "NEWSLETTER_PROVIDER": "smtp",
            "NEWSLETTER_FROM": "Happening Now <newsletter@blog.example>",
            "NEWSLETTER_SUBSCRIBE_ADDRESS": LIST,
            "NEWSLETTER_IMAP_HOST": "127.0.0.1",
            "NEWSLETTER_IMAP_PORT": dovecot.port,
            "NEWSLETTER_IMAP_USER": USER,
            **smtp.settings(),
        }
        env = {
            "NEWSLETTER_RECIPIENTS": str(recipients),
            "NEWSLETTER_UNSUBSCRIBE_SECRET": SECRET,
            "NEWSLETTER_IMAP_PASSWORD": PASSWORD,
        }
        config = configuration.load(settings, tmp_path, env)

        def run():
            return inbox.process(config, ssl_context=dovecot.context())

        yield dovecot, smtp, recipients, OnDisk(Suppressions.for_config(config).path), run


def test_a_subscribe_request_then_its_confirmation_adds_exactly_one_address(world):
    dovecot, smtp, recipients, suppressed, run = world
    dovecot.append(mail("New Reader <new@example.org>", "subscribe"))
    first = run()
    assert (first.confirmations_sent, first.subscribed) == (1, 0)
    assert "new@example.org" not in recipients.read_text()  # Double opt-in: not yet.
    ((to,), request) = smtp.messages[0]
    assert to == "new@example.org" and request["Auto-Submitted"] == "auto-replied"
    assert "reply to this email" in request.get_content()
    # The reader replies; someone else tries the same token from their own address.
    dovecot.append(mail("new@example.org", "Re: " + request["Subject"]))
    dovecot.append(mail("intruder@example.net", "Re: " + request["Subject"]))
    second = run()
    assert (second.subscribed, second.ignored) == (1, 1)
    dovecot.append(mail("new@example.org", "Re: " + request["Subject"]))  # Replied twice.
    third = run()
    assert (third.subscribed, third.already, third.confirmations_sent) == (0, 1, 0)
    lines = recipients.read_text().splitlines()
    assert lines.count("new@example.org") == 1 and "intruder@example.net" not in lines
    assert len(smtp.messages) == 1


def test_unsubscribes_and_permanent_bounces_suppress_forged_tokens_do_not(world, caplog, tmp_path):
    dovecot, smtp, recipients, suppressed, run = world
    caplog.set_level(logging.DEBUG)
    a_token = token("a@example.org", SECRET)
    # Sent from another address (a forwarding alias): the token alone says whose it is.
    dovecot.append(mail("alias@example.com", f"unsubscribe {a_token}"))
    dovecot.append(mail("mallory@example.net", "unsubscribe " + "0123456789abcdef" * 2))
    dovecot.append(mail("mallory@example.net", f"unsubscribe {token('c@example.org', 'guess')}"))
    dovecot.append(DSN)
    dovecot.append(mail("friend@example.org", "Lovely post"))  # Not ours: left alone.
    summary = run()
    assert (summary.unsubscribed, summary.bounced, summary.soft_bounces) == (1, 1, 1)
    assert (summary.ignored, summary.left) == (2, 1)
    assert suppressed.addresses() == {"a@example.org", "b@example.org"}
    assert "c@example.org" not in suppressed  # A temporary failure keeps the reader.
    before = suppressed.path.read_bytes()
    again = run()  # Everything handled is flagged: nothing changes.
    assert (again.unsubscribed, again.bounced, again.ignored, again.left) == (0, 0, 0, 1)
    assert suppressed.path.read_bytes() == before
    printed = "\n".join(summary.lines() + again.lines()) + caplog.text
    assert "@" not in printed and PASSWORD not in printed and SECRET not in printed
    # The next send skips both; the temporary bounce still gets it.
    newsletter.send(
        site(
            tmp_path, NEWSLETTER_PROVIDER="smtp", NEWSLETTER_SINCE="2000-01-01", **smtp.settings()
        ),
        post="first-light",
        env={"NEWSLETTER_RECIPIENTS": str(recipients), "NEWSLETTER_UNSUBSCRIBE_SECRET": SECRET},
    )
    assert sorted(to for tos, _ in smtp.messages for to in tos) == ["c@example.org"]
    # The unrelated message is still unread for the writer.
    imap = dovecot.connect()
    imap.select("INBOX")
    assert len(imap.search(None, "UNSEEN")[1][0].split()) == 1
    imap.logout()


def test_a_wrong_password_is_one_line_naming_the_setting(world, tmp_path):
    dovecot, smtp, recipients, suppressed, run = world
    settings = {
        "NEWSLETTER_SUBSCRIBE_ADDRESS": LIST,
        "NEWSLETTER_IMAP_HOST": "127.0.0.1",
        "NEWSLETTER_IMAP_PORT": dovecot.port,
        "NEWSLETTER_IMAP_USER": USER,
    }
    env = {
        "NEWSLETTER_RECIPIENTS": str(recipients),
        "NEWSLETTER_UNSUBSCRIBE_SECRET": SECRET,
        "NEWSLETTER_IMAP_PASSWORD": "wrong-password",
    }
    config = configuration.load(settings, tmp_path, env)
    with pytest.raises(inbox.ProviderError) as refused:
        inbox.process(config, ssl_context=dovecot.context())
    assert "NEWSLETTER_IMAP_PASSWORD" in str(refused.value)
    assert "wrong-password" not in str(refused.value) and "\n" not in str(refused.value)


def test_missing_settings_name_themselves(tmp_path):
    config = configuration.load({}, tmp_path, {})
    with pytest.raises(inbox.SettingError, match="NEWSLETTER_IMAP_HOST"):
        inbox.process(config)


def test_the_confirmation_request_parses_as_mail(world):
    dovecot, smtp, recipients, suppressed, run = world
    dovecot.append(mail("x@example.org", "Subscribe"))
    run()
    ((_, request),) = smtp.messages
    again = message_from_bytes(request.as_bytes(), policy=policy.SMTP)
    assert again["From"] == LIST and "Happening Now" in again["Subject"]
