"""A post's own picture, which wins over its card: ``Cover:`` metadata, else its first image.

Returned as ``{"url", "width", "height", "alt", "type"}`` with ``url`` relative to the site (like
``article.url``), size and type read from the file in the content folder. A ``Cover:`` may also
be an absolute URL (then without a size: we cannot open it); a ``Cover:`` that names no picture
is a warning. A first image is used only when it is one of the site's own pictures, so every
``og:image`` has a size; otherwise the card stands in.
"""

import html
import logging
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

from happening import pictures
from happening.errors import ContentError
from happening.sourceline import located

log = logging.getLogger(__name__)

# The first <img> of a post's HTML: Markdown writes src and alt, in either order.
IMG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
ATTR = re.compile(r'\b(src|alt)\s*=\s*"([^"]*)"', re.IGNORECASE)
STATIC = ("{static}", "{filename}", "{attach}")


def own_image(article, content_root: Path, siteurl: str) -> dict | None:
    """The picture ``article`` chose for itself, or None."""
    cover = str(article.metadata.get("cover") or "").strip()
    if cover:
        alt = str(article.metadata.get("cover_alt") or article.title)
        image = _describe(cover, alt, content_root, siteurl, article)
        if image is None:
            problem = ContentError(
                f"socialcards: Cover: {cover!r} is not a picture in the content folder; point "
                "it at a file such as {static}/images/cover.jpg, or at an https:// URL",
                *located(article, "cover"),
            )
            # A warning, not a raise: a draft build goes on; the strict build stops on it.
            log.warning("%s", problem, extra={"content_error": problem})
        return image
    tag = _first_image(article)
    if tag:
        attrs = {k.lower(): html.unescape(v) for k, v in ATTR.findall(tag)}
        if attrs.get("src"):
            alt = attrs.get("alt") or article.title
            image = _describe(attrs["src"], alt, content_root, siteurl, article)
            if image and image.get("width"):
                return image
    return None


def _first_image(article):
    """The first ``<img>`` tag of the post's body as its page shows it.

    Pelican makes that HTML (``article.content``) by filling in the body's intrasite links, a
    pass over the whole body that a reused release build would otherwise make for every post
    only for this. Filling in links adds and removes no tag and changes a link only inside its
    own tag, so the first tag of the body as read, its links filled in, is the same tag.
    """
    # Pelican internals, fenced in plugins/fastbuild/fence.py (like plugins/images, this plugin
    # must load without fastbuild).
    match = IMG.search(article._content or "")
    return article._update_content(match.group(0), article.get_siteurl()) if match else None


def _describe(src, alt, content_root, siteurl, article):
    for marker in STATIC:
        if src.startswith(marker):
            src = src[len(marker) :]
    if siteurl and src.startswith(siteurl + "/"):
        src = src[len(siteurl) :]
    parts = urlsplit(src)
    if parts.scheme or parts.netloc:
        return {"url": src, "alt": alt}
    path = unquote(parts.path).lstrip("/")
    if not parts.path.startswith("/"):
        # Relative to the post's own folder, as a browser on the post's page resolves it.
        path = str(Path(article.url).joinpath(path)).lstrip("/")
    try:
        width, height, kind = pictures.measure(content_root / path)
    except OSError:
        return None
    return {"url": path, "alt": alt, "width": width, "height": height, "type": kind}
