"""Render a post's email from the very article Pelican built: HTML, plain text and a MIME message.

One render per post and provider (the provider decides only the unsubscribe link); what the
writer previews is what is sent, byte for byte: the message's Date is the post's date and its
Message-ID and MIME boundary are derived from the post id, so the same post renders the same bytes.
A follow-up's message carries ``In-Reply-To``/``References`` to the posts it follows (the chain
the followups plugin resolved), so mail apps file a series as one thread. For our own list
(smtp, outbox) the unsubscribe link holds a placeholder that ``unsubscribe.personalise`` fills
per recipient; the plain-text part is ``plaintext.html_to_text``'s.
"""

import hashlib
import logging
import re
import shutil
from dataclasses import dataclass, field
from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, parseaddr
from html import escape
from pathlib import Path
from urllib.parse import unquote, urlsplit

import css_inline
import jinja2
import lxml.html
from jinja2 import (
    Environment,
    FileSystemBytecodeCache,
    FileSystemLoader,
    StrictUndefined,
    select_autoescape,
)
from markupsafe import Markup
from PIL import Image

from happening.dates import aware
from happening.postid import post_id as id_of
from happening.urls import absolutise

from . import unsubscribe as unsubscribing
from .errors import SettingError
from .plaintext import html_to_text
from .sanitize import sanitize

__all__ = ["Email", "email_content", "html_to_text", "marker", "render", "unsubscribe_mailto"]

log = logging.getLogger(__name__)

# Gmail clips a message whose HTML is over ~102 KB, hiding the end (and the unsubscribe link).
SUMMARY_NOTICE = (
    "This post is too long to arrive whole by email (some mail apps would cut it off), so here "
    "is its summary. The full post is on the web."
)
CHOSEN_SUMMARY_NOTICE = "Here is the summary; the full post is on the web."

_INLINER = css_inline.CSSInliner(load_remote_stylesheets=False, keep_at_rules=True)

# After the preheader, inbox previews would show the start of the body; these invisible
# characters (combining grapheme joiner, zero-width non-joiner, no-break space) fill the preview
# instead. Real characters, not entity strings: autoescaping turned "&#847;" into "&amp;#847;",
# which every inbox showed literally.
PREHEADER_PADDING = "\u034f\u200c\u00a0" * 40

COLUMN = 600  # The email's column in CSS pixels; the content inside it is narrower by the padding.
CONTENT_WIDTH = COLUMN - 2 * 32


@dataclass
class Email:
    """One post's email, ready for any provider."""

    post_id: str
    subject: str
    preheader: str
    url: str
    html: str
    text: str
    date: datetime
    marker: str  # Our mark on the email at the provider: finds it again after a crash.
    summary_only: bool
    # Post ids of the thread this post continues: the posts it follows (In-Reply-To) and the
    # whole chain back to the first post, oldest first (References).
    replies_to: tuple[str, ...] = field(default=())
    thread: tuple[str, ...] = field(default=())

    @property
    def html_bytes(self) -> int:
        return len(self.html.encode("utf-8"))

    def message(self, config, *, to=None, date=None, message_id=None) -> EmailMessage:
        """The MIME message (multipart/alternative: text, then HTML) with list headers."""
        msg = EmailMessage(policy=policy.SMTP)
        msg["Subject"] = self.subject
        msg["From"] = sender(config)
        msg["To"] = to or config.sender
        if config["NEWSLETTER_REPLY_TO"]:
            msg["Reply-To"] = config["NEWSLETTER_REPLY_TO"]
        msg["Date"] = format_datetime(aware(date or self.date, config.settings.get("TIMEZONE")))
        msg["Message-ID"] = message_id or self.message_id(config)
        if self.replies_to:
            msg["In-Reply-To"] = " ".join(_message_id(config, p) for p in self.replies_to)
            msg["References"] = " ".join(_message_id(config, p) for p in self.thread)
        msg["List-Id"] = config.list_id
        unsubscribe = [f"<{unsubscribe_mailto(config)}>"]
        if config["NEWSLETTER_UNSUBSCRIBE_URL"]:
            unsubscribe.append(f"<{config['NEWSLETTER_UNSUBSCRIBE_URL']}>")
            # RFC 8058 one-click: only meaningful with an https URL to POST to.
            msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        msg["List-Unsubscribe"] = ", ".join(unsubscribe)
        msg.set_content(self.text, cte="quoted-printable")
        msg.add_alternative(self.html, subtype="html", cte="quoted-printable")
        msg.set_boundary("=_" + _digest(self.post_id + self.html + self.text, 32))
        return msg

    def message_id(self, config, suffix="") -> str:
        return _message_id(config, self.post_id, suffix)


def _message_id(config, post_id, suffix="") -> str:
    """A post's Message-ID, from its permanent id: a follow-up can name it years later."""
    domain = parseaddr(config.sender)[1].split("@")[-1] or "localhost"
    return f"<{_digest(post_id, 24)}{suffix}.newsletter@{domain}>"


def sender(config) -> str:
    """From: NEWSLETTER_FROM as written, else the writer (AUTHOR) or the site, by name."""
    if config["NEWSLETTER_FROM"]:
        return config["NEWSLETTER_FROM"]
    name = config.settings.get("AUTHOR") or config.settings.get("SITENAME") or "Newsletter"
    return formataddr((str(name), parseaddr(config.sender)[1]))


def unsubscribe_mailto(config) -> str:
    """The list's unsubscribe mailto without a token (the provider default before personalise)."""
    address = config["NEWSLETTER_UNSUBSCRIBE_MAILTO"] or parseaddr(config.sender)[1]
    return f"mailto:{address}?subject=unsubscribe"


def marker(post_id: str) -> str:
    """A short token from the post id that survives every provider's search (letters, digits)."""
    return "hn" + _digest(post_id, 20)


def render(post, config, *, unsubscribe: str | None) -> Email:
    """Render ``post`` (a :class:`posts.Post`) with the templates in ``theme/templates/email/``."""
    article = post.article
    siteurl = config.siteurl
    if not siteurl.startswith(("http://", "https://")):
        raise SettingError(
            "newsletter: SITEURL is empty or relative, but every link in an email must be "
            "absolute; send with publishconf.py (the default) or set SITEURL"
        )
    url = f"{siteurl}/{article.url}"
    content = email_content(
        sanitize(article.content, article.title), url, images=_image_folders(config)
    )
    link, kind = _unsubscribe_link(config, unsubscribe)
    dek = Markup(article.summary or "").striptags() if article.summary else ""
    env = _environment(config)
    context = {
        "lang": config.settings.get("DEFAULT_LANG", "en"),
        "sitename": config.settings.get("SITENAME", ""),
        "siteurl": siteurl,
        "subject": article.title,
        "title": article.title,
        "dek": dek,
        "preheader": dek or article.title,
        "url": url,
        "date": getattr(article, "locale_date", f"{article.date:%d %B %Y}"),
        "author": _author(article),
        "previously": [
            {"title": earlier.title, "url": f"{siteurl}/{earlier.url}"}
            for earlier in getattr(article, "follows", None) or []
        ],
        "unsubscribe": link,
        "unsubscribe_kind": kind,
        "subscribe_url": config["NEWSLETTER_SUBSCRIBE_URL"] or f"{siteurl}/",
        "preheader_padding": PREHEADER_PADDING,
    }
    limit = config["NEWSLETTER_MAX_HTML_BYTES"]
    summary_only = not config["NEWSLETTER_FULL_CONTENT"]
    notice = CHOSEN_SUMMARY_NOTICE
    html = _html(env, context, content, summary_only, notice)
    if not summary_only and len(html.encode("utf-8")) > limit:
        log.warning(
            "newsletter: %s is %d bytes of HTML, over NEWSLETTER_MAX_HTML_BYTES (%d): "
            "sending its summary and a link instead",
            article.title,
            len(html.encode("utf-8")),
            limit,
        )
        summary_only, notice = True, SUMMARY_NOTICE
        html = _html(env, context, content, summary_only, notice)
    text = env.get_template("email.txt").render(
        **context,
        content=html_to_text(content, url),
        summary_only=summary_only,
        summary_notice=notice,
    )
    return Email(
        post_id=post.id,
        subject=article.title,
        preheader=context["preheader"],
        url=url,
        html=html,
        text=_tidy(text),
        date=aware(article.date, config.settings.get("TIMEZONE")),
        marker=marker(post.id),
        summary_only=summary_only,
        replies_to=tuple(id_of(a, article.settings) for a in getattr(article, "follows", ())),
        thread=_thread(article),
    )


def _thread(article) -> tuple[str, ...]:
    """The References chain: the first post of the thread first, each first parent in turn."""
    chain, seen, current = [], {id(article)}, article
    while getattr(current, "follows", None):
        current = current.follows[0]
        if id(current) in seen:  # The followups plugin forbids cycles; never loop regardless.
            break
        seen.add(id(current))
        chain.append(id_of(current, article.settings))
    return tuple(reversed(chain))


def _unsubscribe_link(config, unsubscribe):
    """The body's link and what it does: "https" (one click), "mailto" (an email) or "service".

    Our own list (the provider passes the list's own URL or mailto) gets a per-recipient link
    with a placeholder, which ``unsubscribe.personalise`` fills; a service's placeholder is its own.
    """
    if not unsubscribe:
        return None, None
    if unsubscribe in (config["NEWSLETTER_UNSUBSCRIBE_URL"], unsubscribe_mailto(config)):
        return unsubscribing.body_link(config)
    return unsubscribe, "https" if unsubscribe.startswith("https://") else "service"


def _html(env, context, content, summary_only, notice):
    html = env.get_template("email.html").render(
        **context,
        content=Markup(content),
        summary_only=summary_only,
        summary_notice=notice,
    )
    return _INLINER.inline(html)


def _environment(config) -> Environment:
    theme = Path(config.settings.get("THEME") or config.root / "theme")
    return Environment(
        loader=FileSystemLoader(str(theme / "templates" / "email")),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        bytecode_cache=_compiled_templates(config),
    )


def _compiled_templates(config):
    """The email templates compiled once, in the build's cache, not at every send (~0.02 s of
    a release). Jinja takes a compiled template for the same source and Python only, not the
    environment's options: those are this module's, so its bytes and Jinja's version name the
    folder."""
    cache = config.settings.get("CACHE_PATH")
    if not cache:
        return None
    options = hashlib.blake2b(Path(__file__).read_bytes(), digest_size=8)
    options.update(jinja2.__version__.encode())
    folder = Path(cache) / "email-templates" / options.hexdigest()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None  # A cache folder that cannot be written: compiled each time, as before.
    for other in folder.parent.iterdir():
        if other != folder:  # Compiled by another version of this module: never taken again.
            shutil.rmtree(other, ignore_errors=True)
    return FileSystemBytecodeCache(str(folder))


def email_content(html: str, base: str, *, images: tuple[Path, ...] = ()) -> str:
    """The post's HTML as an email shows it: every URL absolute, as in the feeds, and email fixes.

    The URLs are made absolute by :func:`happening.urls.absolutise`, the one implementation the
    feeds use too. Then, for mail apps rather than browsers: each footnote's "back to the text"
    arrow goes (it means nothing in a message read top to bottom); every image gets an alt (with
    none, screen readers read out the file name) and a width and height, read from the file in
    one of ``images`` (Outlook for Windows ignores CSS max-width and would show it full size);
    tables get cell padding as attributes (Outlook ignores it in CSS); code blocks keep their
    lines with ``<br>`` and no-break spaces, because Outlook ignores ``white-space``. lxml
    re-serialises what it touches; the CSS inliner parses the whole email again with an HTML5
    parser and writes it out whole.
    """
    html = absolutise(html, base)
    if not html.strip() or not any(t in html for t in _FIXED):
        return html
    out = []
    for fragment in lxml.html.fragments_fromstring(html):
        if isinstance(fragment, str):
            out.append(escape(fragment, quote=False))
            continue
        for backref in fragment.xpath('.//a[contains(@class, "footnote-backref")]'):
            backref.drop_tree()
        for image in fragment.iter("img"):
            if image.get("alt") is None:
                image.set("alt", "")
            # The page's responsive copies and lazy loading (plugins/images) mean nothing to
            # most mail apps (caniemail: srcset/sizes unsupported in Gmail, Outlook...): the
            # email shows the one src, sized below.
            for attribute in ("srcset", "sizes", "loading", "decoding"):
                image.attrib.pop(attribute, None)
            _size(image, base, images)
        for numbered in fragment.xpath('.//table[contains(@class, "highlighttable")]'):
            # Pygments' line numbers are a table cell beside the code: in an email they only
            # crowd a phone's screen, so the code goes alone.
            code = numbered.xpath('.//td[contains(@class, "code")]//pre')
            if code:
                numbered.getparent().replace(numbered, code[0])
        for table in fragment.iter("table"):
            table.set("cellpadding", "6")
            table.set("cellspacing", "0")
            table.set("role", table.get("role") or "table")
        for pre in list(fragment.iter("pre")):
            _keep_lines(pre)
        out.append(lxml.html.tostring(fragment, encoding="unicode"))
    return "".join(out)


_FIXED = ("<img", "footnote-backref", "<table", "<pre")  # What email_content changes.


def _keep_lines(pre):
    """A code block as lines every client keeps: <br> between them, indentation as no-break spaces.

    Single spaces between words stay breakable, so a long line wraps on a phone instead of
    widening the whole email.
    """
    lines = pre.text_content().rstrip("\n").split("\n")
    pre.clear()
    pre.tag = "div"
    pre.set("class", "codeblock")
    for number, line in enumerate(lines):
        spaced = re.sub(r"^ +| {2,}", lambda m: "\u00a0" * len(m.group()), line.expandtabs(4))
        if number == 0:
            pre.text = spaced
        else:
            br = lxml.html.Element("br")
            br.tail = spaced
            pre.append(br)


def _image_folders(config) -> tuple[Path, ...]:
    """Where a post's images are as files: the built output first, then the content folder."""
    settings = config.settings
    folders = [config.root / "output", Path(settings.get("PATH") or config.root / "content")]
    return tuple(folder.resolve() for folder in folders)


def _size(image, base, folders):
    """Give ``image`` width and height from its file, capped to the email's content column."""
    try:
        width, height = int(image.get("width", "")), int(image.get("height", ""))
    except ValueError:
        width = height = 0
    if not (width and height):
        found = _file_for(image.get("src") or "", base, folders)
        if found is None:
            log.warning(
                "newsletter: no file for image %s in %s; it goes without width and height, so "
                "Outlook for Windows may show it at full size",
                image.get("src"),
                ", ".join(str(f) for f in folders),
            )
            return
        with Image.open(found) as opened:
            width, height = opened.size
    if width > CONTENT_WIDTH:
        width, height = CONTENT_WIDTH, max(1, round(height * CONTENT_WIDTH / width))
    image.set("width", str(width))
    image.set("height", str(height))
    style = image.get("style", "")
    # Outlook reads the attributes; every other client reads this and scales down on a phone.
    image.set("style", f"{style};max-width:100%;height:auto".lstrip(";"))


def _file_for(src, base, folders) -> Path | None:
    site = urlsplit(base)
    parts = urlsplit(src)
    if parts.scheme not in ("http", "https") or parts.netloc != site.netloc:
        return None
    relative = unquote(parts.path).lstrip("/")
    for folder in folders:
        candidate = (folder / relative).resolve()
        if candidate.is_relative_to(folder) and candidate.is_file():
            return candidate
    return None


def _tidy(text: str) -> str:
    text = re.sub(r"[ \t]+\n", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def _author(article):
    author = getattr(article, "author", None)
    # Pelican invents an author from AUTHOR = "" only when set; unset, there is none.
    return str(author) if author and article.settings.get("AUTHOR") else ""


def _digest(text: str, length: int) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:length]
