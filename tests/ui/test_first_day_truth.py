"""Issue 17, items 5-8: what the console and its reports say is what happened.

Each test drives the console with keys, as an agent would, and checks the
effect on screen and in the store or the event log.
"""

from __future__ import annotations

import json
from pathlib import Path

from textual.widgets import Static

from tests.ui.conftest import db_rows
from tests.ui.test_console import settle
from triage_tui.ui.screens.sweep import SweepScreen
from triage_tui.ui.screens.sweep_plan import SweepPlanScreen


async def test_sweep_plan_shows_a_measured_pace_in_seconds(
    demo_db: Path, make_app, clock
) -> None:
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
