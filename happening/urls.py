"""Make every URL in a post's HTML absolute, for places read away from the site: feeds and email.

A feed reader or a mail app shows a post away from the site, where ``/images/a.jpg`` or
``#fn:1`` resolve against nothing. This is the one place that fixes them; the feeds (Atom, RSS,
JSON Feed) and the email all call :func:`absolutise`.

It reads the HTML the way an HTML5 parser's tokenizer does, and rewrites only the URL attributes
of start tags; every other byte is left exactly as the writer and Markdown made it. Parsing into
a tree and serialising it again would not: lxml's parser (libxml2) knows only HTML 4's empty
elements, so it nests whatever follows ``<source>``, ``<track>``, ``<wbr>`` or ``<embed>`` inside
them and writes end tags HTML does not have (``</source>``), and it rewrites entities and
non-ASCII URLs; it is also twice as slow. The tokenizer rules kept here are the ones that matter
for URLs: the text of ``<script>``, ``<style>``, ``<textarea>`` and their kind is not markup, a
comment is not markup, and an attribute's ``&copy=`` is literal text, not ``©=``.
"""

import html
import re
from html.entities import html5 as _ENTITIES
from urllib.parse import urljoin

# By name, on any element (a list per tag once missed <video src> and <audio src>). Every HTML
# attribute whose value is a URL a reader's client fetches or follows.
URL_ATTRIBUTES = frozenset(
    {"href", "src", "srcset", "poster", "cite", "data", "action", "formaction", "xlink:href"}
)
# Elements whose content is text up to their end tag (HTML's raw text and RCDATA elements).
_RAW_TEXT = frozenset(
    {"script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes"}
)

# One attribute: a name (anything up to a space, "/", ">" or "="), then maybe "=" and a value.
# Atomic, so an unclosed tag fails at once instead of trying every way to split a name.
_ATTRIBUTE = r"""(?>[\s/]+|[^\s/>][^\s/>=]*(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]*))?)"""
_RAW = "|".join(sorted(_RAW_TEXT))
_MARKUP = re.compile(
    # A comment, also <!--> and one never closed (it runs to the end): left alone.
    r"<!--(?:-?>|.*?--!?>|.*\Z)"
    # A raw text element: its start tag is rewritten, its text up to its end tag is not.
    rf"|<(?P<raw>{_RAW})(?=[\s/>])(?P<raw_attributes>{_ATTRIBUTE}*)>"
    r"(?P<text>.*?)(?=</(?P=raw)[\s/>]|\Z)"
    # Any other start tag. End tags and declarations hold no URL and are never matched.
    rf"|<(?P<name>[a-z][^\s/>]*)(?P<attributes>{_ATTRIBUTE}*)>",
    re.S | re.I,
)
_ONE_ATTRIBUTE = re.compile(
    r"""(?P<name>[^\s/>][^\s/>=]*)(?P<equals>\s*=\s*)(?P<value>"[^"]*"|'[^']*'|[^\s>]*)"""
)
_REFERENCE = re.compile(
    r"&(?:#[0-9]+;?|#[xX][0-9a-fA-F]+;?|(?P<name>[A-Za-z][A-Za-z0-9]*)(?P<semi>;?))"
)
_SCHEME = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*:")
_URL_SPACE = " \t\n\r\f"  # HTML strips ASCII whitespace, and only that, around a URL.
_ANY_TAG = re.compile(r"""<!--.*?-->|</?[a-zA-Z](?:[^>"']|"[^"]*"|'[^']*')*>""", re.S)
_SPACE = re.compile(r"\s+")


def absolutise(markup: str, base: str) -> str:
    """``markup`` with the URL in every href, src, srcset, poster... made absolute on ``base``.

    ``base`` is the address of the page the HTML belongs to (a post's URL), so ``#fn:1`` becomes
    ``<post>#fn:1`` and ``../a.png`` resolves as a browser on that page would. URLs that are
    already absolute, protocol-relative (``//cdn...``: given ``base``'s scheme), or of another
    scheme (``mailto:``, ``data:``, ``tel:``) keep their meaning.
    """
    if not markup:
        return ""
    return _MARKUP.sub(lambda match: _tag(match, base), markup)


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


def plain_text(markup: str) -> str:
    """The text of an HTML fragment on one line (for JSON Feed's plain-text ``summary``)."""
    return _SPACE.sub(" ", html.unescape(_ANY_TAG.sub(" ", markup or ""))).strip()


def _tag(match, base):
    # The last group of each branch says which one matched: a start tag ("attributes"), a raw
    # text element ("text"), or a comment (None).
    group = "attributes" if match.lastgroup == "attributes" else "raw_attributes"
    attributes = match.group(group) if match.lastgroup else None
    if not attributes or "=" not in attributes:
        return match.group(0)  # A comment, or a tag with no attribute value (<p>, <hr>).
    rewritten = _ONE_ATTRIBUTE.sub(lambda a: _attribute(a, base), attributes)
    if rewritten == attributes:
        return match.group(0)
    whole, offset = match.group(0), match.start()
    start, end = match.span(group)
    return whole[: start - offset] + rewritten + whole[end - offset :]


def _attribute(match, base):
    name = match.group("name").lower()
    if name not in URL_ATTRIBUTES:
        return match.group(0)
    raw = match.group("value")
    if raw[:1] in ("'", '"'):
        if len(raw) < 2 or raw[-1] != raw[0]:
            return match.group(0)  # A quote never closed: HTML drops the tag, so shall we.
        raw = raw[1:-1]
    value = _unescape(raw).strip(_URL_SPACE)
    if name == "srcset":
        url = absolutise_srcset(value, base)
    elif _SCHEME.match(value):
        return match.group(0)  # Absolute already (https:, mailto:, data:): left as written.
    else:
        url = urljoin(base, value)
    if url == value:
        return match.group(0)
    return f'{match.group("name")}{match.group("equals")}"{html.escape(url, quote=True)}"'


def _unescape(value: str) -> str:
    """An attribute value's character references decoded as HTML decodes them in attributes.

    ``html.unescape`` follows the rule for text, where ``&copy`` without its ``;`` is still ©;
    inside an attribute a name without ``;`` that is followed by ``=`` or a letter or digit is
    left as written, so ``?a=1&copy=2`` stays a query string.
    """
    if "&" not in value:
        return value
    return _REFERENCE.sub(lambda m: _reference(m, value), value)


def _reference(match, value):
    name = match.group("name")
    if name is None:
        return html.unescape(match.group(0))  # Numeric: the same rule everywhere.
    if match.group("semi") and name + ";" in _ENTITIES:
        return _ENTITIES[name + ";"]
    following = value[match.end("name") : match.end("name") + 1]
    if name in _ENTITIES and following != "=":
        # A legacy name without ";" ("&amp", "&copy"); the name ran to its last letter, so what
        # follows is not a letter or digit.
        return _ENTITIES[name] + match.group("semi")
    return match.group(0)
