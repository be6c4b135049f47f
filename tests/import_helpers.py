"""Shared by the import tests: a fresh site in tmp_path, and exports written from their formats.

Each export is small but shaped as the platform writes it; the format's source is cited where
the export is made. Addresses are example.org ones.
"""

import csv
import io
import shutil
import zipfile
from pathlib import Path

from conftest import TEST_SITE, process_cache
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
        "CACHE_PATH": str(process_cache()),  # cards and image sizes, keyed by their inputs
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


# -- Ghost: the JSON export (Settings -> Labs -> Export) ----------------------------------------
# docs.ghost.org/migration/custom: {"db": [{"meta": ..., "data": {posts, tags, posts_tags,
# users, posts_authors}}]}; bodies as html, lexical (Ghost 5+) or mobiledoc (Ghost 1-4, the
# mobiledoc-kit MOBILEDOC.md 0.3 format); __GHOST_URL__ stands for the site's address.
GHOST_LEXICAL = {
    "root": {
        "type": "root",
        "children": [
            {
                "type": "paragraph",
                "children": [
                    {"type": "text", "text": "Ghost was ", "format": 0},
                    {"type": "text", "text": "good", "format": 1},
                    {"type": "text", "text": " to us. ", "format": 0},
                    {
                        "type": "link",
                        "url": "__GHOST_URL__/an-older-post/",
                        "children": [{"type": "text", "text": "An older post", "format": 0}],
                    },
                ],
            },
            {"type": "heading", "tag": "h2", "children": [{"type": "text", "text": "Why move"}]},
            {
                "type": "image",
                "src": "__GHOST_URL__/content/images/2024/02/garden.jpg",
                "alt": "The garden",
                "caption": "",
            },
            {"type": "codeblock", "code": "print('hi')", "language": "python"},
        ],
    }
}
GHOST_MOBILEDOC = {
    "version": "0.3.1",
    "atoms": [],
    "cards": [["markdown", {"markdown": "A *markdown* card."}]],
    "markups": [["em"], ["a", ["href", "https://example.org/"]]],
    "sections": [
        [1, "p", [[0, [], 0, "Members first, "], [0, [0], 1, "then"], [0, [1], 1, " a link"]]],
        [10, 0],
        [3, "ul", [[[0, [], 0, "one"]], [[0, [], 0, "two"]]]],
    ],
}


def ghost_export(tmp_path) -> Path:
    import json

    posts = [
        {
            "id": "65a0c0ffee0000000000aaa1",
            "uuid": "0b4a4f4e-1c1a-4d8e-9a55-4c1f7c3b9a01",
            "title": "Why we moved",
            "slug": "why-we-moved",
            "lexical": json.dumps(GHOST_LEXICAL),
            "mobiledoc": None,
            "html": None,
            "type": "post",
            "status": "published",
            "visibility": "public",
            "created_at": "2024-02-01T10:00:00.000Z",
            "updated_at": "2024-02-03T12:00:00.000Z",
            "published_at": "2024-02-01T11:00:00.000Z",
            "custom_excerpt": "The move, and why.",
            "plaintext": "Ghost was good to us.",
            "newsletter_id": "65a0c0ffee00000000000n01",
        },
        {
            "id": "5f1e2d3c4b5a697887960001",
            "uuid": "7d1c5b2a-8e9f-4a3b-b2c1-d0e9f8a7b601",
            "title": "Members first",
            "slug": "members-first",
            "lexical": None,
            "mobiledoc": json.dumps(GHOST_MOBILEDOC),
            "html": None,
            "type": "post",
            "status": "published",
            "visibility": "members",
            "created_at": "2021-06-01T10:00:00.000Z",
            "updated_at": "2021-06-01T10:00:00.000Z",
            "published_at": "2021-06-01T10:30:00.000Z",
            "custom_excerpt": None,
            "plaintext": "Members first, then a link. A markdown card. one two",
            "newsletter_id": "65a0c0ffee00000000000n01",  # Ghost emailed it to members.
        },
        {
            "id": "5f1e2d3c4b5a697887960002",
            "title": "About",
            "slug": "about-us",
            "html": "<p>A page.</p>",
            "type": "page",
            "status": "published",
            "visibility": "public",
            "published_at": "2021-01-01T10:00:00.000Z",
        },
    ]
    data = {
        "posts": posts,
        "tags": [
            {"id": "t1", "name": "Meta", "slug": "meta"},
            {"id": "t2", "name": "#internal", "slug": "hash-internal"},
            {"id": "t3", "name": "Moving", "slug": "moving"},
        ],
        "posts_tags": [
            {"post_id": posts[0]["id"], "tag_id": "t1", "sort_order": 0},
            {"post_id": posts[0]["id"], "tag_id": "t2", "sort_order": 1},
            {"post_id": posts[0]["id"], "tag_id": "t3", "sort_order": 2},
        ],
        "users": [{"id": "u1", "name": "Jo Bloggs", "slug": "jo"}],
        "posts_authors": [{"post_id": posts[0]["id"], "author_id": "u1", "sort_order": 0}],
    }
    tmp_path.mkdir(parents=True, exist_ok=True)
    path = tmp_path / "happening.ghost.2024-06-01.json"
    doc = {"db": [{"meta": {"exported_on": 1717236000000, "version": "5.82.0"}, "data": data}]}
    path.write_text(json.dumps(doc), encoding="utf-8")
    images = tmp_path / "content" / "images" / "2024" / "02"  # Ghost's content/images folder.
    images.mkdir(parents=True)
    (images / "garden.jpg").write_bytes(b"\xff\xd8\xff\xe0 a tiny jpeg")
    return path


# Ghost's members CSV (Members -> Export); the columns of Ghost's members-csv `unparse`.
GHOST_MEMBERS = (
    "id,email,name,note,subscribed_to_emails,complimentary_plan,stripe_customer_id,"
    "created_at,deleted_at,labels,tiers,email_disabled\n"
    "m1,reader@example.org,Katherine Johnson,,true,false,,2024-02-01T12:30:00.000Z,,,,false\n"
    'm2,supporter@example.org,Grace Hopper,"VIP, early",true,true,cus_1,'
    "2024-01-15T10:00:00.000Z,,vip,,false\n"
    "m3,quiet@example.org,Quiet One,,false,false,,2024-03-01T08:00:00.000Z,,,,false\n"
    "m4,bounce@example.org,Bounced One,,true,false,,2024-03-02T08:00:00.000Z,,,,true\n"
)
