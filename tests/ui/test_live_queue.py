"""The live queue in the console (issue 18 items 2-4), driven with Pilot.

Another writer on the same SQLite helpdesk (a second ``LocalHelpdesk``, acting
as a colleague) changes tickets while the console polls its change feed every
second; the tests wait for the effect on screen, with no key pressed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from textual.pilot import Pilot

from tests.ui.test_console import settle
from triage_tui.adapters.local.adapter import LocalHelpdesk, LocalOptions
from triage_tui.domain.clock import FrozenClock
from triage_tui.domain.enums import Priority, Status
from triage_tui.domain.live import Marker
from triage_tui.domain.models import NewTicket
from triage_tui.domain.queue import QueueCounts
from triage_tui.ui.app import TriageApp
from triage_tui.ui.live import desktop_escape
from triage_tui.ui.screens.main import MainScreen
from triage_tui.ui.widgets.queue import QueueView
from triage_tui.ui.widgets.ticket import TicketPane

COLLEAGUE = "Mei Chen"


async def until(pilot: Pilot, condition: Callable[[], bool], what: str) -> None:
    """Let the console run (its poll timer fires every second) until ``condition``."""
    for _ in range(300):
        if condition():
            return
        await asyncio.sleep(0.05)
        await pilot.pause()
    raise AssertionError(f"the console never showed {what}")


async def colleague(db: Path, clock: FrozenClock) -> LocalHelpdesk:
    helpdesk = LocalHelpdesk(LocalOptions(db=db), clock=clock).act_as(COLLEAGUE)
    await helpdesk.open()
    return helpdesk


def shown_ids(queue: QueueView) -> list[str]:
    return [row.id for row in queue.rows]


async def live_app(pilot: Pilot) -> tuple[MainScreen, QueueView]:
    screen = await settle(pilot)
    await until(pilot, lambda: screen.live is not None and screen.live.poller is not None, "poll")
    return screen, screen.query_one(QueueView)


async def test_changes_merge_in_place_cursor_marks_and_counts_kept(
    demo_db: Path, make_app: Callable[..., TriageApp], clock: FrozenClock
) -> None:
    """Issue 18 item 2: a colleague's changes merge into the queue in place: the
    cursor stays on its ticket and on its screen line, marks are kept, a new
    ticket enters in SLA order with ``new``, a solved one leaves, a changed one
    shows ``chg``, and the title counts the rows shown."""
    app = make_app(demo_db, poll_seconds=1, preview="enter")
    async with app.run_test(size=(120, 40)) as pilot:
        screen, queue = await live_app(pilot)
        await pilot.press("pagedown", "pagedown")  # scrolled: rows above can enter and leave
        await pilot.press("space")  # marks this row, moves to the next
        marked = set(queue.marked)
        at_row = queue.current
        assert at_row is not None
        line = queue.cursor - int(queue.scroll_y)
        rows_before = list(queue.rows)
        solved, changed = rows_before[0].id, rows_before[10].id
        other = await colleague(demo_db, clock)
        try:
            new = await other.create_ticket(
                NewTicket(
                    subject="Checkout down for everyone",
                    body="Nothing loads.",
                    requester_email="ops@example.com",
                    requester_name="Ops Person",
                    priority=Priority.URGENT,
                )
            )
            await other.set_status(solved, Status.SOLVED)
            await other.set_priority(changed, Priority.LOW)
        finally:
            await other.close()
        await until(pilot, lambda: new.id in shown_ids(queue), "the new ticket")
        await until(pilot, lambda: solved not in shown_ids(queue), "the solved ticket leave")
        await until(pilot, lambda: queue.markers.get(changed) is Marker.CHANGED, "chg")
        rows = queue.rows
        assert [r.sort_key() for r in rows] == sorted(r.sort_key() for r in rows)
        assert queue.markers[new.id] is Marker.NEW
        assert queue.current is not None and queue.current.id == at_row.id
        assert queue.scroll_y > 0
        assert queue.cursor - int(queue.scroll_y) == line  # the row did not jump
        assert queue.marked == marked
        counts = QueueCounts.of(rows, clock.now())
        title = str(screen.query_one("#queue-title").render())
        assert f"{counts.total:,} open" in title
        assert counts.total == len(rows_before)  # one in, one out
        # The marker is a word on the row, and goes once the ticket is opened.
        index = shown_ids(queue).index(new.id)
        queue.move_to(index)
        await pilot.pause()
        assert "new " in queue.render_line(index - int(queue.scroll_y)).text
        await pilot.press("enter")
        await until(pilot, lambda: new.id not in queue.markers, "the marker cleared")


async def test_own_writes_are_not_marked_as_someone_elses(
    demo_db: Path, make_app: Callable[..., TriageApp], clock: FrozenClock
) -> None:
    """Issue 18 item 2: a change recorded under the profile's own agent is merged
    but carries no marker."""
    app = make_app(demo_db, poll_seconds=1, preview="enter")
    async with app.run_test(size=(120, 40)) as pilot:
        screen, queue = await live_app(pilot)
        target = queue.rows[3].id
        me = LocalHelpdesk(LocalOptions(db=demo_db), clock=clock).act_as("Sam Agent")
        async with me:
            await me.set_priority(target, Priority.URGENT)
        await until(
            pilot,
            lambda: any(r.id == target and r.priority is Priority.URGENT for r in queue.rows),
            "the new priority",
        )
        assert target not in queue.markers


async def test_open_ticket_updates_in_place_with_notice_and_draft_kept(
    demo_db: Path, make_app: Callable[..., TriageApp], clock: FrozenClock
) -> None:
    """Issue 18 item 3: a colleague's reply on the open ticket shows in place with
    a one-line notice; the draft being edited stays; Send then shows the change
    before anything goes."""
    app = make_app(demo_db, poll_seconds=1)
    async with app.run_test(size=(120, 40)) as pilot:
        screen, queue = await live_app(pilot)
        view = screen.view
        assert view is not None
        ticket_id = view.detail.ticket.id
        await pilot.press("e")
        await pilot.press("ctrl+a")  # the whole draft is replaced by what is typed
        for key in "Kept while it changes":
            await pilot.press("space" if key == " " else key)
        from triage_tui.ui.widgets.draft import DraftPane

        editor = screen.query_one(DraftPane).editor
        assert "Kept while it changes" in editor.text
        other = await colleague(demo_db, clock)
        try:
            await other.reply(ticket_id, "I took a look: the invoice went out again.")
            await other.set_status(ticket_id, Status.PENDING)
        finally:
            await other.close()
        pane = screen.query_one(TicketPane)
        await until(
            pilot,
            lambda: (
                screen.view is not None
                and len(screen.view.detail.messages) == len(view.detail.messages) + 1
            ),
            "the reply on the open ticket",
        )
        await until(pilot, lambda: COLLEAGUE in str(pane.border_subtitle or ""), "the notice")
        assert "ago" in str(pane.border_subtitle)
        assert screen.view is not None
        assert "invoice went out again" in screen.view.detail.messages[-1].body
        assert "Kept while it changes" in editor.text
        assert ticket_id not in queue.markers  # open: a notice, not a marker
        await pilot.press("escape")
        await pilot.press("s")
        await pilot.pause()
        from triage_tui.ui.screens.prompts import SendScreen

        prompt = app.screen
        assert isinstance(prompt, SendScreen)
        assert any("invoice went out again" in line for line in prompt.changed)
        assert any("Status changed" in line for line in prompt.changed)
        await pilot.press("escape")  # nothing sent
        await pilot.pause()
        assert "Kept while it changes" in editor.text


async def test_alerts_once_per_ticket_per_stage(
    demo_db: Path,
    make_app: Callable[..., TriageApp],
    clock: FrozenClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Issue 18 item 4: a new urgent ticket alerts (notice and bell) once; a
    ticket entering its last 90 minutes alerts once, however many ticks pass."""
    app = make_app(demo_db, poll_seconds=1)
    async with app.run_test(size=(120, 40)) as pilot:
        screen, queue = await live_app(pilot)
        bells: list[int] = []
        notices: list[str] = []
        monkeypatch.setattr(app, "bell", lambda: bells.append(1))
        real_notify = app.notify
        monkeypatch.setattr(
            app,
            "notify",
            lambda message, **kw: (notices.append(message), real_notify(message, **kw))[1],
        )
        other = await colleague(demo_db, clock)
        try:
            new = await other.create_ticket(
                NewTicket(
                    subject="Site down",
                    body="Help.",
                    requester_email="ceo@example.com",
                    priority=Priority.URGENT,
                )
            )
        finally:
            await other.close()
        await until(pilot, lambda: any(f"#{new.id}:" in n for n in notices), "the alert")
        assert len(bells) == 1
        new_alerts = [n for n in notices if f"New ticket #{new.id}:" in n]
        assert len(new_alerts) == 1 and "urgent" in new_alerts[0]
        # The next ticket not yet in its last 90 minutes crosses into them.
        now = clock.now()
        horizon = now.timestamp() + 90 * 60
        later = next(r for r in screen.all_rows if r.due > horizon and r.id != new.id)
        clock.advance(later.due - horizon + 1)
        before = len(bells)
        for _ in range(3):
            screen.tick()
            await pilot.pause()
        due = [n for n in notices if f"#{later.id}:" in n]
        assert len(due) == 1 and due[0].startswith("Due soon")
        assert len(bells) == before + 1
        # The same stage never alerts twice.
        screen.tick()
        await pilot.pause()
        assert len([n for n in notices if f"#{later.id}:" in n]) == 1
        assert timedelta(minutes=90) == screen.live.tracker.rule.within  # type: ignore[union-attr]


def test_desktop_escape_keeps_helpdesk_text_inside_the_sequence() -> None:
    """Issue 18 item 4: OSC 9 / OSC 777; a subject cannot end or split the sequence."""
    assert desktop_escape("osc9", "triage", "New #1") == "\x1b]9;triage: New #1\x07"
    evil = "x\x07\x1b]52;c;AAAA\x07;y"
    for kind in ("osc9", "osc777"):
        escape = desktop_escape(kind, "triage", evil)
        inner = escape[2:-1]
        assert "\x07" not in inner and "\x1b" not in inner
    assert desktop_escape("osc777", "t", "a;b").count(";") == 3
    assert desktop_escape("off", "t", "b") == ""


async def test_a_poll_that_lands_while_the_console_closes_ends_quietly(
    demo_db: Path,
    make_app: Callable[..., TriageApp],
    clock: FrozenClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A batch read while the console quits finds its queue's widgets gone: the poll
    ends there, instead of failing its worker, which the app re-raises on the way
    out (a test tearing down caught it)."""
    from textual.css.query import NoMatches

    from triage_tui.ui import live as live_module

    app = make_app(demo_db, poll_seconds=3600, preview="enter")
    async with app.run_test(size=(120, 40)) as pilot:
        screen, queue = await live_app(pilot)
        assert screen.live is not None
        other = await colleague(demo_db, clock)
        try:
            await other.set_priority(queue.rows[3].id, Priority.LOW)
        finally:
            await other.close()
        applied: list[int] = []

        def widgets_gone(self: object, changes: object, rows: object) -> None:
            applied.append(1)
            raise NoMatches("No nodes match 'QueueView' on MainScreen")

        monkeypatch.setattr(live_module.LiveQueue, "apply", widgets_gone)
        monkeypatch.setattr(screen, "_pruning", True, raising=False)  # as Textual marks it
        await screen.live._poll_once()  # no exception
        assert applied == [1]  # the batch did reach the gone queue
        monkeypatch.setattr(screen, "_pruning", False, raising=False)
        with pytest.raises(NoMatches):  # while the console runs, a missing widget is a bug
            other = await colleague(demo_db, clock)
            try:
                await other.set_priority(queue.rows[4].id, Priority.LOW)
            finally:
                await other.close()
            await screen.live._poll_once()
