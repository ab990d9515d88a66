"""The console starts with the garbage collector paused, and never leaves it so."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from tests.cli.conftest import Runner, fake_console
from triage_tui import collector


def _fake_ui(monkeypatch: pytest.MonkeyPatch, seen: list[bool], fail: bool = False) -> None:
    def fake_run(helpdesk, profile, config, theme=None, **_extra):  # type: ignore[no-untyped-def]
        seen.append(gc.isenabled())  # what Textual's start-up would run under
        if fail:
            raise RuntimeError("the UI stopped before its first screen")
        return 0

    fake_console(monkeypatch, fake_run)


def test_the_ui_starts_with_the_collector_paused_and_it_runs_again_after(
    run: Runner, demo_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[bool] = []
    _fake_ui(monkeypatch, seen)
    assert run("--db", str(demo_db)).code == 0
    assert seen == [False]
    assert gc.isenabled() and not collector.paused()


def test_a_console_that_fails_before_its_first_screen_still_resumes_it(
    run: Runner, demo_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[bool] = []
    _fake_ui(monkeypatch, seen, fail=True)
    result = run("--db", str(demo_db))
    assert result.code == 70 and seen == [False]
    assert gc.isenabled() and not collector.paused()


def test_verbs_leave_the_collector_alone(run: Runner, demo_db: Path) -> None:
    assert run("--db", str(demo_db), "queue", "--limit", "1").code == 0
    assert gc.isenabled() and not collector.paused()
