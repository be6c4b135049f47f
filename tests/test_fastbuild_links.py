"""fastbuild/links.py: a body's intrasite links, searched once and kept by the body's digest."""

import json

import pytest

from body_helpers import post
from happening.plugins.fastbuild import fence, links, staticlinks

BODIES = [
    '<p><img src="{static}/images/a.png" alt=""></p><p><a href="{filename}b.md">b</a></p>',
    '<p><a href="|attach|files/b.pdf">b</a> <img src="{static}pics/c%20d.png"></p>',
    '<p><a href="{filename}other.md">another post</a>, no file linked</p>',
    "<p>Neither word here.</p>",
    "",
]


def cache_settings(tmp_path, **more):
    return {"CACHE_PATH": str(tmp_path), "LOAD_CONTENT_CACHE": True, "CACHE_CONTENT": True, **more}


@pytest.fixture
def searches(monkeypatch):
    """The bodies searched with the intrasite regex, in order."""
    found = []
    original = fence.intrasite_links

    def counted(content, text):
        found.append(text)
        return original(content, text)

    monkeypatch.setattr(fence, "intrasite_links", counted)
    yield found
    links.state.reset()


def one_build(settings, bodies):
    """``links.of`` of each body in one build, as the build's handlers call it."""
    links.start(settings)
    try:
        return [links.of(post(body))[1] for body in bodies]
    finally:
        links.finish()


@pytest.mark.parametrize("body", BODIES)
def test_the_links_are_the_ones_the_regex_finds(body, tmp_path, searches):
    expected = list(fence.intrasite_links(post(body), body))
    assert links.of(post(body))[1] == expected  # Outside a build: searched.
    assert one_build(cache_settings(tmp_path), [body]) == [expected]
    assert one_build(cache_settings(tmp_path), [body]) == [expected]  # Kept from the file.


def test_an_unchanged_body_is_searched_once_and_a_changed_one_again(tmp_path, searches):
    settings = cache_settings(tmp_path)
    first = one_build(settings, BODIES[:3] + BODIES[:1])
    assert searches == BODIES[:3], "one build searched a body twice"
    assert (tmp_path / links.FILE).is_file()
    searches.clear()
    changed = BODIES[0].replace("b.md", "e.md")
    again = one_build(settings, [*BODIES[:3], changed])
    assert searches == [changed], "an unchanged body was searched again"
    assert again[:3] == first[:3]
    assert again[3] == [("static", "/images/a.png"), ("filename", "e.md")]


def test_another_regex_or_code_or_a_build_keeping_no_cache_searches_afresh(
    tmp_path, searches, monkeypatch
):
    one_build(cache_settings(tmp_path), BODIES[:1])
    searches.clear()
    own = r"<<(?P<what>.*?)>>"
    body = BODIES[0].replace("{", "<<").replace("}", ">>")
    links.start(cache_settings(tmp_path))
    try:
        assert links.of(post(body, INTRASITE_LINK_REGEX=own))[1] == [
            ("static", "/images/a.png"),
            ("filename", "b.md"),
        ]
    finally:
        links.finish()
    assert searches == [body]
    searches.clear()
    # The file now holds the answers for the other regex: the default one searches again.
    one_build(cache_settings(tmp_path), BODIES[:1])
    assert searches == BODIES[:1]
    searches.clear()
    monkeypatch.setattr(links, "_code_digest", lambda: "another way of searching")
    one_build(cache_settings(tmp_path), BODIES[:1])
    assert searches == BODIES[:1]
    searches.clear()
    one_build(cache_settings(tmp_path, LOAD_CONTENT_CACHE=False), BODIES[:1])
    assert searches == BODIES[:1]


def test_a_damaged_or_forged_file_is_not_believed(tmp_path, searches):
    one_build(cache_settings(tmp_path), BODIES[:1])
    kept = json.loads((tmp_path / links.FILE).read_text())
    for damaged in ("not json", json.dumps({**kept, "links": {d: "x" for d in kept["links"]}})):
        (tmp_path / links.FILE).write_text(damaged)
        searches.clear()
        assert one_build(cache_settings(tmp_path), BODIES[:1]) == [
            [("static", "/images/a.png"), ("filename", "b.md")]
        ]
        assert searches == BODIES[:1]


@pytest.mark.parametrize("body", BODIES)
def test_static_links_from_kept_links_are_pelicans(body, tmp_path):
    pelicans = post(body).get_static_links()
    for _ in range(2):  # Searched, then from the file.
        links.start(cache_settings(tmp_path))
        staticlinks.start()
        try:
            assert post(body).get_static_links() == pelicans
        finally:
            fence.restore()
            links.finish()
