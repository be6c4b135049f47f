"""The redirects plugin on its own: pages from the table, a real page never overwritten."""

import shutil

import pytest

from conftest import TEST_SITE, build_into
from happening.build import BuildError
from happening.plugins.redirects import add_lines, broken_targets, listed, read_table


@pytest.fixture
def content(tmp_path):
    folder = tmp_path / "content"
    shutil.copytree(TEST_SITE, folder)
    return folder


def test_each_line_becomes_a_page_and_a_hosts_line_but_a_real_page_is_kept(tmp_path, content):
    add_lines(
        content / "redirects.txt",
        [
            ("/p/first-light", "posts/first-light/", ""),
            ("/old/second.html", "posts/second-thoughts/", ""),
            ("/about/", "posts/first-light/", ""),  # Our own About page lives there.
            ("/p/gone", "posts/gone/", ""),
            ("/p/draft", "posts/draft/", "switch on once the draft is published"),
        ],
    )
    assert read_table(content / "redirects.txt") == {
        "/p/first-light": "posts/first-light/",
        "/old/second.html": "posts/second-thoughts/",
        "/about/": "posts/first-light/",
        "/p/gone": "posts/gone/",
    }
    assert "/p/draft" in listed(content / "redirects.txt")
    out = tmp_path / "out"
    with pytest.raises(BuildError, match="redirects: /about/ is a page of this site"):
        build_into(out, content)
    about = (out / "about" / "index.html").read_text()
    assert "Moved:" not in about
    page = (out / "p" / "first-light" / "index.html").read_text()
    assert '<meta http-equiv="refresh" content="0; url=/posts/first-light/">' in page
    assert '<link rel="canonical" href="/posts/first-light/">' in page
    assert "<title>Moved: /p/first-light</title>" in page
    assert (out / "old" / "second.html").is_file()
    assert (out / "_redirects").read_text().splitlines() == [
        "/p/first-light /posts/first-light/ 301",
        "/old/second.html /posts/second-thoughts/ 301",
        "/p/gone /posts/gone/ 301",
    ]
    assert not (out / "p" / "draft").exists()
    assert broken_targets(out) == [
        (
            "out/_redirects:3",
            "the redirect from /p/gone goes to /posts/gone/, which the build did not write; "
            "fix its line in the redirect table (content/redirects.txt)",
        )
    ]


def test_a_line_that_is_not_old_new_stops_the_build_naming_the_line(tmp_path, content):
    (content / "redirects.txt").write_text("/p/ok posts/first-light/\nnot a redirect line\n")
    wanted = r"content/redirects.txt:2: redirects: 'not a redirect line' is not a redirect"
    with pytest.raises(BuildError, match=wanted):
        build_into(tmp_path / "out", content)
