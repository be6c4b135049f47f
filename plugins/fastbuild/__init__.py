"""Faster builds with the same output byte for byte: parallel Markdown, page cache."""

from .plugin import register
from .settings import FastBuildSettingError

__all__ = ["FastBuildSettingError", "register"]
