"""A picture file's width, height and media type, read once per file and version.

Both the images plugin (each ``<img>``'s ``width`` and ``height``) and the social cards (a
post's own picture for ``og:image``) measure the site's pictures, and posts show the same few
pictures over and over (~870 images of 24 files at 1,000 posts): each file is opened with
Pillow once per process and version (its :func:`happening.filestat.stamp`: size, times, inode),
so a picture replaced under the same name is measured again.
"""

import functools

from happening.filestat import stat_of


def measure(path) -> tuple:
    """``(width, height, media type or None)`` of the picture at ``path``; ``OSError`` when it
    is missing or not a picture Pillow reads (``UnidentifiedImageError`` is one)."""
    path = str(path)
    return _opened(path, tuple(stat_of(path)))


@functools.lru_cache(maxsize=4096)
def _opened(path: str, stamp: tuple) -> tuple:
    from PIL import Image  # noqa: PLC0415 - Pillow loads only for a site with pictures

    with Image.open(path) as opened:
        return *opened.size, Image.MIME.get(opened.format)
