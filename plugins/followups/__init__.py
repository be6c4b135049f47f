"""Links between posts: follow-up threads (``Follows:``) and previous/next neighbours."""

from .neighbours import link_neighbours
from .thread import FollowupError, link_followups, register

__all__ = ["FollowupError", "link_followups", "link_neighbours", "register"]
