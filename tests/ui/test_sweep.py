"""Sweep mode driven with single keys, checked against the store, the event log and the report."""

from __future__ import annotations

import json
from pathlib import Path

from textual.widgets import Input, Static

from tests.ui.conftest import db_rows
from tests.ui.sweep_helpers import confirm_send, start_sweep
from tests.ui.test_console import settle
from triage_tui.ui.screens.ask import AskScreen, ConfirmScreen
from triage_tui.ui.screens.prompts import EscalateScreen
from triage_tui.ui.screens.report import ReportScreen
from triage_tui.ui.screens.sweep import SweepOutcome, SweepScreen
from triage_tui.ui.widgets.draft import DraftPane


def events(db: Path, since_id: int = 0) -> list[tuple[str, str | None, dict]]:
    rows = db_rows(db, "SELECT name, ticket_id, payload FROM events WHERE id > ? ORDER BY id", since_id)
    return [(name, tid, json.loads(payload)) for name, tid, payload in rows]


def replies(db: Path, ticket_id: str) -> list[str]:
    """Public agent replies on the ticket, newest first."""
    sql = "SELECT body FROM messages WHERE ticket_id=? AND role='agent' AND public=1 ORDER BY rowid DESC"
    return [body for (body,) in db_rows(db, sql, ticket_id)]


def last_event_id(db: Path) -> int:
    return db_rows(db, "SELECT coalesce(max(id), 0) FROM events")[0][0]


async def test_a_sweep_with_single_keys_writes_records_and_reports(demo_db: Path, make_app, clock) -> None:
    app = make_app(demo_db)
    outcomes: list[SweepOutcome | None] = []
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        before = last_event_id(demo_db)
        sweep = await start_sweep(pilot, "priority:urgent", outcomes)
        order = [r.id for r in sweep.session.rows]
        replies_before = {tid: len(replies(demo_db, tid)) for tid in order}
        assert len(order) == 8 and sweep.view is not None and sweep.view.detail.ticket.id == order[0]

        async def key(*keys: str) -> None:
            clock.advance(60)  # one minute per decision: the report's handle time
            await pilot.press(*keys)
            await settle(pilot)

        await key("n")  # 1: skip
        await key("s")  # 2: send the draft as it is
        await confirm_send(pilot)
        await settle(pilot)
        await key("x")  # 3: escalate
        assert isinstance(app.screen, EscalateScreen)
        reason_box = app.screen.query_one("#reason", Input)
        if not reason_box.value:
            reason_box.value = "needs engineering"
        reason = reason_box.value
        await pilot.press("enter")
        await settle(pilot)
        await key("o")  # 4: an internal note keeps the ticket on screen…
        assert isinstance(app.screen, AskScreen)
        await pilot.press(*"checked the logs", "enter")
        await settle(pilot)
        assert sweep.session.current is not None and sweep.session.current.id == order[3]
        await key("a")  # … then assign it to me
        await pilot.press("enter")
        await settle(pilot)
        await key("e")  # 5: edit, then send from inside the editor
        editor = sweep.query_one(DraftPane).editor
        assert editor.has_focus
        editor.select_all()
        await pilot.press(*"All fixed now.")
        await pilot.press("ctrl+s")
        await confirm_send(pilot)
        await settle(pilot)
        for _ in range(3):  # 6–8: skip; the last decision ends the sweep
            await key("n")
        assert isinstance(app.screen, ReportScreen)

    # the store: replies on 2 and 5 only
    new = {tid: len(replies(demo_db, tid)) - replies_before[tid] for tid in order}
    assert new == {tid: int(i in (1, 4)) for i, tid in enumerate(order)}
    assert replies(demo_db, order[4])[0] == "All fixed now."
    assert db_rows(demo_db, "SELECT assignee FROM tickets WHERE id=?", order[3])[0][0] == "Sam Agent"
    notes = db_rows(demo_db, "SELECT body FROM messages WHERE ticket_id=? AND public=0", order[3])
    assert ("checked the logs",) in notes
    # the events, in order: each ticket viewed before its decision
    log = events(demo_db, before)
    names = [n for n, _, _ in log]
    assert names.count("sweep.started") == 1 and names.count("sweep.completed") == 1
    sweep_views = [tid for n, tid, p in log if n == "ticket.viewed" and p.get("source") == "sweep"]
    assert sweep_views == order
    assert [tid for n, tid, _ in log if n == "ticket.skipped"] == [order[0], *order[5:]]
    shown = {tid: i for i, (n, tid, p) in reversed(list(enumerate(log))) if n == "ticket.viewed"}
    decided = ("ticket.skipped", "reply.sent", "ticket.escalated", "ticket.assigned")
    assert all(shown[tid] < i for i, (n, tid, _) in enumerate(log) if n in decided)
    completed = next(p for n, _, p in log if n == "sweep.completed")
    assert completed["decided"] == 8 and completed["decisions"] == {
        "skip": 4, "send": 1, "escalate": 1, "note": 1, "assign": 1, "edit": 1
    }
    escalated = next(p for n, t, p in log if n == "ticket.escalated")
    assert escalated["reason"] == reason
    # the report the sweep ended with
    assert len(outcomes) == 1 and outcomes[0] is not None
    report = outcomes[0].report
    assert len(report.triaged) == 8 and report.replies == 2 and report.skipped == (order[0], *order[5:])
    assert [(e.ticket_id, e.reason) for e in report.escalations] == [(order[2], reason)]
    assert report.notes == 1 and report.sweeps == 1
    assert report.median_handle is not None and report.median_handle.total_seconds() == 60
    assert outcomes[0].summary.decided == 8
