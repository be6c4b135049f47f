"""Make every URL in a post's HTML absolute, for places read away from the site (feeds, email).

Feed readers show an entry away from the site, where ``/images/a.jpg`` or ``#fn:1`` resolve
against nothing. Only the URL attributes of start tags are rewritten; every other byte of the
post is left exactly as the writer and Markdown made it (re-serialising through an HTML parser
would "repair" HTML5 it does not know, such as ``<source>``, and cost a full parse). Text, code
and comments are never touched: Markdown escapes ``<`` in text, so a ``<`` followed by a letter
always opens a tag. The caller does this once per post and reuses the result in every feed.
"""

import html
import re
from urllib.parse import urljoin

URL_ATTRIBUTES = {"href", "src", "poster"}
# A comment (left alone), or a start tag with its attributes; quoted values may hold ">".
_TAG = re.compile(r"""<!--.*?-->|<([a-zA-Z][^\s/>]*)((?:[^>"']|"[^"]*"|'[^']*')*)>""", re.S)
_ATTRIBUTE = re.compile(r"""([^\s"'>/=]+)(\s*=\s*)("[^"]*"|'[^']*'|[^\s>]+)""")
_ANY_TAG = re.compile(r"""<!--.*?-->|</?[a-zA-Z](?:[^>"']|"[^"]*"|'[^']*')*>""", re.S)
_SPACE = re.compile(r"\s+")


def absolutise(markup: str, base: str) -> str:
    """``markup`` with every href, src, poster and srcset URL absolute against ``base``."""
    if not markup:
        return ""
    return _TAG.sub(lambda tag: _tag(tag, base), markup)


def plain_text(markup: str) -> str:
    """The text of an HTML fragment on one line (for JSON Feed's plain-text ``summary``)."""
    return _SPACE.sub(" ", html.unescape(_ANY_TAG.sub(" ", markup or ""))).strip()


def absolutise_srcset(srcset: str, base: str) -> str:
    """Each candidate URL in a ``srcset`` made absolute, descriptors kept (HTML's parsing rules).

    A candidate is a URL (which may itself contain commas) then optional descriptors up to a
    comma, so the list cannot simply be split on commas.
    """
    out = []
    i, n = 0, len(srcset)
    while i < n:
        while i < n and (srcset[i].isspace() or srcset[i] == ","):
            i += 1
        start = i
        while i < n and not srcset[i].isspace():
            i += 1
        url = srcset[start:i]
        if not url:
            break
        descriptor = ""
        if url.endswith(","):
            url = url.rstrip(",")
        else:
            end = srcset.find(",", i)
            end = n if end == -1 else end
            descriptor = srcset[i:end].strip()
            i = end + 1
        out.append(f"{urljoin(base, url)} {descriptor}".strip())
    return ", ".join(out)


def _tag(match, base):
    attributes = match.group(2)
    if match.group(1) is None or not attributes:
        return match.group(0)
    rewritten = _ATTRIBUTE.sub(lambda a: _attribute(a, base), attributes)
    return f"<{match.group(1)}{rewritten}>"


def _attribute(match, base):
    name = match.group(1).lower()
    if name not in URL_ATTRIBUTES and name != "srcset":
        return match.group(0)
    raw = match.group(3)
    value = html.unescape(raw[1:-1] if raw[0] in "\"'" else raw).strip()
    value = absolutise_srcset(value, base) if name == "srcset" else urljoin(base, value)
    return f'{match.group(1)}{match.group(2)}"{html.escape(value, quote=True)}"'
