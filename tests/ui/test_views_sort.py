"""Issue 19 item 7: the queue's sort key (``O``), the views picker's counts (``v``), and
dialog hints that name the keys in force, driven with Pilot on the demo helpdesk.

Row order is checked against the helpdesk's own columns (read from SQLite), not
against the console's sort keys.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Label, Static

from tests.ui.conftest import db_rows
from tests.ui.test_console import settle
from tests.ui.test_first_day_keys import keyed_app
from tests.ui.test_first_day_looks import _app_with_views, screen_lines
from tests.ui.test_live_queue import colleague, live_app, until
from triage_tui.domain.clock import FrozenClock
from triage_tui.domain.enums import Priority
from triage_tui.domain.filters.language import parse
from triage_tui.ui.app import TriageApp
from triage_tui.ui.screens.main import MainScreen
from triage_tui.ui.screens.views import ViewsScreen
from triage_tui.ui.widgets.queue import QueueView
from triage_tui.ui.widgets.ticket import TicketPane

#: Most urgent first.
URGENCY = [Priority.URGENT, Priority.HIGH, Priority.NORMAL, Priority.LOW]


def title(screen: MainScreen) -> str:
    return str(screen.query_one("#queue-title", Static).render())


def times(db: Path, column: str) -> dict[str, datetime]:
    """``column`` (created_at or updated_at) of every ticket, as the helpdesk stores it."""
    rows = db_rows(db, f"SELECT id, {column} FROM tickets")  # noqa: S608 - a fixed column
    return {str(tid): datetime.fromisoformat(value) for tid, value in rows}


def ascending(values: list[object]) -> bool:
    return all(a <= b for a, b in zip(values, values[1:], strict=False))  # type: ignore[operator]


async def sort_once(pilot: Pilot, screen: MainScreen) -> None:
    await pilot.press("O")
    await settle(pilot)
    assert isinstance(pilot.app.screen, MainScreen)


async def test_o_cycles_the_queue_order_shown_in_the_title(
    demo_db: Path, make_app: Callable[..., TriageApp]
) -> None:
    """Issue 19 item 7: ``O`` sorts the queue by priority, then age, then last update,
    then back to SLA order; the title says the order, the rows are in it (checked
    against the helpdesk's columns), and the cursor stays on its ticket, still open."""
    app = make_app(demo_db, preview="enter")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await settle(pilot)
        queue = screen.query_one(QueueView)
        sla_order = [r.id for r in queue.rows]
        counts = title(screen)  # "Queue · 77 open · 1 breached · 4 under 1 h"
        assert counts.startswith("Queue · ")  # SLA order is the default, not named
        assert "breached" in counts and "under 1 h" in counts
        queue.move_to(7)
        await pilot.press("enter")
        await settle(pilot)
        held = queue.current
        assert held is not None
        assert screen.view is not None and screen.view.detail.ticket.id == held.id

        await sort_once(pilot, screen)
        # The order first (a title cut at the pane's width keeps it), the same counts.
        assert title(screen) == counts.replace("Queue", "Queue by priority", 1)
        ranks = [URGENCY.index(r.priority) for r in queue.rows]
        assert ascending(ranks) and len(set(ranks)) > 1
        assert [r.id for r in queue.rows] != sla_order
        assert queue.current is not None and queue.current.id == held.id
        assert screen.view.detail.ticket.id == held.id
        assert f"Ticket #{held.id}" in str(screen.query_one(TicketPane).border_title)

        await sort_once(pilot, screen)
        # The order first (a title cut at the pane's width keeps it), the same counts.
        assert title(screen) == counts.replace("Queue", "Queue by age", 1)
        created = times(demo_db, "created_at")
        assert ascending([created[r.id] for r in queue.rows])  # oldest first
        assert queue.current is not None and queue.current.id == held.id

        await sort_once(pilot, screen)
        # The order first (a title cut at the pane's width keeps it), the same counts.
        assert title(screen) == counts.replace("Queue", "Queue by last update", 1)
        updated = times(demo_db, "updated_at")
        assert ascending([updated[r.id] for r in reversed(queue.rows)])  # newest first
        assert queue.current is not None and queue.current.id == held.id

        await sort_once(pilot, screen)
        assert title(screen) == counts
        assert [r.id for r in queue.rows] == sla_order
        assert queue.current is not None and queue.current.id == held.id


async def test_the_order_holds_under_a_filter(
    demo_db: Path, make_app: Callable[..., TriageApp]
) -> None:
    """Issue 19 item 7: a filter typed after choosing an order shows its rows in that
    order, and the title names both."""
    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await settle(pilot)
        await sort_once(pilot, screen)  # priority
        await sort_once(pilot, screen)  # age
        await pilot.press("slash", *"tag:billing", "enter")
        await settle(pilot)
        queue = screen.query_one(QueueView)
        assert len(queue.rows) > 1 and all("billing" in r.tags for r in queue.rows)
        created = times(demo_db, "created_at")
        assert ascending([created[r.id] for r in queue.rows])
        shown = title(screen)
        assert shown.startswith("Queue by age · ") and "tagged billing" in shown


async def test_a_ticket_updated_by_a_colleague_moves_to_the_top_by_last_update(
    demo_db: Path, make_app: Callable[..., TriageApp], clock: FrozenClock
) -> None:
    """Issue 19 item 7: in last-update order the live queue merges a changed ticket at
    its new place: first, the one updated last."""
    app = make_app(demo_db, poll_seconds=1, preview="enter")
    async with app.run_test(size=(120, 40)) as pilot:
        screen, queue = await live_app(pilot)
        for _ in range(3):
            await sort_once(pilot, screen)
        assert title(screen).startswith("Queue by last update · ")
        target = queue.rows[-1].id
        other = await colleague(demo_db, clock)
        try:
            await other.set_priority(target, Priority.URGENT)
        finally:
            await other.close()
        await until(pilot, lambda: queue.rows[0].id == target, "the updated ticket first")
        updated = times(demo_db, "updated_at")
        assert ascending([updated[r.id] for r in reversed(queue.rows)])


async def test_v_lists_each_view_with_how_many_tickets_it_matches(
    demo_db: Path, clock: FrozenClock
) -> None:
    """Issue 19 item 7: the views picker shows each saved view's count, the number of
    tickets its filter shows when picked."""
    views = {"urgent": "priority:urgent", "billing": "tag:billing", "vips": "vip"}
    app = _app_with_views(demo_db, clock, **views)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await settle(pilot)
        everything = list(screen.all_rows)
        await pilot.press("v")
        await settle(pilot)
        picker = app.screen
        assert isinstance(picker, ViewsScreen)
        await until(pilot, lambda: len(picker.counts) == len(views), "every count")
        expected = {
            name: len(parse(text, me="Sam Agent").apply(everything, clock.now()))
            for name, text in views.items()
        }
        assert picker.counts == expected
        assert 0 < expected["urgent"] < len(everything)
        drawn = "\n".join(screen_lines(app))
        for name, text in views.items():
            line = next(line for line in drawn.splitlines() if name in line and text in line)
            assert f" {expected[name]:,} " in line
        assert "esc cancel" in drawn  # the picker's own cancel key
        await pilot.press("down", "enter")  # billing
        await settle(pilot)
        assert len(screen.query_one(QueueView).rows) == expected["billing"]


async def test_dialog_hints_name_the_keys_a_keymap_put_in_force(
    demo_db: Path, clock: FrozenClock
) -> None:
    """Issue 19 item 7 (dialog hints): with ``[keymap]`` rebinding the views picker's
    close and the bulk menu's keys, the hints name the new keys, and they work."""
    app = keyed_app(demo_db, clock, {"close": "ctrl+g", "bulk_tag": "g"}, views={"u": "vip"})
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await settle(pilot)
        await pilot.press("v")
        await settle(pilot)
        assert isinstance(app.screen, ViewsScreen)
        hint = str(app.screen.query_one(".keys", Label).render())
        assert "ctrl+g cancel" in hint and "esc" not in hint
        await pilot.press("ctrl+g")
        await settle(pilot)
        assert app.screen is screen

        await pilot.press("space", "b")  # mark one ticket, open the bulk menu
        await settle(pilot)
        menu = "\n".join(str(label.render()) for label in app.screen.query(Label))
        assert "g tag / untag" in menu and "t tag / untag" not in menu
