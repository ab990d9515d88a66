"""Issue 17 items 10 and 11 in the console: the escalate dialog keeps the pre-filled
reason, writes the note once, and routes only to groups the helpdesk has."""

from __future__ import annotations

import json
from pathlib import Path

from textual.widgets import Input, Label, OptionList

from tests.ui.conftest import db_rows
from tests.ui.test_console import move_to_ticket, settle
from triage_tui.adapters.local.adapter import LocalHelpdesk, LocalOptions
from triage_tui.config import AppConfig, EscalationRoutes, Profile
from triage_tui.domain.clock import FrozenClock
from triage_tui.ui.app import TriageApp
from triage_tui.ui.screens.prompts import KEEP_GROUP, EscalateScreen


def _ticket_asking_for_a_human(db: Path) -> str:
    """An open ticket whose customer asks for a person (the requested-human rule fires;
    its built-in route is "tier 2")."""
    return db_rows(
        db,
        "SELECT t.id FROM tickets t JOIN messages m ON m.ticket_id=t.id "
        "WHERE t.status NOT IN ('solved','closed') AND m.role='customer' "
        "AND (lower(m.body) LIKE '%real person%' OR lower(m.body) LIKE '%human%') "
        "AND lower(m.body) NOT LIKE '%refund%' LIMIT 1",
    )[0][0]


def _refund_ticket(db: Path) -> str:
    """An open ticket whose customer asks for a refund, and nothing of a human."""
    return db_rows(
        db,
        "SELECT t.id FROM tickets t JOIN messages m ON m.ticket_id=t.id "
        "WHERE t.status NOT IN ('solved','closed') AND m.role='customer' "
        "AND lower(m.body) LIKE '%refund%' AND t.id NOT IN (SELECT ticket_id FROM messages "
        "WHERE lower(body) LIKE '%human%' OR lower(body) LIKE '%person%' "
        "OR lower(body) LIKE '%agent%') LIMIT 1",
    )[0][0]


def _last_note(db: Path, ticket_id: str) -> str:
    return db_rows(
        db,
        "SELECT body FROM messages WHERE ticket_id=? AND public=0 ORDER BY rowid DESC LIMIT 1",
        ticket_id,
    )[0][0]


def _escalated_payload(db: Path, ticket_id: str) -> dict[str, object]:
    rows = db_rows(
        db, "SELECT payload FROM events WHERE ticket_id=? AND name='ticket.escalated'", ticket_id
    )
    assert len(rows) == 1, rows
    payload: dict[str, object] = json.loads(rows[0][0])
    return payload


async def test_typing_adds_to_the_prefilled_reason_and_the_note_says_it_once(
    demo_db: Path, make_app
) -> None:
    """Issue 17 item 10: "requested human" + typing ", customer insists" escalates with
    "requested human, customer insists" in the note, the event and the confirmation;
    the note's first line is not repeated."""
    ticket_id = _ticket_asking_for_a_human(demo_db)
    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await settle(pilot)
        await move_to_ticket(pilot, screen, ticket_id)
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(app.screen, EscalateScreen)
        reason = app.screen.query_one("#reason", Input)
        assert reason.value == "requested human" and reason.has_focus
        assert reason.selection.is_empty and reason.cursor_position == len(reason.value)
        await pilot.press(*", customer insists")
        await pilot.press("enter")
        await settle(pilot)
        notices = [n.message for n in app._notifications]
    wanted = "requested human, customer insists"
    note = _last_note(demo_db, ticket_id)
    lines = [line for line in note.splitlines() if line.strip()]
    assert lines[0] == f"Escalated: {wanted}"
    assert sum(line.startswith("Escalated:") for line in lines) == 1, note
    assert len(lines) == len(set(lines)), note
    assert _escalated_payload(demo_db, ticket_id)["reason"] == wanted
    assert any(f"Ticket {ticket_id} escalated – {wanted}" in n for n in notices), notices


async def test_a_route_that_is_no_group_is_not_applied(demo_db: Path, clock: FrozenClock) -> None:
    """Issue 17 item 11: a route the config sets to "Tier 3", no group of the demo
    helpdesk: the dialog says so, keeps the group preselected, and the ticket stays in
    its group."""
    ticket_id = _ticket_asking_for_a_human(demo_db)
    group_before = db_rows(demo_db, "SELECT grp FROM tickets WHERE id=?", ticket_id)[0][0]
    app = TriageApp(
        LocalHelpdesk(LocalOptions(db=demo_db), clock=clock).act_as("Sam Agent"),
        profile=Profile(agent="Sam Agent"),
        config=AppConfig(escalation=EscalationRoutes(routes={"requested_human": "Tier 3"})),
        clock=clock,
        tick_seconds=3600,
    )
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await settle(pilot)
        await move_to_ticket(pilot, screen, ticket_id)
        await pilot.press("x")
        await settle_dialog(pilot)
        dialog = app.screen
        assert isinstance(dialog, EscalateScreen) and dialog.route == "Tier 3"
        label = str(dialog.query_one("#route-label", Label).render())
        assert "Tier 3" in label and "is not a group here" in label
        routes = dialog.query_one("#route", OptionList)
        assert routes.highlighted_option is not None
        assert routes.highlighted_option.id == KEEP_GROUP
        await pilot.press("enter")
        await settle(pilot)
    assert db_rows(demo_db, "SELECT grp FROM tickets WHERE id=?", ticket_id)[0][0] == group_before
    assert "group" not in _escalated_payload(demo_db, ticket_id)


async def test_the_built_in_routes_are_groups_of_the_demo(demo_db: Path, make_app) -> None:
    """Issue 17 item 11: on the demo the built-in "tier 2" route of the requested-human
    rule is the group Tier 2, preselected; enter moves the ticket there."""
    ticket_id = _ticket_asking_for_a_human(demo_db)
    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await settle(pilot)
        await move_to_ticket(pilot, screen, ticket_id)
        await pilot.press("x")
        await settle_dialog(pilot)
        dialog = app.screen
        assert isinstance(dialog, EscalateScreen) and dialog.route == "tier 2"
        routes = dialog.query_one("#route", OptionList)
        assert routes.highlighted_option is not None
        assert routes.highlighted_option.id == "group:Tier 2"
        await pilot.press("enter")
        await settle(pilot)
    assert db_rows(demo_db, "SELECT grp FROM tickets WHERE id=?", ticket_id)[0][0] == "Tier 2"


async def test_the_route_is_picked_from_the_helpdesks_groups(demo_db: Path, make_app) -> None:
    """Issue 17 item 11: the billing rule's "billing queue" resolves to the group Billing,
    preselected; ↓ picks the next group (Engineering) from the keyboard and the ticket
    moves there."""
    ticket_id = _refund_ticket(demo_db)
    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await settle(pilot)
        await move_to_ticket(pilot, screen, ticket_id)
        await pilot.press("x")
        await settle_dialog(pilot)
        dialog = app.screen
        assert isinstance(dialog, EscalateScreen) and dialog.route == "billing queue"
        routes = dialog.query_one("#route", OptionList)
        shown = [str(routes.get_option_at_index(i).prompt) for i in range(routes.option_count)]
        assert shown[1:] == [
            "Billing",
            "Engineering",
            "Legal & Compliance",
            "Support",
            "Tier 2",
        ]
        assert routes.highlighted_option is not None
        assert routes.highlighted_option.id == "group:Billing"
        await pilot.press("down")  # from the reason field: the route moves, the text stays
        assert routes.highlighted_option.id == "group:Engineering"
        await pilot.press("enter")
        await settle(pilot)
    assert db_rows(demo_db, "SELECT grp FROM tickets WHERE id=?", ticket_id)[0][0] == "Engineering"
    group = _escalated_payload(demo_db, ticket_id)["group"]
    assert isinstance(group, dict) and group["to"] == "Engineering"


async def settle_dialog(pilot) -> None:  # type: ignore[no-untyped-def]
    """Let the dialog read the helpdesk's groups."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
