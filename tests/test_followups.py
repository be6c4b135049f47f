"""Follow-up threads: `Follows:` links a post to earlier ones; a bad slug fails the build."""

import pytest

from conftest import build_into, soup
from happening.plugins.followups import FollowupError
from happening.plugins.followups.thread import slugs
from happening.plugins.readingtime import minutes
from happening.plugins.subscribe import SubscribeError, form_for
from happening.plugins.subscribe.form import notice


def test_slugs_split_on_commas_and_keep_order():
    assert slugs(" b, a ,, c ") == ["b", "a", "c"]
    assert slugs(None) == [] and slugs("") == []


@pytest.mark.parametrize(
    "value, why",
    [
        ("no-such-post", "no published post has that slug"),
        ("not-ready-yet", "draft or dated in the future"),
        ("from-the-future", "draft or dated in the future"),
        ("first-light, broken-thread", "no published post has that slug"),
    ],
)
def test_unknown_slug_fails_the_build_naming_file_and_value(site_copy, tmp_path, value, why):
    post = site_copy / "posts" / "theme-bad-follow.md"
    post.write_text(f"Title: Bad thread\nDate: 2024-06-01\nFollows: {value}\n\nWords.\n")
    with pytest.raises(FollowupError) as failure:
        build_into(tmp_path / "out", site_copy)
    message = str(failure.value)
    assert "theme-bad-follow.md" in message and why in message
    assert repr(value.split(",")[-1].strip()) in message


def test_a_post_cannot_follow_itself(site_copy, tmp_path):
    post = site_copy / "posts" / "theme-self.md"
    post.write_text("Title: Self\nSlug: self\nDate: 2024-06-01\nFollows: self\n\nWords.\n")
    with pytest.raises(FollowupError, match="cannot follow itself"):
        build_into(tmp_path / "out", site_copy)


def test_a_draft_follow_up_is_never_listed_on_the_original(site_copy, tmp_path):
    draft = site_copy / "posts" / "theme-draft-follow.md"
    draft.write_text(
        "Title: Secret sequel\nDate: 2024-06-01\nStatus: draft\nFollows: first-light\n\nWords.\n"
    )
    out = tmp_path / "out"
    build_into(out, site_copy)
    assert "Secret sequel" not in (out / "posts/first-light/index.html").read_text()
    links = soup(out / "posts/first-light/index.html").select(".followups a")
    assert [a["href"] for a in links] == ["/posts/light-once-more/", "/posts/light-revisited/"]


def test_reading_time_rounds_up_and_is_at_least_a_minute():
    assert minutes("") == 1
    assert minutes("<p>" + "word " * 231 + "</p>", wpm=230) == 2
    assert minutes("<p>" + "word " * 230 + "</p>", wpm=230) == 1


# -- The sign-up form's data, per provider (the newsletter area owns these settings) ---------------
@pytest.mark.parametrize("provider", ["outbox", None])
def test_providers_without_a_public_endpoint_get_no_form(provider):
    assert form_for({"NEWSLETTER_PROVIDER": provider}) is None


def test_smtp_offers_a_mailto_link_to_the_subscribe_address():
    form = form_for(
        {"NEWSLETTER_PROVIDER": "smtp", "NEWSLETTER_SUBSCRIBE_ADDRESS": "join@blog.example"}
    )
    assert form["mailto"] == "mailto:join@blog.example?subject=subscribe"
    assert form["address"] == "join@blog.example" and form["action"] is None


def test_smtp_without_a_subscribe_address_uses_the_sender():
    sender = {"NEWSLETTER_PROVIDER": "smtp", "NEWSLETTER_FROM": "Blog <news@blog.example>"}
    assert form_for(sender)["address"] == "news@blog.example"
    default = form_for({"NEWSLETTER_PROVIDER": "smtp", "POST_ID_AUTHORITY": "blog.example"})
    assert default["mailto"] == "mailto:newsletter@blog.example?subject=subscribe"


def test_a_bad_subscribe_address_names_the_setting():
    with pytest.raises(SubscribeError, match="NEWSLETTER_SUBSCRIBE_ADDRESS is 'not an address'"):
        form_for({"NEWSLETTER_PROVIDER": "smtp", "NEWSLETTER_SUBSCRIBE_ADDRESS": "not an address"})


def test_only_the_outbox_says_readers_cannot_subscribe_yet():
    assert "NEWSLETTER_PROVIDER" in notice({"NEWSLETTER_PROVIDER": "outbox"})
    assert notice({"NEWSLETTER_PROVIDER": "smtp"}) is None
    linked = {"NEWSLETTER_PROVIDER": "outbox", "NEWSLETTER_SUBSCRIBE_URL": "https://x.example/"}
    assert notice(linked) is None


@pytest.mark.parametrize("provider", ["buttondown", "listmonk", "mailchimp"])
def test_a_provider_missing_its_public_settings_gets_no_form(provider):
    assert form_for({"NEWSLETTER_PROVIDER": provider}) is None


def test_buttondown_listmonk_and_mailchimp_forms():
    assert form_for({"NEWSLETTER_PROVIDER": "buttondown", "BUTTONDOWN_USERNAME": "hn"}) == {
        "provider": "buttondown",
        "action": "https://buttondown.com/api/emails/embed-subscribe/hn",
        "email_name": "email",
        "hidden": [("embed", "1")],
    }
    uuid = "6e4b9c2a-1f0d-4c3b-9a8e-7d6c5b4a3f21"
    listmonk = form_for(
        {
            "NEWSLETTER_PROVIDER": "listmonk",
            "LISTMONK_URL": "https://lists.example.org",
            "LISTMONK_LIST_UUID": uuid,
        }
    )
    assert listmonk["action"] == "https://lists.example.org/subscription/form"
    assert listmonk["hidden"] == [("l", uuid), ("nonce", "")]
    action = "https://example.us1.list-manage.com/subscribe/post?u=abc&id=def"
    mailchimp = form_for({"NEWSLETTER_PROVIDER": "mailchimp", "MAILCHIMP_FORM_ACTION": action})
    assert mailchimp["action"] == action and mailchimp["email_name"] == "EMAIL"


@pytest.mark.parametrize(
    "settings, named",
    [
        (
            {"NEWSLETTER_PROVIDER": "buttondown", "BUTTONDOWN_USERNAME": "a b"},
            "BUTTONDOWN_USERNAME",
        ),
        (
            {"NEWSLETTER_PROVIDER": "listmonk", "LISTMONK_URL": "lists", "LISTMONK_LIST_UUID": "x"},
            "LISTMONK_URL",
        ),
        (
            {
                "NEWSLETTER_PROVIDER": "listmonk",
                "LISTMONK_URL": "https://l.example",
                "LISTMONK_LIST_UUID": "x",
            },
            "LISTMONK_LIST_UUID",
        ),
        ({"NEWSLETTER_PROVIDER": "mailchimp", "MAILCHIMP_FORM_ACTION": "ftp://x"}, "MAILCHIMP"),
    ],
)
def test_unusable_public_settings_fail_naming_the_setting(settings, named):
    with pytest.raises(SubscribeError, match=named):
        form_for(settings)


# -- Series: order from the Follows: chain, "Part N of M", drafts following drafts -------------
def _series(folder, statuses=("", "", ""), date="2026-11-25 14:19"):
    """Three parts with one Date: (made within a minute); file names sort against the order."""
    folder.mkdir(parents=True, exist_ok=True)
    names = ["a-part-one", "c-part-two", "b-part-three"]  # Neither name order nor its reverse.
    for i, (name, status) in enumerate(zip(names, statuses, strict=True)):
        follows = f"Follows: {names[i - 1]}\n" if i else ""
        status_line = f"Status: {status}\n" if status else ""
        (folder / f"{name}.md").write_text(
            f"Title: Part {i + 1}\nSlug: {name}\nDate: {date}\nSummary: Dek.\n"
            f"{status_line}{follows}\nWords.\n"
        )
    return names


def test_a_series_made_within_a_minute_keeps_its_chain_order(tmp_path):
    _series(tmp_path / "content" / "posts")
    out = tmp_path / "out"
    build_into(out, tmp_path / "content")
    home = [a["href"] for a in soup(out / "index.html").select("main h2 a, main h3 a")]
    assert [h for h in home if "part" in h] == [
        "/posts/b-part-three/",
        "/posts/c-part-two/",
        "/posts/a-part-one/",
    ]
    two = soup(out / "posts/c-part-two/index.html")
    assert two.select_one(".thread").get_text(" ", strip=True).startswith("Part 2 of 3")
    assert [a["href"] for a in two.select(".followups a")] == ["/posts/b-part-three/"]
    one = soup(out / "posts/a-part-one/index.html")
    assert one.select_one(".thread").get_text(strip=True) == "Part 1 of 3"


def test_a_thread_that_branches_is_not_numbered(site_copy, tmp_path):
    out = tmp_path / "out"
    build_into(out, site_copy)  # first-light has two follow-ups: a thread, not a series.
    assert "Part " not in soup(out / "posts/first-light/index.html").get_text()


def test_drafts_can_follow_drafts_in_the_preview(tmp_path):
    _series(tmp_path / "content" / "posts", statuses=("", "draft", "draft"))
    out = tmp_path / "out"
    # As the live preview builds: drafts under /drafts/.
    build_into(out, tmp_path / "content", DRAFT_SAVE_AS="drafts/{slug}/index.html")
    three = soup(out / "drafts/b-part-three/index.html")
    thread = three.select_one(".thread")
    assert thread.get_text(" ", strip=True).startswith("Part 3 of 3")
    assert thread.a["href"] == "/drafts/c-part-two/"
    # Published pages never show a draft: part one stands alone.
    one = soup(out / "posts/a-part-one/index.html")
    assert not one.select(".followups, .thread")


def test_a_draft_series_also_builds_for_production(tmp_path):
    from happening.build import PROD_SETTINGS

    _series(tmp_path / "content" / "posts", statuses=("", "draft", "draft"))
    out = tmp_path / "out"
    build_into(out, tmp_path / "content", PROD_SETTINGS, SITEURL="https://blog.example")
    assert not (out / "drafts").exists() and (out / "posts/a-part-one/index.html").is_file()
