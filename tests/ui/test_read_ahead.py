"""Tickets read ahead: opening the row under a resting cursor (or the open
ticket's neighbour) only paints, and a write since the read makes it read again."""

from __future__ import annotations

import random
from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import TextArea

from tests.fakes.fake_time import FakeTime
from tests.ui.test_console import pane_text, settle
from triage_tui.adapters.local.adapter import LocalHelpdesk, LocalOptions
from triage_tui.config import Profile
from triage_tui.domain.clock import FrozenClock
from triage_tui.engine.buffered import BufferedHelpdesk
from triage_tui.ui.app import TriageApp
from triage_tui.ui.widgets.queue import QueueView


class CountingHelpdesk(LocalHelpdesk):
    """The local helpdesk, counting the tickets it is asked to read."""

    reads: list[str]

    async def get_ticket(self, ticket_id: str):  # type: ignore[no-untyped-def]
        self.reads.append(ticket_id)
        return await super().get_ticket(ticket_id)


def make(
    db: Path, clock: FrozenClock, data: Path, preview: str
) -> tuple[TriageApp, CountingHelpdesk]:
    inner = CountingHelpdesk(LocalOptions(db=db), clock=clock).act_as("Sam Agent")
    inner.reads = []
    helpdesk = BufferedHelpdesk(
        inner,
        "ui.local.0",
        hold_seconds=0,
        data_dir=data,
        sleep=FakeTime(clock).sleep,
        rng=random.Random(3),
    )
    app = TriageApp(
        helpdesk,
        profile=Profile(agent="Sam Agent", undo_seconds=0, preview=preview),
        clock=clock,
        tick_seconds=3600,
    )
    return app, inner


async def rest_on_the_next_row(pilot: Pilot, inner: CountingHelpdesk) -> str:
    """j, then the cursor rests: the row under it is the last ticket read; its id."""
    screen = pilot.app.screen
    await pilot.press("j")
    await settle(pilot)
    resting = screen.query_one(QueueView).current.id
    assert inner.reads[-1] == resting
    return resting


async def test_enter_opens_the_ticket_read_while_the_cursor_rested(
    demo_db: Path, clock: FrozenClock, tmp_path: Path
) -> None:
    app, inner = make(demo_db, clock, tmp_path / "data", preview="enter")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await settle(pilot)
        second = await rest_on_the_next_row(pilot, inner)  # read ahead...
        assert screen.view.detail.ticket.id != second  # ...but not opened
        reads = len(inner.reads)
        await pilot.press("enter")
        await settle(pilot)
        assert screen.view.detail.ticket.id == second
        assert len(inner.reads) == reads  # opened without reading it again
        assert f"#{second}" in pane_text(screen)
        assert screen.query_one("#draft", TextArea).text.startswith("Hi ")


async def test_a_write_after_the_read_ahead_makes_enter_read_again(
    demo_db: Path, clock: FrozenClock, tmp_path: Path
) -> None:
    app, inner = make(demo_db, clock, tmp_path / "data", preview="enter")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await settle(pilot)
        second = await rest_on_the_next_row(pilot, inner)
        # Someone (a bulk action, the outbox delivering) writes to it meanwhile.
        await app.helpdesk.add_note(second, "Checked the ledger: refund already issued")
        reads = len(inner.reads)
        await pilot.press("enter")
        await settle(pilot)
        assert second in inner.reads[reads:]  # read again, not the view from before the note
        assert "Checked the ledger: refund already issued" in pane_text(screen)


async def test_following_the_cursor_reads_the_neighbours_of_the_open_ticket(
    demo_db: Path, clock: FrozenClock, tmp_path: Path
) -> None:
    app, inner = make(demo_db, clock, tmp_path / "data", preview="follow")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await settle(pilot)
        queue = screen.query_one(QueueView)
        below = queue.rows[queue.cursor + 1].id
        assert below in inner.reads
        reads = len(inner.reads)
        await pilot.press("j")
        await settle(pilot)
        assert screen.view.detail.ticket.id == below
        assert below not in inner.reads[reads:]
