"""The one exception type that reaches the writer as a message instead of a traceback."""


class UserError(Exception):
    """Something the writer can fix. ``str()`` is a one-line message naming the file or setting.

    Each component subclasses it, so ``tasks.py`` turns every one of them into a clean exit
    while a real bug still shows its traceback.
    """
