"""Issue 17 item 12 in the console: assignees come from the helpdesk, through a picker
with completion that accepts only a known agent and resolves a prefix to the full name."""

from __future__ import annotations

import json
from pathlib import Path

from textual.widgets import Input, Label, OptionList

from tests.ui.conftest import db_rows
from tests.ui.sweep_helpers import quiet, start_sweep
from tests.ui.test_bulk import mark, marked_queue, open_bulk, preview_text
from triage_tui.engine.bulk_preview import BulkAction, preview
from triage_tui.engine.directory import directory_of
from triage_tui.ui.screens.ask import PickNameScreen
from triage_tui.ui.screens.bulk import BulkChoice, BulkPreviewScreen
from triage_tui.ui.screens.sweep import SweepOutcome


async def _picker(pilot) -> PickNameScreen:  # type: ignore[no-untyped-def]
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, PickNameScreen)
    return screen


async def test_sweep_assign_resolves_a_prefix_to_the_agents_full_name(
    demo_db: Path, make_app
) -> None:
    """Issue 17 item 12: in a sweep, ``a`` then "Mei" assigns Mei Chen: the picker
    completes and lists her, the store and the event log have the full name."""
    app = make_app(demo_db)
    outcomes: list[SweepOutcome | None] = []
    async with app.run_test(size=(120, 40)) as pilot:
        sweep = await start_sweep(pilot, "-status:pending", outcomes)
        ticket_id = sweep.session.rows[0].id
        await pilot.press("a")
        picker = await _picker(pilot)
        field = picker.query_one("#pick-input", Input)
        assert field.value == "me" and field.selected_text == "me"  # typing replaces it
        assert "typing replaces it" in str(picker.query_one("#pick-hint", Label).render())
        await pilot.press(*"Mei")
        await pilot.pause()
        assert field.value == "Mei" and field._suggestion == "Mei Chen"
        shown = picker.query_one("#pick-list", OptionList)
        assert [o.id for o in shown._options] == ["Mei Chen"]
        await pilot.press("enter")
        await quiet(pilot)
    assert db_rows(demo_db, "SELECT assignee FROM tickets WHERE id=?", ticket_id)[0][0] == (
        "Mei Chen"
    )
    payload = db_rows(
        demo_db,
        "SELECT payload FROM events WHERE ticket_id=? AND name='ticket.assigned' "
        "ORDER BY id DESC LIMIT 1",
        ticket_id,
    )[0][0]
    assert json.loads(payload)["to"] == "Mei Chen"


async def test_bulk_assign_refuses_a_name_the_helpdesk_does_not_have(
    demo_db: Path, make_app
) -> None:
    """Issue 17 item 12: bulk assign to "Zed Nobody" is refused in the picker with the
    agents it knows (no preview, nothing chosen); ↓ then picks a listed agent instead."""
    app = make_app(demo_db)
    choices: list[BulkChoice | None] = []
    async with app.run_test(size=(120, 40)) as pilot:
        queue = await marked_queue(pilot)
        rows = await mark(pilot, queue, 2)
        await open_bulk(pilot, rows, choices)
        await pilot.press("a")
        picker = await _picker(pilot)
        await pilot.press(*"Zed Nobody", "enter")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        assert app.screen is picker  # still asking
        error = str(picker.query_one("#pick-error", Label).render())
        assert error.startswith("no agent 'Zed Nobody'; agents: ") and "Priya Nair" in error
        field = picker.query_one("#pick-input", Input)
        field.value = ""
        await pilot.press(*"pri", "down", "enter")  # the list's first match: Priya Nair
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        assert 'Apply "assign to Priya Nair" to 2 tickets?' in preview_text(app)


async def test_the_bulk_preview_warns_about_an_assignee_the_helpdesk_does_not_list(
    demo_db: Path, make_app
) -> None:
    """Issue 17 item 12: a batch that would assign to an unknown name (here built
    directly, as a stale choice would be) is previewed with a warning, not "No warnings"."""
    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        queue = await marked_queue(pilot)
        rows = await mark(pilot, queue, 2)
        action = BulkAction.assign("Zed Nobody")
        screen = BulkPreviewScreen(
            action, preview(rows, action), directory=directory_of(app.helpdesk)
        )
        await app.push_screen(screen)
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        text = preview_text(app)
    assert "No warnings" not in text
    assert "assigns to 'Zed Nobody', who is not one of the helpdesk's agents" in text
    assert "(1 warning)" in text
