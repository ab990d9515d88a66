"""The main screen resumes the garbage collector once its first rows are painted."""

from __future__ import annotations

import gc
from pathlib import Path

from tests.ui.test_console import settle
from triage_tui import collector
from triage_tui.ui.widgets.queue import QueueView


async def test_the_collector_runs_again_once_the_first_rows_are_on_screen(
    demo_db: Path, make_app
) -> None:
    collector.pause()  # as the command line does before starting the console
    try:
        app = make_app(demo_db)
        async with app.run_test(size=(120, 40)) as pilot:
            screen = await settle(pilot)
            assert screen.query_one(QueueView).rows
            assert screen.work_mounted
            assert gc.isenabled() and not collector.paused()
    finally:
        collector.resume()
