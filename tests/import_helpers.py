"""Shared by the import tests: a fresh site in tmp_path, and exports written from their formats.

Each export is small but shaped as the platform writes it; the format's source is cited where
the export is made. Addresses are example.org ones.
"""

import csv
import io
import shutil
import zipfile
from pathlib import Path

from conftest import TEST_SITE
from happening.build import PROD_SETTINGS
from happening.newsletter import Site

SITE_URL = "https://blog.example"


def new_site(tmp_path) -> dict:
    """A blog with its pages but no posts yet (a writer moving in), and its Pelican overrides."""
    content = tmp_path / "content"
    shutil.copytree(TEST_SITE / "pages", content / "pages")
    (content / "posts").mkdir()
    return {
        "PATH": str(content),
        "SITEURL": SITE_URL,
        "NEWSLETTER_LEDGER": str(tmp_path / "ledger.json"),
        "NEWSLETTER_OUTBOX": str(tmp_path / "outbox"),
        "NEWSLETTER_PREVIEWS": str(tmp_path / "previews"),
    }


def newsletter_site(overrides, **more) -> Site:
    return Site(PROD_SETTINGS, {**overrides, **more})


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` with its bytes: two snapshots equal = nothing changed."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(Path(folder).rglob("*"))
        if p.is_file()
    }


# -- Substack: the export zip (Settings -> Exports) ----------------------------------------------
# posts.csv columns and posts/<post_id>.html as described at portage.tools/routes/substack and
# dev.roecms.com/documentation/substack-imports; post_id is "<number>.<slug>".
SUBSTACK_COLUMNS = [
    "post_id",
    "post_date",
    "is_published",
    "email_sent_at",
    "inbox_sent_at",
    "type",
    "audience",
    "title",
    "subtitle",
    "podcast_url",
]
SUBSTACK_POSTS = [
    {
        "post_id": "101.leaving-the-feed",
        "post_date": "2024-03-05T14:30:00.000Z",
        "is_published": "true",
        "email_sent_at": "2024-03-05T14:31:12.000Z",
        "inbox_sent_at": "2024-03-05T14:31:12.000Z",
        "type": "newsletter",
        "audience": "everyone",
        "title": "Leaving the feed",
        "subtitle": "Why I stopped scrolling, and what I read instead.",
        "podcast_url": "",
    },
    {
        "post_id": "102.for-supporters",
        "post_date": "2024-04-01T09:00:00.000Z",
        "is_published": "true",
        "email_sent_at": "2024-04-01T09:00:40.000Z",
        "inbox_sent_at": "",
        "type": "newsletter",
        "audience": "only_paid",
        "title": "For supporters: the notebook",
        "subtitle": "A look inside the notebook.",
        "podcast_url": "",
    },
    {
        "post_id": "103.half-finished",
        "post_date": "2024-05-10T08:00:00.000Z",
        "is_published": "false",
        "email_sent_at": "",
        "inbox_sent_at": "",
        "type": "newsletter",
        "audience": "everyone",
        "title": "Half finished",
        "subtitle": "",
        "podcast_url": "",
    },
    {
        "post_id": "104.episode-one",
        "post_date": "2024-06-02T07:00:00.000Z",
        "is_published": "true",
        "email_sent_at": "2024-06-02T07:05:00.000Z",
        "inbox_sent_at": "",
        "type": "podcast",
        "audience": "everyone",
        "title": "Episode one: the quiet web",
        "subtitle": "Our first episode.",
        "podcast_url": "https://api.substack.com/feed/podcast/104/episode-one.mp3",
    },
]
SUBSTACK_HTML = {
    "101.leaving-the-feed": (
        '<p>I left the feed<a class="footnote-anchor" data-component-name="FootnoteAnchorToDOM" '
        'id="footnote-anchor-1" href="#footnote-1" target="_self">1</a> in March.</p>'
        '<div class="captioned-image-container"><figure><a class="image-link" '
        'href="https://substackcdn.com/image/fetch/w_1456/desk.jpg">'
        '<img src="https://substack-post-media.s3.amazonaws.com/public/images/desk.jpg" '
        'alt="My desk"></a><figcaption class="image-caption">Where I read now.</figcaption>'
        "</figure></div>"
        '<div class="subscription-widget-wrap"><p>Subscribe to get the next one</p></div>'
        '<div id="youtube2-abc" class="youtube-wrap"><iframe '
        'src="https://www.youtube-nocookie.com/embed/abc" frameborder="0"></iframe></div>'
        '<div class="footnote" data-component-name="FootnoteToDOM"><a id="footnote-1" '
        'href="#footnote-anchor-1" class="footnote-number" contenteditable="false" '
        'target="_self">1</a><div class="footnote-content"><p>The algorithmic one.</p></div></div>'
    ),
    "102.for-supporters": "<p>The notebook, page by page.</p>",
    "103.half-finished": "<p>Notes for later.</p>",
    "104.episode-one": "<p>In this episode: the quiet web.</p>",
}
# Substack's email list (Subscribers -> Export): email, active_subscription, expiry, plan,
# email_disabled, created_at; email_disabled marks an address Substack stopped emailing.
SUBSTACK_LIST = (
    "email,active_subscription,expiry,plan,email_disabled,created_at,first_payment_at\n"
    "ada@example.org,false,,free,false,2023-01-02T10:00:00.000Z,\n"
    "grace@example.org,true,2025-01-01T00:00:00.000Z,paid,false,2023-02-03T10:00:00.000Z,"
    "2023-02-03T10:00:00.000Z\n"
    "bounced@example.org,false,,free,true,2023-03-04T10:00:00.000Z,\n"
)


def substack_zip(tmp_path, posts=SUBSTACK_POSTS, html=SUBSTACK_HTML) -> Path:
    path = tmp_path / "substack-export.zip"
    out = io.StringIO()
    writer = csv.DictWriter(out, SUBSTACK_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(posts)
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("posts.csv", out.getvalue())
        for post_id, body in html.items():
            archive.writestr(f"posts/{post_id}.html", body)
        archive.writestr("email_list.happening.csv", SUBSTACK_LIST)
    return path
