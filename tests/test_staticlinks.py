"""fastbuild/staticlinks.py: Pelican's static links of a body, searched only where one can be."""

import pytest
from pelican.contents import Content

from body_helpers import post
from happening.plugins.fastbuild import fence, staticlinks

BODIES = [
    '<p><img src="{static}/images/a.png" alt=""></p>',
    '<p><a href="|attach|files/b.pdf">b</a></p>',
    '<p><a href="{filename}other.md">another post</a>, no file linked</p>',
    "<p>A static electricity story, with nothing attached.</p>",
    "<p>Neither word here.</p>",
    "",
]


@pytest.mark.parametrize("body", BODIES)
@pytest.mark.parametrize(
    "settings", [{}, {"INTRASITE_LINK_REGEX": r"<<(?P<what>.*?)>>"}], ids=["default", "own"]
)
def test_the_links_found_are_the_ones_pelican_finds(body, settings):
    body = body if not settings else body.replace("{", "<<").replace("}", ">>")
    pelicans = post(body, **settings).get_static_links()
    staticlinks.start()
    try:
        assert post(body, **settings).get_static_links() == pelicans
    finally:
        fence.restore()


def test_a_body_naming_neither_kind_is_not_searched(monkeypatch):
    searched = []
    original = Content._get_intrasite_link_regex
    monkeypatch.setattr(
        Content, "_get_intrasite_link_regex", lambda self: searched.append(1) or original(self)
    )
    staticlinks.start()
    try:
        assert post("<p>Neither word here.</p>").get_static_links() == set()
        assert searched == []
        assert post(BODIES[0]).get_static_links() == {"images/a.png"}
        assert searched == [1]
    finally:
        fence.restore()
