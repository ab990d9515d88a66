"""Issue 19 item 6: go to a ticket by number (``:``/``#``) and find text in the open ticket
(``ctrl+f``), driven with Pilot on the demo helpdesk."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Input, Label, Static

from tests.ui.conftest import db_rows
from tests.ui.test_console import settle
from triage_tui.domain.errors import InvalidInput
from triage_tui.domain.find import QUERY_MAX, find_all, ticket_ref
from triage_tui.ui.screens.goto import GoToScreen
from triage_tui.ui.screens.main import MainScreen
from triage_tui.ui.widgets.find_bar import FindBar
from triage_tui.ui.widgets.queue import QueueView
from triage_tui.ui.widgets.ticket import TicketPane


async def go_to(pilot: Pilot, typed: str, key: str = "colon") -> None:
    await pilot.press(key)
    assert isinstance(pilot.app.screen, GoToScreen)
    await pilot.press(*typed, "enter")
    await settle(pilot)


def notices(pilot: Pilot) -> list[str]:
    return [n.message for n in pilot.app._notifications]


def dialog_error(pilot: Pilot) -> str:
    return str(pilot.app.screen.query_one("#ask-error", Label).render())


def open_id(screen: MainScreen) -> str:
    assert screen.view is not None
    return screen.view.detail.ticket.id


@pytest.mark.parametrize("preview", ["follow", "enter"])
async def test_colon_goes_to_a_ticket_in_the_queue(demo_db: Path, make_app, preview: str) -> None:
    """Issue 19 item 6: ``:`` then a number moves the cursor to that ticket and opens it
    (whether the detail follows the cursor or waits for enter); ``#`` does the same and
    a leading ``#`` in the number is fine."""
    app = make_app(demo_db, preview=preview)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await settle(pilot)
        queue = screen.query_one(QueueView)
        target = queue.rows[17].id
        await go_to(pilot, target)
        assert isinstance(app.screen, MainScreen)
        assert queue.current is not None and queue.current.id == target
        assert open_id(screen) == target
        assert f"Ticket #{target}" in str(screen.query_one(TicketPane).border_title)

        other = queue.rows[3].id
        await go_to(pilot, f"#{other}", key="number_sign")
        assert queue.current.id == other and open_id(screen) == other


async def test_a_ticket_the_filter_or_the_queue_leaves_out_opens_anyway(
    demo_db: Path, make_app
) -> None:
    """Issue 19 item 6: a ticket the filter hides and a solved one (not in the queue at all)
    open through the helpdesk, each with one line saying so."""
    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await settle(pilot)
        await pilot.press("slash", *"priority:low", "enter")
        await settle(pilot)
        queue = screen.query_one(QueueView)
        shown = {r.id for r in queue.rows}
        hidden = next(r.id for r in screen.all_rows if r.id not in shown)
        await go_to(pilot, hidden)
        assert open_id(screen) == hidden
        assert f"#{hidden} is not in the filtered queue: opened anyway." in notices(pilot)

        solved = db_rows(demo_db, "SELECT id FROM tickets WHERE status='solved' LIMIT 1")[0][0]
        await go_to(pilot, str(solved))
        assert open_id(screen) == str(solved)
        assert f"#{solved} is not in the queue (solved): opened." in notices(pilot)


async def test_an_unknown_number_says_so_in_one_line_and_keeps_the_ticket(
    demo_db: Path, make_app
) -> None:
    """Issue 19 item 6: a number the helpdesk does not have is one line; the open ticket stays."""
    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await settle(pilot)
        before = open_id(screen)
        await go_to(pilot, "987654")
        assert "No ticket #987654 in this helpdesk." in notices(pilot)
        assert open_id(screen) == before
        assert isinstance(app.screen, MainScreen)


async def test_not_a_number_or_a_huge_one_is_refused_in_the_dialog(demo_db: Path, make_app) -> None:
    """Issue 19 item 6: letters and a number past 2**63-1 get a clear line under the field;
    the dialog stays for a correction and esc leaves it, nothing opened."""
    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await settle(pilot)
        before = open_id(screen)
        await pilot.press("colon", *"abc", "enter")
        assert isinstance(app.screen, GoToScreen)
        assert "“abc” is not a ticket number: digits only" in dialog_error(pilot)
        field = app.screen.query_one(Input)
        field.value = ""
        await pilot.press(*"99999999999999999999999", "enter")
        assert "is too large for a ticket number" in dialog_error(pilot)
        field.value = ""
        await pilot.press("enter")
        assert "Type a ticket number" in dialog_error(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert open_id(screen) == before


def count_text(screen: Screen[object]) -> str:
    return str(screen.query_one("#find-count", Static).render())


def occurrences(screen: Screen[object], word: str) -> int:
    """How often ``word`` is in the pane's text, counted per block as the find box does."""
    blocks = screen.query_one(TicketPane).text.blocks
    return sum(block.content.plain.lower().count(word.lower()) for block in blocks)


async def test_ctrl_f_counts_highlights_and_walks_the_matches(demo_db: Path, make_app) -> None:
    """Issue 19 item 6: ``ctrl+f`` finds text in the open ticket (fields and conversation),
    case-insensitively; the box says "1 of N"; enter and down go to the next match, up to
    the previous one, f3 from the pane too; the pane scrolls to each; esc closes it."""
    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await settle(pilot)
        queue = screen.query_one(QueueView)
        rows = db_rows(
            demo_db,
            "SELECT ticket_id FROM messages GROUP BY ticket_id ORDER BY count(*) DESC",
        )
        ids = {r.id for r in queue.rows}
        target = next(str(tid) for (tid,) in rows if str(tid) in ids)
        await go_to(pilot, target)
        pane = screen.query_one(TicketPane)
        # In the fields (the SLA line says "the") and all through the conversation.
        word = "the"
        total = occurrences(screen, word)
        assert total >= 3

        await pilot.press("ctrl+f", *word.upper())
        await settle(pilot)
        bar = screen.query_one(FindBar)
        assert count_text(screen) == f"1 of {total}"
        await pilot.press("down")
        assert count_text(screen) == f"2 of {total}"
        await pilot.press("up", "up")
        await settle(pilot)
        assert count_text(screen) == f"{total} of {total}"  # wraps round to the last
        line = bar.current_line
        assert line is not None
        assert pane.scroll_y <= line < pane.scroll_y + pane.size.height
        assert pane.scroll_y > 0  # the last match is below the first screenful
        await pilot.press("enter")
        await settle(pilot)
        assert count_text(screen) == f"1 of {total}"
        assert pane.scroll_y <= bar.current_line < pane.scroll_y + pane.size.height

        # The matches are highlighted on screen: the current one's text is drawn reversed.
        text = pane.text
        index, start = bar.matches[bar.current]
        spans = text._blocks[index].content.spans
        assert any(s.start == start and "reverse" in str(s.style) for s in spans)

        await pilot.press("escape")
        await settle(pilot)
        assert not bar.display
        assert pane.has_focus
        assert text._blocks == text.blocks  # the highlights are gone
        await pilot.press("f3")  # from the pane: the box opens again with its query
        await settle(pilot)
        assert bar.display and count_text(screen) == f"1 of {total}"
        await pilot.press("f3")
        assert count_text(screen) == f"2 of {total}"


async def test_find_says_no_match_caps_the_query_and_follows_a_new_ticket(
    demo_db: Path, make_app
) -> None:
    """Issue 19 item 6: no match says so; the query is capped at QUERY_MAX characters; a
    ticket opened while the box is open is searched again."""
    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await settle(pilot)
        await pilot.press("ctrl+f", *"zqxjv")
        await settle(pilot)
        assert count_text(screen) == "no match"
        field = screen.query_one("#find-input", Input)
        await pilot.press("ctrl+a")  # select all: typing replaces it
        field.insert_text_at_cursor("x" * (QUERY_MAX + 50))
        assert len(field.value) <= QUERY_MAX

        field.value = "sla"
        await settle(pilot)
        first = count_text(screen)
        assert first.startswith("1 of ")
        queue = screen.query_one(QueueView)
        queue.move_to(queue.cursor + 1)
        await settle(pilot)
        assert count_text(screen) == f"1 of {occurrences(screen, 'sla')}"
        # Blocks of the new ticket carry the highlight.
        bar = screen.query_one(FindBar)
        index, _ = bar.matches[0]
        assert screen.query_one(TicketPane).text._blocks[index].content.spans


async def test_find_works_in_a_sweep_without_deciding_anything(demo_db: Path, make_app) -> None:
    """Issue 19 item 6: ``ctrl+f`` finds in the sweep's ticket too: the box opens under
    the detail and the draft, the sweep's keys type into it (``n`` does not skip), esc
    closes it without ending the sweep, and the next ticket is searched with the same
    query when the box opens again."""
    from tests.ui.sweep_helpers import start_sweep
    from triage_tui.ui.screens.sweep import SweepScreen

    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        sweep = await start_sweep(pilot, "priority:urgent", [])
        assert sweep.view is not None
        first = sweep.view.detail.ticket.id
        word = "on"  # "n" is the sweep's skip key: typed here, it is a letter
        total = occurrences(sweep, word)
        assert total >= 2
        await pilot.press("ctrl+f", *word)
        await settle(pilot)
        bar = sweep.query_one(FindBar)
        assert bar.display and count_text(sweep) == f"1 of {total}"
        assert sweep.view.detail.ticket.id == first
        assert bar.region.y >= sweep.query_one(TicketPane).region.bottom
        await pilot.press("enter")
        assert count_text(sweep) == f"2 of {total}"
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is sweep and not bar.display
        assert sweep.view.detail.ticket.id == first

        await pilot.press("n")  # the pane has focus again: n skips to the next ticket
        await settle(pilot)
        assert isinstance(app.screen, SweepScreen)
        assert sweep.view.detail.ticket.id != first
        await pilot.press("f3")  # opens the box again, the query kept, on this ticket
        await settle(pilot)
        matches = occurrences(sweep, word)
        assert bar.display
        assert count_text(sweep) == (f"1 of {matches}" if matches else "no match")


@pytest.mark.parametrize(
    ("typed", "numeric", "expected"),
    [
        ("1042", True, "1042"),
        ("  #1042 ", True, "1042"),
        ("# 0042", True, "42"),
        (str(2**63 - 1), True, str(2**63 - 1)),
        ("65f1c0a2b3c4d5e6f7a8b9c0", False, "65f1c0a2b3c4d5e6f7a8b9c0"),
        ("#RT-77", False, "RT-77"),
    ],
)
def test_ticket_ref_takes_what_a_helpdesk_numbers(typed: str, numeric: bool, expected: str) -> None:
    """Issue 19 item 6: the go-to box's number: a leading # and spaces are fine; ids with
    letters where the helpdesk's ids are not numbers (Gleap)."""
    assert ticket_ref(typed, numeric=numeric) == expected


@pytest.mark.parametrize(
    ("typed", "numeric", "said"),
    [
        ("", True, "Type a ticket number"),
        ("#", True, "Type a ticket number"),
        ("12a", True, "“12a” is not a ticket number: digits only"),
        ("١٢٣", True, "is not a ticket number"),  # Arabic-Indic digits: isdigit, not ASCII
        (str(2**63), True, "is too large for a ticket number"),
        ("9" * 65, True, "is too long for a ticket number"),
        ("a b", False, "“a b” is not a ticket id"),
        ("../etc", False, "is not a ticket id"),
    ],
)
def test_ticket_ref_refuses_with_one_line(typed: str, numeric: bool, said: str) -> None:
    """Issue 19 item 6: non-numbers, huge numbers and junk are one clear line."""
    with pytest.raises(InvalidInput) as caught:
        ticket_ref(typed, numeric=numeric)
    assert said in str(caught.value)
    assert "\n" not in str(caught.value)


def test_find_all_is_plain_case_insensitive_and_bounded() -> None:
    """Issue 19 item 6: a plain substring ignoring case (no patterns), offsets kept where
    lower-casing changes a character's length, the query cut at QUERY_MAX, matches capped."""
    assert find_all("Refund, REFUND, refunded", "refund") == [0, 8, 16]
    assert find_all("a.b a*b", ".*") == []  # not a pattern
    text = "İstanbul refund İ refund"
    assert [text[i : i + 6] for i in find_all(text, "REFUND")] == ["refund", "refund"]
    assert find_all("x" * 10, "xx", limit=3) == [0, 2, 4]
    assert find_all("y" * (QUERY_MAX + 10), "y" * (QUERY_MAX + 5)) == [0]  # cut to QUERY_MAX
    assert find_all("anything", "") == []
