"""A change the feed repeats (RT's whole-second clock) is not news when the ticket
as re-read is the one shown (issue 18 item 2: markers mean what they say)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

from tests.ui.test_live_queue import live_app
from triage_tui.domain.changes import Change, ChangeKind
from triage_tui.domain.enums import Priority
from triage_tui.domain.live import Marker
from triage_tui.ui.app import TriageApp


async def test_a_repeat_of_an_unchanged_ticket_earns_no_marker(
    demo_db: Path, make_app: Callable[..., TriageApp]
) -> None:
    """Issue 18 item 2: the repeat of a ticket whose row is as shown leaves no
    ``chg``; a repeat whose re-read row differs (it did change again) does."""
    app = make_app(demo_db, poll_seconds=3600, preview="enter")
    async with app.run_test(size=(120, 40)) as pilot:
        screen, queue = await live_app(pilot)
        assert screen.live is not None
        same, other = queue.rows[4], queue.rows[6]
        screen.live.apply(
            [Change(same.id, ChangeKind.UPDATED, actor="Mei Chen", repeat=True)], {same.id: same}
        )
        await pilot.pause()
        assert same.id not in queue.markers
        changed = dataclasses.replace(other, priority=Priority.LOW)
        screen.live.apply(
            [Change(other.id, ChangeKind.UPDATED, actor="Mei Chen", repeat=True)],
            {other.id: changed},
        )
        await pilot.pause()
        assert queue.markers.get(other.id) is Marker.CHANGED
        assert any(r.id == other.id and r.priority is Priority.LOW for r in queue.rows)
