"""Regenerate the SVG screenshots in this folder from the demo helpdesk.

    python screenshots/make_screenshots.py

The clock is frozen and the demo seeded, so the same code gives the same
pictures; run it after every UI change and commit the result.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from tests.ui.settling import workers_done  # noqa: E402
from triage_tui.adapters.local.adapter import LocalHelpdesk, LocalOptions  # noqa: E402
from triage_tui.config import Profile  # noqa: E402
from triage_tui.demo.generator import generate  # noqa: E402
from triage_tui.domain.clock import FrozenClock  # noqa: E402
from triage_tui.ui.app import TriageApp  # noqa: E402

NOW = "2026-11-22T09:30:00+00:00"


async def settle(app: TriageApp, pilot) -> None:  # type: ignore[no-untyped-def]
    for _ in range(3):
        await workers_done(app)
        await pilot.pause()
    screen = app.screen_stack[0]
    loader = getattr(screen, "loader", None)
    if loader is not None:
        await loader.kb_ready()
    for _ in range(3):
        await workers_done(app)
        await pilot.pause()
    previous = None
    for _ in range(20):  # until two frames in a row are the same
        await pilot.pause()
        frame = app.export_screenshot()
        if frame == previous:
            break
        previous = frame


async def shoot(
    db: Path,
    name: str,
    size: tuple[int, int],
    keys: tuple[str, ...] = (),
    theme: str = "triage-dark",
    preview: str = "follow",
) -> None:
    from datetime import datetime

    clock = FrozenClock(datetime.fromisoformat(NOW))
    app = TriageApp(
        LocalHelpdesk(LocalOptions(db=db), clock=clock).act_as("Sam Agent"),
        # Explicit: the default depends on being in an SSH session.
        profile=Profile(agent="Sam Agent", theme=theme, preview=preview),  # type: ignore[arg-type]
        clock=clock,
        tick_seconds=3600,
    )
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        for key in keys:
            await pilot.press(key)
            await settle(app, pilot)
        app.save_screenshot(filename=f"{name}.svg", path=str(HERE))
    print(f"screenshots/{name}.svg")


async def shoot_sweep(db: Path) -> None:
    """The sweep plan, a sweep under way (alert strip, progress), its report, and a bulk preview."""
    from datetime import datetime

    from triage_tui.engine.sweep import SweepSession
    from triage_tui.ui.screens.bulk import BulkActionScreen
    from triage_tui.ui.screens.sweep import SweepScreen
    from triage_tui.ui.screens.sweep_plan import SweepPlanScreen, plan_for
    from triage_tui.ui.widgets.queue import QueueView

    def console() -> tuple[TriageApp, FrozenClock]:
        clock = FrozenClock(datetime.fromisoformat(NOW))
        app = TriageApp(
            LocalHelpdesk(LocalOptions(db=db), clock=clock).act_as("Sam Agent"),
            profile=Profile(agent="Sam Agent", preview="follow"),
            clock=clock,
            tick_seconds=3600,
        )
        return app, clock

    app, clock = console()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        main = app.screen_stack[0]
        plan, text = plan_for(
            main.all_rows,  # type: ignore[attr-defined]
            "priority:high,urgent",
            me="Sam Agent",
            now=clock.now(),
        )
        await app.push_screen(SweepPlanScreen(plan, text))
        await pilot.pause()
        app.save_screenshot(filename="sweep-plan.svg", path=str(HERE))
        await pilot.press("enter")
        sweep = SweepScreen(main.loader, SweepSession(plan, clock, filter_text=text))  # type: ignore[attr-defined]
        await app.push_screen(sweep)
        await settle(app, pilot)
        for key in ("n", "n", "n"):
            clock.advance(4 * 60)
            await pilot.press(key)
            await settle(app, pilot)
        clock.advance(30 * 60)
        sweep.tick()
        await settle(app, pilot)
        app.clear_notifications()
        await pilot.pause()
        app.save_screenshot(filename="sweep.svg", path=str(HERE))
        await pilot.press("q", "enter")
        await settle(app, pilot)
        app.save_screenshot(filename="sweep-report.svg", path=str(HERE))
    app, clock = console()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("space", "space", "space", "space")
        rows = app.screen_stack[0].query_one(QueueView).marked_rows()
        await app.push_screen(BulkActionScreen(rows, agent="Sam Agent", team="Polaris Support"))
        await pilot.press("s", "v")
        await pilot.pause()
        app.save_screenshot(filename="bulk-preview.svg", path=str(HERE))
    for name in ("sweep-plan", "sweep", "sweep-report", "bulk-preview"):
        print(f"screenshots/{name}.svg")


async def main() -> None:
    from datetime import datetime

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "demo.db"
        generate(db, tickets=300, seed=7, now=datetime.fromisoformat(NOW))
        await shoot(db, "main-120x40", (120, 40))
        await shoot(db, "main-80x24", (80, 24))
        await shoot(db, "main-200x60", (200, 60))
        # Over SSH: j/k moved the cursor two rows; the open ticket keeps its ▶.
        await shoot(db, "main-ssh", (120, 40), ("j", "j"), preview="enter")
        await shoot(db, "help", (120, 40), ("question_mark",))
        await shoot(db, "send-dialog", (120, 40), ("s",))
        await shoot(db, "escalate-dialog", (120, 40), ("x",))
        await shoot(db, "theme-light", (120, 40), theme="triage-light")
        await shoot(db, "theme-ansi", (120, 40), theme="triage-ansi")
        await shoot_sweep(db)


if __name__ == "__main__":
    asyncio.run(main())
