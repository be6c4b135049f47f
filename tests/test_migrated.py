"""A Pelican blog moved in as it was: tests/data/migrated, built with both settings files.

The site is shaped like Pelican's own ``samples/content``: posts at the top of the content folder,
pages in ``pages/`` (Pelican leaves them out of the posts), reST and Markdown, a translation pair
(``tides.md``/``tides-fr.md``, one Slug:), a folder used as a category (``cat1/``), an image with
a fixed size, a line-numbered code block, a hidden page moved by ``save_as:``, posts over three
years and several months, no ``Summary:`` anywhere, one old-style ``{filename}`` link to an image
(a deprecation, not a failure) and the writer's own ``robots.txt`` through
``EXTRA_PATH_METADATA``. ``MIGRATED`` is what its writer copies into the settings.
"""

import re
import shutil
from datetime import datetime

import pytest
from lxml import etree

from conftest import DATA, build_into, soup
from happening.build import PROD_SETTINGS, BuildError
from happening.plugins.summary import prose_summary

MIGRATED_SITE = DATA / "migrated"
MIGRATED = {
    "ARTICLE_PATHS": [""],
    "PAGE_PATHS": ["pages"],
    "STATIC_PATHS": ["pictures", "extra/robots.txt"],
    "EXTRA_PATH_METADATA": {"extra/robots.txt": {"path": "robots.txt"}},
    "PYGMENTS_RST_OPTIONS": {"linenos": "table"},
}
SITEURL = "https://happeningnow.example"


@pytest.fixture(scope="module")
def dev(tmp_path_factory):
    out = tmp_path_factory.mktemp("migrated-dev") / "output"
    return out, build_into(out, MIGRATED_SITE, **MIGRATED)


@pytest.fixture(scope="module")
def prod(tmp_path_factory):
    out = tmp_path_factory.mktemp("migrated-prod") / "output"
    return out, build_into(out, MIGRATED_SITE, settings=PROD_SETTINGS, **MIGRATED)


@pytest.mark.parametrize("which", ["dev", "prod"])
def test_both_settings_files_build_it_reporting_the_old_link_once(which, request):
    out, result = request.getfixturevalue(which)
    assert result.warnings == []
    assert result.articles == 7  # the French translation is paired, not counted as a post
    assert len(result.deprecations) == 1
    assert result.deprecations[0].startswith("1 {filename} link(s) to static files")
    assert "tides.md" in result.deprecations[0] and "{static}" in result.deprecations[0]
    assert (out / "posts/tides/index.html").exists()


def test_a_missing_link_target_stops_the_build_naming_file_and_line(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(MIGRATED_SITE, content)
    post = content / "spring-notes.md"
    post.write_text(
        post.read_text(encoding="utf-8") + "\nSee [the plan]({filename}/no-such-post.md).\n",
        encoding="utf-8",
    )
    with pytest.raises(BuildError) as failure:
        build_into(tmp_path / "out", content, **MIGRATED)
    message = str(failure.value)
    assert "spring-notes.md:6: Unable to find '/no-such-post.md'" in message
    assert "pelicanconf.py" in message.splitlines()[0] and "problem(s) with" not in message


# -- Translations ------------------------------------------------------------------------------


def test_a_translation_has_its_own_clean_url_language_and_alternates(prod):
    out, _ = prod
    page = soup(out / "fr/posts/tides/index.html")
    assert page.html["lang"] == "fr"
    assert page.find("meta", property="og:locale")["content"] == "fr"
    alternates = {
        link["hreflang"]: link["href"]
        for link in page.find_all("link", rel="alternate", hreflang=True)
        if not link.get("type")
    }
    assert alternates == {
        "en": f"{SITEURL}/posts/tides/",
        "fr": f"{SITEURL}/fr/posts/tides/",
        "x-default": f"{SITEURL}/posts/tides/",
    }
    switch = page.select_one("nav.language-switch")
    assert switch.select_one("a[hreflang=en]").get_text() == "English"
    assert switch.select_one("[aria-current=page]").get_text() == "Français"
    english = soup(out / "posts/tides/index.html")
    assert english.html["lang"] == "en"
    assert english.select_one("nav.language-switch a[hreflang=fr]")["href"].endswith(
        "/fr/posts/tides/"
    )
    assert soup(out / "posts/spring-notes/index.html").select_one("nav.language-switch") is None


def test_translations_are_in_the_sitemap_with_their_alternates(prod):
    out, _ = prod
    tree = etree.parse(str(out / "sitemap.xml"))
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
    french = tree.xpath("//s:url[s:loc=$loc]", namespaces=ns, loc=f"{SITEURL}/fr/posts/tides/")
    assert len(french) == 1
    links = {
        link.get("hreflang"): link.get("href") for link in french[0].xpath("x:link", namespaces=ns)
    }
    assert links == {"en": f"{SITEURL}/posts/tides/", "fr": f"{SITEURL}/fr/posts/tides/"}


def test_each_language_has_its_feed_and_translations_keep_their_own_ids(prod):
    out, _ = prod
    atom = {"a": "http://www.w3.org/2005/Atom"}
    french = etree.parse(str(out / "feeds/all-fr.atom.xml"))
    assert french.xpath("//a:entry/a:title/text()", namespaces=atom) == ["Marées"]
    english = etree.parse(str(out / "feeds/all-en.atom.xml"))
    assert "Tides" in english.xpath("//a:entry/a:title/text()", namespaces=atom)
    [french_id] = french.xpath("//a:entry/a:id/text()", namespaces=atom)
    english_ids = english.xpath("//a:entry/a:id/text()", namespaces=atom)
    assert french_id.endswith(":tides/fr") and french_id[: -len("/fr")] in english_ids
    head = soup(out / "fr/posts/tides/index.html")
    assert head.find("link", type="application/atom+xml", hreflang="fr")["href"].endswith(
        "/feeds/all-fr.atom.xml"
    )


def test_the_newsletter_sends_the_default_language_only_unless_configured(tmp_path):
    from happening.newsletter.posts import Site, published

    overrides = {**MIGRATED, "PATH": str(MIGRATED_SITE), "CACHE_PATH": str(tmp_path / "c")}
    posts, _ = published(Site(PROD_SETTINGS, overrides))
    assert {p.article.lang for p in posts} == {"en"} and len(posts) == 7
    both = {**overrides, "NEWSLETTER_LANGUAGES": ["en", "fr"]}
    # Pelican lists a translation under its original; only an untranslated French post would
    # be added, and there is none, so the list is the same: the filter keeps originals apart.
    assert [p.id for p in published(Site(PROD_SETTINGS, both))[0]] == [p.id for p in posts]


# -- Listings, summaries, categories -----------------------------------------------------------


def _dates(page, selector="ul.title-list time"):
    return [datetime.fromisoformat(t["datetime"]) for t in page.select(selector)]


def test_archives_and_year_pages_are_newest_first(dev):
    out, _ = dev
    archive = _dates(soup(out / "archives/index.html"))
    assert len(archive) == 7 and archive == sorted(archive, reverse=True)
    year = _dates(soup(out / "2022/index.html"))
    assert len(year) == 3 and year == sorted(year, reverse=True)
    assert len({d.month for d in year}) == 2  # several months within the year


def test_a_post_without_summary_has_no_dek_and_listings_show_prose_only(dev):
    out, _ = dev
    assert soup(out / "posts/reading-a-config-file/index.html").select_one(".dek") is None
    index = soup(out / "index.html")
    entry = next(e for e in index.select("article.entry") if "config" in e.get_text())
    dek = entry.select_one(".dek").get_text()
    assert dek == (
        "Configuration is easier to read than to write. Here is the loop that reads ours. "
        "That is all there is to it. Blank lines are skipped by the caller."
    )
    assert "def read" not in dek and "Testing the code block" not in dek


def test_a_prose_summary_ends_at_a_sentence_within_the_word_limit():
    html = "<p>One two three. Four five six seven. Eight.</p><pre><p>code</p></pre>"
    assert prose_summary(html, 5) == "One two three."
    assert prose_summary("<p>" + "word " * 9 + "</p>", 4) == "word word word word…"
    assert prose_summary(
        "<p>Uses <code>ruff</code> daily.</p><table><tr><td>x</td></tr></table>"
    ) == ("Uses ruff daily.")


def test_folders_are_categories_as_pelican_defines_them(dev):
    out, _ = dev
    assert (out / "category/cat1/index.html").exists()
    assert (out / "category/photos/index.html").exists()
    assert (out / "category/misc/index.html").exists()  # top-level posts: DEFAULT_CATEGORY


def test_a_root_folder_is_not_a_category(tmp_path):
    content = tmp_path / "content"
    (content / "posts").mkdir(parents=True)
    (content / "posts" / "travel").mkdir()
    (content / "posts" / "a.md").write_text("Title: A\nDate: 2024-01-01\n\nWords.\n")
    (content / "posts" / "travel" / "b.md").write_text("Title: B\nDate: 2024-01-02\n\nWords.\n")
    out = tmp_path / "out"
    build_into(out, content)
    assert sorted(p.name for p in (out / "category").iterdir()) == ["misc", "travel"]


# -- The writer's files, canonical links -------------------------------------------------------


def test_the_writers_robots_txt_wins_over_ours(prod):
    out, _ = prod
    assert (out / "robots.txt").read_text() == "User-agent: *\nDisallow: /pictures\n"
    assert (out / "favicon.ico").exists()  # theirs is absent: ours is there


def test_canonical_links_follow_where_a_page_is_saved(dev, tmp_path):
    out, _ = dev
    hidden = soup(out / "index-hidden.html")
    assert hidden.find("link", rel="canonical")["href"] == "/index-hidden.html"
    other = tmp_path / "blog"
    build_into(other, MIGRATED_SITE, INDEX_SAVE_AS="blog_index.html", **MIGRATED)
    assert (
        soup(other / "blog_index.html").find("link", rel="canonical")["href"] == "/blog_index.html"
    )
    assert soup(other / "archives/index.html").find("link", rel="canonical")["href"] == "/archives/"


def test_an_inline_fixed_size_never_distorts_the_image(dev):
    out, _ = dev
    img = soup(out / "posts/harbour-lights/index.html").select_one(".content img")
    assert re.search(r"height:\s*450px", img.get("style", ""))
    css = next((out / "theme/css").glob("site.css")).read_text()
    assert re.search(r"\.content img\s*\{[^}]*height:\s*auto\s*!important", css)


def test_the_code_stylesheet_loads_only_on_pages_with_code(dev):
    out, _ = dev

    def stylesheets(path):
        return [link["href"] for link in soup(out / path).find_all("link", rel="stylesheet")]

    code = stylesheets("posts/reading-a-config-file/index.html")
    assert len(code) == 2 and "/theme/css/code.css?v=" in code[1]
    assert len(stylesheets("posts/spring-notes/index.html")) == 1
    assert soup(out / "posts/reading-a-config-file/index.html").select_one("table.highlighttable")


def test_images_get_their_files_size_lazy_loading_below_the_first_and_captions(tmp_path):
    from happening.plugins.images import improve_images

    root = MIGRATED_SITE
    html = (
        '<p>Intro.</p><img alt="a" src="{static}/pictures/harbour.png" />'
        '<p><img alt="b" src="pictures/harbour.png" title="At dusk"></p>'
        '<img alt="c" src="https://elsewhere.example/x.png" width="10" height="5">'
    )
    first, figure, remote = improve_images(html, root, root).split("<img")[1:]
    assert 'width="64" height="48"' in first and "loading" not in first
    assert 'width="64" height="48" loading="lazy" decoding="async"' in figure
    assert figure.endswith("<figcaption>At dusk</figcaption></figure>")
    assert 'width="10" height="5" loading="lazy"' in remote


def test_a_built_image_has_its_size_and_keeps_its_aspect_ratio(dev):
    out, _ = dev
    img = soup(out / "posts/harbour-lights/index.html").select_one(".content img")
    assert (img["width"], img["height"]) == ("64", "48")
    assert img["src"] == "/pictures/harbour.png"


def test_large_pictures_get_srcset_copies_made_once_and_cached(tmp_path):
    from PIL import Image

    content = tmp_path / "content"
    (content / "pictures").mkdir(parents=True)
    Image.new("RGB", (1600, 1000), (40, 90, 160)).save(content / "pictures" / "wide.jpg")
    (content / "wide.md").write_text(
        "Title: Wide\nDate: 2024-03-01\n\n![A wide view]({static}/pictures/wide.jpg)\n"
    )
    # build_into keeps each build's cache beside its output: both builds share "cache" here.
    out = tmp_path / "out"
    build_into(out, content, **MIGRATED)
    cache = tmp_path / "out-cache" / "images"
    img = soup(out / "posts/wide/index.html").select_one(".content img")
    widths = [candidate.split()[-1] for candidate in img["srcset"].split(", ")]
    assert widths == ["480w", "960w", "1440w", "1600w"] and img["sizes"]
    made = sorted(cache.iterdir())
    assert len(made) == 4
    for candidate in img["srcset"].split(", "):
        copy = out / candidate.split()[0].lstrip("/")
        assert Image.open(copy).size[0] == int(candidate.split()[-1][:-1])
    before = {p.name: p.stat().st_mtime_ns for p in made}
    shutil.rmtree(out)
    build_into(out, content, **MIGRATED)
    assert {p.name: p.stat().st_mtime_ns for p in cache.iterdir()} == before
    assert (out / img["srcset"].split(", ")[0].split()[0].lstrip("/")).exists()


def test_two_posts_saved_to_one_path_stop_the_build_naming_both_files(tmp_path):
    content = tmp_path / "content"
    content.mkdir()
    for name, title in (("a.md", "One"), ("b.md", "Two")):
        (content / name).write_text(
            f"Title: {title}\nDate: 2024-01-01\nSlug: same\nId: {name}\n\nA.\n"
        )
    with pytest.raises(BuildError) as failure:
        build_into(tmp_path / "out", content, ARTICLE_PATHS=[""])
    lines = str(failure.value).splitlines()[1:]
    # Pelican names them in the order the file system lists them.
    assert any(re.search(r'slug "same": (a\.md b\.md|b\.md a\.md)$', line) for line in lines)
    assert all(str(content) not in line for line in lines)


def test_a_titled_image_becomes_a_captioned_figure(dev):
    out, _ = dev
    figure = soup(out / "posts/winter-notes/index.html").select_one(".content figure")
    assert figure.img["alt"] == "Ice at the edge of the lake"
    assert figure.figcaption.get_text() == "The lake, on the first cold morning"


def test_the_writers_favicon_wins_over_ours(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(MIGRATED_SITE, content)
    (content / "extra" / "favicon.ico").write_bytes(b"their icon")
    settings = {
        **MIGRATED,
        "STATIC_PATHS": [*MIGRATED["STATIC_PATHS"], "extra/favicon.ico"],
        "EXTRA_PATH_METADATA": {
            **MIGRATED["EXTRA_PATH_METADATA"],
            "extra/favicon.ico": {"path": "favicon.ico"},
        },
    }
    build_into(tmp_path / "out", content, **settings)
    assert (tmp_path / "out" / "favicon.ico").read_bytes() == b"their icon"


def test_a_language_feed_path_without_lang_is_refused():
    from happening.plugins.feeds.config import FeedsSettingsError, load_config

    with pytest.raises(
        FeedsSettingsError, match=r"FEEDS_TRANSLATION_ATOM = 'feeds/fr.xml' has no \{lang\}"
    ):
        load_config({"FEEDS_TRANSLATION_ATOM": "feeds/fr.xml"})
