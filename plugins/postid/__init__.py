"""A post's permanent id, shared by the feeds and the newsletter ledger."""

from .identity import DuplicatePostId, register

__all__ = ["DuplicatePostId", "register"]
