"""Warnings raised in a helper process, kept so the build process can log them again.

A strict build fails on any warning; one logged in a Markdown worker or a rendering helper would
otherwise never reach the build process's handlers.
"""

import logging

from happening.forked import LogRecords


class WarningCapture(LogRecords):
    """Keeps (logger name, level, message) of every WARNING-or-worse record."""

    def __init__(self):
        super().__init__(logging.WARNING)
