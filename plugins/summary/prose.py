"""A summary made of the post's prose, for listings, feeds and email, when it has no ``Summary:``.

Pelican's automatic summary is the first ``SUMMARY_MAX_LENGTH`` words of the body, whatever they
are: headings, code and tables included, cut mid-sentence ("Testing sourcecode directive
1formatter = self.options"). Here only paragraphs count (not those inside code, tables, figures
or navigation), and the summary ends at the last sentence that fits in ``SUMMARY_MAX_LENGTH``
words. It is put where Pelican's ``summary`` reads it (``metadata["summary"]``), so every listing,
feed and email gets it; ``summary_is_automatic`` tells the post page not to repeat it as a dek.
"""

import re
from html import escape
from html.parser import HTMLParser

from pelican import signals

from happening.plugins.fastbuild.fence import content_unkept

DEFAULT_WORDS = 50
# Paragraphs inside these are not the post's prose.
_NOT_PROSE = {"pre", "table", "figure", "figcaption", "nav", "aside", "script", "style"}
_CODE_CLASSES = {"highlight", "highlighttable", "codehilite", "literal-block", "toc", "contents"}
_VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'”’)]*\s+")


class _Paragraphs(HTMLParser):
    """The text of each ``<p>`` that is not inside code, a table, a figure..."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[str] = []
        self._open: list[tuple[str, bool]] = []  # (tag, skipped) for each element still open
        self._current: list[str] | None = None

    @property
    def _skipping(self):
        return any(skipped for _, skipped in self._open)

    def handle_starttag(self, tag, attrs):
        if tag in _VOID:
            return
        classes = (dict(attrs).get("class") or "").split()
        skipped = tag in _NOT_PROSE or bool(_CODE_CLASSES.intersection(classes))
        self._open.append((tag, skipped))
        if tag == "p" and not self._skipping:
            self._current = []

    def handle_endtag(self, tag):
        if tag == "p" and self._current is not None:
            text = " ".join("".join(self._current).split())
            if text:
                self.paragraphs.append(text)
            self._current = None
        # Close up to the matching tag (tolerates a missing end tag in between).
        for index in range(len(self._open) - 1, -1, -1):
            if self._open[index][0] == tag:
                del self._open[index:]
                break

    def handle_data(self, data):
        if self._current is not None and not self._skipping:
            self._current.append(data)


def prose_summary(html: str, max_words: int = DEFAULT_WORDS) -> str:
    """Plain text of ``html``'s prose, ending at a sentence boundary within ``max_words``."""
    parser = _Paragraphs()
    parser.feed(html or "")
    parser.close()
    words_left = max_words
    kept = []
    for sentence in _SENTENCE_END.split(" ".join(parser.paragraphs)):
        words = sentence.split()
        if not words:
            continue
        if len(words) > words_left:
            if not kept:  # One long first sentence: cut it, and say so.
                kept.append(" ".join(words[:words_left]).rstrip(",;:") + "…")
            break
        kept.append(sentence.strip())
        words_left -= len(words)
    return " ".join(kept)


def automatic_summary(article) -> str:
    """The summary this plugin gives a post with no ``Summary:``, as the HTML it stores."""
    limit = article.settings.get("SUMMARY_MAX_LENGTH") or DEFAULT_WORDS
    # Read without memoising: every body is read here, long before its page renders.
    text = prose_summary(content_unkept(article), limit)
    return f"<p>{escape(text)}</p>" if text else ""


def summarise(pelican_or_generators):
    """Give each post without ``Summary:`` its prose summary (all content known: links resolve)."""
    for generator in pelican_or_generators:
        for article in [
            *getattr(generator, "articles", []),
            *getattr(generator, "translations", []),
        ]:
            if "summary" in article.metadata or not hasattr(generator, "drafts"):
                continue
            article.summary_is_automatic = True
            article.metadata["summary"] = automatic_summary(article)


def register():
    signals.all_generators_finalized.connect(summarise)
