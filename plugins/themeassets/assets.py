"""The theme's one stylesheet, addressed by its content hash and minified, and the site icon.

``stylesheet_url`` (context) is ``theme/css/site.css?v=<hash>``: the address changes whenever
the CSS does, so it can be cached for a year without readers ever seeing a stale style.
Browsers, feed readers and crawlers ask for ``/favicon.ico`` whatever the page says, so the
theme's icon is copied there: a missing one is a 404 in every log and a console error. A site
with its own icon saved there (a static file, e.g. ``extra/favicon.ico`` through
``EXTRA_PATH_METADATA``) keeps it: the writer's file always wins over the theme's.
"""

import hashlib
import logging
import shutil
from pathlib import Path

import rcssmin
from pelican import signals

log = logging.getLogger(__name__)

STYLESHEET = "css/site.css"  # Inside the theme's static folder.
# Syntax colours, linked only from pages that contain code (the essay stays at one stylesheet).
CODE_STYLESHEET = "css/code.css"
FAVICON = "icons/favicon.ico"


def _static(settings) -> Path:
    return Path(settings["THEME"]) / "static"


def stylesheet_url(settings, name=STYLESHEET) -> str:
    """A stylesheet's URL relative to SITEURL, with a short content hash."""
    digest = hashlib.sha256((_static(settings) / name).read_bytes()).hexdigest()[:10]
    prefix = settings.get("THEME_STATIC_DIR", "theme")
    return f"{prefix}/{name}?v={digest}"


def add_to_context(generator):
    generator.context["stylesheet_url"] = stylesheet_url(generator.settings)
    generator.context["code_stylesheet_url"] = stylesheet_url(generator.settings, CODE_STYLESHEET)


class _Found:
    """Where this build's static files are saved; reset after each build (autoreload)."""

    static_saved: set = set()


def collect_static(generator):
    _Found.static_saved = {item.save_as for item in generator.staticfiles}


def copy_favicon(pelican):
    theirs, _Found.static_saved = "favicon.ico" in _Found.static_saved, set()
    if theirs:
        return
    source = _static(pelican.settings) / FAVICON
    shutil.copyfile(source, Path(pelican.settings["OUTPUT_PATH"]) / "favicon.ico")


def minify_stylesheets(pelican):
    """Serve the stylesheets without their comments and spacing (a quarter of their bytes).

    Pelican copies the theme's files as they are; the comments are for whoever edits the
    theme, not for readers on a slow connection (``check`` weighs what they load first).
    """
    folder = Path(pelican.settings["OUTPUT_PATH"]) / pelican.settings.get(
        "THEME_STATIC_DIR", "theme"
    )
    for name in (STYLESHEET, CODE_STYLESHEET):
        copied = folder / name
        if copied.is_file():
            text = copied.read_text(encoding="utf-8")
            small = rcssmin.cssmin(text)
            if small != text:
                copied.write_text(small, encoding="utf-8")


def register():
    signals.generator_init.connect(add_to_context)
    signals.static_generator_finalized.connect(collect_static)
    signals.finalized.connect(copy_favicon)
    signals.finalized.connect(minify_stylesheets)
