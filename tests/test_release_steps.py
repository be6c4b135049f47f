"""`release` runs its steps in order, stops at the first failure and says how to resume."""

import gc
import subprocess
import sys

import pytest

from happening.errors import UserError
from happening.workflow import release as releasing
from happening.workflow.release import STEPS, ReleaseStopped, Step, release


def recording_steps(log, fail=None):
    def make(name):
        def run(context):
            log.append(name)
            if name == fail:
                raise UserError(f"{name}: the hub said no")
            return f"{name} done"

        return Step(name, run, "harmless")

    return [make(name) for name in ("publish", "ping", "newsletter")]


def test_the_real_steps_are_publish_ping_newsletter_in_that_order():
    assert [step.name for step in STEPS] == ["publish", "ping", "newsletter"]


def test_runs_every_step_in_order_and_reports_each():
    ran, seen = [], []
    outcomes = release(steps=recording_steps(ran), on_step=seen.append)
    assert ran == ["publish", "ping", "newsletter"]
    assert [(o.step, o.ok, o.detail) for o in outcomes] == [
        ("publish", True, "publish done"),
        ("ping", True, "ping done"),
        ("newsletter", True, "newsletter done"),
    ]
    assert seen == outcomes


def test_a_failure_stops_the_next_steps_and_says_how_to_resume():
    ran, seen = [], []
    with pytest.raises(ReleaseStopped) as stopped:
        release("dir", steps=recording_steps(ran, fail="ping"), on_step=seen.append)
    assert ran == ["publish", "ping"]  # The newsletter never ran.
    message = str(stopped.value)
    assert message.splitlines()[0] == "release: stopped at 'ping': ping: the hub said no"
    assert "done: publish; not run: newsletter" in message
    assert "`./inv release --target dir --from-step ping`" in message
    assert [(o.step, o.ok) for o in stopped.value.results] == [("publish", True), ("ping", False)]
    assert seen[-1].ok is False


def test_resuming_starts_at_the_named_step():
    ran = []
    release(start="ping", steps=recording_steps(ran))
    assert ran == ["ping", "newsletter"]
    with pytest.raises(ReleaseStopped, match="'email' is not one of publish, ping, newsletter"):
        release(start="email", steps=recording_steps(ran))


def test_the_release_loads_no_http_library_until_there_is_a_hub_or_a_service_to_call():
    # A fresh interpreter: this one has long imported requests for other tests.
    loaded = subprocess.run(
        [sys.executable, "-c", "import sys, happening.workflow.release; print(*sys.modules)"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert "happening.workflow.release" in loaded
    assert {"requests", "urllib3"}.isdisjoint(loaded)


@pytest.mark.parametrize("fail", [None, "ping"])
def test_the_collector_runs_rarely_during_a_release_and_as_before_after_it(fail):
    before = gc.get_threshold()
    during = []

    def watch(context):
        during.append(gc.get_threshold())
        if fail:
            raise UserError("ping: the hub said no")
        return "watched"

    steps = [Step("publish", watch, "harmless"), Step("ping", watch, "harmless")]
    if fail:
        with pytest.raises(ReleaseStopped):
            release(steps=steps)
    else:
        release(steps=steps)
    assert during and during[0][0] == releasing.RELEASE_GC_THRESHOLD
    assert during[0][1:] == before[1:]
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0
