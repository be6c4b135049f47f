"""Rewrite each ``<img>`` of a post or page body the way a reader's browser wants it.

- ``width`` and ``height`` from the image file itself (read with Pillow), so the browser keeps
  the space before the picture arrives and the text does not jump;
- ``loading="lazy"`` and ``decoding="async"`` on every image but the first, which may be on the
  first screen (lazy-loading it would make the page's main picture late);
- ``srcset`` and ``sizes`` for a large JPEG, PNG or WebP, from smaller copies (``variants.py``);
- an image that stands alone in its paragraph and has a title (Markdown's
  ``![alt](src "Title")``, reST's ``:title:``) becomes a ``<figure>`` with the title as its
  ``<figcaption>``.

It runs once per post when Pelican makes it (``content_object_init``), on the body as the reader
returned it (``_content``, fenced in plugins/fastbuild/fence.py), before Pelican resolves
``{static}`` links, so a source is found the way Pelican finds it: after ``{static}`` or
``{filename}``, relative to the content folder with a leading ``/``, else to the post's folder.
"""

import logging
import os
import re
from html import escape, unescape
from pathlib import Path

from pelican import signals
from pelican.contents import Article, Page

from happening import bodydigest, pictures

from . import kept, variants

log = logging.getLogger(__name__)

_IMG = re.compile(r"<img\b[^>]*?/?>", re.IGNORECASE)
_ATTR = re.compile(r'([a-zA-Z_:][-\w:.]*)\s*=\s*"([^"]*)"')
_ALONE = re.compile(r"<p>\s*(<img\b[^>]*?/?>)\s*</p>", re.IGNORECASE)
_LINK = re.compile(r"^(?:\{(?:static|filename|attach)\}|\|(?:static|filename|attach)\|)")


def image_size(source: Path):
    """(width, height) of the image file, or None when it cannot be read as an image."""
    try:
        width, height, _ = pictures.measure(source)
    except OSError:
        return None
    return width, height


def _file_for(src: str, content_root: Path, post_folder: Path):
    src = unescape(src)
    linked = _LINK.match(src)
    if not linked and re.match(r"^[a-z][a-z0-9+.-]*:|^//", src, re.IGNORECASE):
        return None  # Another site's picture: not ours to measure.
    path = src[linked.end() :] if linked else src
    path = path.split("?", 1)[0].split("#", 1)[0]
    if path.startswith("/"):
        return content_root / path.lstrip("/")
    return post_folder / path


def improve_images(
    html: str, content_root: Path, post_folder: Path, settings=None, known=None, lookups=None
) -> str:
    """``html`` with every image sized, lazy below the first, and titled ones as figures.

    With ``settings`` (Pelican's), large pictures also get ``srcset`` copies. ``known``: a dict
    that keeps each picture's size and ``srcset`` for the next call, for calls that see the
    same pictures unchanged (one build's posts). ``lookups``: a list given each look-up made,
    in order, as ``(kind, src, answer)`` (kept.py keeps a rewrite by them).
    """
    count = 0

    def rewrite(match):
        nonlocal count
        tag = match.group(0)
        attrs = dict(_ATTR.findall(tag))
        count += 1
        added = []
        source, size = _picture(attrs.get("src"), content_root, post_folder, known)
        if lookups is not None:
            lookups.append(("size", attrs.get("src"), size))
        if size and "width" not in attrs and "height" not in attrs:
            added += [f'width="{size[0]}"', f'height="{size[1]}"']
        if size and settings is not None and "srcset" not in attrs:
            srcset = _srcset(source, size, settings, known)
            if lookups is not None:
                lookups.append(("srcset", attrs.get("src"), srcset))
            if srcset:
                sizes = variants.setting(settings, "IMAGES_SIZES")
                added += [f'srcset="{escape(srcset)}"', f'sizes="{escape(sizes)}"']
        if count > 1:
            added += [
                f'{k}="{v}"'
                for k, v in (("loading", "lazy"), ("decoding", "async"))
                if k not in attrs
            ]
        if not added:
            return tag
        end = "/>" if tag.endswith("/>") else ">"
        return f"{tag[: -len(end)].rstrip()} {' '.join(added)}{end}"

    html = _IMG.sub(rewrite, html)
    return _ALONE.sub(_figure, html)


def _picture(src, content_root, post_folder, known):
    """(file, (width, height)) of the picture ``src`` names; None for what is not known."""
    if not src:
        return None, None
    key = ("file", src, post_folder)
    found = known.get(key) if known is not None else None
    if found is None:
        source = _file_for(src, content_root, post_folder)
        found = source, image_size(source) if source else None
        if known is not None:
            known[key] = found
    return found


def _srcset(source, size, settings, known):
    """``variants.srcset_for``, once per picture for the calls sharing ``known``."""
    key = ("srcset", source)
    if known is None or key not in known:
        found = variants.srcset_for(source, size, settings)
        if known is None:
            return found
        known[key] = found
    return known[key]


def _figure(match):
    img = match.group(1)
    title = dict(_ATTR.findall(img)).get("title")
    if not title:
        return match.group(0)
    return f"<figure>{img}<figcaption>{escape(unescape(title), quote=False)}</figcaption></figure>"


# Each picture's size and srcset as this build found them: posts show the same few pictures over
# and over (~870 images of 24 files at 1,000 posts). Per build: a picture may change between two
# builds of one process (the live preview). And the build's rewrites kept for the next (kept.py).
_known = {}
_kept = {}


def rewrite_body(content):
    """``content_object_init``: improve the images of a post's or page's body."""
    if not isinstance(content, Article | Page) or "<img" not in (content._content or ""):
        return
    settings = content.settings
    known = _known.setdefault(id(settings), {})
    keeping = _kept.get(id(settings))
    if keeping is None:
        keeping = _kept[id(settings)] = kept.Kept(settings)
    root, source = settings["PATH"], content.source_path
    # Folders by the strings they are made from: the posts of one folder share them.
    where = ("folders", root, os.path.dirname(source))

    def folders():
        found = known.get(where)
        if found is None:
            found = known[where] = (Path(root), Path(source).parent)
        return found

    def rewrite(body, lookups):
        return improve_images(body, *folders(), settings, known, lookups)

    def look_up(kind, src):
        picture, size = _picture(src, *folders(), known)
        return size if kind == "size" else _srcset(picture, size, settings, known)

    content._content = keeping.rewrite(content._content, root, where[2], rewrite, look_up)


def finish(*_):
    """``finalized``: the build's rewrites are kept for the next; the rest is forgotten."""
    try:
        for keeping in _kept.values():
            keeping.save()
    finally:
        forget()


def forget(*_):
    """``initialized`` and ``finalized``: what the last build found of the pictures goes."""
    _known.clear()
    _kept.clear()
    bodydigest.forget()


def register():
    signals.initialized.connect(forget)
    signals.content_object_init.connect(rewrite_body)
    signals.finalized.connect(variants.copy_out)
    signals.finalized.connect(finish)
