"""Theme assets: the stylesheet's cache-busting URL in the context, ``/favicon.ico`` at the root."""

from .assets import CODE_STYLESHEET, FAVICON, STYLESHEET, register, stylesheet_url

__all__ = ["CODE_STYLESHEET", "FAVICON", "STYLESHEET", "register", "stylesheet_url"]
