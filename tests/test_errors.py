"""One error tree: every error a writer can fix is a UserError, and says which component spoke."""

import ast
import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import pytest

import happening
import happening.plugins
from happening.errors import SettingError, UserError
from happening.newsletter import config as newsletter_config
from happening.plugins.fastbuild import settings as fastbuild_settings
from happening.plugins.feeds import load_config
from happening.plugins.feeds.websub import ping
from happening.plugins.readingtime.minutes import _pace
from happening.workflow import serve
from happening.workflow.config import setting

ROOT = Path(__file__).resolve().parent.parent
# Exceptions that never reach the writer: each is caught by its caller and turned into a
# UserError (websub's hub outcomes, a too-long Retry-After) or a fallback (fastbuild renders the
# page the plain way), or reported by the build as its component's error (a forked helper's).
INTERNAL = {
    "happening.forked.ForkedFailed",
    "happening.retry.WaitTooLong",
    "happening.plugins.feeds.websub._HubDown",
    "happening.plugins.feeds.websub._Refused",
    "happening.plugins.fastbuild.pages.Undigestable",
    "happening.plugins.fastbuild.pages._PastSpan",  # Ends a piece's loop; caught by its writer.
    "happening.plugins.fastbuild.shown.NotShown",  # The digester describes the post itself.
    "happening.plugins.fastbuild.split.HelperFailed",
}
# "feeds: ", "newsletter: ", "readingtime: ": the component a writer can look up, then the problem.
PREFIX = re.compile(r"^[a-z][a-z0-9.-]*: \S")


def _our_exceptions():
    found = {}
    # happening.plugins maps to plugins/ (pyproject's package-dir), outside happening/'s folder.
    modules = [
        *pkgutil.walk_packages(happening.__path__, "happening."),
        *pkgutil.walk_packages(happening.plugins.__path__, "happening.plugins."),
    ]
    for module in modules:
        loaded = importlib.import_module(module.name)
        for _, cls in inspect.getmembers(loaded, inspect.isclass):
            if issubclass(cls, BaseException) and cls.__module__ == module.name:
                found[f"{cls.__module__}.{cls.__qualname__}"] = cls
    return found


def test_every_error_of_ours_is_a_user_error_or_stays_inside_its_module():
    found = _our_exceptions()
    assert len(found) > 10  # The walk really reached the plugins and the library.
    strays = sorted(
        name
        for name, cls in found.items()
        if not issubclass(cls, UserError) and name not in INTERNAL
    )
    assert strays == [], "subclass happening.errors.UserError (or keep it private and caught)"
    assert set(INTERNAL) <= set(found)  # The exceptions list must not outlive what it excuses.


def test_there_is_one_setting_error_and_every_setting_error_descends_from_it():
    found = _our_exceptions()
    named = {name for name in found if name.rsplit(".", 1)[-1] == "SettingError"}
    assert named == {"happening.errors.SettingError"}
    for name, cls in found.items():
        if "Setting" in name.rsplit(".", 1)[-1]:
            assert issubclass(cls, SettingError), name
    from happening.newsletter.errors import SettingError as newsletters
    from happening.workflow.config import SettingError as workflows

    assert newsletters is workflows is SettingError


def test_tasks_turn_only_user_errors_into_exit_messages():
    tree = ast.parse((ROOT / "tasks.py").read_text())
    caught = [
        ast.unparse(node.type) if node.type else "everything"
        for node in ast.walk(tree)
        if isinstance(node, ast.ExceptHandler)
    ]
    assert caught == ["UserError"]


def _failures(tmp_path):
    yield lambda: load_config({"FEEDS_TAXONOMY_MAX_ITEMS": -1})
    yield lambda: newsletter_config.load({"NEWSLETTER_PROVIDER": "carrier-pigeon"}, tmp_path, {})
    yield lambda: setting({"PUBLISH_TARGET": "ftp"}, "PUBLISH_TARGET")
    yield lambda: _pace({"READING_WORDS_PER_MINUTE": "fast"})
    yield lambda: fastbuild_settings.check(type("P", (), {"settings": {"FASTBUILD_WORKERS": -2}}))
    yield lambda: ping(
        {"SITEURL": "https://blog.example", "WEBSUB_HUBS": ["https://hub.example/"]}, tmp_path
    )
    yield lambda: serve.serve(tmp_path / "missing")


def test_representative_failures_say_their_component_first_on_one_line(tmp_path):
    messages = []
    for fail in _failures(tmp_path):
        with pytest.raises(UserError) as raised:
            fail()
        messages.append(str(raised.value))
    assert len(messages) == 7
    for message in messages:
        assert PREFIX.match(message) and "\n" not in message, message
    # Each quotes the value the writer gave, so they can find it.
    for value in ("-1", "'carrier-pigeon'", "'ftp'", "'fast'", "-2"):
        assert any(value in message for message in messages), value
