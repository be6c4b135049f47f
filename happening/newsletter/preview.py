"""``newsletter.preview``: every email ``send`` would send now, as files to open before it goes.

One set per post, ``<date>-<slug>.html``, ``.txt`` and ``.eml``, in ``NEWSLETTER_PREVIEWS``. The
``.eml`` (and the ``.txt``) are byte for byte what ``send`` sends. The ``.html`` is that email for
a browser on this machine: its images point at the local build (``output/``, what ``invoke
serve`` shows) instead of the public site, where a post not yet released has no images yet.
"""

import logging
import re
from pathlib import Path

from happening.build import DEV_SETTINGS, load_settings

from .errors import NewsletterError
from .posts import find
from .render import render
from .send import _open, plan
from .unsubscribe import personalise

log = logging.getLogger(__name__)

# An <img>'s src (and srcset) attribute, quoted either way: the only URLs the browser must fetch
# to show the email; links are left pointing at the public site, where a reader would go.
_IMAGE_URL = re.compile(r"""(<img\b[^>]*?\s(?:src|srcset)=)(["'])(.*?)\2""", re.IGNORECASE | re.S)


def preview(settings=None, *, post=None, env=None, local_output=None) -> list[Path]:
    """Write the email of every post ``send`` would send now (or only ``post``); return paths.

    With nothing waiting, the newest post is previewed, so there is always something to look at.
    ``local_output``: the local build the .html's images come from (default: pelicanconf.py's
    OUTPUT_PATH).
    """
    ctx = _open(settings, env)
    if not ctx.posts:
        raise NewsletterError("newsletter: no published post to preview")
    if post is not None:
        chosen = [find(ctx.posts, post)]
    else:
        waiting = [s.post for s in plan(ctx) if s.action in ("send", "guard")]
        chosen = waiting or ctx.posts[-1:]
    local = Path(local_output or load_settings(DEV_SETTINGS)["OUTPUT_PATH"])
    folder = ctx.config.path("NEWSLETTER_PREVIEWS")
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for each in chosen:
        email = render(each, ctx.config, unsubscribe=ctx.provider.unsubscribe)
        stem = folder / f"{each.date:%Y-%m-%d}-{each.slug}"
        html, txt, eml = (stem.with_suffix(s) for s in (".html", ".txt", ".eml"))
        # The writer's own copy, unsubscribe link and all: exactly what the outbox writes.
        message = personalise(email.message(ctx.config), ctx.config.sender, ctx.config)
        text, body = (part.get_content() for part in message.iter_parts())
        html.write_text(local_images(body, ctx.config.siteurl, local), encoding="utf-8")
        txt.write_text(text, encoding="utf-8")
        eml.write_bytes(message.as_bytes())
        paths += [html, txt, eml]
    return paths


def local_images(html: str, siteurl: str, output: Path) -> str:
    """``html`` with each image under ``siteurl`` pointing at its file in ``output``, if built.

    An image the local build does not have keeps its public address (it may be hosted
    elsewhere, or the site not built yet), so the preview never points at a missing file.
    """
    base = siteurl.rstrip("/") + "/"

    def local(url):
        url = url.strip()
        if not url.startswith(base):
            return url
        path = url[len(base) :].split("#", 1)[0].split("?", 1)[0]
        target = Path(output) / path
        return target.resolve().as_uri() if target.is_file() else url

    def rewrite(match):
        attr, quote, value = match.groups()
        if attr.lower().rstrip("=").endswith("srcset"):
            parts = []
            for candidate in value.split(","):
                url, _, size = candidate.strip().partition(" ")
                parts.append(f"{local(url)} {size}".strip())
            value = ", ".join(parts)
        else:
            value = local(value)
        return f"{attr}{quote}{value}{quote}"

    return _IMAGE_URL.sub(rewrite, html)
