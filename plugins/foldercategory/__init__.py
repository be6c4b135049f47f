"""A post at the top of an article folder takes DEFAULT_CATEGORY, not the folder's name."""

from .category import register, root_folder_category

__all__ = ["register", "root_folder_category"]
