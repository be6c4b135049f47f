"""One provider contract: send, report and status treat every provider through it alone.

Two in-memory providers are registered for these tests only (Django's ``locmem`` backend is the
model): one that reaches readers and records in the shared ledger like a real service, one that
keeps its own record and reaches nobody, like the outbox. Neither is named anywhere in the
newsletter, so what they get right they get from the contract.
"""

import ast
import inspect
import re
from pathlib import Path

import pytest
import requests

from conftest import ROOT, published_posts
from happening import newsletter
from happening.newsletter import config as configuration
from happening.newsletter import providers
from happening.newsletter.errors import ArchiveGuard, SettingError
from happening.newsletter.ledger import Ledger
from happening.newsletter.providers import Delivery, Provider
from happening.plugins.subscribe import SubscribeError, form_for
from newsletter_helpers import ledger_posts, site, started_ledger

POSTS = published_posts()[::-1]  # Oldest first, the order the newsletter sends in.


class MemoryProvider(Provider):
    """Keeps every email it is given in ``outbox``, as Django's locmem backend does."""

    name = "memory"
    description = "keeps each email in a list (tests only)"
    outbox: list = []

    def deliver(self, email, *, record, checkpoint, schedule=None, draft=False):
        remote_id = f"m-{len(self.outbox) + 1}"
        checkpoint(remote_id=remote_id)
        self.outbox.append(email)
        return Delivery("sent", remote_id)

    def send_test(self, email, address):
        return f"one copy to {address} in memory"


class NotebookProvider(MemoryProvider):
    """Reaches nobody and keeps its own record beside the ledger: the outbox's shape, renamed."""

    name = "notebook"
    reaches_readers = False
    verbs = {"sent": "noted"}
    nothing_new = "nothing new for the notebook"

    def ledger(self, shared):
        return Ledger(shared.path.with_name("notebook.json"))

    def status_row(self, record):
        return {**record, "state": "in the notebook"} if record else record

    def deliver(self, email, *, record, checkpoint, schedule=None, draft=False):
        delivery = super().deliver(email, record=record, checkpoint=checkpoint)
        path = Path(self.config["NEWSLETTER_OUTBOX"]) / f"{delivery.remote_id}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(email.text, encoding="utf-8")
        return Delivery("sent", delivery.remote_id, "into the notebook", files=[path])


@pytest.fixture
def registered(monkeypatch):
    monkeypatch.setitem(providers.REGISTRY, "memory", MemoryProvider)
    monkeypatch.setitem(providers.REGISTRY, "notebook", NotebookProvider)
    monkeypatch.setattr(MemoryProvider, "outbox", [])


def test_a_provider_that_reaches_readers_gets_the_archive_guard_and_the_ledger(
    tmp_path, registered
):
    with pytest.raises(ArchiveGuard, match="through memory"):
        newsletter.send(site(tmp_path, NEWSLETTER_PROVIDER="memory"), env={})
    assert MemoryProvider.outbox == []
    started_ledger(tmp_path)
    report = newsletter.send(site(tmp_path, NEWSLETTER_PROVIDER="memory"), max_per_run=99, env={})
    assert [e.subject for e in MemoryProvider.outbox] == [p["title"] for p in POSTS]
    lines = newsletter.format_report(report).splitlines()
    assert lines == [f"newsletter: sent: {p['title']} (via memory)" for p in POSTS]
    records = ledger_posts(tmp_path)
    assert {(r["provider"], r["state"]) for r in records.values()} == {("memory", "sent")}
    assert sorted(r["remote_id"] for r in records.values()) == sorted(
        f"m-{n}" for n in range(1, len(POSTS) + 1)
    )
    rows, provider = newsletter.status(site(tmp_path, NEWSLETTER_PROVIDER="memory"), env={})
    assert provider == "memory"
    assert {(r["state"], r["provider"], r["next"]) for r in rows} == {
        ("sent", "memory", "nothing (done)")
    }


def test_a_provider_with_its_own_record_is_asked_where_it_lives_and_how_to_word_it(
    tmp_path, registered
):
    chosen = {"NEWSLETTER_PROVIDER": "notebook"}
    first = newsletter.send(site(tmp_path, **chosen), post="first-light", env={})
    # It reaches nobody: no archive guard, and the shared ledger is not touched.
    assert not (tmp_path / "ledger.json").exists()
    notebook = Ledger(tmp_path / "notebook.json")
    assert [r["state"] for r in notebook.posts.values()] == ["sent"]
    assert first.files == [tmp_path / "outbox" / "m-1.txt"]
    noted, opened = newsletter.format_report(first).splitlines()
    assert noted == "newsletter: noted: First light (into the notebook)"
    assert opened.startswith("Open the email in any mail program: ") and opened.endswith("m-1.txt")
    rows, _ = newsletter.status(site(tmp_path, **chosen), env={})
    assert [(r["title"], r["state"], r["next"]) for r in rows] == [
        (p["title"], "in the notebook", "nothing (done)")
        if p["slug"] == "first-light"
        else (p["title"], "not sent", "send via notebook")
        for p in POSTS
    ]
    again = newsletter.send(site(tmp_path, **chosen), post="first-light", env={})
    assert [(s.action, s.reason) for s in again.steps] == [("done", "already in notebook")]
    assert newsletter.format_report(again).splitlines()[-1] == (
        "newsletter: nothing new for the notebook"
    )
    assert len(MemoryProvider.outbox) == 1


def test_the_outbox_still_reads_a_record_it_wrote_before_it_used_the_loop(tmp_path):
    from happening.newsletter.providers.outbox import OutboxProvider

    outbox = OutboxProvider(configuration.load({}, tmp_path, {}), folder=tmp_path / "out")
    assert outbox.folder == tmp_path / "out"
    old = {"state": "sent", "file": "2024-01-10-first-light.eml", "finished": "2024-01-10T09:00"}
    row = outbox.status_row(old)
    assert (row["state"], row["provider"], row["remote_id"]) == (
        "in outbox",
        "outbox",
        "2024-01-10-first-light.eml",
    )
    baseline = {"state": "baseline", "provider": "baseline"}
    assert outbox.status_row(baseline) == baseline


def test_the_outbox_record_is_written_when_send_ends_even_after_a_failure(tmp_path, monkeypatch):
    from happening.newsletter.errors import NewsletterError
    from happening.newsletter.providers.outbox import OutboxProvider

    real = OutboxProvider.deliver
    calls = []

    def deliver(self, email, **options):
        calls.append(email.post_id)
        if len(calls) == 3:
            raise NewsletterError("outbox: the disk is full")
        return real(self, email, **options)

    monkeypatch.setattr(OutboxProvider, "deliver", deliver)
    with pytest.raises(NewsletterError, match="disk is full"):
        newsletter.send(site(tmp_path), env={})
    kept = Ledger(tmp_path / "outbox" / "outbox.json").posts
    assert [kept[i]["state"] for i in calls] == ["sent", "sent", "sending"]
    monkeypatch.undo()
    again = newsletter.send(site(tmp_path), env={})
    assert [s.action for s in again.steps] == ["done", "done"] + ["sent"] * (len(POSTS) - 2)


def test_send_and_report_name_no_provider():
    """What differs between providers is asked of them; no module here decides it by name."""
    names = set(providers.REGISTRY)
    for module in ("send.py", "report.py"):
        tree = ast.parse((ROOT / "happening/newsletter" / module).read_text())
        docstrings = {
            id(node.body[0].value)
            for node in ast.walk(tree)
            if isinstance(node, ast.Module | ast.FunctionDef | ast.ClassDef)
            and node.body
            and isinstance(node.body[0], ast.Expr)
        }
        words = {
            word
            for node in ast.walk(tree)
            if isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in docstrings
            for word in re.findall(r"[a-z]+", node.value)
        }
        assert not words & names, f"{module} special-cases {sorted(words & names)}"
        assert "uses_ledger" not in (ROOT / "happening/newsletter" / module).read_text()


# -- The registry feeds config validation, the sign-up form and the README ----------------------
def test_an_unknown_provider_is_refused_with_every_registered_name(tmp_path, registered):
    with pytest.raises(SettingError) as refused:
        configuration.load({"NEWSLETTER_PROVIDER": "carrier-pigeon"}, tmp_path, {})
    message = str(refused.value)
    assert message.startswith("newsletter: NEWSLETTER_PROVIDER = 'carrier-pigeon' is not one of")
    assert message.endswith(", ".join(providers.REGISTRY))
    assert "memory, notebook" in message  # Registered by this test: the list is the registry.
    assert configuration.load({"NEWSLETTER_PROVIDER": "memory"}, tmp_path, {}).provider == "memory"


def test_the_sign_up_form_is_the_provider_class_own(monkeypatch):
    class Signup(MemoryProvider):
        @classmethod
        def public_form(cls, settings):
            if settings.get("MEMORY_FORM") == "bad":
                raise SettingError("subscribe: MEMORY_FORM is 'bad'; set it to a URL")
            return {"provider": cls.name, "action": settings["MEMORY_FORM"], "hidden": []}

    monkeypatch.setitem(providers.REGISTRY, "memory", Signup)
    form = form_for({"NEWSLETTER_PROVIDER": "memory", "MEMORY_FORM": "https://m.example/join"})
    assert form == {"provider": "memory", "action": "https://m.example/join", "hidden": []}
    with pytest.raises(SubscribeError, match="MEMORY_FORM"):
        form_for({"NEWSLETTER_PROVIDER": "memory", "MEMORY_FORM": "bad"})


def test_every_registered_form_is_what_its_class_returns():
    settings = {
        "BUTTONDOWN_USERNAME": "hn",
        "LISTMONK_URL": "https://lists.example.org",
        "LISTMONK_LIST_UUID": "6e4b9c2a-1f0d-4c3b-9a8e-7d6c5b4a3f21",
        "MAILCHIMP_FORM_ACTION": "https://example.us1.list-manage.com/subscribe/post?u=a&id=b",
    }
    for name in providers.REGISTRY:
        cls = providers.provider_class(name)
        chosen = {**settings, "NEWSLETTER_PROVIDER": name}
        assert form_for(chosen) == cls.public_form(chosen)
        assert (form_for(chosen) is None) == (not cls.form_settings), name


def provider_table() -> dict[str, list[str]]:
    """The README's provider table: name -> its cells after the first."""
    readme = (ROOT / "README.md").read_text()
    header = "| provider | what it does | settings | environment variables | sign-up form |"
    assert header in readme, "the README's provider table is missing"
    rows = {}
    for line in readme.split(header, 1)[1].splitlines()[2:]:
        if not line.startswith("|"):
            break
        first, *cells = [c.strip() for c in line.strip("|").split("|")]
        rows[re.match(r"`([a-z]+)`", first).group(1)] = [first, *cells]
    return rows


def test_the_readme_provider_table_is_the_registry():
    rows = provider_table()
    assert list(rows) == list(providers.REGISTRY)
    default = configuration.DEFAULTS["NEWSLETTER_PROVIDER"]
    assert rows[default][0] == f"`{default}` (default)"
    for name, (_, description, settings, environment, form) in rows.items():
        cls = providers.provider_class(name)
        assert description == cls.description, name
        assert set(_names(settings)) == set(cls.settings), name
        assert set(_names(environment)) == set(cls.environment), name
        assert set(_names(form)) == set(cls.form_settings), name
    readme = (ROOT / "README.md").read_text()
    setting_row = next(
        line for line in readme.splitlines() if line.startswith("| `NEWSLETTER_PROVIDER`")
    )
    assert _names(setting_row.split("|")[3], r"[a-z]+") == list(providers.REGISTRY)


def _names(cell, pattern=r"[A-Z][A-Z0-9_]+"):
    return re.findall(rf"`({pattern})`", cell)


# -- Constructors: every option in the signature, settings the defaults, conflicts fail early ---
def test_every_option_is_a_keyword_argument_defaulting_to_its_setting():
    for name in providers.REGISTRY:
        cls = providers.provider_class(name)
        parameters = list(inspect.signature(cls).parameters.values())
        assert parameters[0].name == "config", name
        for option in parameters[1:]:
            assert option.kind is inspect.Parameter.KEYWORD_ONLY, (name, option.name)
            assert option.default is None, (name, option.name)


def test_an_unknown_option_is_pythons_type_error(tmp_path):
    config = configuration.load({}, tmp_path, {})
    with pytest.raises(TypeError, match="base_url"):
        providers.get(config, base_url="https://x.example")


def test_options_override_settings_and_the_environment(tmp_path):
    from happening.newsletter.providers.buttondown import ButtondownProvider
    from happening.newsletter.providers.smtp import SmtpProvider

    config = configuration.load(
        {"BUTTONDOWN_API_URL": "https://settings.example/v1", "NEWSLETTER_HTTP_TIMEOUT": 30},
        tmp_path,
        {"BUTTONDOWN_API_KEY": "from-env"},
    )
    session = requests.Session()
    given = ButtondownProvider(
        config, api_url="https://given.example/v1", api_key="given", session=session, timeout=5
    )
    assert given.http.base_url == "https://given.example/v1/"
    assert given.http.session is session and given.http.timeout == 5
    assert session.headers["Authorization"] == "Token given"
    default = ButtondownProvider(config)
    assert default.http.base_url == "https://settings.example/v1/"
    assert default.http.timeout == 30 and default.http.session.headers["Authorization"] == (
        "Token from-env"
    )
    assert SmtpProvider(config, host="mail.example", port=2525).port == 2525
    given.close()
    default.close()


@pytest.mark.parametrize(
    "name, settings, env, options, named",
    [
        ("smtp", {}, {"SMTP_PASSWORD": "pw"}, {}, "set SMTP_USERNAME too, or unset SMTP_PASSWORD"),
        ("smtp", {"SMTP_SECURITY": "none"}, {}, {"ssl_context": object()}, "set SMTP_SECURITY"),
        (
            "mailchimp",
            {"MAILCHIMP_API_URL": "https://us5.api.mailchimp.com/3.0"},
            {"MAILCHIMP_API_KEY": "abc-us21"},
            {},
            "remove MAILCHIMP_API_URL",
        ),
    ],
)
def test_conflicting_options_fail_in_the_constructor_saying_what_to_change(
    tmp_path, name, settings, env, options, named
):
    config = configuration.load({"NEWSLETTER_PROVIDER": name, **settings}, tmp_path, env)
    with pytest.raises(SettingError, match=re.escape(named)) as conflict:
        providers.get(config, **options)
    assert str(conflict.value).startswith(f"{name}: ")
