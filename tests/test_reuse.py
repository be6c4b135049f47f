"""Production reuse (`happening.workflow.reuse`): the same bytes as a cold build, always.

Every test compares a reusing build with a cold build of the same inputs into an empty folder,
file by file and byte by byte, and each key (source bytes, a setting, a theme file, a plugin
file, a library version) is changed on its own to show it is not served stale.
"""

import filecmp
import os
import shutil
import subprocess
import sys
from pathlib import Path

import jinja2
import pytest

from conftest import BLOG, ROOT
from happening import codefiles
from happening.build import PROD_SETTINGS, build
from happening.plugins.fastbuild import ahead, pages, split
from happening.workflow import reuse

NEW_POST = """Title: A new post
Slug: a-new-post
Date: 2025-04-01 09:00
Category: Essays
Summary: Written after the first release.

The body of the new post, with a [link]({filename}2025-03-03-what-i-learned-at-netflix.md).
"""


@pytest.fixture
def content(tmp_path):
    folder = tmp_path / "content"
    shutil.copytree(BLOG, folder)
    return folder


SERIES = """Title: {title}
Slug: series-{n}
Date: 2025-02-{day:02d} 09:00
Category: {category}
Tags: {tags}
Summary: Part {n} of a series.

Part {n}, with a [link to part one]({{filename}}2025-02-01-series-1.md).
"""


@pytest.fixture
def series(content):
    """Six more posts: neighbours, shared tags (related reading), links, two categories."""
    for n in range(1, 7):
        write_series(content, n)
    return content


def write_series(content, n, **changes):
    fields = {
        "title": f"Series part {n}",
        "n": n,
        "day": n,
        "category": "Essays" if n % 2 else "Notes",
        "tags": "Series, Odd" if n % 2 else "Series, Even",
        **changes,
    }
    post = content / "posts" / f"2025-02-{n:02d}-series-{n}.md"
    post.write_text(SERIES.format(**fields), encoding="utf-8")
    return post


def page(tmp_path, slug):
    return (tmp_path / "output" / "posts" / slug / "index.html").read_text(encoding="utf-8")


def reusing_build(tmp_path, content, **more):
    """A production build that must reuse the last one, most of its pages included."""
    built = reuse.production_build(PROD_SETTINGS, **settings_for(tmp_path, content, **more))
    assert built.reused is True
    return dict(pages.last_build)


def settings_for(tmp_path, content, **more):
    return {
        "PATH": str(content),
        "OUTPUT_PATH": str(tmp_path / "output"),
        "CACHE_PATH": str(tmp_path / "cache"),
        **more,
    }


def differences(a, b):
    """Relative paths missing from one tree or with different bytes; [] when identical."""
    a, b = Path(a), Path(b)
    left = {p.relative_to(a) for p in a.rglob("*") if p.is_file()}
    right = {p.relative_to(b) for p in b.rglob("*") if p.is_file()}
    differ = sorted(str(p) for p in left ^ right)
    differ += [str(p) for p in sorted(left & right) if not filecmp.cmp(a / p, b / p, False)]
    return differ


def cold(tmp_path, content, name="cold", **more):
    out = tmp_path / name
    shutil.rmtree(out, ignore_errors=True)
    build(
        PROD_SETTINGS,
        **{
            **settings_for(tmp_path, content, **more),
            "OUTPUT_PATH": str(out),
            "CACHE_PATH": str(tmp_path / f"{name}-cache"),
        },
    )
    return out


def test_a_new_post_reuses_and_matches_a_cold_build(tmp_path, content):
    first = reuse.production_build(PROD_SETTINGS, **settings_for(tmp_path, content))
    assert first.reused is False
    (content / "posts" / "2025-04-01-a-new-post.md").write_text(NEW_POST, encoding="utf-8")
    second = reuse.production_build(PROD_SETTINGS, **settings_for(tmp_path, content))
    assert second.reused is True
    assert (tmp_path / "output" / "posts" / "a-new-post" / "index.html").is_file()
    assert differences(tmp_path / "output", cold(tmp_path, content)) == []


def test_a_new_post_renders_only_the_pages_that_show_it(tmp_path, series):
    reuse.production_build(PROD_SETTINGS, **settings_for(tmp_path, series))
    write_series(series, 7)
    done = reusing_build(tmp_path, series)
    # Part 7 itself, part 6 (its neighbour), the posts whose related reading changed and the
    # listings that show it; the other posts' pages are kept.
    assert done["reused"] >= 3, done
    assert 'href="https://happeningnow.example/posts/series-7/"' in page(tmp_path, "series-6")
    assert differences(tmp_path / "output", cold(tmp_path, series)) == []


def test_a_reusing_build_renders_in_a_helper_too_and_matches_a_cold_build(
    tmp_path, series, monkeypatch
):
    # The reuse notes every file the build announces (content_written): a listener that only
    # notes the path must leave fastbuild's second core on.
    monkeypatch.setattr(split, "BATCH", 2)
    monkeypatch.setattr(split, "MIN_BATCH", 1)
    two = {"FASTBUILD_WORKERS": 2}
    reuse.production_build(PROD_SETTINGS, **settings_for(tmp_path, series, **two))
    write_series(series, 7)
    done = reusing_build(tmp_path, series, **two)
    assert done["helpers"] >= 1, done
    assert done["rendered"] >= 2, done
    assert differences(tmp_path / "output", cold(tmp_path, series, **two)) == []


def test_posts_described_ahead_in_a_child_decide_the_same_pages(tmp_path, series, monkeypatch):
    # The child describes the posts written last (fastbuild/ahead.py); its tokens must be the
    # ones this process would make, or a reused page would render again (or worse, not).
    monkeypatch.setattr(ahead, "MIN_POSTS", 1)
    # The writer takes the child's tokens once it is done; here at the next page, waiting: on
    # a tiny site the child would otherwise still be running at the last page.
    monkeypatch.setattr(ahead.Ahead, "done", lambda self: True)
    done = {}
    for share in (0.6, 0.0):  # Described ahead, then all here: the same pages render.
        monkeypatch.setattr(ahead, "SHARE", share)
        folder = tmp_path / f"share-{share}"
        content = folder / "content"
        shutil.copytree(series, content)
        reuse.production_build(PROD_SETTINGS, **settings_for(folder, content))
        # Newest first, part four is among the last 60% written: described in the child, and
        # its new title must still reach its neighbours' pages.
        write_series(content, 4, title="Part four, retitled")
        write_series(content, 7)
        done[share] = reusing_build(folder, content)
        assert "Part four, retitled" in page(folder, "series-5")
        assert differences(folder / "output", cold(folder, content)) == []
    assert done[0.6]["described_ahead"] >= 3, done
    assert done[0.0]["described_ahead"] == 0, done
    assert done[0.6]["rendered"] == done[0.0]["rendered"], done


def test_a_child_that_fails_to_describe_posts_ahead_costs_only_its_work(
    tmp_path, series, monkeypatch
):
    monkeypatch.setattr(ahead, "MIN_POSTS", 1)
    monkeypatch.setattr(ahead.Ahead, "done", lambda self: True)
    reuse.production_build(PROD_SETTINGS, **settings_for(tmp_path, series))

    def fails(*args):
        raise RuntimeError("a child that could not describe one post")

    monkeypatch.setattr(ahead, "_describe_all", fails)
    write_series(series, 4, title="Part four, retitled once more")
    done = reusing_build(tmp_path, series)
    assert done["described_ahead"] == 0, done
    assert "Part four, retitled once more" in page(tmp_path, "series-5")
    assert differences(tmp_path / "output", cold(tmp_path, series)) == []


def rendered_files(monkeypatch):
    """The output files whose templates are rendered from now on (a reused page is not), all in
    this process: no page goes to a helper, whose renders the spy would not see."""
    monkeypatch.setattr(split, "possible", lambda workers: False)
    rendered = []
    render = jinja2.Template.render

    def spy(self, *args, **kwargs):
        context = args[0] if args else kwargs
        if isinstance(context, dict) and "output_file" in context:
            rendered.append(context["output_file"])
        return render(self, *args, **kwargs)

    monkeypatch.setattr(jinja2.Template, "render", spy)
    return rendered


def test_a_new_post_renders_only_the_tag_pages_that_list_what_changed(
    tmp_path, series, monkeypatch
):
    # Pelican hands every tag page the list of every post (all_articles), which no template
    # reads: a new post must not re-render the tag pages of posts it does not touch.
    reuse.production_build(PROD_SETTINGS, **settings_for(tmp_path, series))
    lonely = SERIES.format(title="Before the series", n=0, day=1, category="Notes", tags="Lonely")
    lonely = lonely.replace("Date: 2025-02-01", "Date: 2025-01-15")
    (series / "posts" / "2025-01-15-lonely.md").write_text(lonely, encoding="utf-8")
    rendered = rendered_files(monkeypatch)
    reusing_build(tmp_path, series)
    assert "tag/lonely/index.html" in rendered, rendered
    # The essay is neither the new post's neighbour nor related to it: its tags' pages stay.
    assert (tmp_path / "output" / "tag" / "netflix" / "index.html").is_file()
    assert "tag/netflix/index.html" not in rendered, " ".join(rendered)
    monkeypatch.undo()
    assert differences(tmp_path / "output", cold(tmp_path, series)) == []


def test_a_neighbours_new_title_reaches_the_pages_that_show_it(tmp_path, series):
    reuse.production_build(PROD_SETTINGS, **settings_for(tmp_path, series))
    write_series(series, 4, title="Part four, retitled")
    reusing_build(tmp_path, series)
    # Part 3 and part 5 show it in their previous/next links; part 1 lists it among related.
    for neighbour in ("series-3", "series-5"):
        assert "Part four, retitled" in page(tmp_path, neighbour), neighbour
    assert differences(tmp_path / "output", cold(tmp_path, series)) == []


def test_a_tag_change_moves_the_post_between_tag_pages(tmp_path, series):
    reuse.production_build(PROD_SETTINGS, **settings_for(tmp_path, series))
    write_series(series, 2, tags="Series, Odd")
    done = reusing_build(tmp_path, series)
    assert done["reused"] >= 1, done
    odd = (tmp_path / "output" / "tag" / "odd" / "index.html").read_text(encoding="utf-8")
    assert "Series part 2" in odd
    assert differences(tmp_path / "output", cold(tmp_path, series)) == []


def test_a_linked_posts_new_url_reaches_the_posts_linking_to_it(tmp_path, series):
    reuse.production_build(PROD_SETTINGS, **settings_for(tmp_path, series))
    one = series / "posts" / "2025-02-01-series-1.md"
    one.write_text(
        one.read_text(encoding="utf-8").replace("Slug: series-1", "Slug: the-first-part"),
        encoding="utf-8",
    )
    reusing_build(tmp_path, series)
    # Part 5's body is unchanged, but its {filename} link now resolves to another URL.
    assert "posts/the-first-part/" in page(tmp_path, "series-5")
    assert differences(tmp_path / "output", cold(tmp_path, series)) == []


def test_a_deleted_post_leaves_nothing_behind(tmp_path, content):
    (content / "posts" / "2025-04-01-a-new-post.md").write_text(NEW_POST, encoding="utf-8")
    reuse.production_build(PROD_SETTINGS, **settings_for(tmp_path, content))
    (content / "posts" / "2025-04-01-a-new-post.md").unlink()
    assert reuse.production_build(PROD_SETTINGS, **settings_for(tmp_path, content)).reused
    assert not (tmp_path / "output" / "posts" / "a-new-post").exists()
    assert differences(tmp_path / "output", cold(tmp_path, content)) == []


def test_source_bytes_are_the_key_not_the_file_time(tmp_path, content):
    reuse.production_build(PROD_SETTINGS, **settings_for(tmp_path, content))
    post = content / "posts" / "2025-03-03-what-i-learned-at-netflix.md"
    stat = post.stat()
    post.write_text(
        post.read_text(encoding="utf-8") + "\nA sentence added later.\n", encoding="utf-8"
    )
    os.utime(post, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # same mtime, other bytes
    reuse.production_build(PROD_SETTINGS, **settings_for(tmp_path, content))
    page = (
        tmp_path
        / "output"
        / "posts"
        / "what-i-learned-at-netflix-and-felt-about-anora"
        / "index.html"
    )
    assert "A sentence added later." in page.read_text(encoding="utf-8")
    assert differences(tmp_path / "output", cold(tmp_path, content)) == []


def test_a_reusing_build_hashes_each_source_once(tmp_path, content, monkeypatch):
    """Pelican's caches each stamp a file by its sha256; the build shares one stamp a file
    (plugins/fastbuild/stamps.py), and an edit between two builds is still seen."""
    import hashlib
    from collections import Counter

    reuse.production_build(PROD_SETTINGS, **settings_for(tmp_path, content))
    sources = {p.read_bytes(): p.name for p in content.glob("*/*.md")}  # posts/, pages/
    hashed = Counter()
    real = hashlib.sha256

    def counting(data=b"", **kwargs):
        if data in sources:
            hashed[sources[data]] += 1
        return real(data, **kwargs)

    monkeypatch.setattr(hashlib, "sha256", counting)
    post = content / "posts" / "2025-03-03-what-i-learned-at-netflix.md"
    post.write_text(post.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    sources[post.read_bytes()] = post.name
    reusing_build(tmp_path, content)
    assert hashed and set(hashed.values()) == {1}, hashed
    assert sorted(hashed) == sorted(set(sources.values()))
    assert differences(tmp_path / "output", cold(tmp_path, content)) == []


def test_a_changed_setting_builds_cold(tmp_path, content):
    reuse.production_build(PROD_SETTINGS, **settings_for(tmp_path, content))
    renamed = settings_for(tmp_path, content, SITENAME="A Renamed Blog")
    again = reuse.production_build(PROD_SETTINGS, **renamed)
    assert again.reused is False
    assert "A Renamed Blog" in (tmp_path / "output" / "index.html").read_text(encoding="utf-8")
    assert (
        differences(tmp_path / "output", cold(tmp_path, content, SITENAME="A Renamed Blog")) == []
    )
    keyed = [p for p in (tmp_path / "cache" / "production").iterdir() if p.is_dir()]
    assert len(keyed) == 1  # the old key is gone


def test_a_changed_theme_file_builds_cold(tmp_path, content):
    theme = tmp_path / "theme"
    shutil.copytree(ROOT / "theme", theme)
    reuse.production_build(PROD_SETTINGS, **settings_for(tmp_path, content, THEME=str(theme)))
    base = theme / "templates" / "base.html"
    base.write_text(
        base.read_text(encoding="utf-8").replace("</body>", "<!-- theme v2 --></body>"),
        encoding="utf-8",
    )
    again = reuse.production_build(
        PROD_SETTINGS, **settings_for(tmp_path, content, THEME=str(theme))
    )
    assert again.reused is False
    assert "theme v2" in (tmp_path / "output" / "index.html").read_text(encoding="utf-8")
    assert differences(tmp_path / "output", cold(tmp_path, content, THEME=str(theme))) == []


def test_a_code_file_is_hashed_again_whenever_its_stat_changes(tmp_path, monkeypatch):
    """The key remembers each code file's digest by its stat: a write of the same size that
    puts the old mtime back still changes the ctime, so the bytes are hashed again."""
    monkeypatch.setattr(codefiles, "RACY_NS", 0)  # Files written just now count as settled.
    theme = tmp_path / "theme"
    shutil.copytree(ROOT / "theme", theme)
    settings = reuse.load_settings(PROD_SETTINGS, THEME=str(theme), CACHE_PATH=str(tmp_path))
    first = reuse.key(settings, PROD_SETTINGS)
    assert (tmp_path / "production" / reuse.CODE_DIGESTS).is_file()
    assert reuse.key(settings, PROD_SETTINGS) == first  # from the recorded digests
    base = theme / "templates" / "base.html"
    before = base.stat()
    text = base.read_text(encoding="utf-8")
    base.write_text(text.replace("<body", "<BODY", 1), encoding="utf-8")  # the same size
    os.utime(base, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert base.stat().st_size == before.st_size
    assert reuse.key(settings, PROD_SETTINGS) != first
    base.write_text(text, encoding="utf-8")
    assert reuse.key(settings, PROD_SETTINGS) == first  # the same bytes: the same key again


def test_a_changed_library_version_builds_cold(tmp_path, content):
    reuse.production_build(PROD_SETTINGS, **settings_for(tmp_path, content))

    def newer_markdown():
        return {**reuse.versions(), "markdown": "99.0"}

    again = reuse.production_build(
        PROD_SETTINGS, versions=newer_markdown, **settings_for(tmp_path, content)
    )
    assert again.reused is False
    for library in ("python", "pelican", "markdown", "jinja2", "pygments"):
        faked = {**reuse.versions(), library: "0-fake"}
        settings = reuse.load_settings(PROD_SETTINGS, **settings_for(tmp_path, content))
        assert reuse.key(settings, PROD_SETTINGS, versions=lambda f=faked: f) != reuse.key(
            settings, PROD_SETTINGS
        ), library


def test_an_output_touched_by_hand_builds_cold(tmp_path, content):
    reuse.production_build(PROD_SETTINGS, **settings_for(tmp_path, content))
    (tmp_path / "output" / "stray.html").write_text("left by a preview", encoding="utf-8")
    again = reuse.production_build(PROD_SETTINGS, **settings_for(tmp_path, content))
    assert again.reused is False
    assert differences(tmp_path / "output", cold(tmp_path, content)) == []


PLUGIN = """from pelican import signals


def stamp(pelican):
    with open(pelican.settings["OUTPUT_PATH"] + "/stamp.txt", "w") as f:
        f.write("{text}")


def register():
    signals.finalized.connect(stamp)
"""

BUILD = """import sys, json
from happening.workflow import reuse
from happening.build import PROD_SETTINGS
built = reuse.production_build(PROD_SETTINGS, **json.loads(sys.argv[1]))
print(built.reused)
"""


def test_a_changed_plugin_file_builds_cold(tmp_path, content):
    # In fresh processes: a plugin module, once imported, stays as it was in this one.
    import json

    plugins = tmp_path / "plugins"
    plugins.mkdir()
    from happening.build import load_settings

    names = [*load_settings(PROD_SETTINGS)["PLUGINS"], "stamper"]
    settings = settings_for(tmp_path, content, PLUGIN_PATHS=[str(plugins)], PLUGINS=names)

    def run():
        done = subprocess.run(
            [sys.executable, "-c", BUILD, json.dumps(settings)],
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout.strip().splitlines()[-1]

    (plugins / "stamper.py").write_text(PLUGIN.replace("{text}", "one"), encoding="utf-8")
    assert run() == "False"
    assert run() == "True"  # nothing changed: reused
    (plugins / "stamper.py").write_text(PLUGIN.replace("{text}", "two"), encoding="utf-8")
    assert run() == "False"
    assert (tmp_path / "output" / "stamp.txt").read_text(encoding="utf-8") == "two"


def test_the_build_keeps_where_it_wrote_each_post_and_the_check_maps_by_it(tmp_path, content):
    from happening.workflow.check import sources

    first = reuse.production_build(PROD_SETTINGS, **settings_for(tmp_path, content))
    (content / "posts" / "2025-04-01-after.md").write_text(NEW_POST, encoding="utf-8")
    built = reuse.production_build(PROD_SETTINGS, **settings_for(tmp_path, content))
    assert built.reused is True
    for done in (first, built):  # cold and reused alike: what Pelican works out afterwards
        items = [
            item
            for generator in done.generators
            for name in ("articles", "translations", "hidden_articles", "pages")
            for item in getattr(generator, name, None) or ()
        ]
        assert {os.path.abspath(i.source_path): i.save_as for i in items} == done.saved_as
    settings = built.settings
    taken = sources.read(settings, built.generators, built.saved_as)
    assert taken.by_output == sources.read(settings, built.generators).by_output
    # What the build kept is what the check maps a finding by: another value, another map.
    post = os.path.abspath(content / "posts" / "2025-04-01-after.md")
    moved = sources.read(settings, built.generators, {**built.saved_as, post: "moved/index.html"})
    assert moved.by_output["moved/index.html"] == str(content / "posts" / "2025-04-01-after.md")
    assert "moved/index.html" not in taken.by_output


def test_a_save_as_is_mapped_as_pathlib_would_write_it():
    from happening.workflow.check.sources import _posix

    for save_as in ("posts/a/index.html", "a//b.html", "./a.html", "a/./b.html", "a/", "/x.html"):
        assert _posix(save_as) == Path(save_as).as_posix()
