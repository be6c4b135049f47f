"""Replace a file whole or not at all: a crash leaves the old text or the new, never half.

The newsletter's ledger and suppression list, the search index's listing and the dir deploy's
manifest are all written this way: a temporary file in the same folder (so ``os.replace`` is a
rename on one file system), flushed to disk when asked, then renamed over the old one.
"""

import os
import tempfile
from pathlib import Path


def write_atomically(path: Path, text: str, *, fsync: bool = True, mode: int | None = None):
    """Write ``text`` (UTF-8) to ``path`` atomically; ``mode`` None keeps mkstemp's 0600."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        if mode is not None:
            os.chmod(tmp, mode)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            if fsync:
                handle.flush()
                os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
