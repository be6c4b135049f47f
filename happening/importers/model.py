"""What every importer hands the writer: one post as its old home described it."""

from dataclasses import dataclass, field
from datetime import datetime

from happening.errors import UserError


class ExportError(UserError):
    """An export that cannot be read; the message names the file and the row or field."""


@dataclass
class ImportedPost:
    """One post, read from an export, before it becomes a Markdown file."""

    source: str  # "substack", "ghost", "wordpress", "feed"
    guid: str  # The id the old feed used: becomes `Id:`, so feed readers see nothing new.
    title: str
    slug: str
    date: datetime  # Aware.
    html: str
    modified: datetime | None = None
    summary: str = ""
    tags: list[str] = field(default_factory=list)
    category: str = ""
    author: str = ""
    old_paths: list[str] = field(default_factory=list)  # Site-relative paths that must redirect.
    draft_reason: str = ""  # Non-empty: imported as a draft, and why (shown to the writer).
    emailed_at: datetime | None = None  # When the old home emailed it (None: never emailed).
    audio: str = ""  # A podcast episode's file URL.

    @property
    def draft(self) -> bool:
        return bool(self.draft_reason)
