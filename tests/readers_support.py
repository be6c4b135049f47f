"""The readers' site (tests/data/readers): 22 posts over four years, tags, a thread, a cover.

Built for search, social cards, threads in feeds and related reading. Its thread: "slow-web",
followed up by "slow-web-readers" (itself followed up by "slow-web-numbers") and by
"slow-web-one-year". "airships" has a ``Cover:`` and a French translation; "photo-essay" opens
with its own image.
"""

from pathlib import Path

from conftest import DATA, build_into
from happening.build import PROD_SETTINGS

READERS = DATA / "readers"
SITEURL = "https://readers.example"
THREAD = ["slow-web", "slow-web-readers", "slow-web-numbers", "slow-web-one-year"]


def build_readers(out: Path, content: Path = READERS, **overrides):
    """The readers' site (or a copy, ``content``) with production settings at ``SITEURL``."""
    return build_into(out, content, PROD_SETTINGS, **{"SITEURL": SITEURL, **overrides})
