"""What the main process holds while it writes pages: out of the collector's way, and no more.

Bodies: Pelican memoises each post's ``get_content`` (its body with links filled in) for the rest
of the build, yet in this process a post's body is read by its own page only (listings show
summaries; the feeds are written in another process): ~2,500 bodies, ~25 MB of the main
process's peak at 5,000 posts. :func:`drop_bodies`, as each post page is about to be written,
empties what ``get_content`` kept for the one before (a page that reads a body twice still reads
it once).

Collections: once every post is read (``all_generators_finalized``), what the main process
holds (the posts, their metadata, the shared context: ~2 million objects at 5,000 posts) lives
until the build is over, yet each of CPython's full collections walks all of it: ~0.8 s a
collection at 5,000 posts, several per build, on the main process's core, which the page helper
waits for. Every forked helper (split.py) that collected would walk the same objects too, and
touching them copies the pages of memory it shares with the main process: a forked child
(``happening/forked.py``) freezes what it inherits first thing.

``gc.freeze()`` (documented for exactly this: before forking, and for objects that live as long
as the process) moves what exists now into a generation that collections skip; :func:`thaw`
gives it back to the collector when the build ends (or, after a build that failed half-way, when
the next one starts), so a long-lived process (the live preview) frees an old build's posts.
What the build makes after the freeze is collected as usual; what is frozen is alive until the
build ends anyway (but for garbage cycles not yet collected then, freed at the thaw instead).
"""

import gc

from . import fence

_state = {"frozen": False}


def freeze(*_):
    """``all_generators_finalized``: every post is read; collections skip what exists now."""
    gc.freeze()
    _state["frozen"] = True


def thaw(*_):
    """``finalized`` (and ``initialized``): the frozen objects are the collector's again."""
    if _state["frozen"]:
        gc.unfreeze()
        _state["frozen"] = False


def drop_bodies(generator, content):
    """``article_generator_write_article``: the pages written before this one are done with the
    bodies they read."""
    fence.forget_memoised_content()
