"""Related reading: up to three posts after each post, its thread first, never the post itself."""

import random
from types import SimpleNamespace

import pytest

from conftest import soup
from happening.plugins.related import related_posts
from happening.plugins.related.choose import Candidates


@pytest.fixture(scope="module")
def site(readers_site):
    """conftest's session build of the readers' site: these tests only read it."""
    return readers_site


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


def _every_pair(article, candidates, limit):
    """The choice by comparing ``article`` with every candidate: what the tag index must match."""
    direct = {id(a) for a in [*getattr(article, "follows", []), *getattr(article, "followups", [])]}
    thread = {id(a) for a in getattr(article, "thread", None) or []}
    tags = {t.slug for t in article.tags}
    scored = []
    for other in candidates:
        if other is article or other.slug == article.slug:
            continue
        shared = len(tags & {t.slug for t in other.tags})
        if id(other) not in thread and not shared:
            continue
        rank = (id(other) in direct, id(other) in thread, shared, other.date, other.slug)
        scored.append((rank, other))
    scored.sort(key=lambda pair: pair[0], reverse=True)
    return [other for _, other in scored[:limit]]


def test_the_tag_index_chooses_what_comparing_every_pair_chooses():
    # Few tags, few dates and repeated slugs: many ties, so the order among equals is tested too.
    rng = random.Random(15)
    posts = [
        # Up to 5 tags of 7, or all 7: both ways of counting shared tags (choose.py), and the
        # kept two-tag sets met again with one, two or three tags more.
        _post(
            f"p{rng.randrange(40)}",
            rng.sample("abcdefg", rng.choice((0, 1, 2, 3, 4, 5, 7))),
            rng.randrange(6),
        )
        for _ in range(160)
    ]
    for post in posts:
        post.thread = rng.sample(posts, rng.randrange(4)) if rng.random() < 0.3 else []
        post.follows = post.thread[:1]
        # A draft's follow-ups have no thread: linked, yet outside it.
        post.followups = post.thread[1:2] or rng.sample(posts, rng.randrange(3))
    index = Candidates(posts)
    for post in posts:
        for limit in (0, 1, 3, 200):
            assert index.related(post, limit) == _every_pair(post, posts, limit)
    stranger = _post("zz", ["a", "q"], 9)
    assert index.related(stranger, 5) == _every_pair(stranger, posts, 5)


def _related_blocks(out):
    return {
        path.parent.name: related(out, path.parent.name)
        for path in sorted(out.glob("posts/*/index.html"))
    }


@pytest.mark.parametrize("child", ["chooses", "fails"])
def test_related_reading_chosen_in_a_forked_process_is_the_same(site, tmp_path, monkeypatch, child):
    # From MIN_POSTS posts on, the choice is made in a forked process while the other plugins
    # finish (plugin.py); here every build forks. A child that fails costs only its work: the
    # choice is then made in the build's own process, at get_writer, the same.
    from happening import forked
    from happening.plugins.related import plugin
    from readers_support import build_readers

    choosing = f"{plugin.__name__}._choose"
    forks = []

    class Counted(forked.Forked):  # Every forked helper of the build; this plugin's counted.
        def __init__(self, function, *args, **kwargs):
            self.ours = f"{function.__module__}.{function.__qualname__}" == choosing
            if self.ours:
                forks.append(function)
            super().__init__(function, *args, **kwargs)

        def result(self, relog=True):
            value = super().result(relog)
            if self.ours and child == "fails":
                raise forked.ForkedFailed("as if the child had crashed")
            return value

    monkeypatch.setattr(plugin, "MIN_POSTS", 0)
    monkeypatch.setattr(forked, "Forked", Counted)
    out = tmp_path / "output"
    build_readers(out)
    assert len(forks) == 1
    assert _related_blocks(out) == _related_blocks(site)
    assert plugin._state.choosing is None  # Taken: nothing is left for the next build.
