"""plugins/images keeps what it finds of each picture for one build, never for the next."""

import os

from conftest import build_into, soup
from happening.plugins.images import markup

POST = "Title: {title}\nDate: 2024-03-0{day}\n\n![A view]({{static}}/pictures/view.jpg)\n"
SETTINGS = {"ARTICLE_PATHS": [""], "STATIC_PATHS": ["pictures"]}


def picture(content, width, height):
    from PIL import Image

    path = content / "pictures" / "view.jpg"
    before = path.stat().st_mtime_ns if path.exists() else 0
    Image.new("RGB", (width, height), (40, 90, 160)).save(path)
    os.utime(path, ns=(before + 10**9, before + 10**9))  # A save a second later.


def img(out, slug):
    return soup(out / "posts" / slug / "index.html").select_one(".content img")


def test_posts_showing_one_picture_share_what_is_found_and_a_new_picture_is_seen(
    tmp_path, monkeypatch
):
    content = tmp_path / "content"
    (content / "pictures").mkdir(parents=True)
    picture(content, 1600, 1000)
    for day, title in ((1, "One"), (2, "Two")):
        (content / f"{title.lower()}.md").write_text(POST.format(title=title, day=day))
    looked_up = []
    real = markup._file_for
    monkeypatch.setattr(markup, "_file_for", lambda *a: looked_up.append(a[0]) or real(*a))
    out = tmp_path / "out"
    build_into(out, content, **SETTINGS)
    assert len(looked_up) == 1, "the second post takes what the first found"
    for slug in ("one", "two"):
        shown = img(out, slug)
        assert (shown["width"], shown["height"]) == ("1600", "1000")
        assert shown["srcset"].endswith("1600w")
    # The same process builds again after the picture changed: its new size, its new copies.
    picture(content, 800, 600)
    build_into(out, content, **SETTINGS)
    for slug in ("one", "two"):
        shown = img(out, slug)
        assert (shown["width"], shown["height"]) == ("800", "600")
        assert shown["srcset"].split(", ")[-1].endswith("800w")
        assert (out / shown["srcset"].split(", ")[-1].split()[0].lstrip("/")).is_file()
