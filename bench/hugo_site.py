"""The bench corpus as a Hugo site: the same posts, URLs and listings, for Hugo's side of the bench.

    python bench/hugo_site.py CORPUS SITE

turns a corpus of ``bench/corpus.py`` (Markdown posts with Pelican metadata, ``pages/about.md``,
``images/*.png``) into a Hugo site in SITE, with the bench's own minimal theme
(``bench/hugo_theme/``: base, single, list of a tag or category, the list of terms, home,
archives and RSS templates; about as much work per page as bare Pelican's default theme).
``bench/hugo.py`` builds and serves it.

What the Hugo side does, as ours does:

- every post at ``/posts/{slug}/``, the About page at ``/about/``, tag and category pages at
  ``/tag/{slug}/`` and ``/category/{slug}/``, the home page and each of those paginated by 10
  (``/page/2/``, ``/tag/ai/page/2/``), an archives page listing every post;
- front matter from the metadata: title, date, last modified, slug, category, tags, summary;
- ``{filename}`` links resolved by Hugo's ``ref`` shortcode (so Hugo checks them, as Pelican
  does) and ``{static}`` images copied and linked from ``/images/``;
- Markdown with tables, footnotes and fenced code highlighted into CSS classes (Chroma; Pygments
  for Pelican);
- RSS 2.0 with full posts for the home page (the newest 100) and for each tag and category (the
  newest 20).

What it does not do, which ours does: Atom and JSON feeds, feed ids that never change, a WebSub
hub, social cards, search, year archives, follow-up threads (``Follows:`` is dropped), the
sitemap, the subscribe page, and the strict build's link and accessibility checks. It is a
baseline for the cost of turning the same Markdown into the same pages, not a copy of ours.
"""

import argparse
import json
import re
import shutil
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
THEME = HERE / "hugo_theme"
BASE_URL = "https://bench.example/"  # The same public address as bare Pelican's SITEURL.

CONFIG = """\
baseURL = "{base_url}"
languageCode = "en"
title = "Hugo"
timeZone = "UTC"
paginate = 10
paginatePath = "page"
# Bare Pelican writes neither; /posts/ as a list of its own would be work ours does not do.
disableKinds = ["section", "sitemap", "robotsTXT"]

[taxonomies]
tag = "tag"
category = "category"

[permalinks]
posts = "/posts/:slug/"
tag = "/tag/:slug/"
category = "/category/:slug/"

[outputs]
home = ["HTML", "RSS"]
term = ["HTML", "RSS"]
taxonomy = ["HTML"]
page = ["HTML"]

[markup.goldmark.extensions]
# Pelican's Markdown does not curl quotes (no typogrify), so neither does this side.
typographer = false

[markup.highlight]
# CSS classes, as Pelican's codehilite writes them, rather than inline styles.
noClasses = false
"""

_FILENAME_LINK = re.compile(r"\]\(\{filename\}([^)\s]+)\.md\)")
_STATIC = re.compile(r"\{static\}/")


def front_matter(metadata: dict) -> dict:
    """Hugo's front matter for one post's Pelican metadata (keys lower-cased)."""
    matter = {"title": metadata["title"], "slug": metadata["slug"]}
    if "date" in metadata:
        matter["date"] = _hugo_date(metadata["date"])
    if "modified" in metadata:
        matter["lastmod"] = _hugo_date(metadata["modified"])
    if "category" in metadata:
        matter["category"] = [metadata["category"]]
    if "tags" in metadata:
        matter["tag"] = [t.strip() for t in metadata["tags"].split(",") if t.strip()]
    if "summary" in metadata:
        matter["summary"] = metadata["summary"]
    return matter


def _hugo_date(text: str) -> str:
    """Pelican's ``2008-02-03 05:47`` (the site is in UTC) as the RFC 3339 Hugo reads."""
    return datetime.strptime(text.strip(), "%Y-%m-%d %H:%M").strftime("%Y-%m-%dT%H:%M:%SZ")


def split_source(text: str, name: str):
    """A Pelican Markdown source -> (metadata with lower-case keys, body)."""
    header, _, body = text.partition("\n\n")
    metadata = {}
    for number, line in enumerate(header.splitlines(), 1):
        key, colon, value = line.partition(":")
        if not colon:
            raise SystemExit(f"bench: {name}:{number}: not a 'Key: value' metadata line: {line!r}")
        metadata[key.strip().lower()] = value.strip()
    return metadata, body


def body(markdown: str) -> str:
    """Pelican's link syntax as Hugo's: ``{filename}`` through ``ref``, ``{static}`` from /."""
    markdown = _FILENAME_LINK.sub(r']({{< ref "/posts/\1.md" >}})', markdown)
    return _STATIC.sub("/", markdown)


def hugo_source(text: str, name: str) -> str:
    """One post or page as Hugo reads it: JSON front matter, then the body."""
    metadata, markdown = split_source(text, name)
    # JSON front matter: Hugo reads it natively, and json.dumps quotes every title and summary
    # correctly with no YAML or TOML writer needed.
    matter = json.dumps(front_matter(metadata), indent=2, ensure_ascii=False)
    return matter + "\n\n" + body(markdown)


def convert_post(site: Path, post: Path):
    """(Re)write one post of ``corpus/posts`` into the site: after an edit, as on first convert."""
    target = site / "content" / "posts" / post.name
    target.write_text(hugo_source(post.read_text("utf-8"), str(post)), "utf-8")
    return target


def convert(corpus: Path, site: Path, base_url: str = BASE_URL) -> Path:
    """Write the Hugo site for ``corpus`` into ``site`` (replaced if it exists)."""
    corpus, site = Path(corpus), Path(site)
    shutil.rmtree(site, ignore_errors=True)
    (site / "content" / "posts").mkdir(parents=True)
    (site / "config.toml").write_text(CONFIG.format(base_url=base_url), "utf-8")
    shutil.copytree(THEME / "layouts", site / "layouts")
    shutil.copytree(THEME / "static", site / "static")
    shutil.copytree(corpus / "images", site / "static" / "images")
    for post in sorted((corpus / "posts").glob("*.md")):
        convert_post(site, post)
    for page in sorted((corpus / "pages").glob("*.md")):
        text = hugo_source(page.read_text("utf-8"), str(page))
        (site / "content" / page.name).write_text(text, "utf-8")
    archives = {"title": "Archives", "layout": "archives", "url": "/archives/"}
    (site / "content" / "archives.md").write_text(json.dumps(archives, indent=2) + "\n", "utf-8")
    return site


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path, help="a folder bench/corpus.py wrote")
    parser.add_argument("site", type=Path, help="the Hugo site to write (replaced)")
    args = parser.parse_args(argv)
    convert(args.corpus, args.site)
    print(f"wrote the Hugo site for {args.corpus} into {args.site}")


if __name__ == "__main__":
    main()
