"""A post's permanent id: fixed at first publication, shared by feeds and the newsletter.

Readers, feed-to-email services and our own ledger recognise a post by this id; if it changed,
they would show or send the post again. So it is built only from things that do not change when
a post is edited:

1. the post's ``Id:`` metadata, verbatim, if it has one (use it to keep an old id after a move);
2. otherwise ``tag:<POST_ID_AUTHORITY>,<YYYY-MM-DD>:<key>`` (an RFC 4151 tag URI), where the
   date is the post's ``Date:`` and ``key`` is its ``Slug:`` metadata as written, or, with no
   ``Slug:``, the file name without its extension and any leading ``YYYY-MM-DD-``;
   a translation (``Lang:`` other than ``DEFAULT_LANG``) adds ``/<lang>``.

Translations share their original's slug on purpose (Pelican pairs them by it), so the language
keeps them apart; a post in the default language keeps the id it always had.

The title never enters it (Pelican derives slugs from titles, so a title-derived slug does not
either), nor does ``Modified:``, the body, the theme, the site URL or the machine.
"""

import re
from pathlib import Path

DEFAULT_AUTHORITY = "localhost"
_DATE_PREFIX = re.compile(r"^\d{4}-\d{2}-\d{2}[-_]")


def post_id(content, settings=None) -> str:
    """The permanent id of ``content`` (a Pelican Article; drafts included)."""
    explicit = content.metadata.get("id")
    if explicit:
        return str(explicit).strip()
    settings = settings if settings is not None else content.settings
    authority = settings.get("POST_ID_AUTHORITY") or DEFAULT_AUTHORITY
    key = _key(content)
    lang = getattr(content, "lang", None)
    if lang and lang != settings.get("DEFAULT_LANG", "en"):
        key = f"{key}/{lang}"
    return f"tag:{authority},{_day(content.date)}:{key}"


def _day(date) -> str:
    """``f"{date:%Y-%m-%d}"``, the id's date, from the date's fields: a post's date is Pelican's
    ``SafeDatetime``, whose formatting goes through Pelican's own ``strftime`` (~15 us a call,
    3,000 calls a release at 1,000 posts: the build, `check` and the newsletter each ask every
    post's id). A four-digit year writes the same text either way (tests/test_postid.py); any
    other is formatted as before, so no id can change."""
    if 1000 <= date.year <= 9999:
        return f"{date.year:04d}-{date.month:02d}-{date.day:02d}"
    return f"{date:%Y-%m-%d}"


def _key(content) -> str:
    # metadata["slug"] holds only a Slug: the writer typed; Pelican keeps a title-derived slug
    # on the attribute alone, so a title change can never reach the id.
    written = content.metadata.get("slug")
    if written:
        return str(written).strip()
    return _DATE_PREFIX.sub("", Path(content.source_path).stem)
