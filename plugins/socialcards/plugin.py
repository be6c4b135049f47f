"""The Pelican side: each post's ``social_image`` set before pages render, its card written.

Every listed post (and translation) gets ``article.social_image`` = ``{"url", "width",
"height", "alt", "type"}``: its own picture (``Cover:`` or its first image) when it has one, else
its card. Templates (``partials/social_meta.html``) and the feeds read it; the home page and the
other pages use the site's card, ``social_image`` in the context.

Cards are drawn only when their inputs change: a card's file name in the cache
(``CACHE_PATH/socialcards/``) is a digest of its text, colours, fonts, layout and PNG encoder,
and the output copy is rewritten only when it is not already a copy of the cached file, so an
unchanged site rebuilds without drawing. The cards the cache lacks are drawn while the pages are
written (drawing.py), as soon as every post's title is known.
"""

import hashlib
import logging
from pathlib import Path
from types import SimpleNamespace

from pelican import signals
from pelican.generators import ArticlesGenerator

from happening.urls import plain_text

from . import drawing
from .own_image import own_image
from .png import ENCODER
from .render import COLOURS, HEIGHT, LAYOUT_VERSION, WIDTH
from .settings import load_settings

log = logging.getLogger(__name__)

# The cards to write at the end of the build: output-relative path -> (digest, title, dek); and
# the drawing of those the cache lacks, once started.
_state = SimpleNamespace(cards={}, settings=None, drawing=None)


def plan(generators):
    """Choose every post's picture, and the cards to draw, before any page is rendered."""
    if _state.drawing is not None:
        # A build that failed after starting its drawers: wait for them, keep what they drew.
        _state.drawing.finish()
    _state.cards, _state.drawing = {}, None
    for generator in generators:
        if isinstance(generator, ArticlesGenerator):
            settings = _state.settings = load_settings(generator.settings)
            root = Path(generator.settings["PATH"])
            siteurl = generator.settings.get("SITEURL", "")
            posts = [*generator.articles, *generator.translations]
            posts += [*getattr(generator, "hidden_articles", [])]
            for article in posts:
                own = own_image(article, root, siteurl) if settings.own_images else None
                article.social_image = own or _card(article, settings)
            site = _card_for(
                settings, "site", generator.settings.get("SITESUBTITLE") or "", settings.site_name
            )
            generator.context["social_image"] = site


def _card(article, settings):
    slug = article.slug if article.in_default_lang else f"{article.slug}.{article.lang}"
    dek = _plain(article.summary or "")
    return _card_for(settings, slug, dek, article.title)


def _card_for(settings, name, dek, title):
    path = f"{settings.path}/{name}.png"
    digest = _digest(settings, title, dek)
    _state.cards[path] = (digest, _plain(title), dek)
    alt = f"{_plain(title)}: {dek}" if dek else _plain(title)
    return {"url": path, "width": WIDTH, "height": HEIGHT, "alt": alt, "type": "image/png"}


def start_drawing(pelican):
    """``get_writer``: every card is known and no page written yet: start drawing those the
    cache lacks, beside the page writers. Returns no writer: that choice is not ours."""
    if _state.settings is not None and _state.drawing is None:
        _state.drawing = _start(pelican)


def _start(pelican):
    cache = Path(pelican.settings["CACHE_PATH"]) / "socialcards"
    cache.mkdir(parents=True, exist_ok=True)
    output = Path(pelican.settings["OUTPUT_PATH"])
    outputs = {}  # digest -> the output files that show it
    for path, (digest, _, _) in _state.cards.items():
        outputs.setdefault(digest, []).append(output / path)
    for folder in {target.parent for targets in outputs.values() for target in targets}:
        folder.mkdir(parents=True, exist_ok=True)  # before the drawers copy cards into it
    return drawing.start(sorted(_state.cards.values()), _state.settings, cache, outputs)


def write(pelican):
    """Finish drawing the cards (drawing.py), then copy into the output any not there yet."""
    settings = _state.settings
    if settings is None:
        return
    started = _state.drawing or _start(pelican)
    drawn = started.finish()
    cache = Path(pelican.settings["CACHE_PATH"]) / "socialcards"
    output = Path(pelican.settings["OUTPUT_PATH"])
    for path, (digest, _, _) in sorted(_state.cards.items()):
        target = output / path
        if target not in started.delivered:
            drawing.deliver(cache / f"{digest}.png", target)
        # Part of this build even when left as it was: say so, as Pelican's writer does for
        # pages (a reused release build removes output files nobody announced).
        signals.content_written.send(str(target), context=None)
    _remove_stale(output / settings.path, {Path(p).name for p in _state.cards})
    log.info("socialcards: %d card(s), %d drawn", len(_state.cards), drawn)
    # Reset here, not in a second handler: nothing leaks into the next autoreload build.
    _state.cards, _state.settings, _state.drawing = {}, None, None


def _remove_stale(folder: Path, kept: set[str]):
    # A rebuild keeps the output folder: a renamed or deleted post's card would outlive it.
    if folder.is_dir():
        for candidate in folder.glob("*.png"):
            if candidate.name not in kept:
                candidate.unlink()


def _digest(settings, title, dek) -> str:
    h = hashlib.sha256()
    for part in (
        str(LAYOUT_VERSION),
        ENCODER,  # another deflater (or version) may pack the same pixels into other bytes
        title,
        dek,
        settings.site_name,
        settings.host,
        repr(sorted(COLOURS.items())),
    ):
        h.update(part.encode() + b"\0")
    h.update(settings.faces_digest.encode())
    return h.hexdigest()[:20]


def _plain(text) -> str:
    return " ".join(plain_text(str(text)).split())


def register():
    signals.all_generators_finalized.connect(plan)
    signals.get_writer.connect(start_drawing)
    signals.finalized.connect(write)
