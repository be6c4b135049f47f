"""`import ghost`: lexical and mobiledoc posts, tags and authors, Ghost's ids kept as `Id:`."""

import json

import pytest

from happening.build import PROD_SETTINGS
from happening.importers import ExportError, import_export
from happening.newsletter import send
from import_helpers import ghost_export, new_site, newsletter_site

OLD = "https://happening.ghost.io"


def run(tmp_path, overrides, **options):
    return import_export(
        "ghost",
        ghost_export(tmp_path / "export"),
        old_url=OLD,
        settings_file=PROD_SETTINGS,
        overrides=overrides,
        **options,
    )


def test_a_lexical_post_becomes_markdown_with_tags_author_and_its_ghost_id(tmp_path):
    run(tmp_path, new_site(tmp_path))
    text = (tmp_path / "content" / "posts" / "why-we-moved.md").read_text()
    head, body = text.split("\n\n", 1)
    assert head.splitlines() == [
        "Title: Why we moved",
        "Slug: why-we-moved",
        "Date: 2024-02-01 11:00:00+00:00",
        "Modified: 2024-02-03 12:00:00+00:00",
        "Summary: The move, and why.",
        "Tags: Meta, Moving",  # "#internal" is Ghost's own.
        "Category: misc",
        "Author: Jo Bloggs",
        "Id: 65a0c0ffee0000000000aaa1",  # The guid of Ghost's RSS items: the post id.
    ]
    assert (
        "Ghost was **good** to us. [An older post](https://happening.ghost.io/an-older-post/)"
        in body
    )
    assert "## Why move" in body
    # The image was in the export (Ghost's content/images/): copied, and linked as static.
    assert "![The garden]({static}/images/why-we-moved/garden.jpg)" in body
    copied = tmp_path / "content" / "images" / "why-we-moved" / "garden.jpg"
    assert copied.read_bytes() == b"\xff\xd8\xff\xe0 a tiny jpeg"
    assert "```python\nprint('hi')\n```" in body


def test_a_mobiledoc_members_post_comes_in_as_a_draft_and_pages_stay_out(tmp_path):
    report = run(tmp_path, new_site(tmp_path))
    assert [o.file for o in report.outcomes] == [
        "content/posts/members-first.md",
        "content/posts/why-we-moved.md",
    ]
    text = (tmp_path / "content" / "posts" / "members-first.md").read_text()
    assert "Status: draft" in text
    assert "Id: 5f1e2d3c4b5a697887960001" in text
    assert "Members first, *then* [a link](https://example.org/)" in text
    assert "A *markdown* card." in text
    assert "- one\n- two" in text
    assert report.outcomes[0].post.draft_reason.startswith("for members only on Ghost")


def test_ghost_permalinks_redirect_and_the_ledger_keeps_send_from_emailing(tmp_path):
    overrides = new_site(tmp_path)
    run(tmp_path, overrides)
    table = (tmp_path / "content" / "redirects.txt").read_text()
    assert "/why-we-moved/ posts/why-we-moved/\n" in table
    ledger = json.loads((tmp_path / "ledger.json").read_text())["posts"]
    # The members post went to members by email when published: recorded too.
    assert sorted(ledger) == ["5f1e2d3c4b5a697887960001", "65a0c0ffee0000000000aaa1"]
    assert ledger["65a0c0ffee0000000000aaa1"]["finished"] == "2024-02-01T11:00:00+00:00"
    report = send(newsletter_site(overrides))
    assert report.sent == [] and [s.action for s in report.steps] == ["done"]


def test_a_malformed_ghost_export_names_the_file_and_post(tmp_path):
    export = ghost_export(tmp_path / "export")
    doc = json.loads(export.read_text())
    doc["db"][0]["data"]["posts"][1]["mobiledoc"] = '{"sections": [[10, 7]]}'
    export.write_text(json.dumps(doc))
    overrides = new_site(tmp_path)
    with pytest.raises(ExportError) as caught:
        import_export("ghost", export, old_url=OLD, overrides=overrides)
    message = str(caught.value)
    assert message.startswith(
        "import: happening.ghost.2024-06-01.json posts[1]: its lexical/mobiledoc body"
    )
    assert "\n" not in message
    export.write_text("{not json")
    with pytest.raises(ExportError, match="is not a JSON file"):
        import_export("ghost", export, old_url=OLD, overrides=overrides)
