"""One imported post as a Markdown file with every metadata line our tools read.

``Title``, ``Slug``, ``Date`` (ISO 8601 with its offset), ``Modified``, ``Summary``, ``Tags``,
``Category``, ``Author`` when the source has one, ``Id`` (the old feed's guid: the post keeps its
identity in feeds and the ledger), and ``Status: draft`` for drafts and paid-only posts.
"""

from datetime import datetime
from html import escape

from .convert import to_markdown
from .model import ImportedPost


def markdown_file(post: ImportedPost, *, category: str, images: dict[str, str]) -> str:
    """The file's whole text; ``images`` maps an image URL to its name under content/images/."""
    lines = [
        ("Title", post.title),
        ("Slug", post.slug),
        ("Date", _when(post.date)),
        ("Modified", _when(post.modified) if post.modified and post.modified > post.date else ""),
        ("Summary", post.summary),
        ("Tags", ", ".join(post.tags)),
        ("Category", post.category or category),
        ("Author", post.author),
        ("Id", post.guid),
        ("Status", "draft" if post.draft else ""),
    ]
    head = "".join(f"{key}: {_one_line(value)}\n" for key, value in lines if value)
    body = to_markdown(post.html, images)
    if post.audio:
        # The episode stays playable on the page; the link serves readers without <audio>.
        src = escape(post.audio, quote=True)
        body += f'\n<audio controls preload="none" src="{src}"></audio>\n\n[Listen]({post.audio})\n'
    return f"{head}\n{body}"


def _when(value: datetime | None) -> str:
    return value.isoformat(sep=" ", timespec="seconds") if value else ""


def _one_line(value: str) -> str:
    # A metadata value is one line; a newline would start the body.
    return " ".join(str(value).split())
