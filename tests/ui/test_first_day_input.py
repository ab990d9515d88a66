"""Issue 17, items 13–15: the filter box, one draft per ticket, the draft editor's keys."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path

from textual.widgets import Input, Static, TextArea
from textual.widgets._footer import FooterKey

from tests.fakes.fake_time import FakeTime, until
from tests.ui.sweep_helpers import start_sweep
from tests.ui.test_console import move_to_ticket, pane_text, settle
from tests.ui.test_outbox_console import make
from triage_tui.domain.clock import FrozenClock
from triage_tui.domain.replies.drafting import NEXT_STEP_MARKER
from triage_tui.ui.app import TriageApp
from triage_tui.ui.screens.main import MainScreen
from triage_tui.ui.screens.sweep import SweepScreen
from triage_tui.ui.screens.sweep_plan import plan_for
from triage_tui.ui.widgets.draft import DraftPane
from triage_tui.ui.widgets.queue import QueueView


def common_tag(screen: MainScreen) -> str:
    counts = Counter(tag for row in screen.all_rows for tag in row.tags)
    return counts.most_common(1)[0][0]


def error_lines(screen: MainScreen) -> list[str]:
    return str(screen.query_one("#filter-error", Static).render()).split("\n")


def footer_keys(app: TriageApp) -> dict[str, str]:
    return {key.key: key.description for key in app.screen.query(FooterKey)}


async def test_a_filter_error_sits_under_the_box_with_the_expression_verbatim_and_a_caret(
    demo_db: Path, make_app: Callable[..., TriageApp]
) -> None:
    """Issue 17 item 13: typed letter by letter, ``TAG sla:<90x`` shows its error under the
    input (not over it), echoes the expression with its space, and a caret under ``sla:<90x``;
    the queue keeps the last filter that was applied."""
    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await settle(pilot)
        tag = common_tag(screen)
        await pilot.press("slash", *f"tag:{tag}")
        await settle(pilot)
        tagged = [row.id for row in screen.query_one(QueueView).rows]
        assert tagged and all(tag in row.tags for row in screen.query_one(QueueView).rows)
        expression = f"tag:{tag} sla:<90x"
        await pilot.press(*" sla:<90x")
        await settle(pilot)
        box, error = screen.query_one("#filter", Input), screen.query_one("#filter-error", Static)
        assert box.display and error.display
        assert error.region.y >= box.region.bottom  # below the input, not over it
        message, echo, caret = error_lines(screen)
        assert 'bad duration "90x"' in message
        assert echo.strip() == expression  # verbatim: the space is kept
        assert caret.index("^") == echo.index("sla:<90x")
        assert caret.strip() == "^" * len("sla:<90x")
        assert [row.id for row in screen.query_one(QueueView).rows] == tagged
        assert screen.filter is not None and str(screen.filter) == f"tag:{tag}"


async def test_a_long_expression_keeps_the_caret_under_its_bad_token(
    demo_db: Path, make_app: Callable[..., TriageApp]
) -> None:
    """Issue 17 item 13: wider than the queue pane at 80 columns, the echo is a window
    around the bad token, cut with "…", and the caret still points at it."""
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await settle(pilot)
        await pilot.press("slash")
        words = " ".join(["refund"] * 12)
        screen.query_one("#filter", Input).value = f"{words} prio:x {words}"
        await settle(pilot)
        _message, echo, caret = error_lines(screen)
        assert "…" in echo and len(echo) <= screen.query_one("#filter-error").size.width
        assert echo[caret.index("^") :].startswith("prio:x")


async def test_a_half_typed_word_does_not_empty_the_queue_and_enter_empties_the_detail_too(
    demo_db: Path, make_app: Callable[..., TriageApp]
) -> None:
    """Issue 17 item 13: typing ``prio`` (which matches nothing) leaves the queue as it was,
    with a line saying why; Enter applies it, and the detail and the draft then show no
    ticket, with a line saying so; ``e`` finds no ticket to edit."""
    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await settle(pilot)
        everything = [row.id for row in screen.query_one(QueueView).rows]
        await pilot.press("slash")
        for key in "prio":
            await pilot.press(key)
            await pilot.pause()
            assert screen.query_one(QueueView).rows  # never an empty queue while typing
        await settle(pilot)
        assert [row.id for row in screen.query_one(QueueView).rows] == everything
        hint = str(screen.query_one("#filter-error", Static).render())
        assert "No ticket matches “prio” yet" in hint and "enter applies it anyway" in hint
        await pilot.press("enter")
        await settle(pilot)
        assert screen.query_one(QueueView).rows == []
        assert screen.view is None and screen.requested_id is None
        assert "No tickets match the filter." in pane_text(screen)
        draft = screen.query_one(DraftPane)
        assert draft.text == "" and draft.view is None and draft.editor.read_only
        await pilot.press("e")
        await pilot.pause()
        assert any("No ticket is open." in n.message for n in app._notifications)
        # Back to every ticket: the first one opens again.
        await pilot.press("slash", *["backspace"] * 4, "enter")
        await settle(pilot)
        assert [row.id for row in screen.query_one(QueueView).rows] == everything
        assert screen.view is not None and screen.view.detail.ticket.id == everything[0]


async def test_over_ssh_a_filter_that_drops_the_open_ticket_opens_one_in_the_list(
    demo_db: Path, make_app: Callable[..., TriageApp]
) -> None:
    """Issue 17 item 13: where the detail does not follow the cursor, the open ticket is not
    kept on screen once the filter leaves it out of the list."""
    app = make_app(demo_db, preview="enter")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await settle(pilot)
        assert not screen.follow_cursor and screen.view is not None
        opened = screen.view.detail.ticket.id
        other = next(r for r in screen.all_rows if r.priority != screen.all_rows[0].priority)
        assert next(r for r in screen.all_rows if r.id == opened).priority != other.priority
        await pilot.press("slash")
        # Pasted in one go: typed, "prio" would match nothing on the way and close the ticket.
        screen.query_one("#filter", Input).value = f"priority:{other.priority.value}"
        await settle(pilot)
        shown = {row.id for row in screen.query_one(QueueView).rows}
        assert opened not in shown
        assert screen.view is not None and screen.view.detail.ticket.id in shown


async def test_one_draft_per_ticket_on_the_main_screen_and_in_a_sweep_kept_across_quits(
    demo_db: Path, clock: FrozenClock, tmp_path: Path
) -> None:
    """Issue 17 item 14: a draft edited on the main screen is the sweep's draft of that
    ticket, and the reverse; after a clean quit it comes back marked "edited draft"; ctrl+r
    resets it to the template and deletes the saved draft, so the next start shows the
    template unmarked."""
    data = tmp_path / "data"
    app = make(demo_db, clock, FakeTime(clock, auto=False), data)
    async with app.run_test(size=(120, 40)) as pilot:
        main = await settle(pilot)
        plan, _canonical = plan_for(
            main.all_rows, "priority:urgent", me=app.profile.agent, now=clock.now()
        )
        ticket_id = plan.order[0]
        await move_to_ticket(pilot, main, ticket_id)
        template = main.query_one(DraftPane).text
        await pilot.press("e", *"Typed on main.")
        await pilot.press("escape")
        typed = main.query_one(DraftPane).text
        assert "Typed on main." in typed and typed != template
        assert "edited draft" in str(main.query_one("#draft", TextArea).border_title)
        sweep = await start_sweep(pilot, "priority:urgent", [])
        assert sweep.view is not None and sweep.view.detail.ticket.id == ticket_id
        assert sweep.query_one(DraftPane).text == typed  # the same draft, not the template
        assert "edited draft" in str(sweep.query_one(DraftPane).editor.border_title)
        await pilot.press("e", *" And in the sweep.")
        swept = sweep.query_one(DraftPane).text
        assert swept.count("And in the sweep.") == 1
        await pilot.press("escape")  # leaves the editor
        sweep.dismiss(None)  # back to the main screen (the sweep's ending is not this test's)
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        main.show_ticket(ticket_id)
        await settle(pilot)
        assert main.query_one(DraftPane).text == swept
        drafts = app.helpdesk.drafts  # type: ignore[attr-defined]
        await until(lambda: (drafts.get(ticket_id) or {}).get("body") == swept, what="saved")
        await pilot.press("q")  # a clean quit: nothing is on its way
        await pilot.pause()
    assert not app.is_running
    again = make(demo_db, clock, FakeTime(clock, auto=False), data)
    async with again.run_test(size=(120, 40)) as pilot:
        main = await settle(pilot)
        await move_to_ticket(pilot, main, ticket_id)
        pane = main.query_one(DraftPane)
        assert pane.text == swept
        assert "edited draft" in str(pane.editor.border_title)
        await pilot.press("ctrl+r")  # from the queue: back to the template
        await settle(pilot)
        assert pane.text == template and "edited draft" not in str(pane.editor.border_title)
        assert ticket_id not in again.edited_drafts
        store = again.helpdesk.drafts  # type: ignore[attr-defined]
        await until(lambda: store.get(ticket_id) is None, what="the reset draft deleted")
        assert not list(store.directory.glob("*.json"))
        await pilot.press("q")
        await pilot.pause()
    third = make(demo_db, clock, FakeTime(clock, auto=False), data)
    async with third.run_test(size=(120, 40)) as pilot:
        main = await settle(pilot)
        await move_to_ticket(pilot, main, ticket_id)
        assert main.query_one(DraftPane).text == template
        assert not any("Restored" in n.message for n in third._notifications)


async def test_a_sent_draft_is_gone_from_every_screen_and_the_disk(
    demo_db: Path, clock: FrozenClock, tmp_path: Path
) -> None:
    """Issue 17 item 14: once its reply is delivered the edited draft is gone: the ticket's
    draft is the template again and no draft file is left."""
    from tests.ui.test_console import move_to_sendable
    from tests.ui.test_outbox_console import send_default

    app = make(demo_db, clock, FakeTime(clock, auto=True), tmp_path / "data", hold=0)
    async with app.run_test(size=(120, 40)) as pilot:
        main = await settle(pilot)
        ticket_id = await move_to_sendable(pilot, main)
        await pilot.press("e", "end", *" Thanks for waiting.", "escape")
        assert ticket_id in app.edited_drafts
        await send_default(pilot)
        await until(lambda: app.helpdesk.in_flight_count() == 0)  # type: ignore[attr-defined]
        store = app.helpdesk.drafts  # type: ignore[attr-defined]
        await until(lambda: store.get(ticket_id) is None, what="the delivered draft deleted")
        assert ticket_id not in app.edited_drafts
        assert not list(store.directory.glob("*.json"))


async def test_edit_selects_the_first_placeholder_and_ctrl_n_the_next(
    demo_db: Path, make_app: Callable[..., TriageApp]
) -> None:
    """Issue 17 item 15: ``e`` selects ``[Describe the specific next step]`` so typing replaces
    it; ``ctrl+n`` selects the next placeholder after the cursor, round to the first."""
    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await settle(pilot)
        queue = screen.query_one(QueueView)
        for _ in range(len(queue.rows)):
            if NEXT_STEP_MARKER in screen.query_one(DraftPane).text:
                break
            await pilot.press("j")
            await settle(pilot)
        editor = screen.query_one(DraftPane).editor
        assert NEXT_STEP_MARKER in editor.text
        await pilot.press("e")
        assert editor.has_focus and editor.selected_text == NEXT_STEP_MARKER
        await pilot.press(*"We call you today. [Add the call time] then {first_name}")
        assert NEXT_STEP_MARKER not in editor.text
        assert "We call you today. [Add the call time] then {first_name}" in editor.text
        await pilot.press("ctrl+n")  # after the cursor: none, so round to the first
        assert editor.selected_text == "[Add the call time]"
        await pilot.press("ctrl+n")
        assert editor.selected_text == "{first_name}"
        await pilot.press(*"Dana", "ctrl+n", *"at noon", "ctrl+n")
        assert "We call you today. at noon then Dana" in editor.text
        assert any("No placeholder left" in n.message for n in app._notifications)


async def test_the_footer_shows_the_editors_keys_while_editing(
    demo_db: Path, make_app: Callable[..., TriageApp]
) -> None:
    """Issue 17 item 15: in the editor the footer shows send (ctrl+s), leave (esc), the next
    placeholder and the reset, and not the screen's letter keys (they type); back in the
    queue it shows those again. ``s`` typed in the editor is a letter, ctrl+s still sends."""
    from triage_tui.ui.screens.prompts import SendScreen

    app = make_app(demo_db)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        outside = footer_keys(app)
        assert outside.get("slash") == "Filter" and outside.get("s") == "Send"
        assert "ctrl+s" not in outside
        await pilot.press("e")
        await pilot.pause()
        inside = footer_keys(app)
        assert inside.get("ctrl+s") == "Send" and inside.get("escape") == "Leave"
        assert inside.get("ctrl+n") == "Next placeholder"
        assert inside.get("ctrl+r") == "Template" and inside.get("f2") == "Fix"
        assert not {"slash", "s", "e", "x", "n", "q", "question_mark"} & set(inside)
        await pilot.press("s")
        assert isinstance(app.screen, MainScreen)  # typed, not Send
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, SendScreen)
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("escape")  # leave the editor
        await pilot.pause()
        assert footer_keys(app).get("slash") == "Filter"


async def test_the_sweeps_editor_shows_the_same_keys(
    demo_db: Path, make_app: Callable[..., TriageApp]
) -> None:
    """Issue 17 item 15: the sweep's editor has the same footer and selects its placeholder."""
    app = make_app(demo_db)
    async with app.run_test(size=(160, 40)) as pilot:
        sweep = await start_sweep(pilot, "priority:high,urgent", [])
        assert isinstance(app.screen, SweepScreen)
        await pilot.press("e")
        await pilot.pause()
        inside = footer_keys(app)
        assert inside.get("ctrl+s") == "Send" and inside.get("ctrl+n") == "Next placeholder"
        assert not {"s", "n", "q", "a"} & set(inside)
        editor = sweep.query_one(DraftPane).editor
        if NEXT_STEP_MARKER in editor.text:
            assert editor.selected_text == NEXT_STEP_MARKER
        await pilot.press("escape")
        await pilot.pause()
        assert footer_keys(app).get("q") == "End sweep"
