"""The essay and the pages build cleanly, at clean URLs, with the author's words untouched.

"The blog" here is tests/data/blog, the copy of the essay and pages as first published; the
writer's content/ can change without touching these tests.
"""

import re

import pytest

from conftest import BLOG, DATA, build_into, soup
from happening.build import BuildError
from theme_support import ESSAY_URL

HEADINGS = [
    "The OG Data-Driven Movie Company",
    "On the Other Hand: “Anora”",
    "Holding on to Our Humanity",
]


def normalise(text):
    return re.sub(r"\s+", " ", text).strip()


def test_the_blog_builds_with_no_warnings(real_site, real_site_prod):
    # build_into is strict: a single Pelican warning would have raised BuildError.
    assert (real_site / "index.html").is_file()
    assert (real_site_prod / "index.html").is_file()


def test_essay_is_at_its_clean_url(real_site):
    assert (real_site / ESSAY_URL / "index.html").is_file()
    assert not list(real_site.glob("posts/*.html"))


def test_essay_body_is_the_authors_words_verbatim(real_site):
    title, dek, *body = (DATA / "essay.txt").read_text(encoding="utf-8").splitlines()
    page = soup(real_site / ESSAY_URL / "index.html")
    content = page.select_one(".content")
    blocks = [
        (el.name, normalise(el.get_text()))
        for el in content.find_all(["p", "h2", "h3", "ul", "ol", "blockquote"], recursive=False)
    ]
    expected = [("h2" if line in HEADINGS else "p", line) for line in body]
    assert blocks == expected
    assert normalise(page.h1.get_text()) == title
    assert dek in normalise(page.get_text(" "))


def test_index_and_archives_link_to_the_essay(real_site):
    for listing in ("index.html", "archives/index.html"):
        hrefs = [a["href"] for a in soup(real_site / listing).find_all("a", href=True)]
        assert f"/{ESSAY_URL}" in hrefs, listing


def test_about_and_subscribe_pages_exist(real_site):
    assert "About" in soup(real_site / "about/index.html").h1.get_text()
    subscribe = soup(real_site / "subscribe/index.html").get_text()
    assert "feed reader" in subscribe and "email" in subscribe


def test_no_link_anywhere_ends_in_html(real_site):
    for page in real_site.rglob("*.html"):
        for a in soup(page).find_all("a", href=True):
            assert not a["href"].endswith(".html"), f"{page}: {a['href']}"


def test_drafts_and_future_posts_stay_out(test_site):
    everything = " ".join(p.read_text(encoding="utf-8") for p in test_site.rglob("*.html"))
    assert "First light" in everything
    assert "Draft words" not in everything and "Not ready yet" not in everything
    assert "Future words" not in everything and "From the future" not in everything
    assert not (test_site / "drafts").exists()


@pytest.mark.parametrize(
    "metadata, reason",
    [("Title: Broken\nDate: not-a-date\n", "date"), ("Date: 2024-05-01\n", "title")],
)
def test_bad_metadata_fails_the_build_naming_the_file(site_copy, tmp_path, metadata, reason):
    bad = site_copy / "posts" / f"bad-{reason}.md"
    bad.write_text(metadata + "\nSome words.\n", encoding="utf-8")
    with pytest.raises(BuildError) as failure:
        build_into(tmp_path / "out", site_copy)
    assert f"bad-{reason}.md" in str(failure.value)


def test_a_read_only_build_reads_every_post_and_renders_no_post_page(tmp_path):
    from happening.build import READ_ONLY

    result = build_into(tmp_path / "out", BLOG, **READ_ONLY)
    assert result.articles == 1
    written = [p.relative_to(tmp_path / "out").parts[0] for p in (tmp_path / "out").rglob("*.html")]
    # Only category pages remain (see READ_ONLY): no post, page, tag, archive or feed.
    assert set(written) <= {"category"}
    assert not list((tmp_path / "out").rglob("*.xml"))
