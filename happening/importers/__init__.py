"""Moving in: an export from Substack, Ghost, WordPress or a feed becomes this blog's posts.

One module per source reads its export into :class:`~.model.ImportedPost` objects; ``run``
writes them (``writer``, ``convert``), copies their images, adds their redirects and records
them in the ledger (``ledger``). Subscribers move with ``happening.newsletter.subscribers``.
"""

from .model import ExportError, ImportedPost
from .run import SOURCES, ImportReport, import_export

__all__ = ["SOURCES", "ExportError", "ImportReport", "ImportedPost", "import_export"]
