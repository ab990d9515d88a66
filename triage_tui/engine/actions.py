"""The workflow's actions as UI-free operations with their confirmation lines.

The console and the scriptable verbs both call these, so "Send" means the same
thing everywhere: reply publicly, then set the chosen status; "Escalate"
records an internal note with the reason and applies the route; and each ends
with the workflow's one-line confirmation ("Responded to 123 for Dana Reyes").
"""

from __future__ import annotations

from triage_tui.adapters.base import Helpdesk
from triage_tui.domain.enums import Status
from triage_tui.domain.errors import InvalidInput
from triage_tui.domain.escalation import RuleResult
from triage_tui.domain.models import Escalation, Ticket
from triage_tui.engine.buffered import BufferedHelpdesk, batch

#: How a confirmation that is not one ends: the write needs the agent first.
RESOLVE = "— o to resolve"


def waits(line: str) -> bool:
    """Whether a confirmation line says the write waits for the agent (show it as a warning)."""
    return line.endswith(RESOLVE)


def confirmed(helpdesk: Helpdesk, ticket_id: str, line: str, what: str) -> str:
    """``line`` when the write goes out by itself; else what it waits for.

    "Reply to 1137 waits behind a conflict on an earlier write — o to resolve":
    no success word for a write that needs the agent's decision first.
    """
    reason = helpdesk.holdup(ticket_id) if isinstance(helpdesk, BufferedHelpdesk) else None
    return f"{what} {ticket_id} {reason} {RESOLVE}" if reason else line


def responded_line(ticket: Ticket) -> str:
    name = ticket.requester.name or ticket.requester.email or "the requester"
    return f"Responded to {ticket.id} for {name}"


async def send_reply(helpdesk: Helpdesk, ticket: Ticket, body: str, status: Status) -> str:
    """Public reply, then ``status`` (pending or solved). Returns the confirmation."""
    if not body.strip():
        raise InvalidInput("the reply is empty; write something before sending")
    # One batch: undone as one, and the status never goes out without the reply.
    with batch(helpdesk):
        await helpdesk.reply(ticket.id, body)
        line = responded_line(ticket)
        if status is not ticket.status:
            await helpdesk.set_status(ticket.id, status)
            line += f" · status {status.value}"
    return confirmed(helpdesk, ticket.id, line, "Reply to")


async def close_ticket(helpdesk: Helpdesk, ticket_id: str, note: str) -> str:
    """Internal resolution note (when the helpdesk has notes), then solved."""
    note = note.strip()
    with batch(helpdesk):
        if note and helpdesk.capabilities.internal_notes:
            await helpdesk.add_note(ticket_id, note)
        await helpdesk.set_status(ticket_id, Status.SOLVED)
    line = f"Ticket {ticket_id} closed – {note}" if note else f"Ticket {ticket_id} closed"
    return confirmed(helpdesk, ticket_id, line, "Closing")


def escalation_for(
    reason: str, note: str, rules: list[RuleResult], group: str | None = None
) -> Escalation:
    """The composite the helpdesk applies: the note, the chosen group, tags.

    The note holds what the adapter does not write itself (it starts the note
    with "Escalated: <reason>"): the agent's note, then the rules that fired.
    ``group`` is where the ticket moves (None: it stays in its group); a rule's
    route is a suggestion the agent confirms or changes in the dialog.
    """
    fired = [r for r in rules if r.fired]
    matching = next((r for r in fired if r.label == reason), fired[0] if fired else None)
    lines = [note] if note else []
    for rule in fired:
        evidence = ", ".join(f"“{e}”" for e in rule.evidence)
        lines.append(f"Rule fired: {rule.title}" + (f" — {evidence}" if evidence else ""))
    tags = ["escalated"] + ([matching.rule_id] if matching else [])
    return Escalation(reason=reason, note="\n".join(lines), group=group, tags=tags)


async def escalate(
    helpdesk: Helpdesk,
    ticket_id: str,
    reason: str,
    note: str = "",
    rules: list[RuleResult] | None = None,
    group: str | None = None,
) -> str:
    reason = reason.strip()
    if not reason:
        raise InvalidInput("an escalation needs a reason")
    escalation = escalation_for(reason, note.strip(), rules or [], group)
    await helpdesk.escalate(ticket_id, escalation)
    line = f"Ticket {ticket_id} escalated – {reason}"
    if group:
        line += f" · group {group}"
    return confirmed(helpdesk, ticket_id, line, "Escalation of")
