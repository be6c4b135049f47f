"""The workflow's own settings: defaults in one place, read and validated through `setting()`.

Each can be set in ``pelicanconf.py`` (or ``publishconf.py`` for production only); the README's
Settings table documents them all.
"""

from happening.errors import SettingError

__all__ = ["DEFAULTS", "TARGETS", "SettingError", "setting"]

DEFAULTS = {
    # `check`: an HTML page plus the CSS and JavaScript it loads, images excluded, in kilobytes.
    "CHECK_PAGE_BUDGET_KB": 40,
    # `publish`: where the production build goes when no --target is given.
    "PUBLISH_TARGET": "dir",
    # --target dir: a folder (relative to the project) that receives an exact copy of output/.
    "PUBLISH_DIR": "public",
    # --target rsync: the same four settings Pelican's quickstart tasks.py uses.
    "SSH_HOST": "",
    "SSH_PORT": 22,
    "SSH_USER": "",
    "SSH_TARGET_DIR": "",
    # --target gh-pages: the branch ghp-import writes and the remote (a name or a URL) it pushes to.
    "GITHUB_PAGES_BRANCH": "gh-pages",
    "GITHUB_PAGES_REMOTE": "origin",
}

TARGETS = ("rsync", "gh-pages", "dir")


def setting(settings, name):
    """``settings[name]`` or its default, checked once here so callers can trust the type."""
    value = settings.get(name, DEFAULTS[name])
    default = DEFAULTS[name]
    if isinstance(default, int) and not isinstance(default, bool):
        try:
            value = int(value)
        except (TypeError, ValueError):
            raise SettingError(
                f"settings: {name} = {value!r} is not a whole number (default {default})"
            ) from None
        if value <= 0:
            raise SettingError(f"settings: {name} = {value!r} must be above 0 (default {default})")
    elif not isinstance(value, str):
        raise SettingError(f"settings: {name} = {value!r} must be a string (default {default!r})")
    if name == "PUBLISH_TARGET" and value not in TARGETS:
        raise SettingError(
            f"settings: PUBLISH_TARGET = {value!r} is not one of {', '.join(TARGETS)}"
        )
    return value
