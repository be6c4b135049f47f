"""Every published post reaches the outbox once; drafts, hidden and future posts never do."""

import json
import shutil
from datetime import datetime
from email import message_from_bytes, policy

import pytest
from bs4 import BeautifulSoup

from conftest import load_script, published_posts
from happening import newsletter
from happening.newsletter.errors import ArchiveGuard, SettingError
from newsletter_helpers import SITE_URL, SmtpServer, recipients, site, started_ledger

# Other areas add posts to the shared test site: expect what its published posts imply.
POSTS = published_posts()[::-1]  # Oldest first, the order the newsletter sends in.
TITLES = {p["title"] for p in POSTS}


def stem(post):
    """The name the outbox and previews give a post's files: its date, then its slug."""
    return f"{post['date']:%Y-%m-%d}-{post['slug']}"


def eml(path):
    return message_from_bytes(path.read_bytes(), policy=policy.default)


def parts(message):
    assert message.get_content_type() == "multipart/alternative"
    text, html = message.iter_parts()
    assert text.get_content_type() == "text/plain"
    assert html.get_content_type() == "text/html"
    return text.get_content(), html.get_content()


def add_post(content, name, metadata, body="Body words."):
    (content / "posts" / name).write_text(metadata + "\n" + body + "\n", encoding="utf-8")


def test_outbox_writes_each_published_post_once(tmp_path):
    first = newsletter.send(site(tmp_path), env={})
    assert [s.post.title for s in first.sent] == [p["title"] for p in POSTS]
    files = sorted((tmp_path / "outbox").glob("*.eml"))
    assert [f.name for f in files] == sorted(stem(p) + ".eml" for p in POSTS)
    before = {f: f.read_bytes() for f in files}
    again = newsletter.send(site(tmp_path), env={})
    assert again.sent == [] and {s.action for s in again.steps} == {"done"}
    assert {f: f.read_bytes() for f in files} == before
    # The outbox reaches nobody, so it never marks a post as sent in the ledger.
    assert not (tmp_path / "ledger.json").exists()


def test_eml_is_multipart_alternative_with_absolute_inlined_html(tmp_path):
    newsletter.send(site(tmp_path), env={})
    message = eml(tmp_path / "outbox" / "2024-01-10-first-light.eml")
    assert message["Subject"] == "First light"
    assert message["List-Unsubscribe"].strip().startswith("<mailto:")
    assert message["Message-ID"] and message["Date"] and message["List-Id"]
    text, html = parts(message)
    page = BeautifulSoup(html, "html.parser")
    links = [a["href"] for a in page.find_all("a", href=True)]
    assert f"{SITE_URL}/posts/second-thoughts/" in links  # {filename} link, made absolute
    for url in links + [img["src"] for img in page.find_all("img")]:
        assert url.startswith(("https://", "mailto:")), url
    assert all(img.has_attr("alt") for img in page.find_all("img"))
    assert page.find_all("link") == []
    styles = page.find_all("style")
    # Only the @media blocks stay in the head; everything else is inlined.
    assert styles and all(s.get_text().lstrip().startswith("@media") for s in styles)
    assert "prefers-color-scheme: dark" in styles[0].get_text()
    assert page.find("meta", attrs={"name": "color-scheme"})["content"] == "light dark"
    assert page.find("table", class_="sheet")["width"] == "600"
    assert "style" in page.find("h1").attrs
    assert page.find("a", string="Read it on the web")["href"] == f"{SITE_URL}/posts/first-light/"
    assert "The first tiny post." in page.find(class_="preheader").get_text()
    assert "The opening paragraph of the first post." in text
    assert f"{SITE_URL}/posts/second-thoughts/" in text  # A numbered reference, listed at the end
    assert "email us to unsubscribe" in html and "?subject=unsubscribe%20" in text


def relative_urls(html):
    """Every URL in an email's HTML that a mail program could not resolve on its own."""
    page = BeautifulSoup(html, "html.parser")
    urls = []
    for element in page.find_all(True):
        for attribute in ("href", "src", "poster", "srcset", "action", "background", "cite"):
            value = element.get(attribute)
            if value is None:
                continue
            if attribute == "srcset":
                urls += [c.split()[0] for c in value.split(",") if c.strip()]
            else:
                urls.append(value)
    return [url for url in urls if not url.startswith(("https://", "mailto:", "data:"))]


def test_no_email_holds_a_relative_url(tmp_path):
    # The test site's posts write links and media every way a writer might (feeds-media.md).
    newsletter.send(site(tmp_path), env={})
    files = sorted((tmp_path / "outbox").glob("*.eml"))
    assert {f.name for f in files} == {stem(p) + ".eml" for p in POSTS}
    for path in files:
        assert relative_urls(parts(eml(path))[1]) == [], path.name


def test_preview_is_byte_for_byte_what_send_writes(tmp_path):
    # No local build to take images from: the .html is then the email's HTML part unchanged.
    nothing = tmp_path / "no-local-build"
    paths = newsletter.preview(site(tmp_path), post="second-thoughts", env={}, local_output=nothing)
    assert [p.suffix for p in paths] == [".html", ".txt", ".eml"]
    newsletter.send(site(tmp_path), env={})
    sent = tmp_path / "outbox" / "2024-02-12-second-thoughts.eml"
    assert paths[2].read_bytes() == sent.read_bytes()
    # MIME carries text with CRLF line ends (and a final one); the files use the platform's.
    for path, part in zip(paths[1::-1], parts(eml(sent)), strict=True):
        assert path.read_text(encoding="utf-8").rstrip("\n") == crlf_to_lf(part).rstrip("\n")


def crlf_to_lf(text):
    return text.replace("\r\n", "\n")


def test_preview_writes_every_email_send_would_send(tmp_path):
    paths = newsletter.preview(site(tmp_path), env={})
    waiting = [s.post for s in newsletter.send(site(tmp_path), dry_run=True, env={}).steps]
    assert len(waiting) == len(POSTS) > 1
    assert [p.name for p in paths] == [
        f"{stem(p)}{suffix}" for p in POSTS for suffix in (".html", ".txt", ".eml")
    ]


def test_preview_with_nothing_waiting_shows_the_newest_post(tmp_path):
    newsletter.send(site(tmp_path), env={})
    paths = newsletter.preview(site(tmp_path), env={})
    assert [p.name for p in paths] == [stem(POSTS[-1]) + s for s in (".html", ".txt", ".eml")]


def test_the_html_preview_shows_images_from_the_local_build(site_copy, tmp_path):
    add_post(site_copy, "pictured.md", "Title: Pictured\nDate: 2024-03-01\n", "![A dot](/dot.png)")
    local = tmp_path / "output"
    (local).mkdir()
    (local / "dot.png").write_bytes(b"\x89PNG")
    paths = newsletter.preview(
        site(tmp_path, site_copy), post="pictured", env={}, local_output=local
    )
    html = paths[0].read_text(encoding="utf-8")
    assert f'src="{(local / "dot.png").as_uri()}"' in html
    sent = paths[2].read_text(encoding="utf-8", errors="replace")
    assert (local / "dot.png").as_uri() not in sent  # The .eml is what goes out: public URLs.
    newsletter.send(site(tmp_path, site_copy), post="pictured", env={})
    assert paths[2].read_bytes() == (tmp_path / "outbox/2024-03-01-pictured.eml").read_bytes()


def test_drafts_hidden_future_and_opted_out_posts_are_never_sent(site_copy, tmp_path):
    add_post(site_copy, "hidden.md", "Title: Hidden one\nDate: 2024-03-01\nStatus: hidden\n")
    add_post(site_copy, "quiet.md", "Title: Quiet one\nDate: 2024-03-02\nNewsletter: no\n")
    report = newsletter.send(site(tmp_path, site_copy), env={})
    # Exactly the posts the unchanged test site publishes: neither addition goes out.
    assert {s.post.title for s in report.sent} == TITLES
    assert [s.reason for s in report.steps if s.action == "skip"] == ["Newsletter: no"]
    written = " ".join(p.read_text(errors="replace") for p in (tmp_path / "outbox").glob("*"))
    for word in ("Not ready yet", "From the future", "Hidden one", "Quiet one"):
        assert word not in written


def test_long_post_switches_to_summary_and_link_and_says_so(site_copy, tmp_path):
    add_post(
        site_copy,
        "long.md",
        "Title: Long one\nDate: 2024-03-01\nSummary: Short dek.\n",
        "\n\n".join(f"Paragraph {n} " + "word " * 200 for n in range(200)),
    )
    paths = newsletter.preview(site(tmp_path, site_copy), post="long-one", env={})
    html = paths[0].read_text(encoding="utf-8")
    assert len(html.encode()) < 100_000
    assert "too long to arrive whole by email" in html
    assert "Paragraph 199" not in html and "Short dek." in html


def test_follow_up_links_to_the_posts_it_follows(tmp_path):
    # The real followups plugin sets article.follows from `Follows:`; the email links each
    # earlier post, in the order the writer gave, with absolute URLs.
    by_slug = {p["slug"]: p for p in POSTS}
    follows = [s.strip() for s in by_slug["light-once-more"]["follows"].split(",")]
    assert len(follows) == 2
    paths = newsletter.preview(site(tmp_path), post="light-once-more", env={})
    page = BeautifulSoup(paths[0].read_text(encoding="utf-8"), "html.parser")
    previously = [s.parent for s in page.find_all(string=lambda s: s and "Previously:" in s)]
    assert [(p.a.get_text(), p.a["href"]) for p in previously] == [
        (by_slug[slug]["title"], f"{SITE_URL}/posts/{slug}/") for slug in follows
    ]
    text = paths[1].read_text(encoding="utf-8")
    for slug in follows:
        assert f"Previously: {by_slug[slug]['title']} <{SITE_URL}/posts/{slug}/>" in text
    alone = newsletter.preview(site(tmp_path), post="second-thoughts", env={})
    assert "Previously:" not in alone[0].read_text(encoding="utf-8")
    assert "Previously:" not in alone[1].read_text(encoding="utf-8")


# -- The ledger and the archive guard (a real provider: SMTP on 127.0.0.1) -----------------------


@pytest.fixture
def smtp(tmp_path):
    with SmtpServer() as server:
        yield server


def smtp_site(tmp_path, smtp, content=None, **settings):
    extra = {"NEWSLETTER_PROVIDER": "smtp", **smtp.settings(), **settings}
    return site(tmp_path, content, **extra) if content else site(tmp_path, **extra)


def test_first_run_without_a_ledger_refuses_to_send_the_archive(tmp_path, smtp):
    env, _ = recipients(tmp_path, 2)
    with pytest.raises(ArchiveGuard) as refusal:
        newsletter.send(smtp_site(tmp_path, smtp), env=env)
    assert "newsletter.baseline" in str(refusal.value)
    assert "NEWSLETTER_SINCE" in str(refusal.value)
    assert smtp.messages == [] and not (tmp_path / "ledger.json").exists()


def test_baseline_then_send_sends_only_a_new_post(site_copy, tmp_path, smtp):
    env, _ = recipients(tmp_path, 2)
    newsletter.baseline(smtp_site(tmp_path, smtp, site_copy), env=env)
    ledger = json.loads((tmp_path / "ledger.json").read_text())
    assert {r["state"] for r in ledger["posts"].values()} == {"baseline"}
    assert newsletter.send(smtp_site(tmp_path, smtp, site_copy), env=env).sent == []
    add_post(site_copy, "new.md", "Title: Brand new\nDate: 2024-06-01\n")
    report = newsletter.send(smtp_site(tmp_path, smtp, site_copy), env=env)
    assert [s.post.title for s in report.sent] == ["Brand new"]
    assert sorted(m["Subject"] for _, m in smtp.messages) == ["Brand new", "Brand new"]
    record = json.loads((tmp_path / "ledger.json").read_text())["posts"]
    new = next(r for r in record.values() if r["title"] == "Brand new")
    assert new["state"] == "sent" and new["provider"] == "smtp" and new["recipients_done"] == 2


def test_newsletter_since_sends_only_later_posts(tmp_path, smtp):
    env, _ = recipients(tmp_path, 1)
    report = newsletter.send(
        smtp_site(tmp_path, smtp, NEWSLETTER_SINCE="2024-02-01"), max_per_run=20, env=env
    )
    since = datetime(2024, 2, 1)
    later = [p["title"] for p in POSTS if p["date"] >= since]
    earlier = [p["title"] for p in POSTS if p["date"] < since]
    assert "Second thoughts" in later and "First light" in earlier
    assert [s.post.title for s in report.sent] == later
    assert [(s.post.title, s.reason) for s in report.steps if s.action == "skip"] == [
        (title, "before NEWSLETTER_SINCE") for title in earlier
    ]


def test_dry_run_and_test_to_change_no_ledger(tmp_path, smtp):
    env, _ = recipients(tmp_path, 2)
    newsletter.baseline(smtp_site(tmp_path, smtp), env=env)
    ledger = tmp_path / "ledger.json"
    started_ledger(tmp_path)
    before = ledger.read_bytes()
    dry = newsletter.send(smtp_site(tmp_path, smtp), dry_run=True, max_per_run=20, env=env)
    assert {s.action for s in dry.steps} == {"would send"}
    test = newsletter.send(smtp_site(tmp_path, smtp), test_to="me@example.org", env=env)
    assert [s.action for s in test.steps] == ["test"]
    # The test copy is of the newest unsent post.
    assert [(to, m["Subject"]) for to, m in smtp.messages] == [
        (["me@example.org"], POSTS[-1]["title"])
    ]
    assert ledger.read_bytes() == before


def test_a_bad_setting_is_named(tmp_path):
    with pytest.raises(SettingError, match="NEWSLETTER_PROVIDER"):
        newsletter.send(site(tmp_path, NEWSLETTER_PROVIDER="carrier-pigeon"), env={})
    with pytest.raises(SettingError, match="NEWSLETTER_SINCE"):
        newsletter.send(site(tmp_path, NEWSLETTER_SINCE="last spring"), env={})
    with pytest.raises(SettingError, match="--draft"):
        newsletter.send(site(tmp_path), draft=True, env={})


def test_status_lists_every_post_and_what_send_would_do(tmp_path):
    newsletter.send(site(tmp_path), post="first-light", env={})
    rows, provider = newsletter.status(site(tmp_path), env={})
    assert provider == "outbox"
    assert [(r["title"], r["state"], r["next"]) for r in rows] == [
        (p["title"], "in outbox", "nothing (done)")
        if p["slug"] == "first-light"
        else (p["title"], "not sent", "send via outbox")
        for p in POSTS
    ]
    assert "Second thoughts" in newsletter.format_status(rows, provider, width=140)


def test_the_real_essay_renders_and_fits_in_gmail(tmp_path):
    from conftest import BLOG

    paths = newsletter.preview(site(tmp_path, BLOG), env={})
    html = paths[0].read_text(encoding="utf-8")
    assert len(html.encode()) < 100_000 and "too long" not in html
    assert "Holding on to Our Humanity" in html
    assert relative_urls(html) == []
    text, _ = parts(eml(paths[2]))
    assert "Holding on to Our Humanity" in text
    shutil.rmtree(tmp_path / "previews")


def test_the_readme_command_always_uses_the_outbox(monkeypatch, capsys):
    tasks = load_script("tasks.py")

    asked = []
    monkeypatch.setattr(tasks, "build", lambda c: None)
    monkeypatch.setattr(
        tasks._nl, "send", lambda chosen: asked.append(chosen) or newsletter.Report("outbox")
    )
    tasks.all.body(None)
    assert asked[0].overrides == {"NEWSLETTER_PROVIDER": "outbox"}
    assert "./inv serve" in capsys.readouterr().out
