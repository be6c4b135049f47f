"""A post's HTML as plain text that reads well on its own (the email's text/plain part).

Headings underlined, paragraphs wrapped at 72 columns, links as numbered references listed at
the end (a URL in the middle of a sentence breaks it up), tables row by row with each cell named
by its column, code verbatim (also Pygments' line-numbered tables), footnotes as endnotes.
"""

import textwrap

import lxml.html

WIDTH = 72
_BREAK = "\x00"  # A <br>: kept as a line break, while the source's own newlines are spaces.
_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_BLOCKS = {
    *_HEADINGS,
    *("p", "div", "ul", "ol", "li", "blockquote", "pre", "table", "tr", "figure"),
    *("figcaption", "hr", "dl", "dt", "dd", "section"),
}


def html_to_text(html: str, page: str = "") -> str:
    """``html`` (a post's body, URLs absolute) as plain text; ``page`` is the post's own URL.

    Links into the post itself (``page#...``, footnote marks) keep only their text.
    """
    if not html.strip():
        return ""
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    notes = [n for n in root.xpath('.//div[contains(@class, "footnote")]')]
    for note in notes:
        note.getparent().remove(note)
    writer = _Writer(page)
    writer.walk(root, prefix="")
    if notes:
        writer.blocks.append("Notes\n-----")
        for note in notes:
            for number, item in enumerate(note.xpath(".//li"), 1):
                writer.blocks.append(_wrap(f"({number}) " + writer.inline(item), "", hang=4))
    if writer.links:
        writer.blocks.append("Links\n-----")
        writer.blocks.append("\n".join(f"[{n}] {href}" for n, href in enumerate(writer.links, 1)))
    return "\n\n".join(b for b in writer.blocks if b.strip())


class _Writer:
    def __init__(self, page):
        self.page = page
        self.blocks: list[str] = []
        self.links: list[str] = []

    def walk(self, element, prefix):
        for child in element:
            if not isinstance(child.tag, str):
                continue
            tag = child.tag
            if tag in _HEADINGS:
                heading = " ".join(self.inline(child).split())
                rule = "=" if tag == "h1" else "-"
                self.blocks.append(prefix + heading + "\n" + prefix + rule * len(heading))
            elif tag == "pre" or "codeblock" in (child.get("class") or ""):
                self.blocks.append(_verbatim(child, prefix))
            elif tag == "table" and child.xpath(".//td[contains(@class, 'code')]//pre"):
                # Pygments' line-numbered code: the numbers are one cell, the code another.
                code = child.xpath(".//td[contains(@class, 'code')]//pre")[0]
                self.blocks.append(_verbatim(code, prefix))
            elif tag == "table":
                self.blocks.append(self.table(child, prefix))
            elif tag in ("ul", "ol"):
                self.blocks.append(self.items(child, prefix))
            elif tag == "blockquote":
                self.walk(child, prefix + "> ")
            elif tag == "hr":
                self.blocks.append(prefix + "* * *")
            elif tag in ("div", "figure", "section", "dl") and any(
                isinstance(c.tag, str) and c.tag in _BLOCKS for c in child
            ):
                self.walk(child, prefix)
            else:
                self.blocks.append(_wrap(self.inline(child), prefix))

    def items(self, listing, prefix):
        lines = []
        for number, item in enumerate(listing.findall("li"), 1):
            bullet = f"{number}. " if listing.tag == "ol" else "- "
            lines.append(_wrap(bullet + self.inline(item), prefix, hang=len(bullet)))
        return "\n".join(lines)

    def table(self, table, prefix):
        """Row by row: each cell after its column's heading, so a row reads as a sentence."""
        rows = table.xpath(".//tr")
        if not rows:
            return ""
        header = [" ".join(self.inline(c).split()) for c in rows[0] if c.tag == "th"]
        body = rows[1:] if header else rows
        out = []
        for row in body:
            cells = [" ".join(self.inline(c).split()) for c in row if c.tag in ("td", "th")]
            if header and len(header) == len(cells):
                text = "; ".join(f"{h}: {c}" for h, c in zip(header, cells, strict=True))
            else:
                text = " | ".join(cells)
            out.append(_wrap("- " + text, prefix, hang=2))
        return "\n".join(out)

    def inline(self, element) -> str:
        parts = [element.text or ""]
        for child in element:
            if not isinstance(child.tag, str):
                parts.append(child.tail or "")
                continue
            if child.tag == "a" and child.get("href"):
                parts.append(self.link(child))
            elif child.tag == "img":
                alt = child.get("alt")
                parts.append(f"[{alt}]" if alt else "")
            elif child.tag == "br":
                parts.append(_BREAK)
            else:
                parts.append(self.inline(child))
            parts.append(child.tail or "")
        return "".join(parts)

    def link(self, anchor) -> str:
        label = self.inline(anchor).strip()
        href = anchor.get("href")
        if "footnote-ref" in (anchor.get("class") or ""):
            return f"({label})"  # Notes in (1), links in [1]: never mistaken for each other.
        if href.startswith("#") or (self.page and href.startswith(self.page + "#")):
            return label
        if label == href or href.startswith("mailto:") and label in href:
            return label
        if href not in self.links:
            self.links.append(href)
        return f"{label} [{self.links.index(href) + 1}]"


def _verbatim(pre, prefix):
    """Code as written, indented four spaces (the email's code has <br> and no-break spaces)."""
    parts = [pre.text or ""]
    for child in pre:
        parts.append("\n" if child.tag == "br" else child.text_content())
        parts.append(child.tail or "")
    lines = "".join(parts).replace("\u00a0", " ").rstrip().split("\n")
    return "\n".join(prefix + "    " + line if line.strip() else prefix.rstrip() for line in lines)


def _wrap(text, prefix, hang=0):
    # Hard line breaks (<br>) survive; each line is wrapped on its own.
    lines = []
    for number, line in enumerate(text.strip().split(_BREAK)):
        words = " ".join(line.split())
        if not words:
            continue
        first = prefix if number == 0 else prefix + " " * hang
        lines.append(
            textwrap.fill(
                words,
                WIDTH,
                initial_indent=first,
                subsequent_indent=prefix + " " * hang,
                break_long_words=False,
                break_on_hyphens=False,
            )
        )
    return "\n".join(lines)
