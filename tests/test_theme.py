"""The reading theme, read from the built HTML: every page, the head, the post, the budgets."""

import hashlib
import json
import re
from urllib.parse import urlsplit

import pytest
import rcssmin
from lxml import etree

from conftest import ROOT, TEST_SITE, build_into, published_posts, soup
from happening.errors import UserError
from theme_support import BUTTONDOWN, ESSAY_URL, SITEURL, build_real_site, build_theme_site

CSS = ROOT / "theme" / "static" / "css" / "site.css"
TYPO = "posts/typography-and-the-long-read/"
# Other areas add posts to the shared test site: counts and neighbours come from what is there.
POSTS = published_posts()
FEEDS = ["/feeds/all.atom.xml", "/feeds/all.rss.xml", "/feeds/feed.json"]


@pytest.fixture(scope="module")
def site(test_site):
    """The test site, development settings, the feeds plugin's links, no email service.

    That is exactly conftest's session build, and nothing here writes to it, so it is reused.
    """
    return test_site


@pytest.fixture(scope="module")
def prod(tmp_path_factory):
    """The test site, production settings, feed links and a Buttondown sign-up form."""
    out = tmp_path_factory.mktemp("theme-prod") / "output"
    build_theme_site(out, prod=True, **BUTTONDOWN)
    return out


@pytest.fixture(scope="module")
def essay_site(tmp_path_factory):
    out = tmp_path_factory.mktemp("theme-essay") / "output"
    build_real_site(out)
    return out


def ld_json(page):
    return [json.loads(s.string) for s in page.find_all("script", type="application/ld+json")]


# -- Every page ---------------------------------------------------------------------------------
PAGES = [
    "index.html",
    "page/2/index.html",
    "posts/first-light/index.html",
    "about/index.html",
    "archives/index.html",
    "2024/index.html",
    "categories/index.html",
    "category/notes/index.html",
    "tags/index.html",
    "tag/shared/index.html",
    "tag/shared/page/2/index.html",
    "authors/index.html",
    "404.html",
]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_has_landmarks_one_h1_and_a_skip_link(site, path):
    page = soup(site / path)
    assert page.html["lang"] == "en"
    assert len(page.find_all("h1")) == 1, path
    for landmark in ("header", "nav", "main", "footer"):
        assert page.find(landmark), f"{path}: no <{landmark}>"
    skip = page.find("a", class_="skip-link")
    assert skip["href"] == "#main" and page.find("main")["id"] == "main"
    assert page.title.string.strip()
    assert page.find("meta", attrs={"name": "description"})["content"]


def test_site_files_exist(site, prod):
    assert (site / "favicon.ico").read_bytes()[:4] == b"\0\0\1\0"  # An ICO header.
    assert "Sitemap" not in (site / "robots.txt").read_text()
    assert not (site / "sitemap.xml").exists()  # A sitemap needs absolute URLs.
    robots = (prod / "robots.txt").read_text()
    assert f"Sitemap: {SITEURL}/sitemap.xml" in robots and "User-agent: *" in robots
    sitemap = (prod / "sitemap.xml").read_text()
    assert f"<loc>{SITEURL}/posts/first-light/</loc>" in sitemap
    assert f"<loc>{SITEURL}/</loc>" in sitemap and f"<loc>{SITEURL}/about/</loc>" in sitemap
    assert "not-ready-yet" not in sitemap and "from-the-future" not in sitemap


def test_404_page_is_not_indexed_and_links_home(site):
    page = soup(site / "404.html")
    assert page.find("meta", attrs={"name": "robots"})["content"] == "noindex"
    assert not page.find("link", rel="canonical")
    assert page.find("a", href="/")


def test_index_paginates_into_two_pages(site):
    assert 10 < len(POSTS) <= 20, "the test site should fill one index page and start another"
    first, second = soup(site / "index.html"), soup(site / "page/2/index.html")
    assert len(first.select(".entries .entry")) == 10
    assert first.select_one(".pagination a[rel=next]")["href"] == "/page/2/"
    assert second.select_one(".pagination a[rel=prev]")["href"] == "/"
    assert not second.select(".pagination a[rel=next]") and not (site / "page/3").exists()
    listed = [a["href"] for page in (first, second) for a in page.select(".entry-title a")]
    assert listed == [f"/posts/{p['slug']}/" for p in POSTS]  # every post, newest first


@pytest.mark.parametrize(
    "listing, member",
    [
        ("tag/shared", lambda p: "Shared" in p["tags"]),
        ("category/notes", lambda p: p.get("category") == "Notes"),
    ],
)
def test_each_listing_page_shows_only_its_own_slice(site, listing, member):
    # Each numbered page lists its slice of the posts (articles_page.object_list), never all of
    # them: output would otherwise grow with the square of a tag's posts.
    expected = [f"/posts/{p['slug']}/" for p in POSTS if member(p)]
    pages, path = [], site / listing / "index.html"
    while path.exists():
        pages.append([a["href"] for a in soup(path).select(".entries .entry-title a")])
        path = site / listing / "page" / str(len(pages) + 1) / "index.html"
    assert [len(p) for p in pages[:-1]] == [10] * (len(pages) - 1)
    assert 0 < len(pages[-1]) <= 10
    assert [href for page in pages for href in page] == expected  # each once, newest first


def test_year_archive_lists_that_years_posts(site):
    page = soup(site / "2023/index.html")
    assert len(page.select(".title-list li")) == 7
    assert soup(site / "archives/index.html").find("a", href="/2023/")


# -- The head -----------------------------------------------------------------------------------
def test_post_head_has_description_canonical_social_and_theme_tags(prod):
    page = soup(prod / "posts/first-light/index.html")
    url = f"{SITEURL}/posts/first-light/"

    def meta(**attrs):
        return page.find("meta", attrs=attrs)["content"]

    assert page.title.string == "First light · Happening Now"
    assert meta(name="description") == "The first tiny post."
    assert page.find("link", rel="canonical")["href"] == url
    assert meta(property="og:type") == "article"
    assert meta(property="og:url") == url
    assert meta(property="og:title") == "First light"
    assert meta(property="og:description") == "The first tiny post."
    assert meta(name="twitter:card") == "summary_large_image"  # its social card (socialcards)
    assert meta(property="og:image") == f"{SITEURL}/cards/first-light.png"
    assert meta(name="color-scheme") == "light dark"
    assert len(page.find_all("meta", attrs={"name": "theme-color"})) == 2
    assert meta(property="article:published_time").startswith("2024-01-10T09:00")


@pytest.mark.parametrize(
    "path", ["index.html", "page/2/index.html", "posts/first-light/index.html", "about/index.html"]
)
def test_canonical_urls_are_absolute_in_production(prod, path):
    href = soup(prod / path).find("link", rel="canonical")["href"]
    assert href.startswith(SITEURL + "/")
    assert href == SITEURL + "/" + path.replace("index.html", "")


def test_feed_autodiscovery_lists_atom_rss_and_json_feed_in_order(prod):
    links = soup(prod / "index.html").find_all("link", rel="alternate")
    assert [(x["type"], x["href"]) for x in links] == [
        ("application/atom+xml", f"{SITEURL}/feeds/all.atom.xml"),
        ("application/rss+xml", f"{SITEURL}/feeds/all.rss.xml"),
        ("application/feed+json", f"{SITEURL}/feeds/feed.json"),
    ]


def feed_links(page):
    """The site-wide feeds a page offers: autodiscovery in <head>, the subscribe box, the footer.

    A post in a thread also offers its thread's feed (tests/test_threads.py); left out here.
    """
    head = [
        link["href"]
        for link in page.head.find_all("link", rel="alternate")
        if "/feeds/thread/" not in link["href"]
    ]
    box = [a["href"] for a in page.select("section.subscribe a")]
    footer = [a["href"] for a in page.select(".site-footer a") if "/feeds/" in a["href"]]
    return head, box, footer


def test_feed_links_come_from_the_feeds_plugin_and_go_when_the_feeds_are_off(site, tmp_path):
    assert feed_links(soup(site / "posts/first-light/index.html")) == (FEEDS, FEEDS, FEEDS)
    for feed in FEEDS:
        assert (site / feed.lstrip("/")).is_file()  # every link the theme shows was written
    out = tmp_path / "off"
    build_into(out, TEST_SITE, FEEDS_ATOM=None, FEEDS_RSS=None, FEEDS_JSON=None)
    page = soup(out / "posts/first-light/index.html")
    assert feed_links(page) == ([], [], [])
    assert not page.select(".subscribe")  # Nothing to offer: no box at all, never a dead form.
    assert not (out / "feeds/all.atom.xml").exists()


def test_only_the_feeds_that_are_on_are_linked(tmp_path):
    out = tmp_path / "out"
    build_into(out, TEST_SITE, FEEDS_RSS=None)
    head, box, footer = feed_links(soup(out / "posts/first-light/index.html"))
    assert head == box == footer == ["/feeds/all.atom.xml", "/feeds/feed.json"]


def test_feed_links_follow_feed_domain_like_the_feeds_own_self_links(tmp_path):
    out = tmp_path / "out"
    build_theme_site(out, prod=True, FEED_DOMAIN="https://feeds.example")
    head, box, footer = feed_links(soup(out / "posts/first-light/index.html"))
    moved = [f"https://feeds.example{feed}" for feed in FEEDS]
    assert head == box == footer == moved
    atom = etree.parse(str(out / "feeds/all.atom.xml")).getroot()
    self_link = atom.find("{http://www.w3.org/2005/Atom}link[@rel='self']")
    assert self_link.get("href") == moved[0]


def test_json_ld_is_a_blog_posting_on_posts_and_a_blog_on_the_index(prod):
    (post,) = ld_json(soup(prod / TYPO / "index.html"))
    assert post["@type"] == "BlogPosting"
    assert post["headline"] == "Typography & the long read"
    assert post["url"] == post["mainEntityOfPage"] == f"{SITEURL}/{TYPO}"
    assert post["datePublished"].startswith("2024-05-20T09:00")
    assert post["dateModified"].startswith("2024-06-01T10:30")
    assert "author" not in post  # AUTHOR is unset: no invented author.
    (blog,) = ld_json(soup(prod / "index.html"))
    assert blog["@type"] == "Blog" and blog["url"] == f"{SITEURL}/"


def test_assets_are_never_loaded_from_another_site(prod, essay_site):
    pages = [*prod.rglob("*.html"), *essay_site.rglob("*.html")]
    assert len(pages) > 20
    for path in pages:
        page = soup(path)
        for el in page.find_all(["link", "script", "img", "iframe", "source", "video", "audio"]):
            if el.name == "link" and not {"stylesheet", "icon", "preload"} & set(el.get("rel", [])):
                continue  # canonical and alternate links name pages, not assets.
            url = el.get("src") or el.get("href")
            if url is None:
                continue
            host = urlsplit(url).netloc
            assert url.startswith("data:") or host in ("", urlsplit(SITEURL).netloc), (path, url)


def test_stylesheet_url_carries_the_css_content_hash(site):
    digest = hashlib.sha256(CSS.read_bytes()).hexdigest()[:10]
    sheets = soup(site / "index.html").find_all("link", rel="stylesheet")
    assert [s["href"] for s in sheets] == [f"/theme/css/site.css?v={digest}"]
    served = (site / "theme/css/site.css").read_text()
    assert served == rcssmin.cssmin(CSS.read_text())  # The theme's, minified.


# -- The post -----------------------------------------------------------------------------------
def test_post_shows_title_dek_date_reading_time_category_and_tags(site):
    page = soup(site / "posts/first-light/index.html")
    assert page.h1.get_text() == "First light"
    assert page.select_one(".post-header .dek").get_text() == "The first tiny post."
    time = page.select_one(".post-header time")
    assert time["datetime"].startswith("2024-01-10T09:00") and time.get_text() == "10 January 2024"
    meta = page.select_one(".post-header .post-meta").get_text(" ", strip=True)
    assert "1 min read" in meta and "Notes" in meta
    assert [a.get_text() for a in page.select(".tags a")] == ["Alpha", "Shared"]
    assert not page.select(".byline")  # AUTHOR unset: no byline.


def test_updated_date_shows_only_when_modified(site):
    page = soup(site / TYPO / "index.html")
    updated = [p for p in page.select(".post-header .post-meta") if "Updated" in p.get_text()]
    assert updated[0].time["datetime"].startswith("2024-06-01T10:30")
    assert (
        "Updated"
        not in soup(site / "posts/first-light/index.html")
        .select_one("header.post-header")
        .get_text()
    )


def test_byline_appears_when_an_author_is_configured(tmp_path):
    out = tmp_path / "out"
    build_theme_site(out, AUTHOR="Test Writer")
    page = soup(out / "posts/first-light/index.html")
    assert page.select_one(".byline").get_text(" ", strip=True) == "By Test Writer"
    (post,) = ld_json(page)
    assert post["author"] == {"@type": "Person", "name": "Test Writer"}


def test_long_form_blocks_render(site):
    content = soup(site / TYPO / "index.html").select_one(".content")
    for selector in (
        "blockquote",
        "ul",
        "ol",
        "pre code",
        "figure figcaption",
        "img[alt]",
        ".footnote",
        "sup a.footnote-ref",
    ):
        assert content.select(selector), selector


def test_follow_up_names_what_it_follows_in_order(site):
    thread = soup(site / "posts/light-once-more/index.html").select_one(".post-header .thread")
    assert thread.get_text(" ", strip=True).startswith("A follow-up to")
    assert [a["href"] for a in thread.find_all("a")] == [
        "/posts/light-revisited/",
        "/posts/first-light/",
    ]


def test_original_lists_its_follow_ups_newest_first(site):
    listed = soup(site / "posts/first-light/index.html").select(".followups a")
    assert [a["href"] for a in listed] == ["/posts/light-once-more/", "/posts/light-revisited/"]
    middle = soup(site / "posts/light-revisited/index.html")
    assert [a["href"] for a in middle.select(".followups a")] == ["/posts/light-once-more/"]
    assert [a["href"] for a in middle.select(".thread a")] == ["/posts/first-light/"]
    assert not soup(site / "posts/second-thoughts/index.html").select(".followups, .thread")


def test_previous_and_next_posts_by_date(site):
    oldest_first = [f"/posts/{p['slug']}/" for p in reversed(POSTS)]
    for older, url, newer in zip(oldest_first, oldest_first[1:], oldest_first[2:], strict=False):
        nav = soup(site / url.lstrip("/") / "index.html").select_one("nav.post-nav")
        assert nav.select_one(".prev a")["href"] == older, url
        assert nav.select_one(".next a")["href"] == newer, url
    newest = soup(site / oldest_first[-1].lstrip("/") / "index.html").select_one("nav.post-nav")
    assert not newest.select(".next") and newest.select_one(".prev a")["href"] == oldest_first[-2]
    oldest = soup(site / oldest_first[0].lstrip("/") / "index.html").select_one("nav.post-nav")
    assert not oldest.select(".prev") and oldest.select_one(".next a")["href"] == oldest_first[1]


def test_without_an_email_service_the_box_offers_feeds_only(site):
    box = soup(site / "posts/first-light/index.html").select_one("section.subscribe")
    assert box.h2 and not box.find("form") and not box.find("input")
    assert [a["href"] for a in box.find_all("a")] == FEEDS


def test_buttondown_form_posts_to_its_public_endpoint_with_a_labelled_email(prod):
    page = soup(prod / "posts/first-light/index.html")
    form = page.select_one("section.subscribe form")
    assert form["action"] == "https://buttondown.com/api/emails/embed-subscribe/happeningnow"
    assert form["method"] == "post"
    email = form.find("input", type="email")
    assert email["name"] == "email" and email.has_attr("required")
    assert page.find("label", attrs={"for": email["id"]}).get_text(strip=True) == "Email address"
    hidden = {i["name"]: i["value"] for i in form.find_all("input", type="hidden")}
    assert hidden == {"embed": "1"}
    # The article ends before the box: the box is after the post, not inside or before it.
    assert page.select_one("article.post").find_next("section", class_="subscribe") is not None


def test_listmonk_form_in_a_build(tmp_path):
    out = tmp_path / "out"
    uuid = "6e4b9c2a-1f0d-4c3b-9a8e-7d6c5b4a3f21"
    build_theme_site(
        out,
        NEWSLETTER_PROVIDER="listmonk",
        LISTMONK_URL="https://lists.example.org/",
        LISTMONK_LIST_UUID=uuid,
    )
    form = soup(out / "posts/first-light/index.html").select_one("section.subscribe form")
    assert form["action"] == "https://lists.example.org/subscription/form"
    hidden = {i["name"]: i["value"] for i in form.find_all("input", type="hidden")}
    assert hidden == {"l": uuid, "nonce": ""}
    assert form.find("input", type="email")["name"] == "email"


# -- Budgets and style --------------------------------------------------------------------------
def test_essay_weight_and_requests_stay_within_budget(essay_site):
    """HTML + CSS + any font/script <= 40 KB uncompressed, <= 4 requests (content images aside)."""
    html_path = essay_site / ESSAY_URL / "index.html"
    page = soup(html_path)
    assets = [
        link["href"]
        for link in page.find_all("link", rel=["stylesheet", "icon", "preload", "modulepreload"])
    ]
    assets += [s["src"] for s in page.find_all("script", src=True)]
    assert not page.find_all("script", src=True)  # Reading needs no JavaScript.
    requests = 1 + len(assets)
    weight = html_path.stat().st_size
    for url in assets:
        local = urlsplit(url).path.lstrip("/")
        weight += (essay_site / local).stat().st_size
    assert requests <= 4, assets
    assert weight <= 40 * 1024, weight


def test_the_served_stylesheet_is_the_theme_one_without_comments_or_spacing(essay_site):
    served = (essay_site / "theme" / "css" / "site.css").read_text()
    source = CSS.read_text()
    assert "/*" in source and "/*" not in served  # The why-comments stay in the theme.
    assert len(served) < 0.8 * len(source)
    assert ":root{" in served and "@media print" in served


def _tokens(block):
    return dict(re.findall(r"--([a-z-]+):\s*(#[0-9a-f]{6})", block))


def _luminance(hex_colour):
    def channel(c):
        c = int(c, 16) / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(hex_colour[i : i + 2]) for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a, b):
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_colour_tokens_meet_wcag_aa_contrast_in_both_schemes():
    css = CSS.read_text()
    light = _tokens(css.split("@media (prefers-color-scheme: dark)")[0])
    dark = {**light, **_tokens(css.split("@media (prefers-color-scheme: dark)")[1].split("}")[0])}
    assert light["bg"] != dark["bg"]
    pairs = [
        (fg, bg) for fg in ("text", "muted", "accent", "accent-hover") for bg in ("bg", "surface")
    ] + [("on-accent", "accent"), ("on-accent", "accent-hover")]
    for scheme, t in (("light", light), ("dark", dark)):
        for fg, bg in pairs:
            ratio = contrast(t[fg], t[bg])
            assert ratio >= 4.5, f"{scheme}: --{fg} on --{bg} is {ratio:.2f}:1"
        # Focus ring and input borders are non-text: 3:1 (WCAG 1.4.11).
        assert contrast(t["focus"], t["bg"]) >= 3 and contrast(t["focus"], t["surface"]) >= 3


def test_stylesheet_has_tokens_first_a_dark_scheme_and_a_print_sheet():
    css = CSS.read_text()
    assert css.index(":root {") < css.index("body {")
    print_rules = css.split("@media print")[1]
    for hidden in (".site-nav", ".subscribe", ".post-nav"):
        assert hidden in print_rules.split("display: none")[0]
    assert "attr(href)" in print_rules
    # Nothing else to fetch but the one self-hosted text face, which never holds text back.
    assert "@import" not in css
    assert re.findall(r"url\(([^)]*)\)", css) == ['"../fonts/source-serif-4-latin-400.woff2"']
    assert "font-display: swap" in css


def test_bad_reading_pace_fails_the_build_naming_the_setting(tmp_path):
    with pytest.raises(UserError, match="READING_WORDS_PER_MINUTE"):
        build_theme_site(tmp_path / "out", READING_WORDS_PER_MINUTE=0)


def test_theme_color_matches_each_schemes_background(site):
    css = CSS.read_text()
    light = _tokens(css.split("@media (prefers-color-scheme: dark)")[0])["bg"]
    dark = _tokens(css.split("@media (prefers-color-scheme: dark)")[1].split("}")[0])["bg"]
    metas = soup(site / "index.html").find_all("meta", attrs={"name": "theme-color"})
    assert {m["media"]: m["content"] for m in metas} == {
        "(prefers-color-scheme: light)": light,
        "(prefers-color-scheme: dark)": dark,
    }
