"""Related reading: up to three posts after each post, its thread first, never the post itself."""

from types import SimpleNamespace

import pytest

from conftest import soup
from happening.plugins.related import related_posts
from readers_support import build_readers


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("related") / "output"
    build_readers(out)
    return out


def related(site, slug):
    page = soup(site / f"posts/{slug}/index.html")
    return [a["href"].rstrip("/").rsplit("/", 1)[-1] for a in page.select(".related a")]


def test_the_related_block_never_lists_the_post_itself(site):
    pages = sorted(site.glob("posts/*/index.html"))
    assert len(pages) >= 22
    for path in pages:
        slug = path.parent.name
        listed = related(site, slug)
        assert slug not in listed, path
        assert 1 <= len(listed) <= 3, path
        assert len(set(listed)) == len(listed), path


def test_the_thread_comes_first_the_posts_it_answers_before_the_rest(site):
    # slow-web-numbers follows slow-web-readers; slow-web and slow-web-one-year are the thread.
    assert related(site, "slow-web-numbers") == [
        "slow-web-readers",
        "slow-web-one-year",
        "slow-web",
    ]
    assert related(site, "slow-web") == [
        "slow-web-one-year",
        "slow-web-readers",
        "slow-web-numbers",
    ]


def test_outside_a_thread_the_most_shared_tags_win_then_the_newest(site):
    # lighthouse: History, Sea. Nothing else has both; of the one-tag matches, the newest.
    assert related(site, "lighthouse") == ["winter-swim", "maps", "gardens"]


def _post(slug, tags, date, **links):
    tags = [SimpleNamespace(slug=t) for t in tags]
    return SimpleNamespace(slug=slug, tags=tags, date=date, **links)


def test_posts_sharing_nothing_are_not_related_and_the_limit_holds():
    post = _post("a", ["x", "y"], 1)
    others = [_post("b", ["x"], 2), _post("c", ["z"], 3), _post("d", ["x", "y"], 1), post]
    assert [p.slug for p in related_posts(post, others, limit=3)] == ["d", "b"]
    assert [p.slug for p in related_posts(post, others, limit=1)] == ["d"]
    assert related_posts(post, others, limit=0) == []


def test_a_translation_is_never_related_to_its_original():
    post = _post("a", ["x"], 1)
    translation = _post("a", ["x"], 1)  # the same post (slug) in another language
    other = _post("b", ["x"], 2)
    assert related_posts(post, [translation, other]) == [other]
