"""The fastbuild settings: defaults in one place, checked once per build."""

from happening.errors import SettingError

DEFAULTS = {
    # Processes converting Markdown: None is one per core; 0 or 1 converts in the main process.
    "FASTBUILD_WORKERS": None,
    # Re-render only the pages whose inputs changed (uses CACHE_PATH like Pelican's content cache).
    "FASTBUILD_PAGE_CACHE": True,
    # Keep the page cache's records in this process between builds instead of in CACHE_PATH
    # (the live preview: one process, many builds). See memory.py.
    "FASTBUILD_KEEP_IN_MEMORY": False,
}


class FastBuildSettingError(SettingError):
    """A fastbuild setting has a value it cannot use."""


def get(settings, name):
    return settings.get(name, DEFAULTS[name])


def check(pelican_object):
    """``initialized``: fail early, naming the setting, on a value we cannot use."""
    settings = pelican_object.settings
    workers = get(settings, "FASTBUILD_WORKERS")
    if workers is not None and (
        not isinstance(workers, int) or isinstance(workers, bool) or workers < 0
    ):
        raise FastBuildSettingError(
            f"fastbuild: FASTBUILD_WORKERS = {workers!r} is not allowed; use a whole number "
            "of processes (0 turns the pool off) or None for one per core"
        )
    for name in ("FASTBUILD_PAGE_CACHE", "FASTBUILD_KEEP_IN_MEMORY"):
        value = get(settings, name)
        if not isinstance(value, bool):
            raise FastBuildSettingError(
                f"fastbuild: {name} = {value!r} is not allowed; use True or False"
            )
