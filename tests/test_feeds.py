"""Feeds people can trust: valid, complete, stable ids, absolute URLs, hubs, a readable page."""

import json
import re
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

import feedparser
import pytest
from bs4 import BeautifulSoup
from lxml import etree
from pelican.settings import DEFAULT_CONFIG
from pelican.utils import slugify

from conftest import TEST_SITE, build_into, published_posts, retitle_redate_and_move
from happening.build import PROD_SETTINGS
from happening.plugins.feeds import FeedsSettingsError, load_config
from happening.plugins.postid import DuplicatePostId
from test_feeds_json import problems

ATOM = "{http://www.w3.org/2005/Atom}"
LOCAL = "http://127.0.0.1:8000"
# Other areas add posts to the shared test site too: what to expect is computed from the posts
# that are there, and the posts this file's tests are about are picked by slug.
POSTS = published_posts()
NEWEST_FIRST = [p["title"] for p in POSTS]
MEDIA = "feeds-media"  # the post with links and media written every way a writer might
SITE_WIDE = ["feeds/all.atom.xml", "feeds/all.rss.xml", "feeds/feed.json"]


def _slug(name):
    return slugify(name, regex_subs=DEFAULT_CONFIG["SLUG_REGEX_SUBSTITUTIONS"])


TAXONOMY = sorted(
    {f"feeds/category/{_slug(p['category'])}.atom.xml" for p in POSTS}
    | {f"feeds/tag/{_slug(t)}.atom.xml" for p in POSTS for t in p["tags"]}
)
# The test site's one thread: "first-light" and its two follow-ups.
THREADS = ["feeds/thread/first-light.atom.xml"]
XML_FEEDS = ["feeds/all.atom.xml", "feeds/all.rss.xml", *TAXONOMY, *THREADS]


def post_url(slug, base=LOCAL):
    return f"{base}/posts/{slug}/"


def by_slug(entries, slug, base=LOCAL):
    """The one feed entry (feedparser) for the post ``slug``."""
    (entry,) = [e for e in entries if e.link == post_url(slug, base)]
    return entry


@pytest.fixture(scope="module")
def hub_site(tmp_path_factory):
    """The test site with a public address, a WebSub hub and an author."""
    out = tmp_path_factory.mktemp("hub-site") / "output"
    build_into(
        out,
        TEST_SITE,
        SITEURL="https://blog.example",
        WEBSUB_HUBS=["https://hub.example/"],
        AUTHOR="Ada Writer",
        FEEDS_ICON="images/icon.png",
        FEEDS_LOGO="https://cdn.example/logo.png",
    )
    return out


def parse(path):
    parsed = feedparser.parse(path.read_bytes())
    assert not parsed.bozo, f"{path.name}: {parsed.get('bozo_exception')}"
    return parsed


def xml(path):
    return etree.parse(str(path))


# -- What is written ---------------------------------------------------------------------------


def test_each_feed_is_written_once_at_pelicans_paths(test_site):
    written = sorted(p.relative_to(test_site).as_posix() for p in test_site.glob("feeds/**/*.*"))
    assert written == sorted([*SITE_WIDE, *TAXONOMY, *THREADS, "feeds/feed.xsl"])


def test_production_settings_write_the_feeds_at_the_public_address(real_site_prod):
    atom = parse(real_site_prod / "feeds/all.atom.xml")
    assert atom.feed.id == "https://happeningnow.example/feeds/all.atom.xml"
    assert atom.entries[0].link.startswith("https://happeningnow.example/posts/")
    for path in SITE_WIDE:
        assert (real_site_prod / path).is_file()


def test_a_preview_points_feeds_at_the_local_server(real_site):
    assert parse(real_site / "feeds/all.atom.xml").feed.id.startswith("http://127.0.0.1:8000/")


def test_site_feeds_are_in_the_template_context(site_copy, tmp_path):
    from pelican import signals

    seen = []

    def record(generator, writer):
        seen.append(generator.context["site_feeds"])

    signals.article_writer_finalized.connect(record)
    try:
        build_into(tmp_path / "out", site_copy)
    finally:
        signals.article_writer_finalized.disconnect(record)
    assert seen == [
        [
            {"title": "Atom feed", "type": "application/atom+xml", "url": "feeds/all.atom.xml"},
            {"title": "RSS feed", "type": "application/rss+xml", "url": "feeds/all.rss.xml"},
            {"title": "JSON Feed", "type": "application/feed+json", "url": "feeds/feed.json"},
        ]
    ]


# -- Readers can read them ---------------------------------------------------------------------


@pytest.mark.parametrize("path", XML_FEEDS)
def test_every_feed_parses_and_every_entry_is_complete(test_site, path):
    parsed = parse(test_site / path)
    assert parsed.entries
    for entry in parsed.entries:
        for key in ("id", "link", "title", "published", "updated"):
            assert entry.get(key), f"{path}: {entry.get('title')} has no {key}"
        assert entry.content[0].value.strip(), f"{path}: {entry.title} has no content"


def test_entries_are_newest_first_and_the_feed_is_as_new_as_its_newest_change(test_site):
    for path in ("feeds/all.atom.xml", "feeds/all.rss.xml"):
        parsed = parse(test_site / path)
        assert [e.title for e in parsed.entries] == NEWEST_FIRST
    atom = parse(test_site / "feeds/all.atom.xml")
    newest_change = max(p.get("modified") or p["date"].isoformat(" ", "minutes") for p in POSTS)
    assert atom.feed.updated == newest_change.replace(" ", "T") + ":00+00:00"
    # Pictures & links was published on 20 February and modified on 1 March.
    modified = by_slug(atom.entries, MEDIA)
    assert (modified.published, modified.updated) == (
        "2024-02-20T09:00:00+00:00",
        "2024-03-01T10:30:00+00:00",
    )
    first = by_slug(atom.entries, "first-light")
    assert first.published == first.updated == "2024-01-10T09:00:00+00:00"


def test_all_three_feeds_use_the_same_permanent_ids(test_site):
    atom = [e.id for e in parse(test_site / "feeds/all.atom.xml").entries]
    rss = [e.id for e in parse(test_site / "feeds/all.rss.xml").entries]
    items = json.loads((test_site / "feeds/feed.json").read_text(encoding="utf-8"))["items"]
    assert atom == rss == [i["id"] for i in items]
    assert len(set(atom)) == len(POSTS)
    first = by_slug(parse(test_site / "feeds/all.atom.xml").entries, "first-light")
    assert first.id == "tag:happeningnow.example,2024-01-10:first-light"


def test_full_content_with_title_categories_tags_and_language(test_site):
    atom = parse(test_site / "feeds/all.atom.xml")
    assert atom.feed.language == "en"
    pictures = by_slug(atom.entries, MEDIA)
    assert "every way a writer might" in pictures.content[0].value
    assert "bold" in pictures.summary
    assert [t.term for t in pictures.tags] == ["Media", "Shared", "Pictures"]
    rss = parse(test_site / "feeds/all.rss.xml")
    assert rss.feed.language == "en"
    assert "every way a writer might" in by_slug(rss.entries, MEDIA).content[0].value


def test_no_relative_url_is_left_in_any_entry(test_site):
    html = []
    for path in XML_FEEDS:
        for entry in parse(test_site / path).entries:
            html += [c.value for c in entry.content] + [entry.summary]
    doc = json.loads((test_site / "feeds/feed.json").read_text(encoding="utf-8"))
    html += [i["content_html"] for i in doc["items"]]
    urls = []
    for fragment in html:
        for tag in BeautifulSoup(fragment, "html.parser").find_all(True):
            urls += [tag[a] for a in ("href", "src", "poster") if tag.has_attr(a)]
            if tag.has_attr("srcset"):
                urls += [c.split()[0] for c in tag["srcset"].split(", ")]
    assert len(urls) > 10  # the media post alone has a dozen
    for url in urls:
        parts = urlsplit(url)
        assert parts.scheme in ("http", "https", "mailto", "data"), url
        assert parts.netloc or parts.scheme in ("mailto", "data"), url  # these need no host
    assert "http://127.0.0.1:8000/posts/feeds-media/images/wide@2x.png 2x" in " ".join(html)
    assert '<code>&lt;a href="not-a-link"&gt;</code>' in " ".join(html)  # code stays code


def test_each_post_is_rewritten_once_however_many_feeds_it_is_in(site_copy, tmp_path, monkeypatch):
    from happening import forked
    from happening.plugins.feeds import entries

    # Written in this process: the forked one would count the calls in its own copy of the list.
    monkeypatch.setattr(forked, "possible", lambda: False)
    calls = []
    real = entries.absolutise
    monkeypatch.setattr(
        entries, "absolutise", lambda html, base: calls.append(base) or real(html, base)
    )
    build_into(tmp_path / "out", site_copy)
    # Every post is in the Atom, RSS and JSON feeds and two to three taxonomy feeds:
    # content and summary are rewritten once per post.
    assert len(calls) == 2 * len(POSTS)
    assert set(calls) == {post_url(p["slug"]) for p in POSTS}
    calls.clear()
    # Thread feeds list a whole thread, whatever the limits: off here, so one post is in a feed.
    build_into(
        tmp_path / "few",
        site_copy,
        FEED_MAX_ITEMS=1,
        FEEDS_TAXONOMY_MAX_ITEMS=0,
        FEEDS_THREAD_ATOM=None,
    )
    assert calls == [post_url(POSTS[0]["slug"])] * 2  # a post in no feed: free


def test_summary_only_keeps_the_full_text_out_of_every_feed(site_copy, tmp_path):
    out = tmp_path / "out"
    build_into(out, site_copy, RSS_FEED_SUMMARY_ONLY=True)
    for path in ("feeds/all.atom.xml", "feeds/all.rss.xml"):
        for entry in parse(out / path).entries:
            assert "content" not in entry, path
            assert entry.summary
    items = json.loads((out / "feeds/feed.json").read_text(encoding="utf-8"))["items"]
    assert (
        problems({"version": "https://jsonfeed.org/version/1.1", "title": "t", "items": items})
        == []
    )
    assert "every way a writer might" not in " ".join(i["content_html"] for i in items)


def test_taxonomy_feeds_carry_fewer_posts(site_copy, tmp_path):
    out = tmp_path / "out"
    build_into(out, site_copy, FEEDS_TAXONOMY_MAX_ITEMS=1)
    shared = parse(out / "feeds/tag/shared.atom.xml")
    newest_shared = next(p["title"] for p in POSTS if "Shared" in p["tags"])
    assert [e.title for e in shared.entries] == [newest_shared]
    assert shared.feed.title == "Happening Now: Shared"
    assert len(parse(out / "feeds/all.atom.xml").entries) == len(POSTS)


def test_a_feed_path_set_to_none_is_not_written(site_copy, tmp_path):
    out = tmp_path / "out"
    build_into(out, site_copy, FEEDS_RSS=None, FEEDS_TAG_ATOM=None)
    assert (out / "feeds/all.atom.xml").is_file()
    assert not (out / "feeds/all.rss.xml").exists() and not (out / "feeds/tag").exists()


# -- Ids that never change ---------------------------------------------------------------------


def ids_by_link(out):
    return {e.link: e.id for e in parse(out / "feeds/all.atom.xml").entries}


def test_ids_survive_a_title_change_a_modified_date_and_another_folder(site_copy, tmp_path):
    build_into(tmp_path / "a", site_copy)
    before = ids_by_link(tmp_path / "a")
    build_into(tmp_path / "b", retitle_redate_and_move(site_copy, tmp_path / "elsewhere"))
    after = parse(tmp_path / "b" / "feeds/all.atom.xml")
    assert ids_by_link(tmp_path / "b") == before
    renamed = next(e for e in after.entries if e.title == "First light, renamed")
    assert renamed.updated == "2025-01-01T10:00:00+00:00"
    assert renamed.published == "2024-01-10T09:00:00+00:00"


def test_an_unchanged_site_rebuilds_to_the_same_bytes(test_site, site_copy, tmp_path):
    build_into(tmp_path / "again", site_copy)
    for path in [*SITE_WIDE, *TAXONOMY]:
        assert (tmp_path / "again" / path).read_bytes() == (test_site / path).read_bytes(), path


def test_two_posts_with_one_id_fail_the_build_naming_both(site_copy, tmp_path):
    for name in ("first.md", "second.md"):
        post = site_copy / "posts" / name
        post.write_text(post.read_text().replace("Summary:", "Id: urn:same\nSummary:", 1))
    with pytest.raises(DuplicatePostId) as failure:
        build_into(tmp_path / "out", site_copy)
    assert "first.md" in str(failure.value) and "second.md" in str(failure.value)


# -- What the W3C Feed Validator checks --------------------------------------------------------


def test_rss_follows_the_validators_rules(hub_site):
    rss = xml(hub_site / "feeds/all.rss.xml")
    channel = rss.find("channel")
    self_link = channel.find(f"{ATOM}link[@rel='self']")
    assert self_link.get("href") == "https://blog.example/feeds/all.rss.xml"
    assert self_link.get("type") == "application/rss+xml"
    assert channel.findtext("link") == "https://blog.example/"
    assert channel.findtext("language") == "en"
    rfc822 = re.compile(r"^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} [+-]\d{4}$")
    assert rfc822.match(channel.findtext("lastBuildDate"))
    for item in channel.findall("item"):
        guid = item.find("guid")
        assert guid.text.startswith("tag:") and guid.get("isPermaLink") == "false"
        assert rfc822.match(item.findtext("pubDate"))
        parsedate_to_datetime(item.findtext("pubDate"))
        assert item.find("author") is None  # RSS's <author> must be an email; dc:creator names
        assert item.findtext("{http://purl.org/dc/elements/1.1/}creator") == "Ada Writer"


def test_atom_follows_the_validators_rules(test_site):
    for path in ("feeds/all.atom.xml", "feeds/tag/shared.atom.xml"):
        feed = xml(test_site / path).getroot()
        assert feed.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"
        self_link = feed.find(f"{ATOM}link[@rel='self']")
        assert self_link.get("href") == f"http://127.0.0.1:8000/{path}"
        assert feed.findtext(f"{ATOM}id") == self_link.get("href")
        # RFC 4287: with no AUTHOR the blog itself is the feed's author, so entries need none.
        assert feed.findtext(f"{ATOM}author/{ATOM}name") == "Happening Now"
        for entry in feed.findall(f"{ATOM}entry"):
            assert entry.find(f"{ATOM}author") is None


def test_author_is_named_only_when_configured(test_site, hub_site):
    assert "authors" not in json.loads((test_site / "feeds/feed.json").read_text())
    rss = (test_site / "feeds/all.rss.xml").read_text()
    assert "creator" not in rss
    atom = parse(hub_site / "feeds/all.atom.xml")
    assert atom.feed.author == "Ada Writer"
    assert all(e.author == "Ada Writer" for e in atom.entries)


def test_icon_and_logo_reach_every_format(test_site, hub_site):
    atom = xml(hub_site / "feeds/all.atom.xml").getroot()
    assert atom.findtext(f"{ATOM}icon") == "https://blog.example/images/icon.png"
    assert atom.findtext(f"{ATOM}logo") == "https://cdn.example/logo.png"
    image = xml(hub_site / "feeds/all.rss.xml").find("channel/image")
    assert image.findtext("url") == "https://cdn.example/logo.png"
    assert image.findtext("link") == "https://blog.example/"
    doc = json.loads((hub_site / "feeds/feed.json").read_text(encoding="utf-8"))
    assert doc["icon"] == doc["favicon"] == "https://blog.example/images/icon.png"
    assert xml(test_site / "feeds/all.atom.xml").getroot().find(f"{ATOM}icon") is None


def test_json_feed_is_valid_json_feed_1_1(test_site, hub_site):
    plain = json.loads((test_site / "feeds/feed.json").read_text(encoding="utf-8"))
    assert problems(plain) == []
    assert [i["title"] for i in plain["items"]] == NEWEST_FIRST
    (media,) = [i for i in plain["items"] if i["url"] == post_url(MEDIA)]
    assert media["summary"] == "A dek with a relative link and bold words."
    published = json.loads((hub_site / "feeds/feed.json").read_text(encoding="utf-8"))
    assert problems(published) == []
    assert published["feed_url"] == "https://blog.example/feeds/feed.json"
    assert published["authors"] == [{"name": "Ada Writer"}]


# -- WebSub hub links --------------------------------------------------------------------------


def hub_links(out):
    links = []
    for path in XML_FEEDS:
        links += [
            (path, link.get("href"))
            for link in xml(out / path).iter(f"{ATOM}link")
            if link.get("rel") == "hub"
        ]
    hubs = json.loads((out / "feeds/feed.json").read_text(encoding="utf-8")).get("hubs")
    return links, hubs


def test_every_feed_declares_the_hub_when_one_is_configured(hub_site):
    links, hubs = hub_links(hub_site)
    assert links == [(path, "https://hub.example/") for path in XML_FEEDS]
    assert hubs == [{"type": "WebSub", "url": "https://hub.example/"}]
    rss = parse(hub_site / "feeds/all.rss.xml")  # readers still read the RSS with the hub in it
    assert "https://hub.example/" in [link.href for link in rss.feed.links]


def test_no_hub_link_without_hubs(test_site):
    assert hub_links(test_site) == ([], None)


# -- A feed opened in a browser reads as a page ------------------------------------------------


@pytest.mark.parametrize("path", ["feeds/all.atom.xml", "feeds/all.rss.xml"])
def test_the_stylesheet_renders_the_feed_as_a_page(hub_site, path):
    doc = xml(hub_site / path)
    pi = doc.getroot().getprevious()
    assert isinstance(pi, etree._ProcessingInstruction) and pi.target == "xml-stylesheet"
    href = pi.get("href")
    assert href == "/feeds/feed.xsl" and pi.get("type") == "text/xsl"
    transform = etree.XSLT(etree.parse(str(hub_site / "feeds/feed.xsl")))
    page = BeautifulSoup(str(transform(doc)), "html.parser")
    assert page.html["lang"] == "en"
    assert "This is a web feed" in page.h1.get_text()
    assert page.find("input", readonly=True)["value"] == f"https://blog.example/{path}"
    posts = [(a.get_text(), a["href"]) for a in page.select(".feed-posts a")]
    assert posts == [(p["title"], post_url(p["slug"], "https://blog.example")) for p in POSTS]
    assert page.find("link", rel="stylesheet")["href"] == "https://blog.example/theme/css/site.css"


def test_the_feed_page_looks_like_the_site_and_its_links_work(real_site):
    """In the real build, the page uses the theme's own classes and every site link resolves."""
    transform = etree.XSLT(etree.parse(str(real_site / "feeds/feed.xsl")))
    page = BeautifulSoup(str(transform(xml(real_site / "feeds/all.atom.xml"))), "html.parser")
    css = (real_site / "theme/css/site.css").read_text(encoding="utf-8") + page.style.string
    classes = {c for tag in page.find_all(class_=True) for c in tag["class"]}
    assert {"site-header", "wrap", "site-name", "subscribe", "title-list"} <= classes
    for name in classes - {"feed-note", "feed-posts"}:  # hooks only, no style of their own
        assert f".{name}" in css, f"feed.xsl uses class {name!r} that no stylesheet defines"
    local = [a["href"] for a in page.find_all("a") if a["href"].startswith("/")]
    local.append(page.find("link", rel="stylesheet")["href"])
    assert "/subscribe/" in local
    for href in local:
        target = real_site / href.split("#")[0].lstrip("/")
        assert (target / "index.html" if href.endswith("/") else target).is_file(), href


def test_the_stylesheet_is_linked_from_the_feeds_own_origin(site_copy, tmp_path):
    out = tmp_path / "out"
    build_into(
        out, site_copy, SITEURL="https://example.org/blog", FEED_DOMAIN="https://cdn.example/blog"
    )
    pi = xml(out / "feeds/all.rss.xml").getroot().getprevious()
    assert pi.get("href") == "/blog/feeds/feed.xsl"  # whatever host serves it, browsers allow it
    assert 'href="{$siteurl}/theme/css/site.css"' in (out / "feeds/feed.xsl").read_text()
    assert (
        '<xsl:variable name="siteurl">https://example.org/blog</xsl:variable>'
        in (out / "feeds/feed.xsl").read_text()
    )


def test_a_site_with_no_posts_yet_still_has_valid_empty_feeds(site_copy, tmp_path):
    for post in (site_copy / "posts").iterdir():
        post.unlink()
    out = tmp_path / "out"
    build_into(out, site_copy)
    for path in ("feeds/all.atom.xml", "feeds/all.rss.xml"):
        assert parse(out / path).entries == []
    doc = json.loads((out / "feeds/feed.json").read_text(encoding="utf-8"))
    assert problems(doc) == [] and doc["items"] == []


# -- Settings ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "override, named",
    [
        ({"FEEDS_TAG_ATOM": "feeds/tags.atom.xml"}, "FEEDS_TAG_ATOM"),
        ({"FEEDS_ATOM": "/feeds/all.atom.xml"}, "FEEDS_ATOM"),
        ({"FEEDS_TAXONOMY_MAX_ITEMS": -1}, "FEEDS_TAXONOMY_MAX_ITEMS"),
        ({"FEED_MAX_ITEMS": "ten"}, "FEED_MAX_ITEMS"),
        ({"WEBSUB_HUBS": ["hub.example"]}, "WEBSUB_HUBS"),
        ({"FEED_DOMAIN": "feeds.example"}, "FEED_DOMAIN"),
        ({"WEBSUB_TIMEOUT": 0}, "WEBSUB_TIMEOUT"),
    ],
)
def test_a_bad_setting_is_named(override, named):
    with pytest.raises(FeedsSettingsError, match=named):
        load_config({"SITEURL": "", **override})


def test_a_bad_setting_fails_the_build_with_its_name(site_copy, tmp_path):
    with pytest.raises(FeedsSettingsError, match="FEEDS_CATEGORY_ATOM"):
        build_into(tmp_path / "out", site_copy, FEEDS_CATEGORY_ATOM="feeds/cat.xml")


def test_pelicans_own_feed_writer_must_stay_off(site_copy, tmp_path):
    with pytest.raises(FeedsSettingsError, match="TAG_FEED_RSS = None"):
        build_into(tmp_path / "out", site_copy, TAG_FEED_RSS="feeds/{slug}.rss.xml")


def test_feed_domain_moves_the_feeds_but_not_the_posts(site_copy, tmp_path):
    out = tmp_path / "out"
    build_into(out, site_copy, SITEURL="https://blog.example", FEED_DOMAIN="https://feeds.example")
    atom = parse(out / "feeds/all.atom.xml")
    assert atom.feed.id == "https://feeds.example/feeds/all.atom.xml"
    assert [e.link for e in atom.entries] == [
        post_url(p["slug"], "https://blog.example") for p in POSTS
    ]


def test_production_settings_turn_the_feeds_on():
    config = load_config(_settings(PROD_SETTINGS))
    assert (config.atom, config.rss, config.json) == tuple(SITE_WIDE)
    assert config.site_url == "https://happeningnow.example" and not config.is_local


def _settings(path):
    from happening.build import load_settings

    return load_settings(path)


def test_a_rebuild_removes_the_feed_of_a_tag_that_is_gone_and_nothing_else(tmp_path):
    # Development builds keep the output folder: a tag's feed must not outlive its last post.
    out = tmp_path / "out"
    shared = dict(
        FEEDS_CATEGORY_ATOM="feeds/{slug}.atom.xml", FEEDS_TAG_ATOM="feeds/{slug}.atom.xml"
    )
    build_into(out, TEST_SITE, **shared)
    gone, other = out / "feeds" / "gone.atom.xml", out / "feeds" / "notes.txt"
    gone.write_text("<feed/>")
    other.write_text("kept")
    build_into(out, TEST_SITE, **shared)
    assert not gone.exists() and other.exists()
    # Category and tag feeds share the folder with the site-wide ones: every one is kept.
    kept = {p.name for p in (out / "feeds").iterdir()}
    expected = {name.rsplit("/", 1)[1] for name in TAXONOMY} | {"all.atom.xml", "feed.json"}
    assert expected <= kept
