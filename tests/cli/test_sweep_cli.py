"""``triage sweep FILTER``: the filter is checked first, then the console opens on its plan."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest

from tests.cli.conftest import Runner, fake_console


def _fake_console(monkeypatch: pytest.MonkeyPatch, calls: list[dict]) -> None:
    def fake_run(helpdesk, profile, config, theme=None, *, initial_sweep=None):  # type: ignore[no-untyped-def]
        calls.append({"initial_sweep": initial_sweep, "agent": profile.agent})
        return 0

    fake_console(monkeypatch, fake_run)


def test_sweep_hands_the_canonical_filter_to_the_console(
    run: Runner, demo_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[dict] = []
    _fake_console(monkeypatch, calls)
    result = run("sweep", "PRIORITY:high   age:<4h", "--db", str(demo_db))
    assert result.code == 0, result.err
    assert len(calls) == 1 and calls[0]["initial_sweep"] == "priority:high age:<4h"


def test_a_bad_sweep_filter_is_one_line_before_any_screen(
    run: Runner, demo_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[dict] = []
    _fake_console(monkeypatch, calls)
    result = run("sweep", "prio:high", "--db", str(demo_db))
    assert result.code == 2 and calls == []
    assert result.err.startswith("triage: error: ") and len(result.err.splitlines()) == 1
    assert '"prio"' in result.err and "priority" in result.err


def test_sweep_help_and_the_console_entry_point_accept_it(run: Runner) -> None:
    result = run("sweep", "--help")
    assert result.code == 0 and "FILTER" in result.out and "one key" in result.out
    assert 'triage sweep "priority:high age:<4h"' in run("--help").out
    from triage_tui.ui import app

    assert "initial_sweep" in inspect.signature(app.run).parameters
    assert "initial_sweep" in inspect.signature(app.TriageApp.__init__).parameters
