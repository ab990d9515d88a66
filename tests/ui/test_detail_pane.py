"""The detail pane: its text drawn line by line, the lists below it following the ticket shown."""

from __future__ import annotations

from pathlib import Path

from tests.ui.test_console import settle
from triage_tui.engine.loader import TicketView
from triage_tui.ui.screens.main import MainScreen
from triage_tui.ui.widgets.detail_text import BAR
from triage_tui.ui.widgets.ticket import OtherTickets, TicketPane


async def test_a_conversation_is_drawn_as_labelled_blocks_with_a_bar(
    demo_db: Path, make_app
) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await settle(pilot)
        pane = screen.query_one(TicketPane)
        lines = pane.text.plain.splitlines()
        first = screen.view.detail.messages[0]
        head = next(i for i, line in enumerate(lines) if line.startswith(f"{BAR} Customer · "))
        assert lines[head - 1].startswith("Conversation (")
        assert first.body.splitlines()[0][:20] in lines[head + 1]
        assert all(line.startswith(BAR) for line in lines[head : head + 2])
        # The header is the first line, the ticket's id and subject.
        assert lines[0].startswith(f"#{screen.view.detail.ticket.id} ")

        # Narrower: the same text wrapped again, every line within the width.
        await pilot.resize_terminal(80, 40)
        await settle(pilot)
        assert all(len(line) <= pane.text.size.width for line in pane.text.plain.splitlines())


async def _two_with_earlier_tickets(screen: MainScreen) -> list[TicketView]:
    """Two of the first 40 tickets whose requesters have other tickets."""
    assert screen.loader is not None
    views = [await screen.loader.load(row.id) for row in screen.all_rows[:40]]
    return [v for v in views if v.history.earlier_tickets(v.detail.ticket.id)][:2]


def _listed(others: OtherTickets) -> list[str | None]:
    return [others.get_option_at_index(i).id for i in range(others.option_count)]


async def test_the_lists_below_the_text_belong_to_the_ticket_shown_last(
    demo_db: Path, make_app
) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await settle(pilot)
        first, second = await _two_with_earlier_tickets(screen)
        pane = screen.query_one(TicketPane)
        now = app.clock.now()
        # Two tickets shown back to back (the second key came before a frame):
        # the lists are the second ticket's only.
        await pane.show(first, now)
        await pane.show(second, now)
        await settle(pilot)
        others = pane.query_one("#other-tickets", OtherTickets)
        assert set(_listed(others)) == {
            t.id for t in second.history.earlier_tickets(second.detail.ticket.id)
        }
        assert others.display

        # A ticket followed at once by a message ("No tickets match the filter."):
        # the ticket's lists never come up under the message.
        await pane.show(first, now)
        await pane.show_message("No tickets match the filter.")
        await settle(pilot)
        assert not others.display
        assert pane.text.plain.strip() == "No tickets match the filter."


async def test_an_unchanged_list_is_kept_and_a_changed_one_replaced(
    demo_db: Path, make_app
) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await settle(pilot)
        first, second = await _two_with_earlier_tickets(screen)
        pane = screen.query_one(TicketPane)
        others = pane.query_one("#other-tickets", OtherTickets)
        now = app.clock.now()
        await pane.show(first, now)
        kept = others.get_option_at_index(0)
        await pane.show(first, now)  # the same ticket again: the same options, not rebuilt
        assert others.get_option_at_index(0) is kept
        await pane.show(second, now)
        assert _listed(others) == [
            t.id for t in second.history.earlier_tickets(second.detail.ticket.id)
        ]
        await pane.show_message("The queue is empty.")
        assert others.option_count == 0 and not others.display
        await pane.show(second, now)  # emptied in between: listed again, not skipped as "unchanged"
        assert _listed(others) == [
            t.id for t in second.history.earlier_tickets(second.detail.ticket.id)
        ]


async def test_a_ticket_drawn_ahead_has_the_lines_of_one_drawn_on_showing(
    demo_db: Path, make_app
) -> None:
    """Blocks drawn ahead give their line counts to the layout; it must equal counting them."""
    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await settle(pilot)
        assert screen.loader is not None
        pane = screen.query_one(TicketPane)
        now = app.clock.now()
        view = await screen.loader.load(screen.all_rows[3].id)
        await pane.show(view, now)
        await settle(pilot)
        counted = pane.text.plain
        pane.text._kept.clear()  # nothing drawn: every block is counted by wrapping
        pane.text._forget()
        assert pane.text.plain == counted
        pane.text._kept.clear()
        pane.predraw(view, now)
        await pane.show(view, now)
        await settle(pilot)
        assert pane.text.plain == counted
