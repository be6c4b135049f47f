"""A check after a check re-works only the pages whose findings may have changed, and reports
exactly what a check from nothing reports, after every kind of change a writer makes."""

import shutil
from datetime import UTC, datetime

import pytest

from conftest import build_into
from happening.build import load_settings
from happening.workflow.check import check_site, pages

NOW = datetime(2024, 6, 2, 12, 0, tzinfo=UTC)

LINKING = """Title: Pointing ahead
Slug: pointing-ahead

See [the later post](/posts/later/), [its folder without a slash](/posts/later),
[a place in the first post](/posts/first-light/#a-place) and [a missing file](/nowhere.pdf).
"""

LATER = """Title: Later
Slug: later
Date: 2024-03-01 09:00
Category: Notes
Summary: A post that others linked to before it existed.

Written later.
"""


@pytest.fixture
def checked(site_copy, tmp_path, monkeypatch):
    """``run()`` builds ``site_copy`` from nothing, checks it with the cache the last run left
    and again with none, asserts both reports are the same, and returns the incremental one and
    the pages it worked out afresh."""
    settings = load_settings(PATH=str(site_copy), CACHE_PATH=str(tmp_path / "kept"))
    worked = []
    real = pages._findings
    monkeypatch.setattr(
        pages, "_findings", lambda site, page, *rest: worked.append(page) or real(site, page, *rest)
    )
    runs = []

    def run():
        out = tmp_path / "out"
        shutil.rmtree(out, ignore_errors=True)  # from nothing: no page of the last build left
        build_into(out, site_copy)
        worked.clear()
        again = check_site(settings, out, now=NOW)
        afresh = set(worked)
        fresh = {**settings, "CACHE_PATH": str(tmp_path / f"fresh-{len(runs)}")}
        full = check_site(fresh, out, now=NOW)
        assert again.problems == full.problems
        assert (again.pages, again.feeds, again.posts) == (full.pages, full.feeds, full.posts)
        runs.append(again)
        return again, afresh

    return run


def messages(report):
    return sorted(f"{p.where} {p.message}" for p in report.problems if p.kind == "link")


def test_each_kind_of_change_gives_the_full_checks_report(site_copy, checked):
    pages_folder, posts = site_copy / "pages", site_copy / "posts"
    (pages_folder / "pointing.md").write_text(LINKING, encoding="utf-8")
    first, _ = checked()
    assert any("'/posts/later/'" in m for m in messages(first))  # a broken link introduced
    assert any("no #a-place" in m for m in messages(first))

    nothing, worked = checked()  # the same site again: every page as the last check saw it
    assert worked == set() and nothing.problems == first.problems

    (posts / "later.md").write_text(LATER, encoding="utf-8")  # a new post, linked to already
    appeared, worked = checked()
    assert not any("later" in m for m in messages(appeared))
    assert "pointing-ahead/index.html" in worked  # its bytes are the same; its target is new
    assert len(worked) < appeared.pages  # and most pages are as they were

    first_post = posts / "first.md"
    text = first_post.read_text(encoding="utf-8")
    first_post.write_text(text + '\n<a id="a-place"></a>A place.\n', encoding="utf-8")
    edited, worked = checked()  # an edited post, with the anchor another page wanted
    assert not any("no #a-place" in m for m in messages(edited))
    assert "pointing-ahead/index.html" in worked

    (posts / "later.md").unlink()  # a page removed that another links to
    removed, _ = checked()
    assert any("'/posts/later/'" in m for m in messages(removed))

    (posts / "theme-filler-3.md").unlink()  # a post deleted: listings and neighbours change
    deleted, worked = checked()
    assert "archives/index.html" in worked and len(worked) < deleted.pages


def test_a_heavier_stylesheet_or_another_budget_weighs_every_page_again(site_copy, tmp_path):
    out = tmp_path / "out"
    build_into(out, site_copy)
    settings = load_settings(PATH=str(site_copy), CACHE_PATH=str(tmp_path / "kept"))
    roomy = check_site(settings, out, now=NOW)
    assert not any(p.kind == "weight" for p in roomy.problems)
    # The pages' bytes are the same; what they load before first paint is not.
    for stylesheet in out.rglob("*.css"):
        stylesheet.write_text(stylesheet.read_text(encoding="utf-8") + "/*" + "x" * 60_000 + "*/")
    heavy = check_site(settings, out, now=NOW)
    full = check_site({**settings, "CACHE_PATH": str(tmp_path / "fresh")}, out, now=NOW)
    assert heavy.problems == full.problems
    assert sum(p.kind == "weight" for p in heavy.problems) == heavy.pages
    roomier = check_site({**settings, "CHECK_PAGE_BUDGET_KB": 400}, out, now=NOW)
    assert not any(p.kind == "weight" for p in roomier.problems)
