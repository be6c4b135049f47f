"""Bare Pelican for the benchmarks: the quickstart's settings with its production feeds.

What `pelican-quickstart` writes into pelicanconf.py and publishconf.py (default theme,
`notmyidea`; pagination of 10), with the feeds its publishconf.py turns on plus per-tag Atom.
`bench/run.py` sets PATH and OUTPUT_PATH, and the cache settings for the rebuild runs.
"""

AUTHOR = "Bench"
SITENAME = "Bare Pelican"
SITEURL = "https://bench.example"
PATH = "content"
TIMEZONE = "UTC"
DEFAULT_LANG = "en"
RELATIVE_URLS = False
DEFAULT_PAGINATION = 10

# The quickstart's pelicanconf.py switches these feeds off, and its publishconf.py keeps them off.
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
# The quickstart's publishconf.py feeds, plus one Atom feed per tag.
FEED_ALL_ATOM = "feeds/all.atom.xml"
CATEGORY_FEED_ATOM = "feeds/{slug}.atom.xml"
TAG_FEED_ATOM = "feeds/tag/{slug}.atom.xml"
DELETE_OUTPUT_DIRECTORY = True

LINKS = (("Pelican", "https://getpelican.com/"),)
SOCIAL = (("Another social link", "#"),)
