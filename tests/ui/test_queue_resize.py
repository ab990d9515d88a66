"""The queue keeps the cursor's row in sight when the terminal shrinks.

Found trying the console as a newcomer in tmux: with the cursor on the 19th
row at 120×40, a resize to 80×24 left the queue scrolled where it was, the
cursor's row (the ticket shown in the detail) out of sight.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from textual.widgets import Static

from tests.ui.test_console import settle
from tests.ui.test_first_day_looks import screen_lines
from triage_tui.ui.app import TriageApp
from triage_tui.ui.screens.main import QueuePane
from triage_tui.ui.widgets.queue import QueueView


async def test_the_cursor_row_stays_in_sight_when_the_terminal_shrinks(
    demo_db: Path, make_app: Callable[..., TriageApp]
) -> None:
    """Issue 19 item 5 (nothing cut that matters at 80×24): after a resize from
    120×40 to 80×24 the cursor's row is among the rows drawn, and the ticket
    under the cursor is still the one open."""
    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await settle(pilot)
        queue = screen.query_one(QueueView)
        await pilot.press(*["j"] * 18)
        await settle(pilot)
        held = queue.current
        assert held is not None and queue.cursor == 18
        assert int(queue.scroll_y) == 0  # all of it in sight at 120×40
        await pilot.resize_terminal(80, 24)
        await settle(pilot)
        top = int(queue.scroll_y)
        assert top <= queue.cursor < top + queue.size.height, (top, queue.size.height)
        assert queue.current is not None and queue.current.id == held.id
        assert screen.view is not None and screen.view.detail.ticket.id == held.id


async def test_the_queue_title_keeps_its_counts_on_screen_at_80x24(
    demo_db: Path, make_app: Callable[..., TriageApp]
) -> None:
    """At 80×24 the title's own line is given to the rows (app.tcss): the title
    moves into the queue box's top border, and back onto its line at 120×40."""
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await settle(pilot)
        title = str(screen.query_one("#queue-title", Static).render())
        assert title.startswith("Queue · ") and " open" in title and " breached" in title
        border = screen_lines(app)[1]  # under the top bar
        assert border.startswith("╭─ Queue · "), border
        # The counts the border shows are the title's (cut to the box, if need be).
        shown = border.removeprefix("╭─ ").split(" ─")[0].rstrip("…")
        assert title.startswith(shown) and len(shown) > len("Queue · 1 open")
        assert str(screen.query_one(QueuePane).border_title) != "None"
        await pilot.resize_terminal(120, 40)
        await settle(pilot)
        assert screen.query_one(QueuePane).border_title is None
        lines = screen_lines(app)
        assert lines[1].startswith("╭──") and lines[2].startswith("│ Queue · ")
        await pilot.resize_terminal(80, 24)
        await settle(pilot)
        assert screen_lines(app)[1].startswith("╭─ Queue · ")
