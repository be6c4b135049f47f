"""Builds for the theme's tests: the test site or the essay, with feed links and a sign-up form."""

from pathlib import Path

from conftest import DATA, ROOT, TEST_SITE, build_into
from workflow.build import DEV_SETTINGS, PROD_SETTINGS, load_settings

ESSAY_URL = "posts/what-i-learned-at-netflix-and-felt-about-anora/"
SITEURL = "https://happeningnow.example"
BUTTONDOWN = {"NEWSLETTER_PROVIDER": "buttondown", "BUTTONDOWN_USERNAME": "happeningnow"}


def with_feeds(settings_file=DEV_SETTINGS) -> dict:
    """Overrides adding the `site_feeds` test double to the project's own plugin list."""
    settings = load_settings(settings_file)
    plugins = [p for p in settings["PLUGINS"] if p != "sitefeeds_fixture"]
    return {
        "PLUGINS": [*plugins, "sitefeeds_fixture"],
        "PLUGIN_PATHS": [str(ROOT / "plugins"), str(DATA / "plugins")],
    }


def build_theme_site(out: Path, content: Path = TEST_SITE, *, prod=False, **overrides):
    settings_file = PROD_SETTINGS if prod else DEV_SETTINGS
    settings = {**({"SITEURL": SITEURL} if prod else {}), **with_feeds(settings_file), **overrides}
    return build_into(out, content, settings_file, **settings)


def build_real_site(out: Path, **overrides):
    """The real content/ with production settings, feed links and a Buttondown form."""
    return build_theme_site(out, ROOT / "content", prod=True, **BUTTONDOWN, **overrides)
