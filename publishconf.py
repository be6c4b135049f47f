"""Pelican settings for the public site: `pelicanconf.py`, then only what differs."""

import os
import sys

sys.path.append(os.path.dirname(os.path.abspath(__file__)))

from pelicanconf import *  # noqa: E402,F403

# The public address, absolute: canonical links, feeds and emails all need it.
# Override it without editing this file: SITEURL=https://example.org invoke publish
SITEURL = os.environ.get("SITEURL", "https://happeningnow.example")
RELATIVE_URLS = False

# Production builds into its own folder, so `invoke serve` (output/) always shows the local build,
# styled, with links that stay on this machine, even right after `preview`, `publish` or `release`.
OUTPUT_PATH = "output-production"

# A production build starts from nothing and never trusts a cache.
DELETE_OUTPUT_DIRECTORY = True
LOAD_CONTENT_CACHE = False
# Nor writes one: nothing loads it, and pickling every post costs seconds and ~40 MB at 5,000.
CACHE_CONTENT = False
