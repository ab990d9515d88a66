"""Sweep mode driven with single keys, checked against the store, the event log and the report."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from textual.events import Key
from textual.widgets import Input, Static

from tests.conftest import FROZEN_NOW
from tests.ui.conftest import db_rows
from tests.ui.sweep_helpers import confirm_send, quiet, start_sweep
from tests.ui.test_console import settle
from triage_tui.demo.generator import generate
from triage_tui.engine.sweep_plan import plan_sweep
from triage_tui.ui.screens.ask import AskScreen, ConfirmScreen, PickNameScreen
from triage_tui.ui.screens.bulk import BulkActionScreen
from triage_tui.ui.screens.prompts import EscalateScreen
from triage_tui.ui.screens.report import ReportScreen
from triage_tui.ui.screens.sweep import SweepOutcome
from triage_tui.ui.screens.sweep_plan import SweepPlanScreen
from triage_tui.ui.widgets.draft import DraftPane


def events(db: Path, since_id: int = 0) -> list[tuple[str, str | None, dict]]:
    rows = db_rows(
        db, "SELECT name, ticket_id, payload FROM events WHERE id > ? ORDER BY id", since_id
    )
    return [(name, tid, json.loads(payload)) for name, tid, payload in rows]


def replies(db: Path, ticket_id: str) -> list[str]:
    """Public agent replies on the ticket, newest first."""
    sql = (
        "SELECT body FROM messages WHERE ticket_id=? AND role='agent' AND public=1 "
        "ORDER BY rowid DESC"
    )
    return [body for (body,) in db_rows(db, sql, ticket_id)]


def last_event_id(db: Path) -> int:
    return db_rows(db, "SELECT coalesce(max(id), 0) FROM events")[0][0]


async def test_a_sweep_with_single_keys_writes_records_and_reports(
    demo_db: Path, make_app, clock
) -> None:
    app = make_app(demo_db)
    outcomes: list[SweepOutcome | None] = []
    async with app.run_test(size=(120, 40)) as pilot:
        await quiet(pilot)
        before = last_event_id(demo_db)
        sweep = await start_sweep(pilot, "priority:urgent", outcomes)
        order = [r.id for r in sweep.session.rows]
        replies_before = {tid: len(replies(demo_db, tid)) for tid in order}
        assert (
            len(order) == 8 and sweep.view is not None and sweep.view.detail.ticket.id == order[0]
        )

        async def key(*keys: str) -> None:
            clock.advance(60)  # one minute per decision: the report's handle time
            await pilot.press(*keys)
            await quiet(pilot)

        await key("n")  # 1: skip
        await key("s")  # 2: send the draft as it is
        await confirm_send(pilot)
        await quiet(pilot)
        await key("x")  # 3: escalate
        assert isinstance(app.screen, EscalateScreen)
        reason_box = app.screen.query_one("#reason", Input)
        if not reason_box.value:
            reason_box.value = "needs engineering"
        reason = reason_box.value
        await pilot.press("enter")
        await quiet(pilot)
        await key("o")  # 4: an internal note keeps the ticket on screen…
        assert isinstance(app.screen, AskScreen)
        await pilot.press(*"checked the logs", "enter")
        await quiet(pilot)
        assert sweep.session.current is not None and sweep.session.current.id == order[3]
        await key("a")  # … then assign it to me
        await pilot.press("enter")
        await quiet(pilot)
        await key("e")  # 5: edit, then send from inside the editor
        editor = sweep.query_one(DraftPane).editor
        assert editor.has_focus
        editor.select_all()
        await pilot.press(*"All fixed now.")
        await pilot.press("ctrl+s")
        await confirm_send(pilot)
        await quiet(pilot)
        for _ in range(3):  # 6–8: skip; the last decision ends the sweep
            await key("n")
        assert isinstance(app.screen, ReportScreen)

    # the store: replies on 2 and 5 only
    new = {tid: len(replies(demo_db, tid)) - replies_before[tid] for tid in order}
    assert new == {tid: int(i in (1, 4)) for i, tid in enumerate(order)}
    assert replies(demo_db, order[4])[0] == "All fixed now."
    assert (
        db_rows(demo_db, "SELECT assignee FROM tickets WHERE id=?", order[3])[0][0] == "Sam Agent"
    )
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
        "skip": 4,
        "send": 1,
        "escalate": 1,
        "note": 1,
        "assign": 1,
        "edit": 1,
    }
    escalated = next(p for n, t, p in log if n == "ticket.escalated")
    assert escalated["reason"] == reason
    # the report the sweep ended with
    assert len(outcomes) == 1 and outcomes[0] is not None
    report = outcomes[0].report
    assert (
        len(report.triaged) == 8
        and report.replies == 2
        and report.skipped == (order[0], *order[5:])
    )
    assert [(e.ticket_id, e.reason) for e in report.escalations] == [(order[2], reason)]
    assert report.notes == 1 and report.sweeps == 1
    assert report.median_handle is not None and report.median_handle.total_seconds() == 60
    assert outcomes[0].summary.decided == 8


async def test_alert_strip_names_a_ticket_entering_its_last_90_minutes_and_J_jumps(
    demo_db: Path, make_app, clock
) -> None:
    app = make_app(demo_db)
    outcomes: list[SweepOutcome | None] = []
    async with app.run_test(size=(120, 40)) as pilot:
        sweep = await start_sweep(pilot, "priority:high,urgent", outcomes)
        rows = sweep.session.rows
        strip = sweep.query_one("#sweep-alerts", Static)
        assert not strip.display  # nothing new since the plan
        start = clock.now().timestamp()
        later = next(r for r in rows[3:] if start + 2 * 3600 < r.due < float("inf"))
        clock.set(datetime.fromtimestamp(later.due - 3600, UTC))  # an hour before its breach
        sweep.tick()
        await quiet(pilot)
        alerts = sweep.session.alerts()
        assert any(a.ticket_id == later.id and a.kind == "at_risk" for a in alerts)
        assert (
            strip.display
            and "J" in str(strip.render())
            and alerts[0].ticket_id in str(strip.render())
        )
        recorded = [(tid, p["kind"]) for n, tid, p in events(demo_db) if n == "sla.alerted"]
        assert (later.id, "at_risk") in recorded and len(recorded) == len(set(recorded))
        target = next(a for a in alerts if a.ticket_id != rows[0].id)
        await pilot.press("J")
        await quiet(pilot)
        assert sweep.session.current is not None and sweep.session.current.id == target.ticket_id
        assert sweep.view is not None and sweep.view.detail.ticket.id == target.ticket_id
        await pilot.press("n")  # decided: the sweep resumes where it was
        await quiet(pilot)
        assert sweep.session.current is not None and sweep.session.current.id == rows[0].id


async def test_keys_typed_ahead_each_wait_for_their_ticket(demo_db: Path, make_app) -> None:
    app = make_app(demo_db)
    outcomes: list[SweepOutcome | None] = []
    async with app.run_test(size=(120, 40)) as pilot:
        sweep = await start_sweep(pilot, "priority:high,urgent", outcomes)
        rows = [r.id for r in sweep.session.rows]
        before = last_event_id(demo_db)
        load = sweep.loader.load

        async def slow_load(ticket_id: str):  # type: ignore[no-untyped-def]
            await asyncio.sleep(0.2)  # a slow helpdesk: the keys arrive before the tickets
            return await load(ticket_id)

        sweep.loader.load = slow_load  # type: ignore[method-assign]
        for key in "nnnx":  # typed faster than the tickets load
            app._driver.send_message(Key(key, key))
        await pilot.pause(0.05)
        waiting = sweep.desk.waiting
        await quiet(pilot)
        assert waiting == ["skip", "skip", "escalate"]
        assert isinstance(app.screen, EscalateScreen) and app.screen.ticket_id == rows[3]
        await pilot.press("escape")
        await quiet(pilot)
        log = events(demo_db, before)
        assert [t for n, t, _ in log if n == "ticket.skipped"] == rows[:3]
        viewed = [t for n, t, p in log if n == "ticket.viewed"]
        assert viewed == rows[1:4]  # each shown before the key that decided it
        assert sweep.session.current is not None and sweep.session.current.id == rows[3]


async def test_ending_early_asks_then_reports_and_w_writes_the_markdown(
    demo_db: Path, make_app, isolated_dirs: Path
) -> None:
    app = make_app(demo_db)
    outcomes: list[SweepOutcome | None] = []
    async with app.run_test(size=(120, 40)) as pilot:
        sweep = await start_sweep(pilot, "priority:urgent", outcomes)
        await pilot.press("n")
        await quiet(pilot)
        await pilot.press("q")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("escape")  # keep sweeping
        assert app.screen is sweep and not outcomes
        await pilot.press("e")
        assert sweep.query_one(DraftPane).editor.has_focus
        await pilot.press("escape")  # leaves the editor, does not end the sweep
        assert app.screen is sweep and not sweep.query_one(DraftPane).editor.has_focus
        await pilot.press("escape")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("enter")
        await quiet(pilot)
        assert isinstance(app.screen, ReportScreen)
        assert outcomes and outcomes[0] is not None
        assert (outcomes[0].summary.decided, outcomes[0].summary.total) == (1, 8)
        assert outcomes[0].report.skipped == (sweep.session.rows[0].id,)
        await pilot.press("w")
        written = app.screen.written
        assert written is not None and written.parent == isolated_dirs / "data" / "reports"
        assert written.read_text(encoding="utf-8").startswith("# Session report")
        assert "Written to" in str(app.screen.query_one("#report-written", Static).render())
        await pilot.press("escape")
        assert type(app.screen).__name__ == "MainScreen"
    completed = [p for n, _, p in events(demo_db) if n == "sweep.completed"]
    assert len(completed) == 1 and completed[0]["decided"] == 1


@pytest.fixture(scope="module")
def big_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("big") / "demo.db"
    generate(path, tickets=400, seed=11, now=FROZEN_NOW)
    return path


async def test_two_hundred_tickets_need_one_key_per_decision_and_no_mouse(
    big_template: Path, tmp_path: Path, make_app
) -> None:
    db = tmp_path / "big.db"
    shutil.copyfile(big_template, db)
    app = make_app(db)
    outcomes: list[SweepOutcome | None] = []
    async with app.run_test(size=(100, 30)) as pilot:
        sweep = await start_sweep(pilot, "-status:pending", outcomes)
        order = [r.id for r in sweep.session.rows]
        assert len(order) >= 200
        decision_keys = confirmations = 0
        for i in range(len(order)):
            if i % 20 == 0:  # every 20th: assign to me (the picker starts on me: enter confirms)
                await quiet(pilot)
                await pilot.press("a")
                assert isinstance(app.screen, PickNameScreen)
                await pilot.press("enter")
                confirmations += 1
            else:  # skip, typed as fast as a keyboard sends it (no waiting for the screen)
                app._driver.send_message(Key("n", "n"))
            decision_keys += 1
        await quiet(pilot)
        assert isinstance(app.screen, ReportScreen)
    assert decision_keys == len(order) and confirmations == len(range(0, len(order), 20))
    assert outcomes and outcomes[0] is not None
    summary, report = outcomes[0].summary, outcomes[0].report
    assert summary.decided == summary.total == len(order) and not summary.undecided
    assert summary.counts == {"assign": confirmations, "skip": len(order) - confirmations}
    assert len(report.triaged) == len(order) and len(report.skipped) == len(order) - confirmations
    assigned = db_rows(db, "SELECT id FROM tickets WHERE assignee='Sam Agent'")
    assert {order[i] for i in range(0, len(order), 20)} <= {tid for (tid,) in assigned}


async def test_untrusted_subjects_show_as_typed_in_the_plan_and_the_bulk_preview(
    demo_db: Path, make_app, clock
) -> None:
    hostile = "[@click=app.quit]Refund[/] \x1b]8;;http://evil\x07link \u202eevil"
    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        main = await settle(pilot)
        rows = [
            dataclasses.replace(r, subject=hostile, requester=hostile) for r in main.all_rows[:3]
        ]
        plan = plan_sweep(rows, clock.now())
        await app.push_screen(SweepPlanScreen(plan, hostile))
        await pilot.pause()
        shown = "\n".join(str(w.render()) for w in app.screen.query("Static, Label"))
        assert "[@click=app.quit]Refund[/]" in shown and "␛]8;;http://evil" in shown
        assert "\x1b" not in shown and "\u202e" not in shown
        await pilot.press("escape")
        await app.push_screen(BulkActionScreen(rows, agent="Sam Agent", team="Polaris Support"))
        await pilot.press("s", "v")
        shown = "\n".join(str(w.render()) for w in app.screen.query("Static, Label"))
        assert "[@click=app.quit]Refund[/]" in shown and "\x1b" not in shown
        await pilot.press("escape", "escape")
        assert app.is_running  # nothing was clicked or run


async def test_sending_past_a_blocking_safeguard_in_a_sweep_is_logged(
    demo_db: Path, make_app
) -> None:
    """As from the main screen: y sends anyway, and the override is in the event log."""
    from triage_tui.ui.screens.prompts import SendScreen

    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await quiet(pilot)
        before = last_event_id(demo_db)
        sweep = await start_sweep(pilot, "status:open,pending,new", [])
        for _ in range(len(sweep.session.rows)):  # to the first ticket whose draft is blocked
            if any(f.blocking for f in sweep.query_one(DraftPane).findings):
                break
            await pilot.press("n")
            await quiet(pilot)
        blocked = [f for f in sweep.query_one(DraftPane).findings if f.blocking]
        assert blocked, "the demo queue has a ticket whose draft a safeguard blocks"
        assert sweep.view is not None
        ticket_id = sweep.view.detail.ticket.id
        await pilot.press("s")
        await quiet(pilot)
        assert isinstance(app.screen, SendScreen) and app.screen.blocking
        await pilot.press("y")
        await quiet(pilot)
        logged = [
            (name, payload) for name, tid, payload in events(demo_db, before) if tid == ticket_id
        ]
        raised = [payload for name, payload in logged if name == "safeguard.raised"]
        assert raised == [
            {
                "rule": ",".join(f.kind.value for f in blocked),
                "message": "; ".join(f.reason for f in blocked),
                "overridden": True,
            }
        ]
        assert "reply.sent" in [name for name, _ in logged]
