"""The newsletter library's parts on their own: ledger, settings, text rendering, HTTP waits."""

import json
import os

import pytest

from conftest import published_posts
from happening import newsletter
from happening.newsletter import config as configuration
from happening.newsletter.errors import SettingError
from happening.newsletter.ledger import Ledger, LedgerError
from happening.newsletter.render import email_content, html_to_text
from happening.retry import retry_after as _retry_after
from newsletter_helpers import SmtpServer, recipients, site


def test_ledger_writes_are_atomic_and_diff_friendly(tmp_path, monkeypatch):
    ledger = Ledger(tmp_path / "ledger.json")
    assert not ledger.exists and ledger.get("a") is None
    ledger.update("tag:x,2024-01-01:a", title="A", state="sending", provider="smtp")
    text = (tmp_path / "ledger.json").read_text()
    assert json.loads(text)["posts"]["tag:x,2024-01-01:a"]["state"] == "sending"
    assert '\n      "state": "sending",\n' in text  # One field a line: a diff names the change.

    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(LedgerError, match="cannot write the ledger .*disk full"):
        ledger.update("tag:x,2024-01-01:a", state="sent")
    monkeypatch.undo()
    assert (tmp_path / "ledger.json").read_text() == text  # The old ledger, whole.
    assert [p.name for p in tmp_path.iterdir()] == ["ledger.json"]  # No temp file left.


def test_ledger_text_is_exactly_json_dumps_after_many_updates(tmp_path):
    ledger = Ledger(tmp_path / "ledger.json")
    assert json.loads(ledger.text()) == {"posts": {}, "version": 1}
    for n in (3, 1, 2, 1):
        ledger.update(f"tag:x,2024-01-0{n}:p", title=f"Café {n}", state="sending", done=n)
    ledger.update("tag:x,2024-01-02:p", state="sent", remote_id="r-2")
    expected = json.dumps(
        {"posts": ledger.posts, "version": 1}, indent=2, sort_keys=True, ensure_ascii=False
    )
    assert (tmp_path / "ledger.json").read_text(encoding="utf-8") == expected + "\n"
    assert Ledger(tmp_path / "ledger.json").posts == ledger.posts


def test_a_broken_ledger_is_named_not_overwritten(tmp_path):
    path = tmp_path / "ledger.json"
    path.write_text("{not json")
    with pytest.raises(LedgerError, match="ledger.json"):
        Ledger(path)
    assert path.read_text() == "{not json"


def test_settings_are_checked_once_with_the_setting_named(tmp_path):
    with pytest.raises(SettingError, match="SMTP_SECURITY"):
        configuration.load({"SMTP_SECURITY": "tls"}, tmp_path, {})
    with pytest.raises(SettingError, match="NEWSLETTER_UNSUBSCRIBE_URL"):
        configuration.load({"NEWSLETTER_UNSUBSCRIBE_URL": "http://x"}, tmp_path, {})
    loaded = configuration.load(
        {"SITENAME": "Blog", "POST_ID_AUTHORITY": "b.example"}, tmp_path, {}
    )
    assert loaded.sender == "Blog <newsletter@b.example>"
    assert loaded.provider == "outbox"


def test_secrets_come_from_the_environment_or_a_dotenv_file(tmp_path, monkeypatch):
    (tmp_path / ".env").write_text("BUTTONDOWN_API_KEY=from-dotenv\nSMTP_PASSWORD=dotenv-pw\n")
    monkeypatch.setenv("SMTP_PASSWORD", "from-shell")
    env = configuration.environment(tmp_path)
    assert env["BUTTONDOWN_API_KEY"] == "from-dotenv"
    assert env["SMTP_PASSWORD"] == "from-shell"  # The shell wins over the file.
    loaded = configuration.load({}, tmp_path, {})
    with pytest.raises(SettingError, match="MAILCHIMP_API_KEY") as missing:
        loaded.secret("MAILCHIMP_API_KEY", needed_for="mailchimp")
    assert ".env" in str(missing.value)


def test_absolute_urls_and_alt_text():
    html = '<p><a href="/x/">x</a> <img src="../i.png"> <img src="a.png" alt="A"></p>'
    out = email_content(html, "https://b.example/posts/p/")
    assert 'href="https://b.example/x/"' in out
    assert 'src="https://b.example/posts/i.png" alt=""' in out
    assert 'src="https://b.example/posts/p/a.png" alt="A"' in out


def test_media_urls_are_absolute_on_every_element():
    html = (
        '<video src="clip.mp4" poster="/poster.jpg"><track src="t.vtt"></video>'
        '<audio src="../a.mp3"></audio>'
        '<picture><source srcset="a.webp 1x,b.webp 2x"><img src="a.png" alt="A"></picture>'
    )
    out = email_content(html, "https://b.example/posts/p/")
    assert 'src="https://b.example/posts/p/clip.mp4"' in out
    assert 'poster="https://b.example/poster.jpg"' in out
    assert 'src="https://b.example/posts/p/t.vtt"' in out
    assert 'src="https://b.example/posts/a.mp3"' in out
    assert (
        'srcset="https://b.example/posts/p/a.webp 1x, https://b.example/posts/p/b.webp 2x"' in out
    )


def test_plain_text_keeps_structure_and_spells_out_links():
    html = (
        "<h2>Head</h2><p>One <a href='https://b.example/'>link</a> here.</p>"
        "<ul><li>first</li><li>second</li></ul><blockquote><p>quoted</p></blockquote>"
    )
    assert html_to_text(html) == (
        "Head\n----\n\nOne link [1] here.\n\n- first\n- second\n\n> quoted"
        "\n\nLinks\n-----\n\n[1] https://b.example/"
    )


def test_footnotes_read_well_in_plain_text_and_lose_their_back_arrows():
    html = (
        '<p>Words.<sup id="fnref:1"><a class="footnote-ref" href="#fn:1">1</a></sup></p>'
        '<div class="footnote"><hr><ol><li id="fn:1"><p>The note.&#160;'
        '<a class="footnote-backref" href="#fnref:1">&#8617;</a></p></li></ol></div>'
    )
    page = "https://b.example/posts/p/"
    email_html = email_content(html, page)
    assert "footnote-backref" not in email_html and "&#8617;" not in email_html
    assert 'href="https://b.example/posts/p/#fn:1"' in email_html
    assert html_to_text(email_html, page) == "Words.(1)\n\nNotes\n-----\n\n(1) The note."


def test_retry_after_in_seconds_or_as_a_date():
    assert _retry_after("12") == 12.0
    assert _retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # In the past: go now.
    assert _retry_after(None) is None and _retry_after("soon") is None


def test_a_retitled_post_is_not_sent_again(site_copy, tmp_path):
    with SmtpServer() as smtp:
        env, _ = recipients(tmp_path, 1)
        chosen = {"NEWSLETTER_PROVIDER": "smtp", **smtp.settings()}
        newsletter.baseline(site(tmp_path, site_copy, **chosen), env=env)
        post = site_copy / "posts" / "first.md"
        post.write_text(post.read_text().replace("Title: First light", "Title: First light!"))
        report = newsletter.send(site(tmp_path, site_copy, **chosen), env=env)
        assert report.sent == [] and smtp.messages == []


def test_only_one_send_at_a_time(tmp_path):
    from happening.newsletter.errors import NewsletterError
    from happening.newsletter.ledger import exclusive

    with exclusive(tmp_path / "ledger.json"), pytest.raises(NewsletterError, match="another"):
        newsletter.send(site(tmp_path), env={})
    assert not (tmp_path / "outbox").exists()
    newsletter.send(site(tmp_path), env={})  # Released: the next one runs.
    assert len(list((tmp_path / "outbox").glob("*.eml"))) == len(published_posts())


def test_the_suppression_list_is_one_tab_separated_line_per_address(tmp_path):
    from happening.newsletter.suppression import DEFAULT_STATE, Suppressions

    path = tmp_path / "recipients.txt.suppressed"
    listed = Suppressions(path)
    assert listed.add("Ann@Example.org", "smtp 550\tno\nsuch mailbox")
    assert not listed.add("ann@example.ORG", "again")
    again = Suppressions(path)
    assert "ANN@example.org" in again and again.addresses() == {"Ann@Example.org"}
    (line,) = [x for x in path.read_text().splitlines() if not x.startswith("#")]
    address, when, reason = line.split("\t")
    assert (address, reason) == ("Ann@Example.org", "smtp 550 no such mailbox")
    assert when.endswith("+00:00") and [p.name for p in tmp_path.iterdir()] == [path.name]
    config = configuration.load({}, tmp_path, {"NEWSLETTER_RECIPIENTS": str(tmp_path / "r.txt")})
    assert Suppressions.for_config(config).path == tmp_path / "r.txt.suppressed"
    assert Suppressions.for_config(configuration.load({}, tmp_path, {})).path == (
        DEFAULT_STATE.expanduser()
    )
    chosen = configuration.load({"NEWSLETTER_SUPPRESSIONS": str(path)}, tmp_path, {})
    assert Suppressions.for_config(chosen).path == path
