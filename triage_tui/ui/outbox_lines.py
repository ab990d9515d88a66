"""One line for an outbox batch, shared by the undo banner and the undo notice."""

from __future__ import annotations

from triage_tui.domain.text import count
from triage_tui.engine import outbox_model as om


def describe(entries: list[om.Entry]) -> str:
    """One line for a batch: "Reply + status pending on #1042", "6 changes on 3 tickets"."""
    tickets = {e.ticket_id for e in entries}
    if len(tickets) > 1:
        return f"{count(len(entries), 'change')} on {count(len(tickets), 'ticket')}"
    words = {
        "reply": "Reply",
        "note": "Note",
        "assign": "assignment",
        "tag": "tags",
        "escalate": "Escalation",
    }
    parts = []
    for entry in entries:
        value = entry.payload.get(entry.kind) if entry.kind in ("status", "priority") else None
        parts.append(f"{entry.kind} {value}" if value else words.get(entry.kind, entry.kind))
    text = " + ".join(parts)
    return f"{text[:1].upper()}{text[1:]} on #{entries[0].ticket_id}"
