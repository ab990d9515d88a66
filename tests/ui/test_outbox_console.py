"""The console with the outbox: undo banner, outbox and conflict screens, drafts, quit."""

from __future__ import annotations

import random
from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import TextArea

from tests.conftest import FROZEN_NOW
from tests.fakes.fake_time import FakeTime, until
from tests.ui.conftest import db_rows
from tests.ui.test_console import move_to_sendable, settle
from triage_tui.adapters.local.adapter import LocalHelpdesk, LocalOptions
from triage_tui.config import Profile
from triage_tui.domain.clock import FrozenClock
from triage_tui.engine import outbox_model as om
from triage_tui.engine.buffered import BufferedHelpdesk
from triage_tui.ui.app import TriageApp
from triage_tui.ui.screens.conflict import ConflictScreen
from triage_tui.ui.screens.help import help_sections
from triage_tui.ui.screens.outbox import OutboxScreen
from triage_tui.ui.screens.quit_confirm import QuitConfirmScreen
from triage_tui.ui.widgets.offline_banner import OfflineBanner
from triage_tui.ui.widgets.queue import QueueView
from triage_tui.ui.widgets.undo_banner import UndoBanner


def make(db: Path, clock: FrozenClock, fake: FakeTime, data: Path, hold: float = 10) -> TriageApp:
    inner = LocalHelpdesk(LocalOptions(db=db), clock=clock).act_as("Sam Agent")
    helpdesk = BufferedHelpdesk(
        inner,
        "ui.local.0",
        hold_seconds=hold,
        data_dir=data,
        sleep=fake.sleep,
        rng=random.Random(3),
    )
    return TriageApp(
        helpdesk,
        profile=Profile(agent="Sam Agent", undo_seconds=hold),
        clock=clock,
        tick_seconds=3600,
    )


def messages(db: Path, ticket_id: str, body: str) -> int:
    return len(db_rows(db, "SELECT id FROM messages WHERE ticket_id=? AND body=?", ticket_id, body))


async def banner(pilot: Pilot, cls: type) -> str:  # type: ignore[type-arg]
    widget = pilot.app.screen_stack[0].query_one(cls)
    widget.refresh_state()
    await pilot.pause()
    return str(widget.render()) if widget.display else ""


async def send_default(pilot: Pilot) -> None:
    await pilot.press("s")
    await pilot.pause()
    await pilot.press("enter")
    await pilot.pause()


async def test_send_is_held_with_a_countdown_and_u_takes_it_back(
    demo_db: Path, clock: FrozenClock, tmp_path: Path
) -> None:
    fake = FakeTime(clock, auto=False)
    app = make(demo_db, clock, fake, tmp_path / "data")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await settle(pilot)
        ticket_id = await move_to_sendable(pilot, screen)  # no safeguard blocks its draft
        draft = screen.query_one("#draft", TextArea).text
        await send_default(pilot)
        assert (await banner(pilot, UndoBanner)).endswith("Undo (u) · 10 s")
        assert "Reply + status pending on #" + ticket_id in await banner(pilot, UndoBanner)
        fake.advance(2)
        assert (await banner(pilot, UndoBanner)).endswith("· 8 s")
        await pilot.press("u")
        await settle(pilot)
        assert await banner(pilot, UndoBanner) == ""
        fake.advance(30)
        await pilot.pause(0.05)
        assert messages(demo_db, ticket_id, draft) == 0
        assert screen.view is not None and screen.view.detail.ticket.id == ticket_id
        assert screen.query_one("#draft", TextArea).text == draft  # back in the editor
        # Sent again and left alone: delivered once when the window ends.
        await send_default(pilot)
        fake.advance(10.5)
        await until(lambda: app.helpdesk.in_flight_count() == 0)  # type: ignore[attr-defined]
        assert messages(demo_db, ticket_id, draft) == 1
        assert (
            db_rows(demo_db, "SELECT status FROM tickets WHERE id=?", ticket_id)[0][0] == "pending"
        )


async def test_help_lists_undo_and_outbox_keys() -> None:
    text = "\n".join(str(section) for section in help_sections(TriageApp.BINDINGS))
    assert "u" in text and "Undo the last action" in text
    assert "Outbox: queued, failed and held actions" in text


async def test_a_collision_is_shown_and_resolved_from_the_outbox(
    demo_db: Path, clock: FrozenClock, tmp_path: Path
) -> None:
    fake = FakeTime(clock, auto=True)
    app = make(demo_db, clock, fake, tmp_path / "data", hold=0)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await settle(pilot)
        ticket_id = await move_to_sendable(pilot, screen)  # no safeguard blocks its draft
        colleague = LocalHelpdesk(LocalOptions(db=demo_db), clock=clock).act_as("Alex Kim")
        await colleague.reply(ticket_id, "I've got this one.")
        await colleague.close()
        draft = screen.query_one("#draft", TextArea).text
        await send_default(pilot)
        box = app.helpdesk.outbox  # type: ignore[attr-defined]
        await until(lambda: any(e.state == om.CONFLICT for e in box.entries()))
        await pilot.pause()
        assert "1 action(s) need you" in await banner(pilot, OfflineBanner)
        await pilot.press("o")
        await pilot.pause()
        assert isinstance(app.screen, OutboxScreen)
        assert app.screen.entries[0].state == om.CONFLICT
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ConflictScreen)
        assert app.screen.entry.conflict == ["Alex Kim replied: “I've got this one.”"]
        await pilot.press("s")  # send anyway
        await until(lambda: app.helpdesk.in_flight_count() == 0)  # type: ignore[attr-defined]
        assert messages(demo_db, ticket_id, draft) == 1


async def test_typed_draft_survives_a_restart_with_a_notice(
    demo_db: Path, clock: FrozenClock, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    fake = FakeTime(clock, auto=False)
    app = make(demo_db, clock, fake, data)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await settle(pilot)
        ticket_id = screen.query_one(QueueView).current.id  # type: ignore[union-attr]
        await pilot.press("e")
        await pilot.press(*"Typed before the crash. ")
        drafts = app.helpdesk.drafts  # type: ignore[attr-defined]

        def saved_on_disk() -> bool:  # the debounced save: 0.5 s
            return any(
                "Typed before the crash." in p.read_text() for p in drafts.directory.glob("*.json")
            )

        await until(saved_on_disk, what="the debounced draft save")
        typed = screen.query_one("#draft", TextArea).text
    again = make(demo_db, clock, FakeTime(clock, auto=False), data)
    async with again.run_test(size=(120, 40)) as pilot:
        screen = await settle(pilot)
        assert screen.query_one(QueueView).current.id == ticket_id  # type: ignore[union-attr]
        assert screen.query_one("#draft", TextArea).text == typed
        assert any("Restored 1 unsent draft(s)" in n.message for n in again._notifications)


async def test_quitting_with_held_actions_asks_and_can_leave_them_for_later(
    demo_db: Path, clock: FrozenClock, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    app = make(demo_db, clock, FakeTime(clock, auto=False), data)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await settle(pilot)
        ticket_id = await move_to_sendable(pilot, screen)  # no safeguard blocks its draft
        draft = screen.query_one("#draft", TextArea).text
        await send_default(pilot)
        await pilot.press("q")
        await pilot.pause()
        assert isinstance(app.screen, QuitConfirmScreen)
        assert "2 action(s) not delivered: 2 in the undo window" in str(
            app.screen.query_one("#quit-status").render()
        )
        await pilot.press("l")
        await pilot.pause()
    assert messages(demo_db, ticket_id, draft) == 0
    # The next start delivers what was left (its window is long over).
    clock.advance(60)
    later = make(demo_db, clock, FakeTime(clock, auto=True), data)
    async with later.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await until(lambda: later.helpdesk.in_flight_count() == 0)  # type: ignore[attr-defined]
    assert messages(demo_db, ticket_id, draft) == 1
    assert clock.now() > FROZEN_NOW


async def test_offline_banner_shows_the_datas_age_and_the_queue_keeps_working(
    clock: FrozenClock, tmp_path: Path
) -> None:
    from tests.fakes.faulty import FaultyServer
    from tests.fakes.faulty_adapter import FaultyHelpdesk, FaultyOptions

    server = FaultyServer(clock).start()
    ids = [server.add_ticket(f"Case {n}", requester=f"Dana Reyes{n}") for n in range(3)]
    fake = FakeTime(clock, auto=False)
    inner = FaultyHelpdesk(FaultyOptions(url=server.url, timeout=0.3), clock)
    helpdesk = BufferedHelpdesk(
        inner,
        "ui.faulty.0",
        hold_seconds=0,
        data_dir=tmp_path / "d",
        sleep=fake.sleep,
        rng=random.Random(1),
    )
    app = TriageApp(helpdesk, profile=Profile(undo_seconds=0), clock=clock, tick_seconds=3600)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            screen = await settle(pilot)
            assert await banner(pilot, OfflineBanner) == ""
            await until(lambda: helpdesk.data_as_of() is not None, what="the queue cache")
            server.down = True
            clock.advance(12 * 60)
            await pilot.press("r")
            await settle(pilot)
            text = await banner(pilot, OfflineBanner)
            assert text.startswith("Offline — cannot reach the faulty helpdesk")
            assert "data from 12 min ago" in text
            assert sorted(r.id for r in screen.query_one(QueueView).rows) == ids
            # The deliverer probes (backoff on the fake clock) and sees the return.
            server.down = False
            for _ in range(20):
                fake.advance(30)
                await pilot.pause(0.02)
                if helpdesk.connectivity.online:
                    break
            assert helpdesk.connectivity.online
            assert await banner(pilot, OfflineBanner) == ""
            assert any(n.message.startswith("Back online") for n in app._notifications)
    finally:
        server.stop()


async def test_a_draft_typed_in_a_sweep_is_saved_under_the_sweeps_ticket(
    demo_db: Path, clock: FrozenClock, tmp_path: Path
) -> None:
    """The sweep has its own editor: its draft belongs to the sweep's ticket, not the main
    screen's.
    """
    from tests.ui.sweep_helpers import start_sweep

    data = tmp_path / "data"
    app = make(demo_db, clock, FakeTime(clock, auto=False), data)
    async with app.run_test(size=(120, 40)) as pilot:
        main = await settle(pilot)
        sweep = await start_sweep(pilot, "priority:high,urgent", [])
        await pilot.press("n")  # the sweep moves past the first ticket
        await settle(pilot)
        assert sweep.view is not None and main.view is not None
        swept = sweep.view.detail.ticket.id
        assert swept != main.view.detail.ticket.id
        await pilot.press("e")
        await pilot.press(*"Typed in the sweep. ")
        drafts = app.helpdesk.drafts  # type: ignore[attr-defined]
        await until(
            lambda: "Typed in the sweep." in drafts.restorable(lambda _e: None).get(swept, ""),
            what="the sweep's draft saved under its ticket",
        )
        assert all(
            "Typed in the sweep." not in body
            for ticket, body in drafts.restorable(lambda _e: None).items()
            if ticket != swept
        )
