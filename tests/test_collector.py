"""The cyclic garbage collector is paused while the console starts, and only then."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from triage_tui import collector


@pytest.fixture(autouse=True)
def collector_on() -> Iterator[None]:
    yield
    collector.resume()
    gc.enable()  # thresholds: tests/conftest.py


def test_pause_stops_collecting_until_resume_which_freezes_what_was_built() -> None:
    collector.pause()
    assert not gc.isenabled() and collector.paused()
    frozen = gc.get_freeze_count()
    built = [object() for _ in range(10)]  # start-up's long-lived objects
    collector.resume()
    assert gc.isenabled() and not collector.paused()
    assert gc.get_freeze_count() > frozen
    # Opening a ticket allocates thousands of short-lived objects: fewer young collections.
    assert gc.get_threshold()[0] == collector.YOUNG_THRESHOLD
    collector.resume()  # a second resume (the command line's safety net) changes nothing
    assert gc.isenabled()
    del built


def test_a_collector_the_host_turned_off_stays_off() -> None:
    gc.disable()
    collector.pause()
    assert not collector.paused()
    collector.resume()
    assert not gc.isenabled()
    assert gc.get_threshold()[0] != collector.YOUNG_THRESHOLD
