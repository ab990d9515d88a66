"""Snapshots of the sweep plan, the sweep and the report screens (frozen clock, seeded demo).

Regenerate after an intended UI change with
``pytest tests/ui/test_sweep_snapshots.py --snapshot-update`` and look at the report.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot

from tests.ui.sweep_helpers import quiet
from tests.ui.test_console import settle
from tests.ui.test_report_screen import report
from triage_tui.engine.sweep import SweepSession
from triage_tui.ui.screens.report import ReportScreen
from triage_tui.ui.screens.sweep import SweepScreen
from triage_tui.ui.screens.sweep_plan import SweepPlanScreen, plan_for

FILTER = "priority:high,urgent"


def _plan(pilot: Pilot):  # type: ignore[no-untyped-def]
    app = pilot.app
    main = app.screen_stack[0]
    return plan_for(main.all_rows, FILTER, me=app.profile.agent, now=app.clock.now())  # type: ignore[attr-defined]


def test_plan_screen(snap_compare, demo_db: Path, make_app) -> None:
    async def open_plan(pilot: Pilot) -> None:
        await settle(pilot)
        plan, text = _plan(pilot)
        await pilot.app.push_screen(SweepPlanScreen(plan, text))
        await pilot.pause()
        await pilot.press("1")  # the first alternative, expanded: its risk spelled out
        await pilot.pause()

    assert snap_compare(make_app(demo_db), terminal_size=(120, 40), run_before=open_plan)


@pytest.mark.parametrize("size", [(120, 40), (80, 24)], ids=["120x40", "80x24"])
def test_sweep_screen(snap_compare, demo_db: Path, make_app, clock, size: tuple[int, int]) -> None:
    async def open_sweep(pilot: Pilot) -> None:
        await settle(pilot)
        app = pilot.app
        plan, text = _plan(pilot)
        screen = SweepScreen(app.screen_stack[0].loader, SweepSession(plan, clock, filter_text=text))
        await app.push_screen(screen)
        await quiet(pilot)
        await pilot.press("n", "n")  # two decided: the progress bar moves
        await quiet(pilot)
        clock.advance(50 * 60)  # tickets enter their last 90 minutes: the alert strip
        screen.tick()
        await quiet(pilot)
        app.clear_notifications()
        await pilot.pause()

    assert snap_compare(make_app(demo_db), terminal_size=size, run_before=open_sweep)


def test_report_screen(snap_compare, demo_db: Path, make_app) -> None:
    async def open_report(pilot: Pilot) -> None:
        await settle(pilot)
        await pilot.app.push_screen(ReportScreen(report()))
        await pilot.pause()

    assert snap_compare(make_app(demo_db), terminal_size=(120, 40), run_before=open_report)
