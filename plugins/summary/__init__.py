"""A prose-only summary, cut at a sentence, for posts that have no ``Summary:``."""

from .prose import prose_summary, register

__all__ = ["prose_summary", "register"]
