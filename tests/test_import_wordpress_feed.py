"""`import wordpress` (WXR) and `import feed` (Atom): old ids kept as `Id:`, old links redirect."""

import json

import pytest

from happening.build import PROD_SETTINGS
from happening.importers import ExportError, import_export
from import_helpers import new_site

# WXR 1.2 as WordPress's Tools -> Export writes it: RSS 2.0 with the wp:, content:, excerpt:
# and dc: namespaces; one item per post, page and attachment.
WXR = """<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0"
  xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
  xmlns:content="http://purl.org/rss/1.0/modules/content/"
  xmlns:dc="http://purl.org/dc/elements/1.1/"
  xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
  <title>Happening</title>
  <link>https://old.example.com</link>
  <wp:wxr_version>1.2</wp:wxr_version>
  <wp:author><wp:author_id>1</wp:author_id><wp:author_login><![CDATA[jo]]></wp:author_login>
    <wp:author_display_name><![CDATA[Jo Bloggs]]></wp:author_display_name></wp:author>
  <item>
    <title><![CDATA[Hello, world]]></title>
    <link>https://old.example.com/2023/09/hello-world/</link>
    <dc:creator><![CDATA[jo]]></dc:creator>
    <guid isPermaLink="false">https://old.example.com/?p=12</guid>
    <content:encoded><![CDATA[First line of the post.

[caption id="attachment_13" align="alignnone" width="300"]{IMG} The cat[/caption]

Second paragraph.]]></content:encoded>
    <excerpt:encoded><![CDATA[The first post on the old blog.]]></excerpt:encoded>
    <wp:post_id>12</wp:post_id>
    <wp:post_date><![CDATA[2023-09-01 10:00:00]]></wp:post_date>
    <wp:post_date_gmt><![CDATA[2023-09-01 08:00:00]]></wp:post_date_gmt>
    <wp:post_modified_gmt><![CDATA[2023-09-02 08:00:00]]></wp:post_modified_gmt>
    <wp:post_name><![CDATA[hello-world]]></wp:post_name>
    <wp:status><![CDATA[publish]]></wp:status>
    <wp:post_type><![CDATA[post]]></wp:post_type>
    <wp:post_password><![CDATA[]]></wp:post_password>
    <category domain="category" nicename="notes"><![CDATA[Notes]]></category>
    <category domain="post_tag" nicename="intro"><![CDATA[Intro]]></category>
  </item>
  <item>
    <title><![CDATA[Not yet]]></title>
    <link>https://old.example.com/?p=14</link>
    <dc:creator><![CDATA[jo]]></dc:creator>
    <guid isPermaLink="false">https://old.example.com/?p=14</guid>
    <content:encoded><![CDATA[Draft text.]]></content:encoded>
    <excerpt:encoded><![CDATA[]]></excerpt:encoded>
    <wp:post_id>14</wp:post_id>
    <wp:post_date><![CDATA[2023-10-01 10:00:00]]></wp:post_date>
    <wp:post_date_gmt><![CDATA[0000-00-00 00:00:00]]></wp:post_date_gmt>
    <wp:post_name><![CDATA[not-yet]]></wp:post_name>
    <wp:status><![CDATA[draft]]></wp:status>
    <wp:post_type><![CDATA[post]]></wp:post_type>
  </item>
  <item>
    <title><![CDATA[About]]></title>
    <link>https://old.example.com/about/</link>
    <guid isPermaLink="false">https://old.example.com/?page_id=2</guid>
    <content:encoded><![CDATA[A page.]]></content:encoded>
    <wp:post_id>2</wp:post_id>
    <wp:post_date_gmt><![CDATA[2023-01-01 08:00:00]]></wp:post_date_gmt>
    <wp:post_name><![CDATA[about]]></wp:post_name>
    <wp:status><![CDATA[publish]]></wp:status>
    <wp:post_type><![CDATA[page]]></wp:post_type>
  </item>
  <item>
    <title><![CDATA[cat]]></title>
    <guid isPermaLink="false">https://old.example.com/wp-content/uploads/2023/09/cat.jpg</guid>
    <wp:post_id>13</wp:post_id>
    <wp:post_parent>12</wp:post_parent>
    <wp:status><![CDATA[inherit]]></wp:status>
    <wp:post_type><![CDATA[attachment]]></wp:post_type>
    <wp:attachment_url><![CDATA[https://old.example.com/wp-content/uploads/2023/09/cat.jpg]]></wp:attachment_url>
  </item>
</channel>
</rss>
""".replace(
    "{IMG}",
    '<img src="https://old.example.com/wp-content/uploads/2023/09/cat.jpg"'
    ' alt="A cat" width="300" />',
)

# Atom 1.0 (RFC 4287): each entry's <id> is what feed readers remember.
ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Moving blog</title>
  <id>tag:moving.example,2020:feed</id>
  <updated>2024-01-02T00:00:00Z</updated>
  <entry>
    <title>A feed post</title>
    <id>tag:moving.example,2024-01-01:a-feed-post</id>
    <link rel="alternate" href="https://moving.example/blog/a-feed-post.html"/>
    <published>2024-01-01T09:00:00Z</published>
    <updated>2024-01-02T09:00:00Z</updated>
    <author><name>Sam Writer</name></author>
    <category term="Essays"/>
    <summary>A short dek.</summary>
    <content type="html">&lt;p&gt;The whole &lt;em&gt;post&lt;/em&gt;.&lt;/p&gt;</content>
  </entry>
</feed>
"""


def test_wordpress_posts_keep_their_guid_permalink_category_and_caption(tmp_path):
    overrides = new_site(tmp_path)
    export = tmp_path / "export" / "happening.WordPress.2024-06-01.xml"
    export.parent.mkdir()
    export.write_text(WXR, encoding="utf-8")
    report = import_export("wordpress", export, settings_file=PROD_SETTINGS, overrides=overrides)
    assert [o.file for o in report.outcomes] == [
        "content/posts/hello-world.md",
        "content/posts/not-yet.md",
    ]
    text = (tmp_path / "content" / "posts" / "hello-world.md").read_text()
    head, body = text.split("\n\n", 1)
    assert head.splitlines() == [
        "Title: Hello, world",
        "Slug: hello-world",
        "Date: 2023-09-01 08:00:00+00:00",  # post_date_gmt: the local post_date is 10:00.
        "Modified: 2023-09-02 08:00:00+00:00",
        "Summary: The first post on the old blog.",
        "Tags: Intro",
        "Category: Notes",
        "Author: Jo Bloggs",
        "Id: https://old.example.com/?p=12",
    ]
    assert "First line of the post." in body and "Second paragraph." in body
    assert "![A cat](https://old.example.com/wp-content/uploads/2023/09/cat.jpg)" in body
    assert "[caption" not in body
    assert "Status: draft" in (tmp_path / "content" / "posts" / "not-yet.md").read_text()
    table = (tmp_path / "content" / "redirects.txt").read_text()
    assert "/2023/09/hello-world/ posts/hello-world/\n" in table
    ledger = json.loads((tmp_path / "ledger.json").read_text())["posts"]
    assert list(ledger) == ["https://old.example.com/?p=12"]


def test_a_feed_entry_keeps_its_atom_id_and_its_old_link_redirects(tmp_path):
    overrides = new_site(tmp_path)
    feed = tmp_path / "export" / "atom.xml"
    feed.parent.mkdir()
    feed.write_text(ATOM, encoding="utf-8")
    import_export("feed", feed, settings_file=PROD_SETTINGS, overrides=overrides)
    text = (tmp_path / "content" / "posts" / "a-feed-post.md").read_text()
    head, body = text.split("\n\n", 1)
    assert head.splitlines() == [
        "Title: A feed post",
        "Slug: a-feed-post",
        "Date: 2024-01-01 09:00:00+00:00",
        "Modified: 2024-01-02 09:00:00+00:00",
        "Summary: A short dek.",
        "Tags: Essays",
        "Category: misc",
        "Author: Sam Writer",
        "Id: tag:moving.example,2024-01-01:a-feed-post",
    ]
    assert body == "The whole *post*.\n"
    table = (tmp_path / "content" / "redirects.txt").read_text()
    assert "/blog/a-feed-post.html posts/a-feed-post/\n" in table


def test_a_feed_url_is_fetched_and_a_wxr_without_rss_is_one_line(tmp_path):
    from pytest_httpserver import HTTPServer

    server = HTTPServer(host="127.0.0.1", port=0)
    server.expect_request("/feed.xml").respond_with_data(ATOM, content_type="application/atom+xml")
    server.start()
    try:
        import_export(
            "feed",
            server.url_for("/feed.xml"),
            settings_file=PROD_SETTINGS,
            overrides=new_site(tmp_path),
        )
    finally:
        server.stop()
    assert (tmp_path / "content" / "posts" / "a-feed-post.md").exists()
    bad = tmp_path / "broken.xml"
    bad.write_text("<html><body>not an export</body></html>", encoding="utf-8")
    with pytest.raises(ExportError) as caught:
        import_export("wordpress", bad, overrides=new_site(tmp_path / "other"))
    assert str(caught.value) == "import: broken.xml is not a WXR file (no <rss><channel>)"
