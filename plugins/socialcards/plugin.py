"""The Pelican side: each post's ``social_image`` set before pages render, its card written.

Every listed post (and translation) gets ``article.social_image`` = ``{"url", "width",
"height", "alt", "type"}``: its own picture (``Cover:`` or its first image) when it has one, else
its card. Templates (``partials/social_meta.html``) and the feeds read it; the home page and the
other pages use the site's card, ``social_image`` in the context.

Cards are drawn only when their inputs change: a card's file name in the cache
(``CACHE_PATH/socialcards/``) is a digest of its text, colours, fonts and layout, and the output
copy is rewritten only when its bytes differ, so an unchanged site rebuilds without drawing.
"""

import hashlib
import logging
import shutil
from pathlib import Path
from types import SimpleNamespace

from pelican import signals
from pelican.generators import ArticlesGenerator

from happening.urls import plain_text

from .drawing import draw_missing
from .own_image import own_image
from .png import ENCODER
from .render import COLOURS, HEIGHT, LAYOUT_VERSION, WIDTH
from .settings import load_settings

log = logging.getLogger(__name__)

# The cards to write at the end of the build: output-relative path -> (digest, title, dek).
_state = SimpleNamespace(cards={}, settings=None)


def plan(generators):
    """Choose every post's picture, and the cards to draw, before any page is rendered."""
    _state.cards = {}
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


def write(pelican):
    """Draw the cards the cache lacks (drawing.py), then copy each into the output if changed."""
    settings = _state.settings
    if settings is None:
        return
    cache = Path(pelican.settings["CACHE_PATH"]) / "socialcards"
    cache.mkdir(parents=True, exist_ok=True)
    output = Path(pelican.settings["OUTPUT_PATH"])
    drawn = draw_missing(sorted(_state.cards.values()), settings, cache)
    for path, (digest, _, _) in sorted(_state.cards.items()):
        cached = cache / f"{digest}.png"
        target = output / path
        if not target.exists() or target.read_bytes() != cached.read_bytes():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(cached, target)
        # Part of this build even when left as it was: say so, as Pelican's writer does for
        # pages (a reused release build removes output files nobody announced).
        signals.content_written.send(str(target), context=None)
    _remove_stale(output / settings.path, {Path(p).name for p in _state.cards})
    log.info("socialcards: %d card(s), %d drawn", len(_state.cards), drawn)
    # Reset here, not in a second handler: nothing leaks into the next autoreload build.
    _state.cards, _state.settings = {}, None


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
    signals.finalized.connect(write)
