"""Social cards: a 1200x630 picture per post for link previews (og:image) and feed readers."""

from .plugin import register
from .render import HEIGHT, WIDTH, render_card

__all__ = ["HEIGHT", "WIDTH", "register", "render_card"]
