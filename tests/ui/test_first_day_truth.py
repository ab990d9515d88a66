"""Issue 17, items 5-8: what the console and its reports say is what happened.

Each test drives the console with keys, as an agent would, and checks the
effect on screen and in the store or the event log.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections import Counter
from pathlib import Path

import pytest
from textual.widgets import Static

from tests.conftest import FROZEN_NOW
from tests.fakes.fake_time import FakeTime, until
from tests.ui.conftest import db_rows
from tests.ui.sweep_helpers import confirm_send, quiet
from tests.ui.test_console import (
    line_text,
    move_to_sendable,
    move_to_ticket,
    pane_text,
    refund_ticket,
    settle,
)
from tests.ui.test_outbox_console import make, send_default
from triage_tui.cli import main as cli_main
from triage_tui.domain.clock import FrozenClock
from triage_tui.domain.queue import QueueCounts
from triage_tui.domain.sla import SlaState
from triage_tui.ui.screens.main import MainScreen
from triage_tui.ui.screens.report import ReportScreen, with_pending
from triage_tui.ui.screens.sweep import LoggedEvent, SweepScreen
from triage_tui.ui.screens.sweep_plan import SweepPlanScreen
from triage_tui.ui.widgets.draft import DraftPane
from triage_tui.ui.widgets.queue import QueueView
from triage_tui.ui.widgets.undo_banner import UndoBanner


async def test_sweep_plan_shows_a_measured_pace_in_seconds(demo_db: Path, make_app, clock) -> None:
    """Issue 17 item 6: a measured 13 s a ticket reads "13 s a ticket", not "0m", and
    the estimate is that pace times the tickets."""
    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        for _ in range(3):  # three tickets read and skipped, 13.2 s each
            clock.advance(13.2)
            await pilot.press("n")
            await settle(pilot)
        await pilot.press("w")
        await settle(pilot)
        plan_screen = app.screen
        assert isinstance(plan_screen, SweepPlanScreen)
        count = plan_screen.plan.count
        summary = str(plan_screen.query_one("#plan-summary", Static).render())
        assert "at 13 s a ticket (measured)" in summary
        assert "0m a ticket" not in summary
        estimate = round(13.2 * count)
        expected = f"≈{estimate} s" if estimate < 60 else f"≈{round(estimate / 60)}m"
        assert expected + " at 13 s" in summary
        batch = str(plan_screen.query_one("#plan-batch", Static).render())
        assert "Handle time 13 s a ticket, the median measured" in batch
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, SweepScreen)
        (payload,) = db_rows(demo_db, "SELECT payload FROM events WHERE name='sweep.started'")[0]
        assert round(json.loads(payload)["handle_seconds"]) == 13


def _title(screen: MainScreen) -> str:
    return str(screen.query_one("#queue-title", Static).render())


def _breached_in_title(screen: MainScreen) -> int:
    match = re.search(r"(\d+) breached", _title(screen))
    return int(match.group(1)) if match else 0


def _row_line(queue: QueueView, ticket_id: str) -> str | None:
    index = next((i for i, r in enumerate(queue.rows) if r.id == ticket_id), None)
    if index is None:
        return None
    queue.move_to(index)  # scrolled into view, so the line is drawn
    return line_text(queue, index - int(queue.scroll_y))


async def test_send_pending_updates_the_row_and_the_title_at_once(
    demo_db: Path, clock: FrozenClock, tmp_path: Path
) -> None:
    """Issue 17 item 5: after Send + pending (still in its undo window) the row drops its
    breached marker and the title's breached count drops with it, without `r`."""
    fake = FakeTime(clock, auto=False)
    app = make(demo_db, clock, fake, tmp_path / "data")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await settle(pilot)
        queue = screen.query_one(QueueView)
        ticket_id = await move_to_sendable(pilot, screen)
        row = next(r for r in queue.rows if r.id == ticket_id)
        assert row.state(clock.now()) is SlaState.BREACHED
        breached = _breached_in_title(screen)
        assert breached >= 1
        await send_default(pilot)
        await settle(pilot)
        line = _row_line(queue, ticket_id)
        assert line is not None and not line.lstrip().startswith("!!")
        shown = next(r for r in queue.rows if r.id == ticket_id)
        assert shown.status.value == "pending"
        assert shown.state(clock.now()) is not SlaState.BREACHED
        assert _breached_in_title(screen) == breached - 1
        counts = QueueCounts.of(queue.rows, clock.now())
        assert f"{counts.total:,} open" in _title(screen)
        # What the screen said is what the helpdesk gets once the window ends.
        fake.advance(10.5)
        await until(lambda: app.helpdesk.in_flight_count() == 0)  # type: ignore[attr-defined]
        assert db_rows(demo_db, "SELECT status FROM tickets WHERE id=?", ticket_id) == [
            ("pending",)
        ]
        names = [
            r[0] for r in db_rows(demo_db, "SELECT name FROM events WHERE ticket_id=?", ticket_id)
        ]
        assert "reply.sent" in names and "ticket.status_changed" in names
        active = db_rows(
            demo_db,
            "SELECT COUNT(*) FROM sla_targets WHERE ticket_id=? AND stage='active' AND due_at<?",
            ticket_id,
            clock.now().isoformat(),
        )
        assert active == [(0,)]


async def test_a_breach_while_the_console_is_open_moves_the_title_count(
    demo_db: Path, make_app, clock: FrozenClock
) -> None:
    """Issue 17 item 5: the SLA tick that turns a row's marker to !! also counts it."""
    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await settle(pilot)
        queue = screen.query_one(QueueView)
        now = clock.now()
        nxt = next(r for r in queue.rows if r.state(now) is not SlaState.BREACHED)
        breached = _breached_in_title(screen)
        assert f"{breached} breached" in _title(screen)
        clock.advance(nxt.due - now.timestamp() + 1)  # its due time passes
        screen.tick()
        await pilot.pause()
        assert _breached_in_title(screen) > breached
        line = _row_line(queue, nxt.id)
        assert line is not None and line.lstrip().startswith("!!")


def _events(db: Path, name: str) -> list[tuple[str, dict]]:  # type: ignore[type-arg]
    rows = db_rows(db, "SELECT ticket_id, payload FROM events WHERE name=? ORDER BY id", name)
    return [(t, json.loads(p)) for t, p in rows]


async def _verb_report(db: Path, clock: FrozenClock, capsys: pytest.CaptureFixture[str]) -> dict:  # type: ignore[type-arg]
    """``triage report --json`` over the same helpdesk, as a script would read it."""
    capsys.readouterr()
    # In a thread: the verb runs its own event loop, as from a shell.
    argv = ["report", "--json", "--db", str(db)]
    assert await asyncio.to_thread(cli_main, argv, clock=clock) == 0
    return json.loads(capsys.readouterr().out)  # type: ignore[no-any-return]


async def test_drafts_prepared_counts_the_drafts_the_agent_edited(
    demo_db: Path, make_app, clock: FrozenClock, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 17 item 8: "Drafts prepared" counts the tickets whose draft the agent edited
    (``draft.edited``, once per ticket however many keystrokes), on screen and in the verb."""
    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await settle(pilot)
        edited = []
        for _ in range(2):
            edited.append(screen.query_one(QueueView).current.id)
            await pilot.press("e", "end", *" Thanks", "escape")
            await pilot.press("j")
            await settle(pilot)
        await pilot.press("k")  # back to the second ticket: its edit is kept, not re-counted
        await settle(pilot)
        await pilot.press("e", *"!", "escape")
        await settle(pilot)
        assert [t for t, _ in _events(demo_db, "draft.edited")] == edited
        assert all(p["source"] == "queue" for _, p in _events(demo_db, "draft.edited"))
        await pilot.press("R")
        await settle(pilot)
        assert isinstance(app.screen, ReportScreen)
        assert app.screen.report.drafts == 2
        assert "Drafts prepared (edited by the agent)" in app.screen.report.to_markdown()
        shown = "\n".join(str(s.render()) for s in app.screen.query(Static))
        assert re.search(r"Drafts prepared \(edited by the agent\)\s+2", shown)
    assert (await _verb_report(demo_db, clock, capsys))["drafts"] == 2


async def test_dismissing_rules_says_so_in_the_panel_the_log_and_the_report(
    demo_db: Path, make_app, clock: FrozenClock, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 17 item 8: `d` leaves a visible "N rule(s) dismissed (d restores)" in the rules
    panel, logs ``rules.dismissed`` with the rule ids, and the report lists it; `d` again
    restores and logs ``rules.restored``."""
    ticket_id = refund_ticket(demo_db)
    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await settle(pilot)
        await move_to_ticket(pilot, screen, ticket_id)
        assert screen.view is not None
        fired = [r.rule_id for r in screen.view.fired_rules]
        assert fired
        await pilot.press("d")
        await settle(pilot)
        text = pane_text(screen)
        assert "no rule fires" in text
        noun = "rule" if len(fired) == 1 else "rules"
        assert f"{len(fired)} {noun} dismissed" in text and "(d restores)" in text
        assert _events(demo_db, "rules.dismissed") == [(ticket_id, {"rules": fired})]
        await pilot.press("R")
        await settle(pilot)
        assert isinstance(app.screen, ReportScreen)
        report = app.screen.report
        assert report.rules_dismissed == ((ticket_id, tuple(fired)),)
        markdown = report.to_markdown()
        assert "## Escalation rules dismissed" in markdown and f"- **{ticket_id}**: " in markdown
        shown = "\n".join(str(s.render()) for s in app.screen.query(Static))
        assert re.search(r"Escalation rules dismissed \(tickets\)\s+1", shown)
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("d")  # restores
        await settle(pilot)
        assert "dismissed" not in pane_text(screen)
        assert _events(demo_db, "rules.restored") == [(ticket_id, {"rules": sorted(fired)})]
    assert (await _verb_report(demo_db, clock, capsys))["rules_dismissed"] == []


async def test_undo_in_a_sweep_returns_to_the_ticket_and_the_report_counts_no_reply(
    demo_db: Path, clock: FrozenClock, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 17 item 7: in a sweep the undo banner counts down as on the main screen; `u`
    takes the reply back, the sweep returns to that ticket with the reply in the draft,
    and the sweep report (screen and Markdown), the sweep's own event and the log count
    no reply for it."""
    fake = FakeTime(clock, auto=False)
    app = make(demo_db, clock, fake, tmp_path / "data")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("w")
        await settle(pilot)
        assert isinstance(app.screen, SweepPlanScreen)
        await pilot.press("enter")
        await settle(pilot)
        sweep = app.screen
        assert isinstance(sweep, SweepScreen)
        first = sweep.session.current.id  # type: ignore[union-attr]
        await pilot.press("e", "end", *" Thanks", "escape")
        body = sweep.query_one(DraftPane).text
        await pilot.press("s")
        await pilot.pause()
        await confirm_send(pilot)
        await quiet(pilot)
        second = sweep.session.current.id  # type: ignore[union-attr]
        assert second != first
        banner = sweep.query_one(UndoBanner)
        banner.refresh_state()
        assert banner.display
        assert f"on #{first}" in str(banner.render()) and "Undo (u)" in str(banner.render())
        await pilot.press("u")
        await quiet(pilot)
        assert app.screen is sweep  # still sweeping, back on the ticket undone
        assert sweep.session.current.id == first  # type: ignore[union-attr]
        assert sweep.query_one(DraftPane).text == body  # the reply is back to redo
        assert all(d.ticket_id != first for d in sweep.session.decisions)
        banner.refresh_state()
        assert not banner.display
        fake.advance(30)  # well past the undo window: nothing goes out
        await quiet(pilot)
        assert db_rows(demo_db, "SELECT COUNT(*) FROM messages WHERE body=?", body) == [(0,)]
        # Redo: this time skipped; the sweep then resumes where it was.
        await pilot.press("n")
        await quiet(pilot)
        assert sweep.session.current.id == second  # type: ignore[union-attr]
        await pilot.press("q")
        await pilot.pause()
        await pilot.press("enter")  # end and show the report
        await settle(pilot)
        report_screen = app.screen
        assert isinstance(report_screen, ReportScreen)
        report = report_screen.report
        assert report.replies == 0
        assert first in report.skipped
        shown = "\n".join(str(s.render()) for s in report_screen.query(Static))
        assert re.search(r"Replies sent\s+0", shown)
        await pilot.press("w")
        await pilot.pause()
        assert report_screen.written is not None
        assert "| Replies sent | 0 |" in report_screen.written.read_text(encoding="utf-8")
    (payload,) = db_rows(demo_db, "SELECT payload FROM events WHERE name='sweep.completed'")[0]
    decisions = json.loads(payload)["decisions"]
    assert decisions == {"skip": 1}
    # The edit in the sweep is a draft the agent prepared (item 8), logged from the sweep.
    assert [(t, p["source"]) for t, p in _events(demo_db, "draft.edited")] == [(first, "sweep")]
    assert db_rows(demo_db, "SELECT COUNT(*) FROM events WHERE name='reply.sent'") == [(0,)]
    assert (await _verb_report(demo_db, clock, capsys))["replies_sent"] == 0


def test_the_report_adds_only_the_writes_the_outbox_still_holds() -> None:
    """Issue 17 item 7: a write the console made that the log lacks counts while the outbox
    holds it (undo window, delivery), and not once it was undone (gone from the outbox)."""
    kept = [
        LoggedEvent("reply.sent", FROZEN_NOW, "A", {}),
        LoggedEvent("reply.sent", FROZEN_NOW, "B", {}),
    ]
    holding_a = Counter({("reply.sent", "A"): 1})
    assert [e.ticket_id for e in with_pending([], kept, holding_a)] == ["A"]
    assert with_pending([], kept, Counter()) == []
    assert len(with_pending([], kept)) == 2  # a helpdesk written directly: no outbox to ask


async def test_undo_after_the_sweeps_last_reply_refigures_its_report(
    demo_db: Path, clock: FrozenClock, tmp_path: Path
) -> None:
    """Issue 17 item 7: the last ticket's reply ends the sweep while still in its undo
    window; the report counts it as on its way, and `u` on the report takes it back: the
    report then counts no reply, and the reply returns to the draft on the main screen."""
    fake = FakeTime(clock, auto=False)
    app = make(demo_db, clock, fake, tmp_path / "data")
    async with app.run_test(size=(120, 40)) as pilot:
        main = await settle(pilot)
        ticket_id = await move_to_sendable(pilot, main)
        await pilot.press("slash", *ticket_id, "enter")
        await settle(pilot)
        assert [r.id for r in main.query_one(QueueView).rows] == [ticket_id]
        await pilot.press("w")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, SweepScreen)
        body = app.screen.query_one(DraftPane).text
        await pilot.press("s")
        await pilot.pause()
        await confirm_send(pilot)
        await settle(pilot)
        report_screen = app.screen
        assert isinstance(report_screen, ReportScreen)
        assert report_screen.report.replies == 1  # held in the undo window: on its way
        await pilot.press("u")
        await settle(pilot)
        assert report_screen.report.replies == 0
        shown = "\n".join(str(s.render()) for s in report_screen.query(Static))
        assert re.search(r"Replies sent\s+0", shown)
        assert main.drafts[ticket_id] == body
        fake.advance(30)
        await settle(pilot)
    assert db_rows(demo_db, "SELECT COUNT(*) FROM messages WHERE body=?", body) == [(0,)]
    assert db_rows(demo_db, "SELECT COUNT(*) FROM events WHERE name='reply.sent'") == [(0,)]
