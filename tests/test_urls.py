"""One way to make a post's URLs absolute, for the feeds and the email alike."""

import pytest
from bs4 import BeautifulSoup

from conftest import TEST_SITE, build_into
from happening import urls
from happening.newsletter import render
from happening.plugins.feeds import entries, load_config
from happening.urls import absolutise

BASE = "https://b.example/posts/p/"


@pytest.mark.parametrize(
    ("written", "absolute"),
    [
        ('<a href="next/">', '<a href="https://b.example/posts/p/next/">'),  # relative
        ('<a href="../">', '<a href="https://b.example/posts/">'),
        ('<img src="/images/a.png">', '<img src="https://b.example/images/a.png">'),  # root
        ('<a href="//cdn.example/x">', '<a href="https://cdn.example/x">'),  # protocol-relative
        ('<a href="#fn:1">', '<a href="https://b.example/posts/p/#fn:1">'),  # fragment
        ('<a href="?page=2">', '<a href="https://b.example/posts/p/?page=2">'),
        ('<a href="">', '<a href="https://b.example/posts/p/">'),  # the page itself
        ("<a href=' spaced.html '>", '<a href="https://b.example/posts/p/spaced.html">'),
        ("<a HREF=bare.html>", '<a HREF="https://b.example/posts/p/bare.html">'),
        ('<video poster="p.jpg">', '<video poster="https://b.example/posts/p/p.jpg">'),
        ('<blockquote cite="/src">', '<blockquote cite="https://b.example/src">'),
        ('<object data="o.svg">', '<object data="https://b.example/posts/p/o.svg">'),
        ('<image xlink:href="i.png"/>', '<image xlink:href="https://b.example/posts/p/i.png"/>'),
    ],
)
def test_each_kind_of_relative_url_resolves_as_a_browser_on_the_post_would(written, absolute):
    assert absolutise(written, BASE) == absolute


@pytest.mark.parametrize(
    "kept",
    [
        '<a href="mailto:someone@example.org">',
        '<a href="tel:+15550100">',
        '<img src="data:image/png;base64,iVBORw0KGgo=">',
        '<a href="https://other.example/a/../b">',  # absolute: left exactly as written
        "<a href='https://other.example/single-quoted'>",
        '<a class="x" data-src="not/a/url.png" title="href=y">',  # no URL attribute here
        "<p>text, <em>inline</em> &amp; entities &mdash; &#8217; stay</p>",
        "<p>1 < 2, and <3 is a heart</p>",
    ],
)
def test_what_is_not_a_relative_url_is_left_byte_for_byte(kept):
    assert absolutise(kept, BASE) == kept


def test_srcset_candidates_keep_their_descriptors():
    out = absolutise('<img srcset="a.png, b.png 2x,/c.png 300w, //d.example/e.png 3x">', BASE)
    assert out == (
        '<img srcset="https://b.example/posts/p/a.png, https://b.example/posts/p/b.png 2x, '
        'https://b.example/c.png 300w, https://d.example/e.png 3x">'
    )


def test_attribute_values_are_decoded_as_html_decodes_attributes():
    out = absolutise('<a href="?a=1&amp;b=2&#38;c=3&copy=4&lang=en">', BASE)
    # &amp; and &#38; are "&"; "&copy=" and "&lang=" are text in an attribute, not © or ⟨.
    assert out == '<a href="https://b.example/posts/p/?a=1&amp;b=2&amp;c=3&amp;copy=4&amp;lang=en">'
    assert absolutise('<a href="&#x2F;root">', BASE) == '<a href="https://b.example/root">'
    assert absolutise('<a href="x?q=&quot;">', BASE) == (
        '<a href="https://b.example/posts/p/x?q=&quot;">'
    )


def test_html5_elements_keep_their_shape():
    # A tree parser that knows only HTML 4 nests the <img> inside <source> and writes </source>.
    written = (
        '<picture><source srcset="a.webp"><img src="a.png" alt="A"></picture>'
        '<video><source src="v.mp4"><track src="t.vtt"></video>a<wbr>b<embed src="e.svg">'
    )
    assert absolutise(written, "https://b.example/") == (
        '<picture><source srcset="https://b.example/a.webp">'
        '<img src="https://b.example/a.png" alt="A"></picture>'
        '<video><source src="https://b.example/v.mp4"><track src="https://b.example/t.vtt">'
        '</video>a<wbr>b<embed src="https://b.example/e.svg">'
    )


def test_script_style_and_comments_are_not_markup():
    written = (
        '<script src="s.js">document.write("<a href=\\"x\\">")</script>'
        "<STYLE>a::after { content: '<img src=y>' }</Style >"
        '<!-- <a href="old"> --><!--><textarea><a href="z"></textarea><a href="last">'
    )
    assert absolutise(written, BASE) == written.replace(
        '"s.js"', '"https://b.example/posts/p/s.js"'
    ).replace('"last"', '"https://b.example/posts/p/last"')


def test_broken_markup_is_left_as_it_is():
    for broken in ('<a href="never-closed>text', "<a href=x", "<!-- never closed <a href=x>"):
        assert absolutise(broken, BASE) == broken


def test_feeds_and_email_use_this_one_implementation():
    assert entries.absolutise is urls.absolutise
    assert render.absolutise is urls.absolutise


def _urls(fragment):
    found = set()
    for tag in BeautifulSoup(fragment, "html.parser").find_all(True):
        for name in sorted(urls.URL_ATTRIBUTES & set(tag.attrs)):
            found.add((tag.name, name, tag[name]))
    return found


def test_a_post_has_the_same_urls_in_its_feed_entry_and_its_email(tmp_path):
    site = "https://b.example"
    built = build_into(tmp_path / "out", TEST_SITE, SITEURL=site)
    (article,) = [a for a in built.published if a.slug == "feeds-media"]
    feed = entries.make_post(article, load_config(built.settings)).item["content_html"]
    email = render.email_content(article.content, f"{site}/{article.url}")
    # The email drops an <img>'s srcset (most mail apps ignore it: render.email_content); every
    # other URL is the feed's, made absolute the same way.
    in_feed = {u for u in _urls(feed) if u[:2] != ("img", "srcset")}
    assert in_feed == _urls(email)
    assert len(in_feed) >= 10
    assert all(url.startswith(("https://", "mailto:")) for _, _, url in _urls(email))
