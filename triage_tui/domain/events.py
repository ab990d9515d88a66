"""The event log's vocabulary: every name recorded, and what its payload carries.

The local store appends one row per event (name, time, ticket, actor, JSON
payload) on this machine only; ``triage events`` lists them and the session
report (``engine/report.py``) is computed from them. Writes made through the
local adapter record their own event in the same transaction as the change;
the console and the engine record the rest with ``record_event``.

Keep names here and nowhere else as literals, so the report and the writers
can never drift apart. Payload keys marked ``?`` may be absent.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from triage_tui.domain.queue import QueueRow
    from triage_tui.domain.safeguards.checks import Finding

# -- recorded by the local adapter's writes ------------------------------------
REPLY_SENT = "reply.sent"
"""{message_id, chars, sla_achieved, sla_due_at?: ISO time of the reply target answered}"""
NOTE_ADDED = "note.added"
"""{message_id}"""
STATUS_CHANGED = "ticket.status_changed"
"""{from, to}"""
ASSIGNED = "ticket.assigned"
"""{from, to, group_from?, group_to?}"""
TAGGED = "ticket.tagged"
"""{added: [..], removed: [..]}"""
ESCALATED = "ticket.escalated"
"""{reason, note, status: {from, to}, priority?: {from, to}, group?: {from, to}, tags_added?}"""
PRIORITY_CHANGED = "ticket.priority_changed"
"""{from, to}"""
CREATED = "ticket.created"
"""{requester_id, priority, channel}"""

# -- recorded by the console and the engine (``record_event``) -----------------
VIEWED = "ticket.viewed"
"""{source: "queue" | "sweep", sweep_id?, position?, sla_due_at?: ISO due time shown}
``sla_due_at`` lets the report see a breach on a ticket nobody answered in time."""
DRAFT_CREATED = "draft.created"
"""{template, article_id?, chars}: counted as ``draft.edited`` by the report (older logs)."""
DRAFT_EDITED = "draft.edited"
"""{source: "queue" | "sweep", chars}: the agent's first edit of a ticket's generated draft
in a session (a draft they prepared); the report's "Drafts prepared" counts these tickets."""
RULES_DISMISSED = "rules.dismissed"
"""{rules: [rule ids]}: the agent overrode the escalation rules firing on the ticket (``d``)."""
RULES_RESTORED = "rules.restored"
"""{rules: [rule ids]}: ``d`` again: the dismissed rules fire again."""
SKIPPED = "ticket.skipped"
"""{sweep_id?, reason?}: nothing was written to the helpdesk."""
VIEW_CHANGED = "view.changed"
"""{filter: canonical text, view?: name, count}"""
SWEEP_STARTED = "sweep.started"
"""{sweep_id, filter, count, breached, at_risk, vip, batch_size, handle_seconds}"""
SWEEP_COMPLETED = "sweep.completed"
"""{sweep_id, total, decided, seconds, decisions: {send: n, …}, median_handle_seconds?}"""
SLA_ALERTED = "sla.alerted"
"""{sweep_id?, kind: "at_risk" | "breached", due_at}: once per ticket and kind in a sweep."""
SAFEGUARD_RAISED = "safeguard.raised"
"""{rule, message, overridden?}"""
BULK_APPLIED = "bulk.applied"
"""{batch_id, action, count, tickets: [{id, before, after}], failed: [{id, error}]}"""
BULK_UNDONE = "bulk.undone"
"""{batch_id, count, left_alone: [{id, fields}], failed: [{id, error}]}"""
FOLLOW_UP = "plan.follow_up"
"""{task} or {tasks: [..]}: follow-up work gathered from handling plans."""
PROPOSAL_MADE = "proposal.made"
"""{entry_id, kinds: [..], proposer, findings: [kind]}: an AI agent (``triage mcp``) proposed
writes; actor: the proposing client. Nothing reaches the helpdesk until a human approves."""
PROPOSAL_APPROVED = "proposal.approved"
"""{entry_id, kinds: [..], proposer, approver, edited?}: a human let a proposal go out."""
PROPOSAL_REJECTED = "proposal.rejected"
"""{entry_id, kinds: [..], proposer, approver, reason}: returned to the proposing client."""

#: Every standard name, for ``triage events --help`` and the tests.
ALL = (
    VIEWED,
    DRAFT_CREATED,
    DRAFT_EDITED,
    RULES_DISMISSED,
    RULES_RESTORED,
    REPLY_SENT,
    ESCALATED,
    STATUS_CHANGED,
    SKIPPED,
    NOTE_ADDED,
    ASSIGNED,
    TAGGED,
    PRIORITY_CHANGED,
    CREATED,
    VIEW_CHANGED,
    SWEEP_STARTED,
    SWEEP_COMPLETED,
    SLA_ALERTED,
    SAFEGUARD_RAISED,
    BULK_APPLIED,
    BULK_UNDONE,
    FOLLOW_UP,
    PROPOSAL_MADE,
    PROPOSAL_APPROVED,
    PROPOSAL_REJECTED,
)

#: Events that settle a ticket in a sweep: the end of its handle time.
DECISIONS = frozenset({REPLY_SENT, ESCALATED, SKIPPED, ASSIGNED, STATUS_CHANGED})
#: Events that count a ticket as triaged in the report.
TRIAGE_ACTIONS = DECISIONS | {NOTE_ADDED, TAGGED, PRIORITY_CHANGED}


def viewed_payload(row: QueueRow, source: str = "queue", **extra: Any) -> dict[str, Any]:
    """The ``ticket.viewed`` payload for a row, with the due time the report needs
    to count a breach nobody answered (``record_event(VIEWED, row.id, viewed_payload(row))``)."""
    due = None if row.due == math.inf else datetime.fromtimestamp(row.due, UTC).isoformat()
    return {"source": source, "sla_due_at": due, **extra}


def override_payload(blocking: list[Finding]) -> dict[str, Any]:
    """The ``safeguard.raised`` payload when the agent sent past ``blocking`` findings
    (the main screen and a sweep write the same)."""
    return {
        "rule": ",".join(f.kind.value for f in blocking),
        "message": "; ".join(f.reason for f in blocking),
        "overridden": True,
    }
