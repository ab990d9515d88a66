"""Starting a sweep on a running console, as the main screen will (plan, then the sweep)."""

from __future__ import annotations

from textual.pilot import Pilot

from tests.ui.settling import workers_done
from tests.ui.test_console import settle
from triage_tui.engine.sweep import SweepSession
from triage_tui.ui.screens.desk import DeskScreen
from triage_tui.ui.screens.prompts import SendScreen
from triage_tui.ui.screens.sweep import SweepOutcome, SweepScreen
from triage_tui.ui.screens.sweep_plan import SweepPlanScreen, plan_for


async def start_sweep(
    pilot: Pilot, filter_text: str, outcomes: list[SweepOutcome | None]
) -> SweepScreen:
    """Plan ``filter_text`` over the loaded queue, accept the plan with enter, start the sweep."""
    app = pilot.app
    main = await settle(pilot)
    now = app.clock.now()  # type: ignore[attr-defined]
    plan, canonical = plan_for(main.all_rows, filter_text, me=app.profile.agent, now=now)  # type: ignore[attr-defined]
    started: list[bool] = []
    await app.push_screen(SweepPlanScreen(plan, canonical), started.append)
    await pilot.pause()
    await pilot.press("enter")
    await pilot.pause()
    assert started == [True]
    assert main.loader is not None
    screen = SweepScreen(main.loader, SweepSession(plan, app.clock, filter_text=canonical))  # type: ignore[attr-defined]
    await app.push_screen(screen, outcomes.append)
    await settle(pilot)
    return screen


async def confirm_send(pilot: Pilot) -> None:
    """Enter sends; when safeguards block the draft, y sends anyway (the prompt says so)."""
    screen = pilot.app.screen
    assert isinstance(screen, SendScreen)
    await pilot.press("y" if screen.blocking else "enter")


async def quiet(pilot: Pilot) -> None:
    """Lighter than ``settle`` once the queue and KB are loaded: until no worker runs,
    no key typed ahead waits and the messages are handled."""
    app = pilot.app
    for _ in range(100):
        await workers_done(app)
        await pilot.pause()
        busy = any(not w.is_finished for w in app.workers)
        if not busy and not any(s.desk.held for s in app.screen_stack if isinstance(s, DeskScreen)):
            return
