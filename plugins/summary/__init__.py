"""A prose-only summary, cut at a sentence, for posts that have no ``Summary:``."""

from .prose import automatic_summary, prose_summary, register

__all__ = ["automatic_summary", "prose_summary", "register"]
