"""Describe the posts the writer reaches last on the second core, while it writes the first ones.

A reusing build decides page by page, from a digest of what each page shows, whether to render it
(``pages.py``). Most of that work is describing each post (every attribute, and those of its
neighbours) and hashing its body: ~0.5 s at 1,000 posts, on the main process's core, one page
after another, while the second core waits. :class:`Ahead` forks a child at the first page (every
post is final then: read, linked, related) that describes the last posts in writing order; it is
a copy of this process, so it describes the very same objects to the very same tokens. As soon as
the child is done, the writer takes its tokens into the digester's memo and its body hashes; it
never waits for them (a post the child has not delivered yet is described here, to the same
token, as without the child). Only those come back: every page is still digested, decided,
rendered and recorded here, in order. A child that fails costs only its work.

It relies on what the digester's memo relies on already: nothing changes a post once the pages are
being written (the memo describes each post once a build, not at each page showing it).
"""

import logging

from happening import forked

log = logging.getLogger(__name__)

# The share of the posts the child describes: the main process writes pages meanwhile (Pelican's
# bookkeeping of each one), so it keeps the smaller part.
SHARE = 0.6
MIN_POSTS = 200  # Fewer: forking costs more than it saves.


def later_posts(posts) -> list:
    """The posts a child describes ahead (the last ones written); [] when it gains nothing."""
    if len(posts) < MIN_POSTS or not forked.possible():
        return []
    return posts[len(posts) - int(len(posts) * SHARE) :]


class Ahead:
    """``describe(post)`` and ``body_hash(post)`` of each of ``later`` in a forked child.

    ``memo`` is the digester's memo (``(id, depth) -> (object, token)``) that the child's new
    entries go into; ``everything`` lists every post, by which the child names the posts it
    described (their ids are this process's too, but only while they are alive here).
    """

    def __init__(self, memo, describe, body_hash, later, everything):
        self.memo = memo
        self.everything = everything
        self.child = forked.Forked(
            _describe_all, memo, describe, body_hash, later, everything, level=logging.WARNING
        )

    def done(self) -> bool:
        """Whether the child has ended: :meth:`collect` will not wait."""
        return self.child.done()

    def collect(self, bodies) -> int:
        """Wait for the child (if it has not ended); its tokens go into the memo, its body
        hashes into ``bodies`` (``source_path -> hash``). How many posts it described."""
        child, self.child = self.child, None
        try:
            hashes, tokens = child.result()
        except forked.ForkedFailed as exc:
            log.debug("fastbuild: describing posts ahead failed (%s); described here", exc)
            return 0
        for path, digest in hashes.items():
            bodies.setdefault(path, digest)
        for position, depth, token in tokens:
            post = self.everything[position]
            self.memo.setdefault((id(post), depth), (post, token))
        return len(hashes)


def _describe_all(memo, describe, body_hash, later, everything):
    """In the child: every post of ``later`` described and its body hashed; what is new."""
    known = set(memo)
    hashes = {post.source_path: body_hash(post) for post in later}
    for post in later:
        describe(post)
    position = {id(post): n for n, post in enumerate(everything)}
    tokens = [
        (position[key[0]], key[1], token)
        for key, (value, token) in memo.items()
        if key not in known and key[0] in position and everything[position[key[0]]] is value
    ]
    return hashes, tokens
