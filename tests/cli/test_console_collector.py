"""The console and the verbs start with the garbage collector paused, and never leave it so."""

from __future__ import annotations

import gc
import json
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


def test_a_verb_starts_with_the_collector_paused_and_does_its_work_with_it_running(
    run: Runner, demo_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from triage_tui import session
    from triage_tui.adapters.local.adapter import LocalHelpdesk

    seen: dict[str, bool] = {}
    build = session.build_helpdesk

    def building(*args, **kwargs):  # type: ignore[no-untyped-def]
        seen["start-up"] = gc.isenabled()
        return build(*args, **kwargs)

    get_ticket = LocalHelpdesk.get_ticket

    async def reading(self, ticket_id):  # type: ignore[no-untyped-def]
        seen["work"] = gc.isenabled()
        return await get_ticket(self, ticket_id)

    monkeypatch.setattr(session, "build_helpdesk", building)
    monkeypatch.setattr(LocalHelpdesk, "get_ticket", reading)
    listed = run("--db", str(demo_db), "queue", "--json", "--limit", "1").out
    ticket_id = json.loads(listed)["tickets"][0]["id"]
    assert run("--db", str(demo_db), "get-ticket", str(ticket_id)).code == 0
    assert seen == {"start-up": False, "work": True}
    assert gc.isenabled() and not collector.paused()


def test_a_verb_that_fails_still_resumes_it(run: Runner, demo_db: Path) -> None:
    assert run("--db", str(demo_db), "get-ticket", "no-such-ticket").code == 3
    assert gc.isenabled() and not collector.paused()
