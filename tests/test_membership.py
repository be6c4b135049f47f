"""Taxonomy lists with a quick ``in`` are lists in every other way (fastbuild/membership.py).

The whole-site proof (a tag, category and author page as plain Pelican writes them) is
``test_fastbuild.py``'s comparison with a build without fastbuild; these pin the list itself.
"""

import pickle

from pelican.contents import Article
from pelican.generators import ArticlesGenerator

from happening.build import DEV_SETTINGS, load_settings
from happening.plugins.fastbuild import fence
from happening.plugins.fastbuild.membership import CHANGES, Membership, index_taxonomies


class Post:
    """Compared by identity, as Pelican's posts are."""


class Same:
    """Equal to every other ``Same``: ``in`` must still find an equal one, as a list does."""

    def __eq__(self, other):
        return isinstance(other, Same)

    __hash__ = None


def test_in_finds_the_very_object_and_nothing_else():
    posts = [Post() for _ in range(5)]
    listed = Membership(posts[:3])
    assert [p in listed for p in posts] == [True, True, True, False, False]
    assert listed == posts[:3] and isinstance(listed, list)


def test_an_object_with_its_own_equality_is_found_as_a_list_finds_it():
    assert Same() in Membership([Same()])
    assert 2.0 in Membership([1, 2, 3])
    assert Same() not in Membership([Post()])


def test_every_change_is_seen_by_the_next_in():
    a, b, c = Post(), Post(), Post()
    changes = {
        "append": lambda posts: posts.append(c),
        "extend": lambda posts: posts.extend([c]),
        "insert": lambda posts: posts.insert(0, c),
        "remove": lambda posts: posts.remove(a),
        "pop": lambda posts: posts.pop(0),
        "clear": lambda posts: posts.clear(),
        "__setitem__": lambda posts: posts.__setitem__(0, c),
        "__delitem__": lambda posts: posts.__delitem__(0),
        "__iadd__": lambda posts: posts.__iadd__([c]),
        "__imul__": lambda posts: posts.__imul__(0),
    }
    assert set(changes) == set(CHANGES)
    for name, change in changes.items():
        listed, plain = Membership([a, b]), [a, b]
        assert a in listed and c not in listed  # The index is made, then the list changes.
        change(listed)
        change(plain)
        assert listed == plain, name
        assert [p in listed for p in (a, b, c)] == [p in plain for p in (a, b, c)], name


def test_slices_and_copies_are_plain_lists_and_it_pickles():
    a, b = Post(), Post()
    listed = Membership([a, b])
    assert type(listed[:1]) is list and type(listed + [a]) is list
    again = pickle.loads(pickle.dumps(Membership([1, 2]), protocol=5))
    assert type(again) is Membership and again == [1, 2] and 2 in again and 3 not in again


def _generator(tmp_path):
    settings = load_settings(DEV_SETTINGS, PATH=str(tmp_path), OUTPUT_PATH=str(tmp_path / "out"))
    context = {**settings, "generated_content": {}, "static_links": set()}
    generator = ArticlesGenerator(
        context=context,
        settings=settings,
        path=str(tmp_path),
        theme=settings["THEME"],
        output_path=str(tmp_path / "out"),
    )
    return generator


def test_the_generator_and_the_context_get_the_same_lists(tmp_path):
    generator = _generator(tmp_path)
    first, second = Article("<p>1</p>"), Article("<p>2</p>")
    generator.tags = {"tag-a": [first, second], "tag-b": [second]}
    generator.categories = [("cat", [first, second])]
    generator.authors = [("me", [first])]
    elsewhere = [first]  # A list in the context the generator does not hold: left alone.
    generator.context.update(
        tags=list(generator.tags.items()) + [("stray", elsewhere)],
        categories=generator.categories,
        authors=generator.authors,
    )
    index_taxonomies(generator)
    assert all(type(posts) is Membership for posts in generator.tags.values())
    assert [posts for _, posts in generator.context["tags"]][:2] == [[first, second], [second]]
    for (_, shown), posts in zip(
        generator.context["tags"][:2], generator.tags.values(), strict=True
    ):
        assert shown is posts  # One object for each tag, as Pelican's context has.
    assert generator.context["tags"][2][1] is elsewhere
    assert generator.context["categories"] is generator.categories
    assert type(generator.categories[0][1]) is Membership
    assert type(generator.authors[0][1]) is Membership and generator.authors[0][1] == [first]
    assert second not in generator.authors[0][1]


def test_the_fence_names_the_methods_this_speeds_up():
    names = {f"pelican.generators.ArticlesGenerator.generate_{k}" for k in ("tags", "categories")}
    assert names | {"pelican.generators.ArticlesGenerator.generate_authors"} <= set(fence.SOURCES)
