"""Related reading: up to three posts after each post, its thread first, then shared tags."""

from .choose import related_posts
from .plugin import register

__all__ = ["register", "related_posts"]
