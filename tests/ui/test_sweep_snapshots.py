"""Snapshots of the sweep plan, the sweep and the report screens (frozen clock, seeded demo).

The screens are hosted by a console whose first screen is blank, so a change to
the main screen (which shows behind a dialog) does not change these pictures.
Regenerate after an intended change with
``pytest tests/ui/test_sweep_snapshots.py --snapshot-update`` and look at the report.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.screen import Screen

from tests.ui.sweep_helpers import quiet
from tests.ui.test_report_screen import report
from triage_tui.adapters.local.adapter import LocalHelpdesk, LocalOptions
from triage_tui.config import Profile
from triage_tui.domain.clock import FrozenClock
from triage_tui.domain.queue import QueueRow
from triage_tui.engine.loader import TicketLoader
from triage_tui.engine.sweep import SweepSession
from triage_tui.ui import app as app_module
from triage_tui.ui.app import TriageApp
from triage_tui.ui.screens.report import ReportScreen
from triage_tui.ui.screens.sweep import SweepScreen
from triage_tui.ui.screens.sweep_plan import SweepPlanScreen, plan_for

FILTER = "priority:high,urgent"


class Host(TriageApp):
    """The console's themes, CSS and clock, with a blank first screen."""

    CSS_PATH = str(Path(app_module.__file__).with_name("app.tcss"))

    def get_default_screen(self) -> Screen:
        return Screen()


def host(db: Path, clock: FrozenClock) -> Host:
    helpdesk = LocalHelpdesk(LocalOptions(db=db), clock=clock).act_as("Sam Agent")
    return Host(helpdesk, profile=Profile(agent="Sam Agent"), clock=clock, tick_seconds=3600)


async def open_loader(pilot: Pilot) -> tuple[TicketLoader, list[QueueRow]]:
    app = pilot.app
    loader = TicketLoader(app.helpdesk, app.rules, app.clock)  # type: ignore[attr-defined]
    await loader.open()
    rows = [row async for batch in loader.queue_batches() for row in batch]
    loader.start_kb_index()
    await loader.kb_ready()
    return loader, rows


def test_plan_screen(snap_compare, demo_db: Path, clock: FrozenClock) -> None:
    async def open_plan(pilot: Pilot) -> None:
        _loader, rows = await open_loader(pilot)
        plan, text = plan_for(rows, FILTER, me="Sam Agent", now=clock.now())
        await pilot.app.push_screen(SweepPlanScreen(plan, text))
        await pilot.pause()
        await pilot.press("1")  # the first alternative, expanded: its risk spelled out
        await pilot.pause()

    assert snap_compare(host(demo_db, clock), terminal_size=(120, 40), run_before=open_plan)


@pytest.mark.parametrize("size", [(120, 40), (80, 24)], ids=["120x40", "80x24"])
def test_sweep_screen(
    snap_compare, demo_db: Path, clock: FrozenClock, size: tuple[int, int]
) -> None:
    async def open_sweep(pilot: Pilot) -> None:
        loader, rows = await open_loader(pilot)
        plan, text = plan_for(rows, FILTER, me="Sam Agent", now=clock.now())
        screen = SweepScreen(loader, SweepSession(plan, clock, filter_text=text))
        await pilot.app.push_screen(screen)
        await quiet(pilot)
        await pilot.press("n", "n")  # two decided: the progress bar moves
        await quiet(pilot)
        clock.advance(50 * 60)  # tickets enter their last 90 minutes: the alert strip
        screen.tick()
        await quiet(pilot)
        pilot.app.clear_notifications()
        await pilot.pause()

    assert snap_compare(host(demo_db, clock), terminal_size=size, run_before=open_sweep)


def test_report_screen(snap_compare, demo_db: Path, clock: FrozenClock) -> None:
    async def open_report(pilot: Pilot) -> None:
        await pilot.app.push_screen(ReportScreen(report()))
        await pilot.pause()

    assert snap_compare(host(demo_db, clock), terminal_size=(120, 40), run_before=open_report)
