"""Quitting while a ticket is still loading ends quietly.

Textual removes a screen's widgets before it cancels the screen's workers: a
worker that wakes in between finds no panes. CI once failed on exactly this
(a ticket opened as the test's app quit), so it is reproduced here on purpose.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tests.ui.test_console import settle
from triage_tui.ui.widgets.ticket import TicketPane


@pytest.mark.parametrize("preview", ["follow", "enter"])
async def test_a_ticket_still_loading_when_the_app_quits_ends_quietly(
    demo_db: Path, make_app, monkeypatch: pytest.MonkeyPatch, preview: str
) -> None:
    app = make_app(demo_db, preview=preview)
    pane_gone = asyncio.Event()
    loaded_after_quit = asyncio.Event()

    def release_the_load_when_the_pane_goes(self: TicketPane) -> None:
        pane_gone.set()

    async with app.run_test(size=(120, 40)) as pilot:
        screen = await settle(pilot)
        assert screen.loader is not None
        queue_rows = screen.query_one("#queue").rows  # type: ignore[attr-defined]
        view = await screen.loader.load(queue_rows[1].id)

        async def load_once_the_pane_is_gone(ticket_id: str):  # type: ignore[no-untyped-def]
            await pane_gone.wait()
            loaded_after_quit.set()
            return view

        monkeypatch.setattr(screen.loader, "load", load_once_the_pane_is_gone)
        monkeypatch.setattr(
            TicketPane, "on_unmount", release_the_load_when_the_pane_goes, raising=False
        )
        screen.show_ticket(queue_rows[1].id)
        await pilot.pause()
    # Leaving the block quit the app; run_test re-raises a worker's failure.
    assert pane_gone.is_set()
    assert loaded_after_quit.is_set(), "the load resumed while the screen was being taken down"


async def test_a_ticket_still_loading_when_a_sweep_is_closed_ends_quietly(
    demo_db: Path, make_app, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.ui.sweep_helpers import start_sweep

    app = make_app(demo_db)
    pane_gone = asyncio.Event()
    loaded_after_close = asyncio.Event()
    async with app.run_test(size=(120, 40)) as pilot:
        sweep = await start_sweep(pilot, "priority:high,urgent", [])
        ticket_id = sweep.session.current.id  # type: ignore[union-attr]
        view = await sweep.loader.load(ticket_id)

        async def load_once_the_pane_is_gone(_ticket_id: str):  # type: ignore[no-untyped-def]
            await pane_gone.wait()
            loaded_after_close.set()
            return view

        monkeypatch.setattr(sweep.loader, "load", load_once_the_pane_is_gone)
        monkeypatch.setattr(TicketPane, "on_unmount", lambda self: pane_gone.set(), raising=False)
        sweep._load(ticket_id)
        sweep.dismiss(None)
        for _ in range(5):
            await pilot.pause()
        assert loaded_after_close.is_set()
        assert app.screen is not sweep
        assert app._exception is None  # the sweep's worker did not fail the app


async def test_settling_waits_through_a_ticket_load_another_replaced(
    demo_db: Path, make_app
) -> None:
    """Two tickets asked for back to back: the first load is cancelled, which
    Textual's ``wait_for_complete`` reports as an error; the tests' helper waits
    for the second instead (under load this failed UI tests at random)."""
    from textual.worker import WorkerCancelled

    from tests.ui.settling import workers_done

    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await settle(pilot)
        rows = screen.query_one("#queue").rows  # type: ignore[attr-defined]
        screen.show_ticket(rows[1].id)
        screen.show_ticket(rows[2].id)  # the first load is cancelled
        with pytest.raises(WorkerCancelled):
            await app.workers.wait_for_complete()
        screen.show_ticket(rows[1].id)
        screen.show_ticket(rows[2].id)
        await workers_done(app)
        await pilot.pause()
        assert screen.view is not None and screen.view.detail.ticket.id == rows[2].id
