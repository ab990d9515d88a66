"""Issue 17 item 3 in the console: the profile's ``agent`` is who Send records and who
``assignee:me`` is, with the helpdesk built the way ``triage`` builds it (``session``)."""

from __future__ import annotations

from pathlib import Path

from tests.ui.conftest import db_rows
from tests.ui.test_console import move_to_sendable, settle
from triage_tui import session
from triage_tui.config import AppConfig, Profile
from triage_tui.domain.clock import FrozenClock
from triage_tui.ui.app import TriageApp
from triage_tui.ui.screens.prompts import SendScreen
from triage_tui.ui.widgets.queue import QueueView

AGENT = "Mei Chen"  # one of the demo's agents (``demo.content.AGENTS``)


def console(db: Path, clock: FrozenClock) -> TriageApp:
    """The console on ``db`` for a profile whose agent is ``AGENT``, resolved as
    ``triage --db DB`` resolves it."""
    ctx = session.resolve(db=db, config=AppConfig(profiles={"default": Profile(agent=AGENT)}))
    return TriageApp(
        session.build_helpdesk(ctx, clock),
        profile=ctx.profile,
        config=ctx.config,
        clock=clock,
        tick_seconds=3600,
    )


async def test_send_records_the_profiles_agent_as_author_and_actor(
    demo_db: Path, clock: FrozenClock
) -> None:
    """Issue 17 item 3: Send stores the reply under the profile's agent, and its events
    name the same actor (not "Agent")."""
    app = console(demo_db, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await settle(pilot)
        ticket_id = await move_to_sendable(pilot, screen)
        await pilot.press("s")
        assert isinstance(app.screen, SendScreen)
        await pilot.press("enter")
        await settle(pilot)
    [(author, role)] = db_rows(
        demo_db,
        "SELECT author, role FROM messages WHERE ticket_id=? ORDER BY rowid DESC LIMIT 1",
        ticket_id,
    )
    assert (author, role) == (AGENT, "agent")
    actors = db_rows(
        demo_db,
        "SELECT name, actor FROM events WHERE ticket_id=? AND name IN"
        " ('reply.sent', 'ticket.status_changed')",
        ticket_id,
    )
    assert {name for name, _ in actors} == {"reply.sent", "ticket.status_changed"}
    assert {actor for _, actor in actors} == {AGENT}


async def test_assignee_me_in_the_console_is_the_profiles_agent(
    demo_db: Path, clock: FrozenClock
) -> None:
    """Issue 17 item 3: ``/assignee:me`` shows exactly the agent's own active tickets."""
    mine = {
        str(i)
        for (i,) in db_rows(
            demo_db,
            "SELECT id FROM tickets WHERE assignee=? AND status NOT IN ('solved','closed')",
            AGENT,
        )
    }
    assert mine
    app = console(demo_db, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await settle(pilot)
        await pilot.press("slash", *"assignee:me", "enter")
        await settle(pilot)
        assert {r.id for r in screen.query_one(QueueView).rows} == mine
