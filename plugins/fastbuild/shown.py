"""What a page shows of one post, as bytes: its attributes pickled, the posts they hold named.

The page cache digests each post a page shows (``pages.Digester``): the page's own post by its
attributes and, in full, every post those hold (a neighbour, a related post, a follow-up); those
by their attributes with the posts *they* hold named only. Walking a post's attributes in Python,
value by value, was ~0.3 s of CPU per 1,000 posts in every reusing build, twice per post (once as
a page's own post, once as a neighbour). So a post's own attributes are described once, here, by
the C pickler: :func:`attributes` gives the bytes of its attributes with each post inside named
and lists the posts named; the digester makes a page's own post from those bytes and the held
posts' own (the same information, each post walked once).

Pickling is a faithful description: it is made to rebuild the value. What it cannot describe
the same way twice is sent back to the Python digester by raising (:class:`NotShown`):
anything unpicklable (a lock, a local class, a generator). Only the objects that a description
must not follow are reduced by hand: a post (named), a tag, category or author (by name, slug and
its own fields, without the settings every one holds), a function (by name, defaults and what it
closes over: its code is in the theme's or plugins' digest, or a library's version).
"""

import io
import pickle
import types

from pelican.contents import Content
from pelican.urlwrappers import URLWrapper

from . import fence

# A tag's, category's or author's attributes given by value: its name and slug are asked for.
WRAPPER_FIELDS = frozenset({"name", "slug", "_name", "_slug", "_slug_from_name"})
_LEFT_OUT = fence.UNDIGESTED
_WRAPPER_LEFT_OUT = fence.UNDIGESTED | WRAPPER_FIELDS


class NotShown(Exception):
    """The post's attributes hold something pickling cannot describe faithfully."""


def attributes(post) -> tuple[bytes, list]:
    """The bytes of ``post``'s attributes (but its body, context and settings) with every post
    inside named by its kind and source path, and those posts in the order first met."""
    buffer = io.BytesIO()
    describer = _Describer(buffer)
    own = {k: v for k, v in vars(post).items() if k not in _LEFT_OUT}
    try:
        describer.dump((type(post).__module__, type(post).__qualname__, own))
    except (pickle.PicklingError, TypeError, AttributeError, ValueError, RecursionError) as exc:
        raise NotShown(f"{type(exc).__name__}: {exc}") from None
    return buffer.getvalue(), list(describer.held.values())


# The reductions below name these module-level functions, which the pickler stores by name; they
# are never called (nothing is unpickled).
def _post(kind, source_path):
    raise NotImplementedError


def _wrapper(kind, name, slug, fields):
    raise NotImplementedError


def _function(name, data):
    raise NotImplementedError


_OWN = (_post, _wrapper, _function)


class _Describer(pickle.Pickler):
    def __init__(self, file):
        super().__init__(file, protocol=5)
        # The pickler's memo writes an object met twice as a reference to the first: the bytes
        # also say which values are one object. That is the same from build to build (a post
        # read from its source and from the reader cache, which pickles it, share alike), and
        # a difference would only render a page again. Without the memo: ~40% slower.
        self.held = {}  # id -> post, in the order met

    def reducer_override(self, obj):
        if isinstance(obj, Content):
            self.held.setdefault(id(obj), obj)
            return _post, (type(obj).__name__, obj.source_path)
        if isinstance(obj, URLWrapper):
            fields = {k: v for k, v in vars(obj).items() if k not in _WRAPPER_LEFT_OUT}
            return _wrapper, (type(obj).__qualname__, obj.name, obj.slug, fields)
        if isinstance(obj, types.FunctionType) and obj not in _OWN:
            cells = tuple(c.cell_contents for c in obj.__closure__ or ())
            name = f"{obj.__module__}.{obj.__qualname__}"
            return _function, (name, (obj.__defaults__, obj.__kwdefaults__, cells))
        return NotImplemented
