"""Images in posts and pages: their real size, lazy loading below the first, captions."""

from .markup import improve_images, register

__all__ = ["improve_images", "register"]
