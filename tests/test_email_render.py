"""The email as readers get it: the essay and a follow-up sent to the outbox, every part decoded.

Entities, image sizes, tables, code, the plain-text part, threading headers, the footer, the
sender, per-recipient unsubscribe tokens, Gmail's clipping limit and SpamAssassin's score.
"""

import copy
import re
import subprocess

import pytest
from bs4 import BeautifulSoup

from email_helpers import ESSAY, FOLLOWUP, decoded_parts, email_site, outbox, parse
from happening.newsletter import config as configuration
from happening.newsletter.posts import as_site, published
from happening.newsletter.render import CONTENT_WIDTH, render, unsubscribe_mailto
from happening.newsletter.unsubscribe import (
    PLACEHOLDER,
    Copies,
    fresh_copy,
    owner,
    personalise,
    token,
    verify,
)
from newsletter_helpers import site

GMAIL_CLIP = 102 * 1024  # Gmail hides everything after ~102 KB of a message's HTML.


@pytest.fixture(scope="module")
def sent(sent_emails):
    """conftest's session outbox, parsed: each module parses its own copy of the bytes."""
    return {name: parse(raw) for name, raw in sent_emails.items()} | {"raw": sent_emails}


def html_of(message):
    return BeautifulSoup(decoded_parts(message)[1], "html.parser")


def text_of(message):
    return decoded_parts(message)[0].replace("\r\n", "\n")


@pytest.mark.parametrize("name", [ESSAY, FOLLOWUP])
def test_no_part_has_an_escaped_entity(sent, name):
    parts = decoded_parts(sent[name])
    assert len(parts) == 2
    for part in parts:
        for escaped in ("&amp;#", "&amp;nbsp;", "&amp;zwnj;", "&#847;", "&zwnj;"):
            assert escaped not in part, escaped
    preheader = html_of(sent[name]).find(class_="preheader").get_text()
    assert "\u034f\u200c\u00a0" in preheader  # The padding is real (invisible) characters.


def test_images_have_width_height_from_the_file_capped_to_the_column_and_alt(sent):
    images = html_of(sent[FOLLOWUP]).find_all("img")
    assert len(images) == 1
    image = images[0]
    # The file is 1200 x 675; the column is 536 px wide inside its padding.
    assert (image["width"], image["height"]) == (str(CONTENT_WIDTH), str(round(675 * 536 / 1200)))
    assert image["alt"] == "The ceremony's stage, wide"
    assert "max-width:100%" in image["style"].replace(" ", "")


def test_tables_have_padding_and_borders_that_survive_inlining(sent):
    table = html_of(sent[FOLLOWUP]).find("table", attrs={"role": "table"})
    assert table["cellpadding"] == "6"
    for cell in table.find_all(["th", "td"]):
        style = cell["style"].replace(" ", "")
        assert "padding:6px10px" in style and "border:1pxsolid" in style


def test_code_keeps_its_lines_without_white_space_css(sent):
    html = decoded_parts(sent[FOLLOWUP])[1]
    assert "white-space" not in html and "<pre" not in html
    code = html_of(sent[FOLLOWUP]).find(class_="codeblock")
    lines = code.get_text("\n").split("\n")
    assert lines == [
        "def oscars(films):",
        "\u00a0" * 4 + "total = 0",
        "\u00a0" * 4 + "for film in films:",
        "\u00a0" * 8 + "total += film.wins",
        "\u00a0" * 4 + "return total",
    ]
    assert "linenos" not in html  # Pygments' line-number column stays on the web.


def test_plain_text_reads_on_its_own(sent):
    text = text_of(sent[FOLLOWUP])
    essay_url = "https://blog.example/posts/what-i-learned-at-netflix-and-felt-about-anora/"
    assert (
        "Last week's essay [1] argued that heart beat the data. Here are the\n"
        "figures from the Academy's site [2] to check it against.(1)\n"
    ) in text
    assert (
        "- Film: Anora; Studio: Neon; Oscars: 5\n- Film: The Brutalist; Studio: A24; Oscars: 3"
        in text
    )
    assert "Counting them\n-------------\n" in text
    assert (
        "    def oscars(films):\n        total = 0\n        for film in films:\n"
        "            total += film.wins\n        return total\n"
    ) in text
    assert "Notes\n-----\n\n(1) Counted on the night, from the broadcast." in text
    assert f"Links\n-----\n\n[1] {essay_url}\n[2] https://www.oscars.org/\n" in text
    assert max(len(line) for line in text.split("\n") if "://" not in line) <= 80


def test_a_followup_threads_under_the_post_it_follows(sent):
    essay, followup = sent[ESSAY], sent[FOLLOWUP]
    assert "In-Reply-To" not in essay and "References" not in essay
    assert followup["In-Reply-To"].strip() == essay["Message-ID"].strip()
    assert followup["References"].strip() == essay["Message-ID"].strip()
    assert followup["Message-ID"] != essay["Message-ID"]


def test_ids_are_stable_and_each_recipients_own(sent, tmp_path):
    again = outbox(tmp_path)
    assert again[FOLLOWUP] == sent["raw"][FOLLOWUP]  # Same post, same bytes: ids included.
    config = configuration.load({"SITENAME": "S"}, tmp_path, {})
    one = personalise(copy.deepcopy(sent[FOLLOWUP]), "a@example.org", config)
    two = personalise(copy.deepcopy(sent[FOLLOWUP]), "b@example.org", config)
    assert one["Message-ID"] != two["Message-ID"]
    assert one["In-Reply-To"] != two["In-Reply-To"]  # Each points at that reader's own copy.


def test_the_cheap_copy_smtp_personalises_is_a_true_copy(sent, tmp_path):
    """SMTP makes each reader's copy with fresh_copy, not deepcopy (a quarter of the time)."""
    config = configuration.load({"SITENAME": "S"}, tmp_path, {})
    template = sent[FOLLOWUP]
    before = template.as_bytes()
    cheap = personalise(fresh_copy(template), "a@example.org", config).as_bytes()
    deep = personalise(copy.deepcopy(template), "a@example.org", config).as_bytes()
    assert cheap == deep
    assert template.as_bytes() == before  # The run's template is untouched for the next reader.


@pytest.mark.parametrize("one_click", [None, "https://blog.example/unsubscribe"])
def test_smtp_copies_say_what_personalise_says(tmp_path, one_click):
    """Copies (the fast path SMTP sends) and personalise give each reader the same message."""
    settings = {"NEWSLETTER_UNSUBSCRIBE_URL": one_click} if one_click else {}
    posts, pelican = published(as_site(site(tmp_path, email_site(tmp_path), **settings)))
    config = configuration.load(pelican, tmp_path, {"NEWSLETTER_UNSUBSCRIBE_SECRET": "k"})
    followup = posts[-1]
    # As the SMTP provider renders it (Provider.unsubscribe: the https page, else the mailto).
    email = render(followup, config, unsubscribe=one_click or unsubscribe_mailto(config))
    template = email.message(config)
    copies = Copies(template, config)
    assert (copies.raw is None) == bool(one_click)  # https links vary in length: the slow path
    for address in ("a@example.org", "Bea.Long-Name@sub.example.org"):
        fast = parse(copies.for_reader(address))
        slow = parse(personalise(fresh_copy(template), address, config).as_bytes())
        names = ("To", "Message-ID", "In-Reply-To", "References", "List-Unsubscribe")
        assert [str(fast[n]) for n in names] == [str(slow[n]) for n in names]
        assert fast["In-Reply-To"]  # a follow-up: it threads
        assert fast["List-Unsubscribe-Post"] == slow["List-Unsubscribe-Post"]
        assert decoded_parts(fast) == decoded_parts(slow)
        assert token(address, "k") in str(html_of(fast)) and PLACEHOLDER not in str(fast)


def test_footer_has_a_subscribe_line_and_an_honest_unsubscribe_link(sent):
    page = html_of(sent[ESSAY])
    footer = page.find(class_="footer").get_text(" ", strip=True)
    assert "Forwarded this? Subscribe at https://blog.example/" in footer
    assert "one click" not in footer  # No https unsubscribe URL here: it is an email.
    assert "email us to unsubscribe" in footer
    assert "Forwarded this? Subscribe at https://blog.example/" in text_of(sent[ESSAY])


def test_the_sender_is_named_as_the_site_or_the_author(sent, tmp_path):
    assert sent[ESSAY]["From"] == "Happening Now <newsletter@happeningnow.example>"
    # With NEWSLETTER_FROM unset, From names the writer (AUTHOR) at the default address.
    authored = parse(outbox(tmp_path, AUTHOR="Ana Writer", NEWSLETTER_FROM=None)[ESSAY])
    assert authored["From"] == "Ana Writer <newsletter@happeningnow.example>"


def test_tokens_differ_per_recipient_verify_and_resist_forgery():
    secret = "s3cret"
    a, b = token("a@example.org", secret), token("b@example.org", secret)
    assert a != b and len(a) == 32
    assert token("A@Example.org", secret) == a  # Addresses compare case-insensitively.
    assert verify(a, "a@example.org", secret) and not verify(a, "b@example.org", secret)
    assert token("a@example.org", "another secret") != a
    assert owner(b, ["a@example.org", "b@example.org"], secret) == "b@example.org"
    assert owner("0" * 32, ["a@example.org", "b@example.org"], secret) is None


def test_personalise_sets_one_click_headers_and_fills_the_body(tmp_path):
    settings = {"NEWSLETTER_UNSUBSCRIBE_URL": "https://blog.example/unsubscribe"}
    posts, pelican = published(as_site(site(tmp_path, email_site(tmp_path), **settings)))
    config = configuration.load(pelican, tmp_path, {"NEWSLETTER_UNSUBSCRIBE_SECRET": "k"})
    email = render(posts[0], config, unsubscribe=config["NEWSLETTER_UNSUBSCRIBE_URL"])
    mine = token("reader@example.org", "k")
    message = personalise(email.message(config), "reader@example.org", config)
    listed = " ".join(message["List-Unsubscribe"].split())
    url = f"https://blog.example/unsubscribe?address=reader%40example.org&token={mine}"
    mailto = f"mailto:newsletter@happeningnow.example?subject=unsubscribe%20{mine}"
    assert listed == f"<{mailto}>, <{url}>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["To"] == "reader@example.org"
    html = html_of(message)
    assert html.find("a", string="Unsubscribe with one click")["href"] == url
    assert f"Unsubscribe with one click: {url}" in text_of(message)
    assert PLACEHOLDER not in str(message)
    head = message.as_bytes().split(b"\r\n\r\n", 1)[0]
    # The header exactly as mail apps read it: plain URIs, never MIME-encoded words.
    assert f"List-Unsubscribe: <{mailto}>, <{url}>".encode() in head
    assert b"=?" not in head


@pytest.mark.parametrize("name", [ESSAY, FOLLOWUP])
def test_under_gmails_clip_and_near_zero_with_spamassassin(sent, name, tmp_path):
    raw = sent["raw"][name]
    assert len(decoded_parts(sent[name])[1].encode()) < GMAIL_CLIP
    assert len(raw) < GMAIL_CLIP
    # -L: local tests only (no DNS, no network); -t: the report, with the score.
    result = subprocess.run(
        ["spamassassin", "-t", "-L"], input=raw, capture_output=True, check=True, timeout=120
    )
    status = re.search(rb"X-Spam-Status: (\w+), score=(-?[\d.]+)", result.stdout)
    assert status, result.stdout[-2000:]
    assert status.group(1) == b"No" and float(status.group(2)) < 1.0, result.stdout[-3000:]
