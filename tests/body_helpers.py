"""A post as Pelican makes one, for the tests of what fastbuild finds in a body's links."""

from pelican.contents import Content
from pelican.settings import DEFAULT_CONFIG


def post(body, **settings):
    """A post of ``body`` at content/posts/p.md, read with Pelican's defaults and ``settings``."""
    config = {**DEFAULT_CONFIG, "PATH": "/content", **settings}
    return Content(body, settings=config, source_path="/content/posts/p.md", context={})
