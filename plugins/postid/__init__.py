"""A post's permanent id, shared by the feeds and the newsletter ledger."""

from .identity import DuplicatePostId, post_id, register

__all__ = ["DuplicatePostId", "post_id", "register"]
