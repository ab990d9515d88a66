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

from triage_tui.adapters.local.adapter import LocalHelpdesk, LocalOptions  # noqa: E402
from triage_tui.adapters.local.demo import generate  # noqa: E402
from triage_tui.config import Profile  # noqa: E402
from triage_tui.domain.clock import FrozenClock  # noqa: E402
from triage_tui.ui.app import TriageApp  # noqa: E402

NOW = "2026-11-22T09:30:00+00:00"


async def settle(app: TriageApp, pilot) -> None:  # type: ignore[no-untyped-def]
    for _ in range(3):
        await app.workers.wait_for_complete()
        await pilot.pause()
    screen = app.screen_stack[0]
    loader = getattr(screen, "loader", None)
    if loader is not None:
        await loader.kb_ready()
    for _ in range(3):
        await app.workers.wait_for_complete()
        await pilot.pause()


async def shoot(db: Path, name: str, size: tuple[int, int], keys: tuple[str, ...] = (), theme: str = "triage-dark") -> None:
    from datetime import datetime

    clock = FrozenClock(datetime.fromisoformat(NOW))
    app = TriageApp(
        LocalHelpdesk(LocalOptions(db=db, agent="Sam Agent"), clock=clock),
        profile=Profile(agent="Sam Agent", theme=theme),
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


async def main() -> None:
    from datetime import datetime

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "demo.db"
        generate(db, tickets=300, seed=7, now=datetime.fromisoformat(NOW))
        await shoot(db, "main-120x40", (120, 40))
        await shoot(db, "main-80x24", (80, 24))
        await shoot(db, "main-200x60", (200, 60))
        await shoot(db, "help", (120, 40), ("question_mark",))
        await shoot(db, "send-dialog", (120, 40), ("s",))
        await shoot(db, "escalate-dialog", (120, 40), ("x",))
        await shoot(db, "theme-light", (120, 40), theme="triage-light")
        await shoot(db, "theme-ansi", (120, 40), theme="triage-ansi")


if __name__ == "__main__":
    asyncio.run(main())
