"""Threads in every channel: RFC 4685 in Atom, ``_thread`` in JSON Feed, a feed per thread."""

import json

import feedparser
import pytest
from lxml import etree

from conftest import soup
from readers_support import SITEURL, THREAD

ATOM = "{http://www.w3.org/2005/Atom}"
THR = "{http://purl.org/syndication/thread/1.0}"


@pytest.fixture(scope="module")
def site(readers_site):
    """conftest's session build of the readers' site: these tests only read it."""
    return readers_site


def entries(path):
    """Atom entries of the feed at ``path`` by their page's URL."""
    root = etree.parse(str(path)).getroot()
    return {e.find(f"{ATOM}link").get("href"): e for e in root.iter(f"{ATOM}entry")}


def url(slug):
    return f"{SITEURL}/posts/{slug}/"


def post_id(slug, date):
    return f"tag:happeningnow.example,{date}:{slug}"


def test_an_atom_follow_up_is_in_reply_to_its_parents_id(site):
    feed = entries(site / "feeds/all.atom.xml")
    (reply,) = feed[url("slow-web-numbers")].findall(f"{THR}in-reply-to")
    parent = feed[url("slow-web-readers")]
    assert (
        reply.get("ref")
        == parent.findtext(f"{ATOM}id")
        == post_id("slow-web-readers", "2023-02-14")
    )
    assert reply.get("href") == url("slow-web-readers")
    assert feed[url("slow-web")].find(f"{THR}in-reply-to") is None  # the essay answers nobody
    assert feed[url("tide-tables")].find(f"{THR}in-reply-to") is None


def test_a_post_with_follow_ups_links_its_replies_to_the_thread_feed(site):
    essay = entries(site / "feeds/all.atom.xml")[url("slow-web")]
    (replies,) = essay.findall(f"{ATOM}link[@rel='replies']")
    assert replies.get("href") == f"{SITEURL}/feeds/thread/slow-web.atom.xml"
    assert replies.get(f"{THR}count") == "2"  # its direct follow-ups


def test_the_thread_feed_lists_exactly_the_thread(site):
    path = site / "feeds/thread/slow-web.atom.xml"
    parsed = feedparser.parse(path.read_bytes())
    assert not parsed.bozo
    assert [e.link for e in parsed.entries] == [url(s) for s in reversed(THREAD)]  # newest first
    assert parsed.feed.links[0].href == f"{SITEURL}/feeds/thread/slow-web.atom.xml"
    assert sorted(p.name for p in (site / "feeds/thread").iterdir()) == ["slow-web.atom.xml"]


def test_json_feed_marks_the_thread_with_its_documented_extension(site):
    items = {i["url"]: i for i in json.loads((site / "feeds/feed.json").read_text())["items"]}
    thread = items[url("slow-web-one-year")]["_thread"]
    assert thread == {
        "in_reply_to": [{"id": post_id("slow-web", "2023-01-10"), "url": url("slow-web")}],
        "root": post_id("slow-web", "2023-01-10"),
        "feed_url": f"{SITEURL}/feeds/thread/slow-web.atom.xml",
    }
    assert items[url("slow-web")]["_thread"]["in_reply_to"] == []
    assert "_thread" not in items[url("tide-tables")]


@pytest.mark.parametrize("slug", THREAD)
def test_every_page_of_the_thread_links_its_feed(site, slug):
    page = soup(site / f"posts/{slug}/index.html")
    (link,) = page.select("a.thread-feed")
    assert link["href"] == f"{SITEURL}/feeds/thread/slow-web.atom.xml"
    alternates = page.select('link[rel="alternate"][type="application/atom+xml"]')
    assert f"{SITEURL}/feeds/thread/slow-web.atom.xml" in [a["href"] for a in alternates]


def test_a_post_outside_any_thread_has_no_thread_feed(site):
    page = soup(site / "posts/tide-tables/index.html")
    assert page.select("a.thread-feed") == []
