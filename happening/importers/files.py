"""The files of an export, whether a zip or a folder, found by name or by an image's URL."""

import zipfile
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .model import ExportError


class ExportFiles:
    """Read-only access to an export: a ``.zip`` as Substack makes it, or an unpacked folder."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._zip = None
        if self.path.is_file() and zipfile.is_zipfile(self.path):
            self._zip = zipfile.ZipFile(self.path)
            names = [n for n in self._zip.namelist() if not n.endswith("/")]
            # A zip of a folder puts everything under one top folder; look inside it.
            tops = {n.split("/", 1)[0] for n in names}
            self.prefix = (
                f"{tops.pop()}/" if len(tops) == 1 and all("/" in n for n in names) else ""
            )
            self.names = {n[len(self.prefix) :] for n in names}
        elif self.path.is_dir():
            self.prefix = ""
            self.names = None  # Looked up on disk, never listed: the folder may be large.
        else:
            raise ExportError(f"import: {self.path} is neither a zip file nor a folder")

    def has(self, name: str) -> bool:
        if self._zip is not None:
            return name in self.names
        return (self.path / name).is_file()

    def read(self, name: str) -> bytes:
        if self._zip is not None:
            return self._zip.read(self.prefix + name)
        return (self.path / name).read_bytes()

    def text(self, name: str) -> str:
        try:
            return self.read(name).decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ExportError(
                f"import: {self.label(name)} is not UTF-8 text ({exc.reason})"
            ) from None

    def label(self, name: str) -> str:
        """How an error names a file in the export: ``export.zip:posts.csv``."""
        return f"{self.path.name}:{name}" if self._zip is not None else str(self.path / name)

    def find_url(self, url: str) -> str | None:
        """The export's copy of the file at ``url``, matched by the longest tail of its path."""
        parts = [p for p in unquote(urlsplit(url).path).split("/") if p]
        # In a folder (perhaps ~/Downloads, beside a .json or .xml export) a bare file name
        # could be anyone's image.png: ask for at least its folder as well.
        shortest = 1 if self._zip is not None else 2
        for start in range(len(parts) - shortest + 1):
            candidate = "/".join(parts[start:])
            if candidate and self.has(candidate):
                return candidate
        return None
