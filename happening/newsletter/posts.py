"""Which posts exist, which may be emailed, and in what order.

The posts come from a real, strict Pelican build with the production settings (``publishconf.py``)
into a temporary folder: the email then links to the public site with absolute URLs, and
``output/`` (the local preview) is left as it is. ``release`` hands over the production build it
has just made instead (:attr:`Site.built`): the same settings file and overrides, so the same
posts, without reading them all again.
"""

import logging
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from happening.build import PROD_SETTINGS, READ_ONLY, BuildResult, build
from happening.dates import aware
from happening.postid import post_id
from happening.sourceline import located

from .errors import BadNewsletterField, NewsletterError

log = logging.getLogger(__name__)


@dataclass
class Site:
    """Which settings file to build with, and Pelican settings to override (tests, tasks)."""

    settings_file: Path = PROD_SETTINGS
    overrides: dict = field(default_factory=dict)
    # A production build already made with these settings (release's): its posts are read
    # rather than building again. None: build (read-only) when the posts are asked for.
    built: BuildResult | None = field(default=None, repr=False)

    @property
    def root(self) -> Path:
        return Path(self.settings_file).resolve().parent


def as_site(settings) -> Site:
    """Accept a :class:`Site`, a settings-file path, or ``None`` (production settings)."""
    if settings is None:
        return Site()
    if isinstance(settings, Site):
        return settings
    return Site(Path(settings))


@dataclass
class Post:
    """A published post as the newsletter sees it."""

    id: str
    article: object
    wanted: bool  # False: `Newsletter: no`

    @property
    def title(self) -> str:
        return self.article.title

    @property
    def date(self) -> datetime:
        return self.article.date

    @property
    def slug(self) -> str:
        return self.article.slug

    @property
    def source(self) -> str:
        """The source file, relative to the content folder (as the ledger records it)."""
        relative = getattr(self.article, "relative_source_path", None)
        return Path(relative or self.article.source_path).as_posix()

    def identity(self, timezone=None) -> dict:
        """What every ledger record says about its post, so that an edit cannot hide it.

        ``url`` is site-relative (``article.url``), ``source`` relative to the content folder,
        ``date`` ISO 8601 with its offset.
        """
        return {
            "title": self.title,
            "url": self.article.url,
            "slug": self.slug,
            "source": self.source,
            "date": aware(self.date, timezone).isoformat(),
        }


def published(site: Site) -> tuple[list[Post], dict]:
    """Read the site and return its published posts, oldest first, and Pelican's settings.

    Pelican reads and links every post exactly as a real build does, but writes no page
    (``READ_ONLY``): rendering the whole site only to throw it away was a third of the time.
    """
    if site.built is not None:
        articles, settings = site.built.published, dict(site.built.settings)
    else:
        articles, settings = _read(site)
    now = datetime.now(UTC)
    posts = []
    # Subscribers get one language: DEFAULT_LANG's posts, unless NEWSLETTER_LANGUAGES lists more.
    languages = settings.get("NEWSLETTER_LANGUAGES") or [settings.get("DEFAULT_LANG", "en")]
    for article in articles:
        if getattr(article, "lang", None) not in languages:
            continue
        # Pelican already keeps drafts, hidden and future posts out of `articles`; checked again
        # because a writer may switch WITH_FUTURE_DATES on, and a mistaken send cannot be undone.
        if getattr(article, "status", "published") != "published":
            continue
        if aware(article.date, settings.get("TIMEZONE")) > now:
            continue
        wanted = wants_email(article)
        posts.append(Post(post_id(article, settings), article, wanted))
    posts.sort(key=lambda p: (aware(p.date, settings.get("TIMEZONE")), p.id))
    return posts, settings


def _read(site: Site):
    with tempfile.TemporaryDirectory(prefix="newsletter-build-") as out:
        overrides = {
            **READ_ONLY,
            "OUTPUT_PATH": out,
            "DELETE_OUTPUT_DIRECTORY": False,
            "CACHE_CONTENT": False,
            "LOAD_CONTENT_CACHE": False,
            **site.overrides,
        }
        built = build(site.settings_file, quiet=True, **overrides)
        return built.published, dict(built.settings)


YES = ("yes", "true", "on", "1")
NO = ("no", "false", "off", "0")


def wants_email(article) -> bool:
    """``Newsletter:`` metadata: yes/no, true/false, on/off, 1/0 in any case (default yes)."""
    value = article.metadata.get("newsletter", "yes")
    word = str(value).strip().lower() if not isinstance(value, bool) else str(value).lower()
    if word in YES:
        return True
    if word in NO:
        return False
    raise BadNewsletterField(
        f"newsletter: Newsletter: {value!r} is not yes or no; write `Newsletter: no` to keep the "
        "post out of email (yes/no, true/false, on/off, 1/0)",
        *located(article, "newsletter"),
    )


def find(posts: list[Post], wanted: str) -> Post:
    """The post named by ``wanted``: its id, slug or source file name."""
    for post in posts:
        names = {
            post.id,
            post.slug,
            Path(post.article.source_path).name,
            Path(post.article.source_path).stem,
        }
        if wanted in names:
            return post
    known = ", ".join(p.slug for p in posts) or "none"
    raise NewsletterError(
        f"newsletter: no published post {wanted!r}; give a slug, file name or post id "
        f"(published: {known})"
    )
