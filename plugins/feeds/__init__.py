"""Atom, RSS 2.0 and JSON Feed 1.1 on feedgen: stable ids, full content, WebSub, a stylesheet."""

from .config import FeedsConfig, FeedsSettingsError, load_config
from .plugin import register

__all__ = ["FeedsConfig", "FeedsSettingsError", "load_config", "register"]
