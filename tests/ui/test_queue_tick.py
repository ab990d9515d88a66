"""A countdown tick repaints only the cells whose text changed (light over SSH)."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.geometry import Region

from tests.ui.test_console import settle
from triage_tui.ui.widgets.queue import QueueView


async def test_tick_refreshes_countdown_cells_not_rows(
    demo_db: Path, make_app, clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await settle(pilot)
        queue = screen.query_one(QueueView)
        regions: list[Region] = []
        monkeypatch.setattr(queue, "refresh", lambda *r, **kw: regions.extend(r) or queue)
        queue.tick()
        assert regions == []  # nothing changed: nothing is repainted
        clock.advance(61 * 60)  # every countdown and some ages change
        queue.tick()
        width = queue.scrollable_content_region.width
        assert regions and all(r.height == 1 for r in regions)
        assert all(r.width < width // 3 for r in regions)  # cells, never whole rows
        countdowns = [r for r in regions if r.x == 1]
        ages = [r for r in regions if r.right == width]
        assert len(countdowns) + len(ages) == len(regions)
        assert len(countdowns) == min(queue.size.height, len(queue.rows))
        monkeypatch.undo()
        await pilot.pause()
        assert len(screen.query_one(QueueView).render_line(0).text) == width
