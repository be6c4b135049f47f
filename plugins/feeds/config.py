"""The feeds plugin's settings: defaults in one place, checked once, resolved to one object.

Pelican's own feed writer stays off (its ``FEED_*`` paths are ``None``); ours follow the same
naming with a ``FEEDS_`` prefix and read the Pelican settings a user already knows:
``FEED_MAX_ITEMS``, ``RSS_FEED_SUMMARY_ONLY``, ``FEED_DOMAIN``, ``SITEURL``, ``DEFAULT_LANG``.
"""

import logging
from dataclasses import dataclass
from urllib.parse import urlsplit

from happening.errors import SettingError

log = logging.getLogger(__name__)

# Every setting this plugin adds, with its default. A path set to None (or "") turns that feed off.
DEFAULTS = {
    "FEEDS_ATOM": "feeds/all.atom.xml",
    "FEEDS_RSS": "feeds/all.rss.xml",
    "FEEDS_JSON": "feeds/feed.json",
    "FEEDS_CATEGORY_ATOM": "feeds/category/{slug}.atom.xml",
    "FEEDS_TAG_ATOM": "feeds/tag/{slug}.atom.xml",
    # One feed per language, on a site with translations (Pelican's TRANSLATION_FEED_*).
    "FEEDS_TRANSLATION_ATOM": "feeds/all-{lang}.atom.xml",
    "FEEDS_TRANSLATION_RSS": None,
    # One Atom feed per thread (an essay and its follow-ups), named by the essay's slug.
    "FEEDS_THREAD_ATOM": "feeds/thread/{slug}.atom.xml",
    "FEEDS_TAXONOMY_MAX_ITEMS": 20,
    "FEEDS_STYLESHEET": "feeds/feed.xsl",
    # The address feeds point at when neither FEED_DOMAIN nor SITEURL is set (a local preview):
    # feed readers need absolute URLs, and this is where `invoke serve` answers.
    "FEEDS_LOCAL_URL": "http://127.0.0.1:8000",
    "FEEDS_ICON": None,
    "FEEDS_LOGO": None,
    "WEBSUB_HUBS": [],
    "WEBSUB_TIMEOUT": 10,
    "WEBSUB_RETRIES": 2,
    "WEBSUB_RETRY_DELAY": 1.0,
}

# Media types for the autodiscovery links and the site_feeds context entries.
ATOM_TYPE = "application/atom+xml"
RSS_TYPE = "application/rss+xml"
JSON_TYPE = "application/feed+json"


# Pelican's own feed writer: every one of these must be None, or a feed would be written twice.
PELICAN_FEEDS = (
    "FEED_ATOM",
    "FEED_RSS",
    "FEED_ALL_ATOM",
    "FEED_ALL_RSS",
    "CATEGORY_FEED_ATOM",
    "CATEGORY_FEED_RSS",
    "TAG_FEED_ATOM",
    "TAG_FEED_RSS",
    "AUTHOR_FEED_ATOM",
    "AUTHOR_FEED_RSS",
    "TRANSLATION_FEED_ATOM",
    "TRANSLATION_FEED_RSS",
)


class FeedsSettingsError(SettingError):
    """A feeds or WebSub setting has a value the plugin cannot use."""


@dataclass(frozen=True)
class FeedsConfig:
    """Everything the feeds need from the settings, resolved once per build."""

    site_url: str  # absolute base of the site's pages: links and content are made absolute on it
    feed_url: str  # absolute base the feeds are served from (FEED_DOMAIN, else site_url)
    public_url: str  # SITEURL as configured ("" in a preview): root of the stylesheet's links
    atom: str | None
    rss: str | None
    json: str | None
    category_atom: str | None
    tag_atom: str | None
    translation_atom: str | None
    translation_rss: str | None
    thread_atom: str | None
    max_items: int | None
    taxonomy_max_items: int | None
    summary_only: bool
    stylesheet: str | None
    icon: str | None
    logo: str | None
    hubs: tuple[str, ...]
    timeout: float
    retries: int
    retry_delay: float
    title: str
    subtitle: str
    lang: str
    author: str | None
    is_local: bool  # True when no public address is configured (the FEEDS_LOCAL_URL fallback)

    def absolute(self, path: str, base: str | None = None) -> str:
        """``path`` (site-relative, like ``article.url``) as an absolute URL; URLs pass through."""
        if urlsplit(path).scheme:
            return path
        return f"{base if base is not None else self.site_url}/{path.lstrip('/')}"

    def feed_link(self, path: str) -> str:
        return self.absolute(path, self.feed_url)


def setting(settings, name):
    """A plugin setting's value, or its default."""
    return settings.get(name, DEFAULTS[name])


def load_config(settings) -> FeedsConfig:
    """Check every feeds and WebSub setting once; raise FeedsSettingsError naming the bad one."""
    pelican_on = [name for name in PELICAN_FEEDS if settings.get(name)]
    if pelican_on:
        raise FeedsSettingsError(
            f"feeds: Pelican's own feed writer is on ({', '.join(pelican_on)}); set "
            f"{' = '.join(pelican_on)} = None so no feed is written twice, and use the FEEDS_* "
            "settings instead"
        )
    paths = {name: _path(settings, name) for name in DEFAULTS if _is_path(name)}
    for name in ("FEEDS_CATEGORY_ATOM", "FEEDS_TAG_ATOM", "FEEDS_THREAD_ATOM"):
        if paths[name] and "{slug}" not in paths[name]:
            raise FeedsSettingsError(
                f"feeds: {name} = {paths[name]!r} has no {{slug}}; every category, tag or "
                f"thread would write the same file. Use e.g. {DEFAULTS[name]!r}, or None to turn "
                "it off"
            )
    for name in ("FEEDS_TRANSLATION_ATOM", "FEEDS_TRANSLATION_RSS"):
        if paths[name] and "{lang}" not in paths[name]:
            raise FeedsSettingsError(
                f"feeds: {name} = {paths[name]!r} has no {{lang}}; every language would write "
                "the same file. Use e.g. 'feeds/all-{lang}.atom.xml', or None to turn it off"
            )
    local = _url(settings, "FEEDS_LOCAL_URL", required=True)
    siteurl = _url(settings, "SITEURL")
    feed_domain = _url(settings, "FEED_DOMAIN")
    site_url = siteurl or local
    return FeedsConfig(
        site_url=site_url,
        feed_url=feed_domain or site_url,
        public_url=siteurl,
        atom=paths["FEEDS_ATOM"],
        rss=paths["FEEDS_RSS"],
        json=paths["FEEDS_JSON"],
        category_atom=paths["FEEDS_CATEGORY_ATOM"],
        tag_atom=paths["FEEDS_TAG_ATOM"],
        translation_atom=paths["FEEDS_TRANSLATION_ATOM"],
        translation_rss=paths["FEEDS_TRANSLATION_RSS"],
        thread_atom=paths["FEEDS_THREAD_ATOM"],
        max_items=_count(settings, "FEED_MAX_ITEMS", 100),
        taxonomy_max_items=_count(settings, "FEEDS_TAXONOMY_MAX_ITEMS"),
        summary_only=bool(settings.get("RSS_FEED_SUMMARY_ONLY", False)),
        stylesheet=paths["FEEDS_STYLESHEET"],
        icon=_optional_str(settings, "FEEDS_ICON"),
        logo=_optional_str(settings, "FEEDS_LOGO"),
        hubs=_hubs(settings),
        timeout=_number(settings, "WEBSUB_TIMEOUT"),
        retries=int(_count(settings, "WEBSUB_RETRIES", allow_none=False)),
        retry_delay=_number(settings, "WEBSUB_RETRY_DELAY", allow_zero=True),
        title=str(settings.get("SITENAME") or "Feed"),
        subtitle=str(settings.get("SITESUBTITLE") or ""),
        lang=str(settings.get("DEFAULT_LANG") or "en"),
        author=(str(settings["AUTHOR"]) if settings.get("AUTHOR") else None),
        is_local=not (siteurl or feed_domain),
    )


def _is_path(name):
    return name.startswith("FEEDS_") and name not in (
        "FEEDS_TAXONOMY_MAX_ITEMS",
        "FEEDS_LOCAL_URL",
        "FEEDS_ICON",
        "FEEDS_LOGO",
    )


def _path(settings, name):
    value = setting(settings, name)
    if value in (None, ""):
        return None
    if not isinstance(value, str) or value.startswith("/") or urlsplit(value).scheme:
        raise FeedsSettingsError(
            f"feeds: {name} = {value!r} must be a path inside the output folder such as "
            f"{DEFAULTS[name] or 'feeds/all-{lang}.rss.xml'!r} (no leading '/'), or None to "
            "turn it off"
        )
    return value


def _url(settings, name, required=False):
    value = settings.get(name, DEFAULTS.get(name, ""))
    if value in (None, "") and not required:
        return ""
    parts = urlsplit(value) if isinstance(value, str) else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.netloc:
        raise FeedsSettingsError(
            f"feeds: {name} = {value!r} must be an absolute http(s) address such as "
            "'https://blog.example'"
        )
    return value.rstrip("/")


def _count(settings, name, default=None, allow_none=True):
    value = settings.get(name, DEFAULTS.get(name, default))
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        allowed = "a whole number of 0 or more" + (", or None for no limit" if allow_none else "")
        raise FeedsSettingsError(f"feeds: {name} = {value!r} must be {allowed}")
    return value


def _number(settings, name, allow_zero=False):
    value = setting(settings, name)
    ok = isinstance(value, int | float) and not isinstance(value, bool)
    if not ok or value < 0 or (value == 0 and not allow_zero):
        lowest = "0 or more" if allow_zero else "more than 0"
        raise FeedsSettingsError(f"feeds: {name} = {value!r} must be a number of seconds, {lowest}")
    return float(value)


def _optional_str(settings, name):
    value = setting(settings, name)
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise FeedsSettingsError(
            f"feeds: {name} = {value!r} must be a path inside the site (e.g. 'images/icon.png') "
            "or an absolute URL"
        )
    return value


def _hubs(settings):
    value = setting(settings, "WEBSUB_HUBS")
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple):
        raise FeedsSettingsError(
            f"feeds: WEBSUB_HUBS = {value!r} must be a list of hub URLs, "
            "e.g. ['https://pubsubhubbub.appspot.com/']"
        )
    for hub in value:
        parts = urlsplit(hub) if isinstance(hub, str) else None
        if parts is None or parts.scheme not in ("http", "https") or not parts.netloc:
            raise FeedsSettingsError(
                f"feeds: WEBSUB_HUBS has {hub!r}; each hub must be an absolute http(s) URL"
            )
    return tuple(value)
