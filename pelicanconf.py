"""Pelican settings for writing and previewing on your own machine.

Production differs only where `publishconf.py` says so. Every setting this project adds is
documented in the README; Pelican's own are documented at docs.getpelican.com.
"""

import logging

# -- The blog -----------------------------------------------------------------------------------
SITENAME = "Happening Now"
SITESUBTITLE = "Technology, culture and the people in between."
# The byline. Unset, no author is shown anywhere (Pelican treats even AUTHOR = "" as a name, so
# leave it commented out). Uncomment and fill it in to sign every post; `Author:` signs one.
# AUTHOR = "Your Name"
SITEURL = ""  # Relative URLs while previewing; publishconf.py sets the public address.
TIMEZONE = "UTC"
DEFAULT_LANG = "en"
DEFAULT_DATE_FORMAT = "%-d %B %Y"

# A post's permanent id (feeds, newsletter ledger) is `tag:<POST_ID_AUTHORITY>,<date>:<slug>`
# unless the post sets `Id:`. Set it once to a domain or email you own and never change it.
POST_ID_AUTHORITY = "happeningnow.example"

# -- Where things are ---------------------------------------------------------------------------
# Moving a Pelican blog in? Keep its files where they are and copy its own content settings over
# these (PATH, ARTICLE_PATHS, ARTICLE_EXCLUDES, PAGE_PATHS, STATIC_PATHS, EXTRA_PATH_METADATA,
# TEMPLATE_PAGES, and every *_URL / *_SAVE_AS below, so old links keep working). Pelican's own
# layout, posts at the top of the content folder, is ARTICLE_PATHS = [""]: Pelican leaves
# PAGE_PATHS out of the posts by itself, and root-relative {filename}/... links keep resolving.
PATH = "content"
ARTICLE_PATHS = ["posts"]
PAGE_PATHS = ["pages"]
STATIC_PATHS = ["images", "extra"]
EXTRA_PATH_METADATA = {}
THEME = "theme"
OUTPUT_PATH = "output"
# Our plugins live in plugins/ and load by dotted name (`./inv` installs this project into .venv
# with `pip install -e .`), so an installed `pelican.plugins.*` package of the same short name,
# such as pelican-sitemap, can never take one's place. Add other plugins by their own names.
PLUGINS = [
    "happening.plugins.postid",
    # Before the plugins that read a post's summary when all generators are done (feeds,
    # related, socialcards): Pelican memoises the first summary read, so it must be the prose one.
    "happening.plugins.summary",
    "happening.plugins.feeds",
    "happening.plugins.followups",
    "happening.plugins.foldercategory",
    "happening.plugins.images",
    "happening.plugins.readingtime",
    "happening.plugins.related",
    "happening.plugins.subscribe",
    "happening.plugins.sitemap",
    "happening.plugins.socialcards",
    "happening.plugins.themeassets",
    "happening.plugins.redirects",  # Old URLs from redirects.txt (`invoke import` writes it).
    "happening.plugins.translations",
    "happening.plugins.fastbuild",
]

# -- Clean URLs: /posts/<slug>/, never ".html" in a link ----------------------------------------
ARTICLE_URL = "posts/{slug}/"
ARTICLE_SAVE_AS = "posts/{slug}/index.html"
PAGE_URL = "{slug}/"
PAGE_SAVE_AS = "{slug}/index.html"
CATEGORY_URL = "category/{slug}/"
CATEGORY_SAVE_AS = "category/{slug}/index.html"
TAG_URL = "tag/{slug}/"
TAG_SAVE_AS = "tag/{slug}/index.html"
# A translation (`Lang: fr`, same Slug: as the original) lives under its language's folder.
ARTICLE_LANG_URL = "{lang}/posts/{slug}/"
ARTICLE_LANG_SAVE_AS = "{lang}/posts/{slug}/index.html"
PAGE_LANG_URL = "{lang}/{slug}/"
PAGE_LANG_SAVE_AS = "{lang}/{slug}/index.html"
AUTHOR_URL = "author/{slug}/"
AUTHOR_SAVE_AS = "author/{slug}/index.html"
ARCHIVES_URL = "archives/"
ARCHIVES_SAVE_AS = "archives/index.html"
CATEGORIES_URL = "categories/"
CATEGORIES_SAVE_AS = "categories/index.html"
TAGS_URL = "tags/"
TAGS_SAVE_AS = "tags/index.html"
AUTHORS_URL = "authors/"
AUTHORS_SAVE_AS = "authors/index.html"
# The search page (Pagefind's index is written after each `./inv build`, `preview`, `publish`).
SEARCH_URL = "search/"
SEARCH_SAVE_AS = "search/index.html"
YEAR_ARCHIVE_URL = "{date:%Y}/"
YEAR_ARCHIVE_SAVE_AS = "{date:%Y}/index.html"
DEFAULT_PAGINATION = 10
PAGINATION_PATTERNS = (
    (1, "{url}", "{save_as}"),
    (2, "{base_name}/page/{number}/", "{base_name}/page/{number}/index.html"),
)
# Slugs are the post's address and part of its permanent id: keep them ASCII and stable.
SLUGIFY_SOURCE = "title"

# -- What gets published ------------------------------------------------------------------------
# Drafts (`Status: draft`) and posts dated in the future are never written; `invoke livereload`
# shows drafts under /drafts/ on your machine only.
WITH_FUTURE_DATES = False
DRAFT_URL = "drafts/{slug}/"
DRAFT_SAVE_AS = ""
DRAFT_PAGE_URL = "drafts/pages/{slug}/"
DRAFT_PAGE_SAVE_AS = ""
DRAFT_LANG_URL = "drafts/{lang}/{slug}/"
DRAFT_LANG_SAVE_AS = ""
DRAFT_PAGE_LANG_URL = "drafts/pages/{lang}/{slug}/"
DRAFT_PAGE_LANG_SAVE_AS = ""

# -- Markdown -----------------------------------------------------------------------------------
# Typographic "smart quotes" stay off: a writer's punctuation is published exactly as written.
MARKDOWN = {
    "extension_configs": {
        "markdown.extensions.codehilite": {"css_class": "highlight", "guess_lang": False},
        "markdown.extensions.extra": {},
        "markdown.extensions.meta": {},
    },
    "output_format": "html5",
}
# An empty alt text (`![](photo.jpg)`) marks a decorative image, which screen readers skip; Pelican
# warns about each one, and a build stops at any warning, so that one warning is filtered out.
LOG_FILTER = [(logging.WARNING, "Empty alt attribute for image %s in %s")]

# -- Feeds --------------------------------------------------------------------------------------
# Pelican's own feed writer stays off; the feeds plugin writes them (see README).
FEED_ALL_ATOM = None
FEED_ALL_RSS = None
CATEGORY_FEED_ATOM = None
CATEGORY_FEED_RSS = None
TAG_FEED_ATOM = None
TAG_FEED_RSS = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
TRANSLATION_FEED_ATOM = None
TRANSLATION_FEED_RSS = None

# -- Feeds (plugins/feeds) ----------------------------------------------------------------------
# Written in every build, previews included (the Subscribe page links them). Paths follow
# Pelican's FEED_* naming; set one to None to turn that feed off. See the README's Feeds section.
# The defaults are in plugins/feeds/config.py; uncomment a line to change one.
# FEEDS_ATOM = "feeds/all.atom.xml"
# FEEDS_RSS = "feeds/all.rss.xml"
# FEEDS_JSON = "feeds/feed.json"
# FEEDS_CATEGORY_ATOM = "feeds/category/{slug}.atom.xml"
# FEEDS_TAG_ATOM = "feeds/tag/{slug}.atom.xml"
# FEED_MAX_ITEMS = 100  # Pelican's: posts in the site-wide feeds (None: every post)
# FEEDS_TAXONOMY_MAX_ITEMS = 20  # posts in each category and tag feed
RSS_FEED_SUMMARY_ONLY = False  # full posts in every feed (Pelican's default, True: only the dek)
# Feeds need absolute URLs: FEED_DOMAIN, else SITEURL, else (a preview) FEEDS_LOCAL_URL.
# FEEDS_LOCAL_URL = "http://127.0.0.1:8000"
# WebSub hubs told about every new post by `invoke ping`:
# WEBSUB_HUBS = ["https://pubsubhubbub.appspot.com/"]

# -- Speed --------------------------------------------------------------------------------------
# Pelican's content cache keeps each post's parsed Markdown in CACHE_PATH and reuses it while the
# file is unchanged (by mtime). It caches the reader only, so plugins always see fresh data.
# `invoke build --no-cache` (or deleting cache/) forces a full re-read; production never loads it.
CACHE_CONTENT = True
LOAD_CONTENT_CACHE = True
CONTENT_CACHING_LAYER = "reader"
CACHE_PATH = "cache"
CHECK_MODIFIED_METHOD = "mtime"

# -- Theme --------------------------------------------------------------------------------------
# Pelican's pages plus a 404 page (404.html at the root: point your host's error page at it).
DIRECT_TEMPLATES = ["index", "tags", "categories", "authors", "archives", "404", "search"]
INDEX_URL = ""  # The home page is "/", so "Newer posts" on page 2 never links to /index.html.
# Link previews (plugins/socialcards): each post's 1200x630 card, drawn once per change.
# SOCIALCARDS_PATH = "cards"
# Fediverse: your handle credits shared links to you; REL_ME verifies your profiles.
# FEDIVERSE_CREATOR = "@you@mastodon.social"
# REL_ME = ["https://mastodon.social/@you"]
# Reading time shown on each post: words divided by this pace, rounded up (plugins/readingtime).
# READING_WORDS_PER_MINUTE = 230

# -- Newsletter ---------------------------------------------------------------------------------
# Every new post goes to email subscribers exactly once (README: "Newsletter"). Secrets (API keys,
# SMTP password, the recipients file) come from the environment or a git-ignored .env, never here.
# The default provider, "outbox", writes .eml files to outbox/ and needs no account; others:
# "smtp", "buttondown", "listmonk", "mailchimp". Unset settings take the defaults in
# happening/newsletter/config.py; uncomment a line to change one.
# NEWSLETTER_PROVIDER = "outbox"
NEWSLETTER_FROM = "Happening Now <newsletter@happeningnow.example>"
# NEWSLETTER_LEDGER = "newsletter-ledger.json"  # Committed: the record of what went out.
# NEWSLETTER_SINCE = "2026-01-01"  # With no ledger yet: send only posts after this date.
# NEWSLETTER_UNSUBSCRIBE_URL = "https://happeningnow.example/unsubscribe"  # One-click (smtp)

# -- Writer's workflow: check, publish, release (happening/workflow) ------------------------------
# The defaults are in happening/workflow/config.py; uncomment a line to change one (the README's
# Settings table has them all). Production-only values may go in publishconf.py instead.
# CHECK_PAGE_BUDGET_KB = 40  # `check`: a page's HTML + CSS + JS, images excluded
# PUBLISH_TARGET = "dir"  # `publish` without --target: "rsync", "gh-pages" or "dir"
# PUBLISH_DIR = "public"  # --target dir: gets an exact copy of the production build
# SSH_HOST = "example.org"  # --target rsync, as in Pelican's quickstart
# SSH_PORT = 22
# SSH_USER = "me"
# SSH_TARGET_DIR = "/var/www/happeningnow"
# GITHUB_PAGES_BRANCH = "gh-pages"  # --target gh-pages: the branch ghp-import writes
# GITHUB_PAGES_REMOTE = "origin"  # a remote's name or a git URL to push it to

# -- Fast builds (plugins/fastbuild) ------------------------------------------------------------
# The same output as plain Pelican, byte for byte, sooner: Markdown is converted on every core,
# and a rebuild re-renders only the pages whose inputs changed (kept beside the content cache).
# The defaults are in plugins/fastbuild/settings.py; uncomment a line to change one.
# FASTBUILD_WORKERS = None  # Processes converting Markdown: None = one per core, 0 = none.
# FASTBUILD_PAGE_CACHE = True
# Pelican rewrites its whole content cache after every build; gzipping it took ~0.5 s of a
# 1,000-post rebuild. Uncompressed it is larger on disk (cache/ is git-ignored) and quicker.
GZIP_CACHE = False
