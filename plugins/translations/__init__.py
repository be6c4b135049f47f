"""Translations: each post's and page's language versions, for the theme's links and switch."""

from .versions import LANGUAGE_NAMES, register, versions

__all__ = ["LANGUAGE_NAMES", "register", "versions"]
