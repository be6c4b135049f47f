"""The exceptions that reach the writer as a message instead of a traceback.

Every one starts with the component that raised it (``feeds: ``, ``newsletter: ``...), quotes the
bad value and says what to do. ``tasks.py`` catches :class:`UserError` and nothing else, so a real
bug still shows its traceback.
"""


class UserError(Exception):
    """Something the writer can fix. ``str()`` is a one-line message naming the file or setting.

    Each component subclasses it (or raises it as it is), so ``tasks.py`` turns every one of
    them into a clean exit while a real bug still shows its traceback.
    """


class SettingError(UserError):
    """A setting (or an environment variable standing in for one) is missing or unusable.

    The one class for every component: the message names the setting, quotes its value and
    says what is allowed, e.g. ``feeds: FEEDS_TAXONOMY_MAX_ITEMS = -1 must be ...``.
    """


class ContentError(UserError):
    """Something wrong in one post or page: the message names its source file and line.

    ``str()`` puts the place first, as a compiler does (``content/posts/x.md:6: followups:
    Follows: 'x' ...``), so a terminal or an editor jumps to it; the live preview's error page
    reads :attr:`source` and :attr:`line` instead of guessing them from the text.
    """

    def __init__(self, message: str, source: str, line: int | None = None):
        self.message = message  # Starts with the component, like every UserError.
        self.source = source  # As the writer knows it: from the project folder (content/...).
        self.line = line
        super().__init__(str(self))

    def __str__(self):
        where = f"{self.source}:{self.line}" if self.line else self.source
        return f"{where}: {self.message}"
