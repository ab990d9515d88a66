"""Issue 22 item 2: the console's review screen (``A``) for AI agents' proposals.

The proposals are recorded as ``triage mcp`` records them (``engine.proposals.propose``
on a verb-mode outbox of the same profile); the console then reviews them with Pilot
keys and the test checks the helpdesk, the outbox and the event log.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

from textual.widgets import Static, TextArea

from tests.fakes.fake_time import FakeTime, until
from tests.ui.conftest import db_rows
from tests.ui.test_console import settle
from triage_tui.adapters.local.adapter import LocalHelpdesk, LocalOptions
from triage_tui.config import Profile
from triage_tui.domain.clock import FrozenClock
from triage_tui.domain.escalation import RuleSet
from triage_tui.domain.safeguards.checks import check
from triage_tui.engine import outbox_model as om
from triage_tui.engine import proposals as pr
from triage_tui.engine.buffered import VERB_MODE, BufferedHelpdesk
from triage_tui.engine.loader import TicketLoader
from triage_tui.ui.app import TriageApp
from triage_tui.ui.screens.proposals import ReviewScreen
from triage_tui.ui.widgets.queue import QueueView

KEY = "ui.local.mcp"
CLEAN = "Hello, the invoice was re-sent to your billing address just now. Best, Polaris"


def buffered(db: Path, clock: FrozenClock, data: Path, mode: str, **kw: object) -> BufferedHelpdesk:
    inner = LocalHelpdesk(LocalOptions(db=db), clock=clock).act_as("Sam Agent")
    return BufferedHelpdesk(inner, KEY, mode=mode, data_dir=data, **kw)  # type: ignore[arg-type]


async def propose_as_an_agent(db: Path, clock: FrozenClock, data: Path) -> list[pr.Proposal]:
    """Two replies and a note from "claude-code", on tickets where no safeguard blocks."""
    agent = buffered(db, clock, data, VERB_MODE)
    made: list[pr.Proposal] = []
    async with agent:
        ids = [t.id async for t in agent.iter_queue()]
        clean: list[str] = []
        for ticket_id in ids:
            view = await TicketLoader(agent, RuleSet.default(), clock).load(ticket_id)
            findings = check(CLEAN, detail=view.detail, kb=view.kb, rules=view.rules)
            if not any(f.blocking for f in findings):
                clean.append(ticket_id)
            if len(clean) == 2:
                break
        for ticket_id in clean:
            await agent.get_ticket(ticket_id)  # the collision base, as the agent read it
            made.append(
                await pr.propose(
                    agent,
                    [
                        om.NewEntry(ticket_id, "reply", {"body": CLEAN}, f"Reply to #{ticket_id}"),
                        om.NewEntry(ticket_id, "status", {"status": "solved"}, "status"),
                    ],
                    proposer="claude-code",
                    per_minute=10,
                )
            )
        made.append(
            await pr.propose(
                agent,
                [om.NewEntry(clean[0], "note", {"body": "Check the invoice run."}, "Note")],
                proposer="claude-code",
                per_minute=10,
            )
        )
    return made


def replies(db: Path, ticket_id: str, body: str) -> int:
    return len(db_rows(db, "SELECT id FROM messages WHERE ticket_id=? AND body=?", ticket_id, body))


def logged(db: Path, name: str) -> list[tuple[str, dict[str, object]]]:
    rows = db_rows(db, "SELECT actor, payload FROM events WHERE name=? ORDER BY id", name)
    return [(actor, json.loads(payload)) for actor, payload in rows]


async def test_the_review_screen_sends_edits_and_rejects_proposals(
    demo_db: Path, clock: FrozenClock, tmp_path: Path
) -> None:
    """Issue 22 item 2 (Done when): A walks the proposals with the ticket beside the text;
    s sends as proposed, e edits then ctrl+s sends, r rejects with a reason; each reply is
    delivered once, and the event log names the proposer and the approver."""
    data = tmp_path / "data"
    first, second, note = await propose_as_an_agent(demo_db, clock, data)
    fake = FakeTime(clock, auto=True)
    console = buffered(
        demo_db, clock, data, "console", hold_seconds=0, sleep=fake.sleep, rng=random.Random(3)
    )
    app = TriageApp(console, profile=Profile(agent="Sam Agent"), clock=clock, tick_seconds=3600)
    async with app.run_test(size=(140, 44)) as pilot:
        main = await settle(pilot)
        queue = main.query_one(QueueView)
        assert queue.proposed == {first.ticket_id, second.ticket_id}
        index = next(i for i, r in enumerate(queue.rows) if r.id == first.ticket_id)
        queue.move_to(index)
        await settle(pilot)
        assert "◆AI" in queue.render_line(index - int(queue.scroll_y)).text
        await pilot.press("A")
        await until(lambda: isinstance(app.screen, ReviewScreen))
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        await until(lambda: "1 of 3" in str(screen.query_one("#review-title", Static).render()))
        title = str(screen.query_one("#review-title", Static).render())
        assert "from claude-code" in title and first.id[:8] in title
        assert CLEAN in str(screen.query_one("#review-text", Static).render())
        assert f"#{first.ticket_id}" in str(screen.query_one("#review-ticket", Static).render())
        assert replies(demo_db, first.ticket_id, CLEAN) == 0

        await pilot.press("s")  # Send as proposed
        await until(lambda: replies(demo_db, first.ticket_id, CLEAN) == 1, what="delivered")
        await until(lambda: "1 of 2" in str(screen.query_one("#review-title", Static).render()))

        await pilot.press("e")  # Edit, then send the edited reply
        await pilot.pause()
        await pilot.press("end", "space", "P", ".", "S", ".")
        edited = screen.query_one("#review-editor", TextArea).text
        assert edited != CLEAN and "P.S." in edited
        await pilot.press("ctrl+s")
        await until(lambda: replies(demo_db, second.ticket_id, edited) == 1, what="edited")
        await until(lambda: "1 of 1" in str(screen.query_one("#review-title", Static).render()))

        await pilot.press("r")  # Reject, with a reason
        await pilot.pause()
        await pilot.press(*"wrong ticket")
        await pilot.press("enter")
        await until(lambda: console.outbox.get(note.id).state == om.REJECTED)  # type: ignore[union-attr]
        assert console.outbox.get(note.id).decision == "wrong ticket"  # type: ignore[union-attr]
        await pilot.press("escape")
        await until(lambda: not queue.proposed, what="the markers gone after the review")

    assert replies(demo_db, first.ticket_id, CLEAN) == 1  # once, never twice
    assert replies(demo_db, second.ticket_id, CLEAN) == 0
    statuses = db_rows(
        demo_db, "SELECT status FROM tickets WHERE id IN (?, ?)", first.ticket_id, second.ticket_id
    )
    assert {s for (s,) in statuses} == {"solved"}
    approved = logged(demo_db, "proposal.approved")
    assert [(a, p["proposer"], p["entry_id"]) for a, p in approved] == [
        ("Sam Agent", "claude-code", first.id),
        ("Sam Agent", "claude-code", second.id),
    ]
    assert approved[1][1].get("edited") is True
    made = [(a, p["entry_id"]) for a, p in logged(demo_db, "proposal.made")]
    assert ("claude-code", first.id) in made
    (rejected,) = [p for _, p in logged(demo_db, "proposal.rejected") if p["entry_id"] == note.id]
    assert rejected["reason"] == "wrong ticket" and rejected["approver"] == "Sam Agent"


async def test_a_blocked_proposal_waits_for_y_skip_keeps_it_and_escalate_instead(
    demo_db: Path, clock: FrozenClock, tmp_path: Path
) -> None:
    """Issue 22 item 2: a reply a safeguard blocks is not sent by s (y sends it anyway,
    logged); n skips and keeps it waiting; x escalates the ticket instead and rejects the
    proposal with that reason."""
    data = tmp_path / "data"
    first, second, note = await propose_as_an_agent(demo_db, clock, data)
    agent = buffered(demo_db, clock, data, VERB_MODE)
    rough_text = "Hi {first_name}, all sorted."
    async with agent:
        await agent.get_ticket(first.ticket_id)
        rough = await pr.propose(
            agent,
            [om.NewEntry(first.ticket_id, "reply", {"body": rough_text}, "rough")],
            proposer="claude-code",
            per_minute=10,
        )
        # Only the rough reply and the second clean one are left to review.
        for other in (first.id, note.id):
            agent.outbox.reject(other, approver="test", reason="not this time")
    fake = FakeTime(clock, auto=True)
    console = buffered(
        demo_db, clock, data, "console", hold_seconds=0, sleep=fake.sleep, rng=random.Random(3)
    )
    app = TriageApp(console, profile=Profile(agent="Sam Agent"), clock=clock, tick_seconds=3600)

    def title() -> str:
        return str(app.screen.query_one("#review-title", Static).render())

    async with app.run_test(size=(140, 44)) as pilot:
        await settle(pilot)
        await pilot.press("A")
        await until(lambda: isinstance(app.screen, ReviewScreen) and "1 of 2" in title())
        assert second.id[:8] in title()
        await pilot.press("n")  # Skip: the rough one comes up, the clean one keeps waiting
        await until(lambda: rough.id[:8] in title())
        assert "BLOCKS" in str(app.screen.query_one("#review-findings", Static).render())
        await pilot.press("s")
        await pilot.pause()
        assert console.outbox.get(rough.id).state == om.PROPOSED  # type: ignore[union-attr]
        await pilot.press("n")
        await until(lambda: second.id[:8] in title())
        await pilot.press("x")  # Escalate instead
        await pilot.pause()
        await pilot.press(*"billing check")
        await pilot.press("enter")
        await until(lambda: console.outbox.get(second.id).state == om.REJECTED)  # type: ignore[union-attr]
        await until(lambda: rough.id[:8] in title() and "1 of 1" in title())
        await pilot.press("y")  # send anyway, logged
        await until(lambda: replies(demo_db, rough.ticket_id, rough_text) == 1, what="sent")
        decided = console.outbox.get(second.id)
        assert decided is not None and decided.decision == "escalated instead: billing check"
        await pilot.press("escape")
        await pilot.pause()

    assert replies(demo_db, second.ticket_id, CLEAN) == 0
    escalated = logged(demo_db, "ticket.escalated")
    assert any(p["reason"] == "billing check" for _, p in escalated)
    raised = logged(demo_db, "safeguard.raised")
    assert raised and raised[-1][1]["rule"] == "placeholder"
