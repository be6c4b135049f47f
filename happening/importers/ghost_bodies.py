"""Ghost's two editor formats rendered to HTML, for an export whose posts carry no ``html``.

- **Lexical** (Ghost 5+): ``{"root": {"children": [...]}}``, a tree of nodes with a ``type``
  (``paragraph``, ``heading`` with ``tag``, ``quote``, ``list`` with ``listType``,
  ``listitem``, ``text`` with a ``format`` bit set: 1 bold, 2 italic, 16 code; ``link`` with
  ``url``, ``linebreak``, and Ghost's cards ``image``, ``codeblock``, ``html``, ``markdown``,
  ``embed``, ``bookmark``, ``horizontalrule``).
- **Mobiledoc** (Ghost 1-4, spec github.com/bustle/mobiledoc-kit MOBILEDOC.md, 0.3): ``markups``
  (``[tag, attrs]``), ``atoms``, ``cards`` (``[name, payload]``) and ``sections``: ``[1, tag,
  markers]`` text, ``[3, tag, items]`` lists, ``[10, card index]`` cards, ``[2, src]`` images;
  a marker is ``[0 text | 1 atom, opened markup indices, closed count, value]``.

Only what posts use is rendered; anything else becomes nothing rather than a guess.
"""

from html import escape

import markdown

BOLD, ITALIC, STRIKE, UNDERLINE, CODE = 1, 2, 4, 8, 16


# -- Lexical -------------------------------------------------------------------------------------
def lexical_html(doc: dict) -> str:
    return "".join(_lexical(node) for node in doc["root"]["children"])


def _lexical(node: dict) -> str:
    kind = node.get("type")
    inner = "".join(_lexical(child) for child in node.get("children") or [])
    if kind == "text":
        return _formatted(escape(node.get("text", "")), node.get("format") or 0)
    if kind == "linebreak":
        return "<br>"
    if kind == "link":
        return f'<a href="{escape(node.get("url", ""), quote=True)}">{inner}</a>'
    if kind == "paragraph":
        return f"<p>{inner}</p>"
    if kind in ("heading", "extended-heading"):
        tag = node.get("tag") or "h2"
        return f"<{tag}>{inner}</{tag}>"
    if kind in ("quote", "extended-quote", "aside"):
        return f"<blockquote>{inner}</blockquote>"
    if kind == "list":
        tag = "ol" if node.get("listType") == "number" else "ul"
        return f"<{tag}>{inner}</{tag}>"
    if kind == "listitem":
        return f"<li>{inner}</li>"
    return _card(kind, node)


def _formatted(text: str, fmt: int) -> str:
    for bit, tag in ((CODE, "code"), (BOLD, "strong"), (ITALIC, "em"), (STRIKE, "s")):
        if fmt & bit:
            text = f"<{tag}>{text}</{tag}>"
    return text


# -- Cards: the same payload keys in both formats ----------------------------------------------
def _card(kind: str, payload: dict) -> str:
    if kind == "image":
        src = escape(payload.get("src", ""), quote=True)
        alt = escape(payload.get("alt") or payload.get("altText") or "", quote=True)
        caption = payload.get("caption") or ""
        figcaption = f"<figcaption>{caption}</figcaption>" if caption else ""
        return f'<figure><img src="{src}" alt="{alt}">{figcaption}</figure>'
    if kind in ("code", "codeblock"):
        language = payload.get("language") or ""
        cls = f' class="language-{escape(language, quote=True)}"' if language else ""
        return f"<pre><code{cls}>{escape(payload.get('code', ''))}</code></pre>"
    if kind in ("html", "embed"):
        return payload.get("html") or ""
    if kind == "markdown":
        return markdown.markdown(payload.get("markdown", ""), extensions=["extra"])
    if kind == "bookmark":
        url = payload.get("url", "")
        title = (payload.get("metadata") or {}).get("title") or url
        return f'<p><a href="{escape(url, quote=True)}">{escape(title)}</a></p>'
    if kind in ("hr", "horizontalrule"):
        return "<hr>"
    return ""


# -- Mobiledoc -----------------------------------------------------------------------------------
def mobiledoc_html(doc: dict) -> str:
    markups, cards, atoms = doc.get("markups", []), doc.get("cards", []), doc.get("atoms", [])
    out = []
    for section in doc.get("sections", []):
        kind = section[0]
        if kind == 1:
            tag = section[1].lower()
            out.append(f"<{tag}>{_markers(section[2], markups, atoms)}</{tag}>")
        elif kind == 3:
            tag = section[1].lower()
            items = "".join(f"<li>{_markers(m, markups, atoms)}</li>" for m in section[2])
            out.append(f"<{tag}>{items}</{tag}>")
        elif kind == 10:
            name, payload = cards[section[1]]
            out.append(_card(name, payload))
        elif kind == 2:
            out.append(_card("image", {"src": section[1]}))
    return "".join(out)


def _markers(markers, markups, atoms) -> str:
    html, open_tags = [], []
    for marker_type, opened, closed, value in markers:
        for index in opened:
            tag, *rest = markups[index]
            attrs = rest[0] if rest else []
            pairs = "".join(
                f' {attrs[i]}="{escape(str(attrs[i + 1]), quote=True)}"'
                for i in range(0, len(attrs), 2)
            )
            html.append(f"<{tag}{pairs}>")
            open_tags.append(tag)
        html.append(escape(value if marker_type == 0 else atoms[value][1]))
        for _ in range(closed):
            html.append(f"</{open_tags.pop()}>")
    return "".join(html)
