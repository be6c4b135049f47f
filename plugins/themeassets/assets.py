"""The theme's one stylesheet, addressed by its content hash, and the site icon at the root.

``stylesheet_url`` (context) is ``theme/css/site.css?v=<hash>``: the address changes whenever
the CSS does, so it can be cached for a year without readers ever seeing a stale style.
Browsers, feed readers and crawlers ask for ``/favicon.ico`` whatever the page says, so the
theme's icon is copied there: a missing one is a 404 in every log and a console error.
"""

import hashlib
import logging
import shutil
from pathlib import Path

from pelican import signals

log = logging.getLogger(__name__)

STYLESHEET = "css/site.css"  # Inside the theme's static folder.
FAVICON = "icons/favicon.ico"


def _static(settings) -> Path:
    return Path(settings["THEME"]) / "static"


def stylesheet_url(settings) -> str:
    """The stylesheet's URL relative to SITEURL, with a short content hash."""
    digest = hashlib.sha256((_static(settings) / STYLESHEET).read_bytes()).hexdigest()[:10]
    prefix = settings.get("THEME_STATIC_DIR", "theme")
    return f"{prefix}/{STYLESHEET}?v={digest}"


def add_to_context(generator):
    generator.context["stylesheet_url"] = stylesheet_url(generator.settings)


def copy_favicon(pelican):
    source = _static(pelican.settings) / FAVICON
    shutil.copyfile(source, Path(pelican.settings["OUTPUT_PATH"]) / "favicon.ico")


def register():
    signals.generator_init.connect(add_to_context)
    signals.finalized.connect(copy_favicon)
