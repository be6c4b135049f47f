"""A function run in a forked process gives back its value, its log and its error.

(happening/forked.py)
"""

import logging
import os

import pytest

from happening import forked

log = logging.getLogger("happening.test_forked")


def _works(a, b):
    log.info("adding %d and %d", a, b)
    log.warning("a warning from the child")
    return {"sum": a + b, "pid": os.getpid()}


def _fails():
    log.warning("before failing")
    raise ValueError("no such feed")


def _dies():
    os._exit(3)


def test_the_value_comes_back_and_the_log_is_logged_here(caplog):
    caplog.set_level(logging.INFO, logger="happening.test_forked")
    value = forked.Forked(_works, 2, 3).result()
    assert value["sum"] == 5 and value["pid"] != os.getpid()
    assert [(r.levelno, r.getMessage()) for r in caplog.records if r.name == log.name] == [
        (logging.INFO, "adding 2 and 3"),
        (logging.WARNING, "a warning from the child"),
    ]


def test_an_error_in_the_child_is_raised_here_with_its_log(caplog):
    with pytest.raises(forked.ForkedFailed, match="ValueError: no such feed"):
        forked.Forked(_fails).result()
    assert "before failing" in caplog.text


def test_a_child_that_dies_without_a_report_is_an_error():
    with pytest.raises(forked.ForkedFailed, match="status"):
        forked.Forked(_dies).result()


def test_a_result_is_collected_once():
    running = forked.Forked(_works, 1, 1)
    running.result()
    with pytest.raises(RuntimeError, match="already collected"):
        running.result()


def test_a_result_collected_without_its_log_logs_nothing(caplog):
    caplog.set_level(logging.INFO, logger="happening.test_forked")
    assert forked.Forked(_works, 1, 2).result(relog=False)["sum"] == 3
    assert not [r for r in caplog.records if r.name == log.name]


def _waits_for(read_end):
    os.read(read_end, 1)  # Until the test lets it go: no sleep, no race.
    return "went on"


def test_done_says_whether_the_child_has_ended_without_waiting_for_it():
    read_end, write_end = os.pipe()
    try:
        running = forked.Forked(_waits_for, read_end)
        assert not running.done()  # Still blocked on the pipe.
        os.write(write_end, b"x")
        assert running.result() == "went on"
        assert running.done()
    finally:
        os.close(read_end)
        os.close(write_end)


def _logs_at_two_levels():
    # Messages of its own: Pelican's logger drops a warning it has seen (LimitFilter), and
    # the child inherits what the other tests' children logged.
    log.info("an info line only a NOTSET child keeps")
    log.warning("a warning every child keeps")


def test_only_records_of_the_level_asked_for_come_back(caplog):
    caplog.set_level(logging.INFO, logger="happening.test_forked")
    forked.Forked(_logs_at_two_levels, level=logging.WARNING).result()
    assert [r.getMessage() for r in caplog.records if r.name == log.name] == [
        "a warning every child keeps"
    ]
