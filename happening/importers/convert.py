"""Export HTML to clean Markdown, with markdownify (a maintained converter built on BeautifulSoup).

Why markdownify: it is a plain Python package (Pelican's own importer needs the pandoc binary),
it is kept up (1.x, 2025-26), and it is a class with one method per tag, so the three things an
export needs beyond plain conversion are small overrides here rather than a fork:

- footnotes (Substack's ``footnote-anchor`` links and ``footnote`` blocks; the ``fn:``/``fnref:``
  ids of Python-Markdown, Ghost and WordPress plugins) become Markdown's ``[^1]`` footnotes,
  which our ``markdown.extensions.extra`` renders;
- images found in the export point at ``{static}/images/<name>``; the others keep their URL;
- embeds (iframes, video, audio, tweets) stay as raw HTML blocks, which Markdown passes through.

Substack's own chrome (subscribe and share buttons) is dropped before converting.
"""

import re

from bs4 import BeautifulSoup
from markdownify import ATX, MarkdownConverter

# Blocks that belong to the old platform's page, not to the writing.
CHROME = (
    "div.subscription-widget-wrap",
    "div.subscription-widget-wrap-editor",
    "p.button-wrapper",
    "div.captioned-button-wrap",
    "div.share-dialog",
    "div.paywall-jump",
)
EMBEDS = ("iframe", "video", "audio", "embed", "object")
EMBED_CLASSES = ("twitter-tweet", "instagram-media", "tiktok-embed", "kg-embed-card")
_FOOTNOTE_ID = re.compile(r"^(?:footnote-|fn:?|fn-)(\w+)$")
_BLANKS = re.compile(r"\n{3,}")


class _Converter(MarkdownConverter):
    def __init__(self, local_images: dict[str, str], **options):
        super().__init__(**options)
        self.local_images = local_images

    def convert_img(self, el, text, parent_tags):
        src = el.get("src") or ""
        alt = (el.get("alt") or "").replace("]", r"\]")
        name = self.local_images.get(src)
        target = f"{{static}}/images/{name}" if name else src
        title = el.get("title")
        title_part = ' "{}"'.format(title.replace('"', r"\"")) if title else ""
        if "_inline" in parent_tags:
            return alt
        return f"![{alt}]({target}{title_part})"

    def _raw(self, el, text, parent_tags):
        return "\n\n" + str(el) + "\n\n"

    convert_iframe = convert_video = convert_audio = convert_embed = convert_object = _raw

    def convert_blockquote(self, el, text, parent_tags):
        if set(el.get("class") or ()) & set(EMBED_CLASSES):
            return self._raw(el, text, parent_tags)
        return super().convert_blockquote(el, text, parent_tags)

    def convert_figure(self, el, text, parent_tags):
        if set(el.get("class") or ()) & set(EMBED_CLASSES):
            return self._raw(el, text, parent_tags)
        return "\n\n" + text.strip() + "\n\n"

    def convert_figcaption(self, el, text, parent_tags):
        return "\n\n" + text.strip() + "\n\n" if text.strip() else ""


def to_markdown(html: str, local_images: dict[str, str] | None = None) -> str:
    """Clean Markdown for ``html``; ``local_images`` maps an ``<img src>`` to its new file name."""
    soup = BeautifulSoup(html or "", "html.parser")
    for selector in CHROME:
        for node in soup.select(selector):
            node.decompose()
    for link in soup.select("a.image-link"):
        link.unwrap()  # Substack links each image to its own full-size copy on its CDN.
    converter = _Converter(
        local_images or {},
        heading_style=ATX,
        bullets="-",
        escape_underscores=False,
        strong_em_symbol="*",
        code_language_callback=_code_language,
    )
    notes = _footnotes(soup, converter)
    body = converter.convert_soup(soup).strip()
    if notes:
        body += "\n\n" + "\n".join(notes)
    return _BLANKS.sub("\n\n", body).strip() + "\n"


def _code_language(pre) -> str:
    """``python`` from ``<pre><code class="language-python">`` (Ghost, WordPress, highlight.js)."""
    for node in (pre.find("code"), pre):
        for cls in (node.get("class") or []) if node else []:
            if cls.startswith(("language-", "lang-")):
                return cls.split("-", 1)[1]
    return ""


def _footnotes(soup, converter) -> list[str]:
    """Turn footnote references into ``[^n]`` and return the notes as ``[^n]: text`` lines."""
    notes, numbers = [], set()
    # The notes themselves: Substack's <div class="footnote"> and <li id="fn:1"> lists.
    for node in soup.select("div.footnote, li[id]"):
        number = _note_number(node)
        if number is None:
            continue
        for back in node.select("a.footnote-number, a.footnote-backref, a[href^='#fnref']"):
            back.decompose()
        text = converter.convert(node.decode_contents()).strip().replace("\n\n", "\n\n    ")
        notes.append(f"[^{number}]: {text}")
        numbers.add(number)
        node.decompose()
    # What held the notes (Python-Markdown's <div class="footnote"><hr><ol>) is empty now.
    for holder in soup.select("div.footnote, div.footnotes, section.footnotes"):
        if not holder.get_text(strip=True):
            holder.decompose()
    # The references: <a class="footnote-anchor" href="#footnote-1"> and <a href="#fn:1">.
    for anchor in soup.select("a.footnote-anchor, a[href^='#fn'], a[href^='#footnote-']"):
        target = (anchor.get("href") or "").lstrip("#")
        match = _FOOTNOTE_ID.match(target)
        if match and match.group(1) in numbers:
            holder = anchor.parent if anchor.parent and anchor.parent.name == "sup" else anchor
            holder.replace_with(f"[^{match.group(1)}]")
    return notes


def _note_number(node) -> str | None:
    ident = node.get("id") or ""
    if node.name == "div":
        first = node.find("a", class_="footnote-number")
        ident = (first.get("id") if first else "") or ident
    match = _FOOTNOTE_ID.match(ident)
    return match.group(1) if match else None
