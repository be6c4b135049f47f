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
