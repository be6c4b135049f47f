"""Tag, category and author lists that answer ``post in posts`` at once, not by a scan.

Before writing each tag, category and author page Pelican picks that taxonomy's posts out of
every post in date order: ``[a for a in self.dates if a in articles]``, ``articles`` being the
taxonomy's list. Each ``in`` scans the list, so the pages cost the number of posts times the posts
of each taxonomy: ~0.1 s a tag at 5,000 posts (60 tags: 6 s of the main process, while the
helper that renders pages waits for work), 25 times what it costs at 1,000.

:func:`index_taxonomies` (``article_generator_finalized``, after every other plugin's handler of
it, before any page is written) makes each of those lists a :class:`Membership`: the same list,
with the same posts in the same order, whose ``in`` looks a post up by identity in a set. Pelican's
posts do not define ``==``, so for them ``in`` means identity, as in any list; for anything that
does define it, ``in`` scans as a list does. Every change to the list drops the set, which is made
again at the next ``in``.
"""

from . import fence

# The list methods that change what a list holds (sort and reverse change only the order).
CHANGES = (
    "append",
    "extend",
    "insert",
    "remove",
    "pop",
    "clear",
    "__setitem__",
    "__delitem__",
    "__iadd__",
    "__imul__",
)


class Membership(list):
    """A list whose ``in`` finds an object compared by identity in a set of the items' ids."""

    __slots__ = ("_ids",)

    def __init__(self, items=()):
        super().__init__(items)
        self._ids = None

    def __contains__(self, item):
        if type(item).__eq__ is not object.__eq__:
            return list.__contains__(self, item)  # ``==`` of its own: only a scan knows.
        ids = self._ids
        if ids is None:
            ids = self._ids = frozenset(map(id, self))  # The list keeps its items (and ids).
        return id(item) in ids


def _dropping_the_index(name):
    change = getattr(list, name)

    def method(self, *args):
        self._ids = None
        return change(self, *args)

    method.__name__ = name
    return method


for _name in CHANGES:
    setattr(Membership, _name, _dropping_the_index(_name))


def index_taxonomies(generator):
    """``article_generator_finalized``: make every tag's, category's and author's list of posts
    a :class:`Membership`, in the generator and in the shared context alike."""
    fence.index_taxonomy_lists(generator, Membership)
