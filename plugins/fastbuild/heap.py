"""The posts a build has read stay out of the garbage collector's way until the build ends.

Once every post is read (``all_generators_finalized``), what the main process holds (the posts,
their metadata, the shared context: ~2 million objects at 5,000 posts) lives until the build is
over, yet each of CPython's full collections walks all of it: ~0.8 s a collection at 5,000 posts,
several per build, on the main process's core, which the page helper waits for. Every forked
helper (split.py) that collects walks the same objects too, and touching them copies the pages
of memory it shares with the main process.

``gc.freeze()`` (documented for exactly this: before forking, and for objects that live as long
as the process) moves what exists now into a generation that collections skip; :func:`thaw`
gives it back to the collector when the build ends (or, after a build that failed half-way, when
the next one starts), so a long-lived process (the live preview) frees an old build's posts.
What the build makes after the freeze is collected as usual; what is frozen is alive until the
build ends anyway (but for garbage cycles not yet collected then, freed at the thaw instead).
"""

import gc

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


def in_child():
    """In a forked helper, first thing: what it inherited is never collected there.

    The helper ends with ``os._exit``; collecting inherited objects would only copy the memory
    pages it shares with the main process.
    """
    gc.freeze()
