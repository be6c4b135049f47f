"""The Pelican side: remember which posts a build published, for the email side to read.

The email is rendered from the very articles Pelican built (same title, dek, content and links),
so the newsletter library runs a build and reads :data:`COLLECTED` afterwards. The state is reset
when a build starts (``initialized``), not in ``finalized``: the library reads it after
``finalized`` has fired, and a new build (livereload) still never sees an old one's posts.
"""

from pelican import signals


class Collected:
    """The articles and settings of the last build."""

    def __init__(self):
        self.reset()

    def reset(self, *_):
        self.articles = []
        self.settings = None


COLLECTED = Collected()


def keep_articles(generator):
    # generator.articles holds only published posts: drafts, hidden posts and (with
    # WITH_FUTURE_DATES off) future-dated posts are kept apart by Pelican.
    COLLECTED.articles = list(generator.articles)
    COLLECTED.settings = generator.settings


def reset(pelican):
    COLLECTED.reset()


def register():
    signals.initialized.connect(reset)
    signals.article_generator_finalized.connect(keep_articles)
