"""Proposals: an AI agent's writes, held in the outbox until a human approves them.

``triage mcp`` records what a model wants to do (a reply and the status after
it, an escalation, a status, a note) as ``proposed`` outbox entries marked with
the client's name. Nothing delivers a proposed entry; ``approve`` turns its
batch into ordinary pending writes (then the collision check and exactly-once
delivery apply as to any write), ``reject`` keeps the reason for the client.
Both are logged with who proposed and who decided (``domain.events``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from triage_tui.domain import events
from triage_tui.domain.errors import InvalidInput, NotFound, TriageError, Unreachable
from triage_tui.engine import outbox_model as om
from triage_tui.engine.buffered import VERB_MODE, BufferedHelpdesk
from triage_tui.engine.delivery_policy import Attempt

if TYPE_CHECKING:
    from triage_tui.domain.clock import Clock
    from triage_tui.domain.escalation import RuleSet
    from triage_tui.domain.safeguards.checks import Finding
    from triage_tui.engine.loader import TicketView

#: Every state a proposal's entries pass through.
EVERY_STATE = (om.PROPOSED, *om.IN_FLIGHT, om.DELIVERED, *om.ATTENTION, om.CANCELLED, om.REJECTED)


class ProposalLimit(TriageError):
    """A client proposed more than the profile allows per minute."""

    exit_code = 2


@dataclass(frozen=True)
class Proposal:
    """One proposal: its batch of entries (the first one's id names it)."""

    entries: tuple[om.Entry, ...]

    @property
    def id(self) -> str:
        return self.entries[0].id

    @property
    def first(self) -> om.Entry:
        return self.entries[0]

    @property
    def ticket_id(self) -> str:
        return self.first.ticket_id

    @property
    def kinds(self) -> list[str]:
        return [e.kind for e in self.entries]

    def to_json(self) -> dict[str, Any]:
        first = self.first
        return {
            "id": first.id,
            "ticket_id": first.ticket_id,
            "state": first.state,
            "proposer": first.proposer,
            "approver": first.approver,
            "reason": first.decision if first.state == om.REJECTED else None,
            "created_at": first.created_at.isoformat(),
            "writes": [
                {"id": e.id, "kind": e.kind, "label": e.label, "payload": e.payload}
                for e in self.entries
            ],
        }


def group(entries: list[om.Entry]) -> list[Proposal]:
    """Entries of the same batch together, in the order their first entry was recorded."""
    batches: dict[str, list[om.Entry]] = {}
    for entry in sorted(entries, key=lambda e: e.seq):
        batches.setdefault(entry.batch, []).append(entry)
    return [Proposal(tuple(b)) for b in batches.values()]


def pending(box: BufferedHelpdesk) -> list[Proposal]:
    """The proposals waiting for a human, oldest first (none without an outbox file)."""
    if not box.outbox_opened and not box.outbox_path.exists():
        return []
    return group(box.outbox.proposals())


#: What a proposal can end as, once a human (or delivery) has decided it.
DECIDED = (om.REJECTED, om.DELIVERED, om.FAILED, om.CONFLICT, om.CANCELLED)


def decided(box: BufferedHelpdesk) -> list[Proposal]:
    """The proposals a human has decided (taken, rejected) and what became of them."""
    return group(box.outbox.proposals(DECIDED, limit=5000))


def find(box: BufferedHelpdesk, wanted: str, states: tuple[str, ...] = (om.PROPOSED,)) -> Proposal:
    """A proposal by its id or the start of it (4+ characters), as ``triage proposals`` shows."""
    key = wanted.strip().lower()
    if len(key) < 4:
        raise InvalidInput(f"proposal id {wanted!r} is too short; give 4 or more characters")
    everything = box.outbox.proposals(EVERY_STATE, limit=5000)
    found = [p for p in group(everything) if p.id.startswith(key)]
    if not found:
        raise NotFound(f"no proposal {wanted!r}; `triage proposals` lists them")
    if len(found) > 1:
        raise InvalidInput(f"proposal id {wanted!r} is ambiguous; give more of it")
    proposal = found[0]
    if proposal.first.state not in states:
        decided = f" by {proposal.first.approver}" if proposal.first.approver else ""
        raise InvalidInput(f"proposal {proposal.id[:8]} is already {proposal.first.state}{decided}")
    return proposal


async def propose(
    box: BufferedHelpdesk,
    writes: list[om.NewEntry],
    *,
    proposer: str,
    per_minute: int,
    findings: list[str] | None = None,
) -> Proposal:
    """Record ``writes`` as one proposal of ``proposer``; refused past ``per_minute``."""
    if box.outbox.read_only is not None:
        raise Unreachable(box.outbox.read_only + ": proposals are disabled")
    since = box.clock.now() - timedelta(minutes=1)
    if per_minute >= 0 and box.outbox.recent_proposals(proposer, since) >= per_minute:
        raise ProposalLimit(
            f"{proposer} made {per_minute} proposals in the last minute (the profile's"
            " mcp.proposals_per_minute); wait, or ask a human to review the ones waiting"
        )
    for new in writes:
        if new.kind == "reply" and new.base is None:
            # The collision base: the ticket as the agent read it, like a console draft's.
            new.base = box._base_for(new.ticket_id, None)
    entries = box.outbox.propose(writes, proposer=proposer, owner=box.session)
    proposal = Proposal(tuple(entries))
    await box.record_event(
        events.PROPOSAL_MADE,
        proposal.ticket_id,
        {
            "entry_id": proposal.id,
            "kinds": proposal.kinds,
            "proposer": proposer,
            "findings": findings or [],
        },
        actor=proposer,
    )
    return proposal


async def approve(
    box: BufferedHelpdesk, proposal: Proposal, *, approver: str, body: str | None = None
) -> list[Attempt]:
    """Let a proposal go out: pending now; a verb delivers it before returning.

    ``body`` replaces the proposed reply's text (the console's Edit); the event
    log says so. In the console the deliverer sends it as any other write.
    """
    if body is not None:
        reply = next((e for e in proposal.entries if e.kind == "reply"), None)
        if reply is None:
            raise InvalidInput(f"proposal {proposal.id[:8]} has no reply to edit")
        box.outbox.replace_payload(reply.id, {"body": body})
    origin = om.VERB if box.mode == VERB_MODE else om.CONSOLE
    approved = box.outbox.approve(
        proposal.id, approver=approver, origin=origin, owner=box.deliverer.owner
    )
    if not approved:
        raise InvalidInput(f"proposal {proposal.id[:8]} was decided meanwhile")
    await box.record_event(
        events.PROPOSAL_APPROVED,
        proposal.ticket_id,
        {
            "entry_id": proposal.id,
            "kinds": proposal.kinds,
            "proposer": proposal.first.proposer,
            "approver": approver,
            **({"edited": True} if body is not None else {}),
        },
        actor=approver,
    )
    if box.mode != VERB_MODE:
        box.deliverer.kick()
        return []
    attempts = []
    for entry in approved:
        attempt = await box.deliverer.deliver_now(entry.id)
        attempts.append(attempt)
        if attempt.state != om.DELIVERED:
            break  # the rest of the batch waits behind it, as for any Send
    return attempts


async def reject(
    box: BufferedHelpdesk, proposal: Proposal, *, approver: str, reason: str
) -> list[om.Entry]:
    """Say no, with the reason the proposing client reads on its next call."""
    if not reason.strip():
        raise InvalidInput("a rejection needs a reason (the agent reads it)")
    rejected = box.outbox.reject(proposal.id, approver=approver, reason=reason.strip())
    if not rejected:
        raise InvalidInput(f"proposal {proposal.id[:8]} was decided meanwhile")
    await box.record_event(
        events.PROPOSAL_REJECTED,
        proposal.ticket_id,
        {
            "entry_id": proposal.id,
            "kinds": proposal.kinds,
            "proposer": proposal.first.proposer,
            "approver": approver,
            "reason": reason.strip(),
        },
        actor=approver,
    )
    return rejected


async def review(
    box: BufferedHelpdesk, proposal: Proposal, rules: RuleSet, clock: Clock
) -> tuple[TicketView, list[Finding]]:
    """The ticket as the console shows it and the safeguards' findings on the proposed reply
    (none for a proposal without one), for the human who decides."""
    from triage_tui.domain.clock import FrozenClock
    from triage_tui.domain.safeguards.checks import check
    from triage_tui.engine.loader import TicketLoader

    view = await TicketLoader(box, rules, FrozenClock(clock.now())).load(proposal.ticket_id)
    reply = next((e for e in proposal.entries if e.kind == "reply"), None)
    if reply is None:
        return view, []
    findings = check(
        str(reply.payload.get("body", "")),
        detail=view.detail,
        kb=view.kb,
        rules=view.rules,
    )
    return view, findings
