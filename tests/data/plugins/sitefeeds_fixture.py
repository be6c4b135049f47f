"""Test double for the feeds plugin's context contract: ``site_feeds`` (Atom, RSS, JSON Feed).

The theme renders feed links only when ``site_feeds`` is defined; this puts the contract's list
into the context (unless the real feeds plugin already did) so the theme's tests see the links.
"""

from pelican import signals

SITE_FEEDS = [
    {"title": "Atom feed", "type": "application/atom+xml", "url": "feeds/all.atom.xml"},
    {"title": "RSS feed", "type": "application/rss+xml", "url": "feeds/all.rss.xml"},
    {"title": "JSON Feed", "type": "application/feed+json", "url": "feeds/feed.json"},
]


def add_feeds(generator):
    # Signals outlive a build within one test process: act only in builds that asked for us.
    if "sitefeeds_fixture" not in [
        getattr(p, "__name__", p) for p in generator.settings["PLUGINS"]
    ]:
        return
    generator.context.setdefault("site_feeds", [dict(f) for f in SITE_FEEDS])


def register():
    signals.generator_init.connect(add_feeds)
