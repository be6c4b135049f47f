"""Render a post's email from the very article Pelican built: HTML, plain text and a MIME message.

One render per post and provider (the provider decides only the unsubscribe link); what the
writer previews is what is sent, byte for byte: the message's Date is the post's date and its
Message-ID and MIME boundary are derived from the post id, so the same post renders the same bytes.
"""

import hashlib
import logging
import re
import textwrap
from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from html import escape
from pathlib import Path

import css_inline
import lxml.html
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from happening.dates import aware
from happening.urls import absolutise

from .errors import SettingError
from .sanitize import sanitize

log = logging.getLogger(__name__)

# Gmail clips a message whose HTML is over ~102 KB, hiding the end (and the unsubscribe link).
SUMMARY_NOTICE = (
    "This post is too long to arrive whole by email (some mail apps would cut it off), so here "
    "is its summary. The full post is on the web."
)
CHOSEN_SUMMARY_NOTICE = "Here is the summary; the full post is on the web."

_INLINER = css_inline.CSSInliner(load_remote_stylesheets=False, keep_at_rules=True)


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

    @property
    def html_bytes(self) -> int:
        return len(self.html.encode("utf-8"))

    def message(self, config, *, to=None, date=None, message_id=None) -> EmailMessage:
        """The MIME message (multipart/alternative: text, then HTML) with list headers."""
        msg = EmailMessage(policy=policy.SMTP)
        msg["Subject"] = self.subject
        msg["From"] = config.sender
        msg["To"] = to or config.sender
        if config["NEWSLETTER_REPLY_TO"]:
            msg["Reply-To"] = config["NEWSLETTER_REPLY_TO"]
        msg["Date"] = format_datetime(aware(date or self.date, config.settings.get("TIMEZONE")))
        msg["Message-ID"] = message_id or self.message_id(config)
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
        domain = parseaddr(config.sender)[1].split("@")[-1] or "localhost"
        return f"<{_digest(self.post_id, 24)}{suffix}.newsletter@{domain}>"


def unsubscribe_mailto(config) -> str:
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
    content = email_content(sanitize(article.content, article.title), url)
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
        "unsubscribe": unsubscribe,
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
    )


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
    )


def email_content(html: str, base: str) -> str:
    """The post's HTML as an email shows it: every URL absolute, as in the feeds, and two fixes.

    The URLs are made absolute by :func:`happening.urls.absolutise`, the one implementation the
    feeds use too. Only the email then drops each footnote's "back to the text" arrow (it means
    nothing in a message read top to bottom) and gives every image an alt (with none, screen
    readers read out the file name). lxml re-serialises what it touches, nesting what follows a
    ``<source>`` inside it; harmless here, because the CSS inliner parses the whole email again
    with an HTML5 parser and writes it out whole.
    """
    html = absolutise(html, base)
    if not html.strip() or ("<img" not in html and "footnote-backref" not in html):
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
        out.append(lxml.html.tostring(fragment, encoding="unicode"))
    return "".join(out)


_BLOCKS = {
    "p",
    "div",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "ul",
    "ol",
    "li",
    "blockquote",
    "pre",
    "table",
    "tr",
    "figure",
    "figcaption",
    "hr",
    "dl",
    "dt",
    "dd",
}


def html_to_text(html: str, page: str = "") -> str:
    """The post as readable plain text: paragraphs wrapped, headings marked, links spelled out.

    Links into the post itself (``page#...``, footnotes) keep only their text.
    """
    if not html.strip():
        return ""
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    for link in root.iter("a"):
        href = link.get("href") or ""
        if href.startswith("#") or (page and href.startswith(page + "#")):
            del link.attrib["href"]
            if "footnote-ref" in (link.get("class") or ""):
                link.text = f"[{link.text_content().strip()}]"
    blocks: list[str] = []
    _walk(root, blocks, prefix="")
    return "\n\n".join(b for b in blocks if b.strip())


def _walk(element, blocks, prefix):
    for child in element:
        if not isinstance(child.tag, str):
            continue
        tag = child.tag
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            heading = _inline(child).strip()
            blocks.append(prefix + heading + "\n" + prefix + "-" * len(heading))
        elif tag == "pre":
            blocks.append(child.text_content().rstrip())
        elif tag in ("ul", "ol"):
            items = []
            for number, item in enumerate(child.findall("li"), 1):
                bullet = f"{number}. " if tag == "ol" else "- "
                body = textwrap.fill(
                    " ".join(_inline(item).split()),
                    72,
                    initial_indent=prefix + bullet,
                    subsequent_indent=prefix + " " * len(bullet),
                )
                items.append(body)
            blocks.append("\n".join(items))
        elif tag == "blockquote":
            _walk(child, blocks, prefix + "> ")
        elif tag == "hr":
            blocks.append(prefix + "* * *")
        elif tag in ("div", "figure", "section", "table", "tbody", "tr", "dl"):
            if any(isinstance(c.tag, str) and c.tag in _BLOCKS for c in child):
                _walk(child, blocks, prefix)
            else:
                blocks.append(_para(_inline(child), prefix))
        else:
            blocks.append(_para(_inline(child), prefix))


def _para(text, prefix):
    words = " ".join(text.split())
    return textwrap.fill(
        words,
        72,
        initial_indent=prefix,
        subsequent_indent=prefix,
        break_long_words=False,
        break_on_hyphens=False,
    )


def _inline(element) -> str:
    parts = [element.text or ""]
    for child in element:
        if isinstance(child.tag, str):
            if child.tag == "a" and child.get("href"):
                label = _inline(child).strip()
                href = child.get("href")
                parts.append(label if label == href else f"{label} <{href}>")
            elif child.tag == "img":
                alt = child.get("alt")
                parts.append(f"[{alt}]" if alt else "")
            elif child.tag == "br":
                parts.append("\n")
            else:
                parts.append(_inline(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _tidy(text: str) -> str:
    text = re.sub(r"[ \t]+\n", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def _author(article):
    author = getattr(article, "author", None)
    # Pelican invents an author from AUTHOR = "" only when set; unset, there is none.
    return str(author) if author and article.settings.get("AUTHOR") else ""


def _digest(text: str, length: int) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:length]
