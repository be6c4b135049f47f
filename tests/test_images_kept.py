"""plugins/images/kept.py: a body's rewrite is kept for the next build, used only if its pictures
and settings give the same answers."""

import datetime
import os

import pytest
from pelican.contents import Article
from pelican.settings import DEFAULT_CONFIG

from conftest import calls_of
from happening.plugins.images import kept, markup, variants

BODY = (
    '<p><img alt="A view" src="{static}/pictures/view.jpg" title="The view"></p>\n'
    '<p>Text, then <img alt="later" src="small.png"> and a lost <img src="gone.png"></p>'
)


def picture(path, width, height):
    from PIL import Image

    path.parent.mkdir(parents=True, exist_ok=True)
    before = path.stat().st_mtime_ns if path.exists() else 0
    Image.new("RGB", (width, height), (40, 90, 160)).save(path)
    os.utime(path, ns=(before + 10**9, before + 10**9))  # A save a second later.


@pytest.fixture
def site(tmp_path):
    content = tmp_path / "content"
    picture(content / "pictures" / "view.jpg", 1600, 1000)
    picture(content / "posts" / "small.png", 200, 100)
    yield content
    markup.forget()


def settings_for(content, **more):
    cache = content.parent / "cache"
    return {
        **DEFAULT_CONFIG,
        "PATH": str(content),
        "CACHE_PATH": str(cache),
        "LOAD_CONTENT_CACHE": True,
        "CACHE_CONTENT": True,
        **more,
    }


def one_build(settings, bodies, name="p"):
    """Each body as one build's rewrite_body leaves it, and the srcset copies it planned."""
    markup.forget()
    variants._planned = variants.Planned()
    done = []
    for i, body in enumerate(bodies):
        # Made empty: a build earlier in this process may have connected rewrite_body.
        post = Article(
            "",
            metadata={"title": f"{name}{i}", "date": datetime.datetime(2026, 1, 2)},
            settings=settings,
            source_path=os.path.join(settings["PATH"], "posts", f"{name}{i}.md"),
        )
        post._content = body
        markup.rewrite_body(post)
        done.append(post._content)
    copies = dict(variants._planned.copies)
    markup.finish()
    variants._planned = variants.Planned()
    return done, copies


def fresh(settings, bodies):
    """What a build keeping no cache makes of ``bodies``."""
    return one_build({**settings, "LOAD_CONTENT_CACHE": False, "CACHE_CONTENT": False}, bodies)


def test_a_kept_rewrite_is_the_rewrite_and_plans_the_same_copies(site, monkeypatch):
    settings = settings_for(site)
    first = one_build(settings, [BODY, BODY])
    assert first == fresh(settings, [BODY, BODY])
    assert 'srcset="' in first[0][0] and "<figure>" in first[0][0] and first[1]
    assert (site.parent / "cache" / kept.FILE).is_file()
    rewrites = calls_of(monkeypatch, markup, "improve_images")
    assert one_build(settings, [BODY, BODY]) == first
    assert rewrites == [], "an unchanged body was rewritten"


def test_a_changed_picture_body_or_setting_is_rewritten(site, monkeypatch):
    settings = settings_for(site)
    one_build(settings, [BODY])
    rewrites = calls_of(monkeypatch, markup, "improve_images")
    picture(site / "pictures" / "view.jpg", 800, 600)  # Resized: another size, other copies.
    resized = one_build(settings, [BODY])
    assert rewrites == [BODY]
    assert resized == fresh(settings, [BODY])
    assert 'width="800" height="600"' in resized[0][0]
    picture(site / "posts" / "gone.png", 30, 20)  # A picture that was missing appears.
    found = one_build(settings, [BODY])
    assert 'width="30" height="20"' in found[0][0] and found == fresh(settings, [BODY])
    changed = BODY.replace("later", "after")
    assert one_build(settings, [changed]) == fresh(settings, [changed])
    assert rewrites[-1] == changed
    for other in ({"IMAGES_SIZES": "100vw"}, {"IMAGES_SRCSET_WIDTHS": [400]}):
        rewrites.clear()
        again = one_build({**settings, **other}, [BODY])
        assert rewrites == [BODY], f"not rewritten after {other}"
        assert again == fresh({**settings, **other}, [BODY])


def test_other_code_or_a_damaged_file_or_no_cache_rewrites(site, monkeypatch):
    settings = settings_for(site)
    one_build(settings, [BODY])
    rewrites = calls_of(monkeypatch, markup, "improve_images")
    monkeypatch.setattr(kept, "_code_digest", lambda settings: "another way of rewriting")
    one_build(settings, [BODY])
    assert rewrites == [BODY]
    (site.parent / "cache" / kept.FILE).write_bytes(b"not marshal")
    assert one_build(settings, [BODY]) == fresh(settings, [BODY])
    assert rewrites == [BODY] * 3  # The build's, then fresh()'s.
    one_build({**settings, "LOAD_CONTENT_CACHE": False}, [BODY])
    assert len(rewrites) == 4
