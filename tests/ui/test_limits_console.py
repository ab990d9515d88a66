"""Out-of-range numbers typed in the console: a filter error, and the console keeps running."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from textual.widgets import Input

from tests.ui.test_console import settle
from triage_tui.ui.app import TriageApp
from triage_tui.ui.widgets.queue import QueueView


async def test_a_huge_duration_typed_at_slash_is_a_filter_error(
    demo_db: Path, make_app: Callable[..., TriageApp]
) -> None:
    """``sla:<1000000000d`` used to overflow ``timedelta`` and end the console."""
    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await settle(pilot)
        total = len(screen.query_one(QueueView).rows)
        await pilot.press("slash")
        # Pasted in one go: typed letter by letter, "s", "sl"… are valid free words.
        screen.query_one("#filter", Input).value = "sla:<1000000000d"
        await settle(pilot)
        error = str(screen.query_one("#filter-error").render())
        assert "sla:<1000000000d: duration too large (max 3650d)" in error
        assert app.is_running and len(screen.query_one(QueueView).rows) == total
        screen.query_one("#filter", Input).value = "sla:<90m"
        await settle(pilot)
        assert 0 < len(screen.query_one(QueueView).rows) < total  # the filter still works
        await pilot.press("escape")
        await settle(pilot)
        assert app.is_running and len(screen.query_one(QueueView).rows) == total
