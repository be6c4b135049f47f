"""pelicanconf.py shows what a writer can set; each of our defaults lives in its plugin only."""

import ast
import importlib
import pkgutil
from pathlib import Path

import happening
import happening.plugins
from happening.plugins.readingtime.minutes import DEFAULT_WPM
from happening.postid import DEFAULT_AUTHORITY

ROOT = Path(__file__).resolve().parent.parent


def our_defaults() -> dict:
    """Every setting a module of ours defines a default for (its module-level ``DEFAULTS``)."""
    found = {"READING_WORDS_PER_MINUTE": DEFAULT_WPM, "POST_ID_AUTHORITY": DEFAULT_AUTHORITY}
    modules = [
        *pkgutil.walk_packages(happening.__path__, "happening."),
        *pkgutil.walk_packages(happening.plugins.__path__, "happening.plugins."),
    ]
    for module in modules:
        defaults = getattr(importlib.import_module(module.name), "DEFAULTS", None)
        if isinstance(defaults, dict):
            found.update(defaults)
    return found


def assignments(path: Path) -> dict:
    """The settings a file assigns at its top level, with their values where they are literals."""
    found = {}
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name) and target.id.isupper():
                try:
                    found[target.id] = ast.literal_eval(node.value)
                except ValueError:
                    found[target.id] = node.value  # Not a literal: never equal to a default.
    return found


def test_the_walk_finds_every_plugins_defaults():
    defaults = our_defaults()
    for name in ("FEEDS_ATOM", "WEBSUB_HUBS", "NEWSLETTER_PROVIDER", "FASTBUILD_WORKERS"):
        assert name in defaults
    assert "PUBLISH_TARGET" in defaults and "READING_WORDS_PER_MINUTE" in defaults


def test_no_setting_in_pelicanconf_merely_repeats_a_plugin_default():
    defaults = our_defaults()
    repeated = sorted(
        name
        for name, value in assignments(ROOT / "pelicanconf.py").items()
        if name in defaults and type(value) is type(defaults[name]) and value == defaults[name]
    )
    assert repeated == [], (
        "comment these out in pelicanconf.py (`# NAME = default`): the plugin's own DEFAULTS "
        "already say so, and two copies drift"
    )


def test_a_setting_that_differs_from_its_default_is_still_set():
    # The check above must not flag a real choice: these differ from the plugin's default.
    settings = assignments(ROOT / "pelicanconf.py")
    defaults = our_defaults()
    assert settings["NEWSLETTER_FROM"] != defaults["NEWSLETTER_FROM"]
    assert settings["POST_ID_AUTHORITY"] != defaults["POST_ID_AUTHORITY"]
