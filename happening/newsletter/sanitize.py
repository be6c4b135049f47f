"""Email HTML made safe to send: no script, frame, plugin or form, no event handler, no javascript:.

A post may embed a video player, a form or a script that works on the web page; in an email it
would be stripped by the reader's mail program at best, and flag the message as suspicious at
worst. So before the email is built every ``script``, ``iframe``, ``object``, ``embed`` and
``form`` (and any stray input field) is removed with its content, every
``on*`` attribute dropped, and every link or source whose URL is ``javascript:`` (or
``vbscript:``, or a ``data:`` document) removed; one warning names the post and what went.
"""

import logging
import re

import lxml.html

log = logging.getLogger(__name__)

REMOVED = ("script", "iframe", "frame", "frameset", "object", "embed", "applet", "form")
FIELDS = ("input", "button", "select", "textarea")  # Meaningless once their form is gone.
URL_ATTRIBUTES = ("href", "src", "action", "formaction", "xlink:href", "poster", "background")
# Browsers ignore whitespace and control characters inside a scheme ("java\tscript:").
_DANGEROUS = re.compile(r"^(javascript|vbscript|data:text/html)", re.IGNORECASE)
_IGNORED = re.compile(r"[\x00-\x20]+")
_QUICK = re.compile(
    r"<\s*/?\s*(script|iframe|frame|object|embed|applet|form|input|button|select|textarea)\b"
    r"|\son\w+\s*=|javascript|vbscript|data:text/html",
    re.IGNORECASE,
)


def sanitize(html: str, post_title: str = "") -> str:
    """``html`` without what must not go into an email; warns once, naming the post."""
    if not html.strip() or not _QUICK.search(html):
        return html  # Nearly every post: nothing to take out, and the HTML stays byte for byte.
    removed: list[str] = []
    out = []
    for fragment in lxml.html.fragments_fromstring(html):
        if isinstance(fragment, str):
            out.append(fragment)
            continue
        _clean(fragment, removed)
        if fragment.tag in (*REMOVED, *FIELDS):
            removed.append(f"<{fragment.tag}>")
            if fragment.tail:
                out.append(fragment.tail)
            continue
        out.append(lxml.html.tostring(fragment, encoding="unicode"))
    if removed:
        log.warning(
            "newsletter: %r: removed from the email what mail programs block: %s",
            post_title,
            ", ".join(sorted(set(removed))),
        )
    return "".join(out)


def _clean(root, removed):
    for element in list(root.iter(*REMOVED, *FIELDS)):
        if element is not root:
            removed.append(f"<{element.tag}>")
            element.drop_tree()
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        for name in list(element.attrib):
            if name.lower().startswith("on"):
                removed.append(f"{name}= attributes")
                del element.attrib[name]
            elif name.lower() in URL_ATTRIBUTES and _DANGEROUS.match(
                _IGNORED.sub("", element.attrib[name])
            ):
                removed.append(f"{_IGNORED.sub('', element.attrib[name]).split(':')[0]}: links")
                del element.attrib[name]
