"""Reading time: ``article.reading_time`` in whole minutes, for the article page and lists."""

from .minutes import DEFAULT_WPM, ReadingTimeError, minutes, reading_time, register

__all__ = ["DEFAULT_WPM", "ReadingTimeError", "minutes", "reading_time", "register"]
