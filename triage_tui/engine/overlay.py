"""Reads as they will be once the queued writes are delivered.

While an action waits in its undo window or for the helpdesk to come back,
the console must not show the ticket as if nothing happened: a reply sent
with "solved" leaves the queue, a queued reply shows in the conversation
(labelled "You (queued)"), a priority change re-sorts. Undo removes the entry,
and the next read shows the ticket as it really is again. Pure functions.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING

from triage_tui.domain.enums import Priority, Role, SlaStage, Status
from triage_tui.domain.queue import QueueRow
from triage_tui.engine.outbox_model import Entry

if TYPE_CHECKING:
    from triage_tui.domain.models import Ticket, TicketDetail

#: Ids of the provisional messages shown for queued writes.
PROVISIONAL_PREFIX = "outbox:"


def overlay_ticket(ticket: Ticket, entries: Iterable[Entry]) -> Ticket:
    """``ticket`` with the field changes of ``entries`` (oldest first) applied, its SLA
    clocks as the helpdesk will leave them (``_stop_clocks``)."""
    entries = [
        e for e in entries if e.kind in ("reply", "status", "priority", "assign", "tag", "escalate")
    ]
    if not entries:
        return ticket
    shown = ticket.model_copy(deep=True)
    for entry in entries:
        p = entry.payload
        if entry.kind == "reply":
            _stop_clocks(shown, REPLY_METRICS)
        elif entry.kind == "status":
            shown.status = Status(p["status"])
            if not shown.status.is_active:
                _stop_clocks(shown, None)
        elif entry.kind == "priority":
            shown.priority = Priority(p["priority"])
        elif entry.kind == "assign":
            shown.assignee = p.get("assignee")
            if p.get("group"):
                shown.group = p["group"]
        elif entry.kind in ("tag", "escalate"):
            add = p.get("add", []) if entry.kind == "tag" else p.get("tags", [])
            remove = set(p.get("remove", [])) if entry.kind == "tag" else set()
            shown.tags = [t for t in shown.tags if t not in remove] + [
                t for t in add if t not in shown.tags
            ]
            if entry.kind == "escalate":
                if p.get("priority"):
                    shown.priority = Priority(p["priority"])
                if p.get("group"):
                    shown.group = p["group"]
    return shown


#: The SLA metrics a public reply achieves.
REPLY_METRICS = frozenset({"first_reply_time", "next_reply_time"})


def _stop_clocks(ticket: Ticket, metrics: frozenset[str] | None) -> None:
    """The active targets of ``metrics`` (all when None) achieved, as the helpdesk does
    on delivery: a queued reply answers the reply target, solving stops every clock.
    Without this the queue showed a just-answered ticket as breached until reloaded."""
    ticket.sla = [
        t.model_copy(update={"stage": SlaStage.ACHIEVED})
        if t.stage is SlaStage.ACTIVE and (metrics is None or t.metric in metrics)
        else t
        for t in ticket.sla
    ]


def overlay_detail(detail: TicketDetail, entries: list[Entry], now: datetime) -> TicketDetail:
    from triage_tui.domain.models import Message, TicketDetail

    """The ticket overlaid, plus queued replies and notes at the end of the conversation."""
    if not entries:
        return detail
    messages = list(detail.messages)
    for entry in entries:
        if entry.kind not in ("reply", "note", "escalate"):
            continue
        body = (
            entry.payload.get("body")
            or entry.payload.get("note")
            or entry.payload.get("reason", "")
        )
        messages.append(
            Message(
                id=PROVISIONAL_PREFIX + entry.id,
                ticket_id=detail.ticket.id,
                author=f"You ({entry.state})",
                role=Role.AGENT,
                public=entry.kind == "reply",
                body=body,
                created_at=entry.created_at or now,
            )
        )
    return TicketDetail(ticket=overlay_ticket(detail.ticket, entries), messages=messages)


def overlay_row(row: QueueRow, entries: Iterable[Entry]) -> QueueRow:
    """The queue row with the same changes (a new row: rows are never mutated)."""
    changes: dict[str, object] = {}
    tags = list(row.tags)
    for entry in entries:
        p = entry.payload
        if entry.kind == "status":
            status = changes["status"] = Status(p["status"])
            if not status.is_active:  # solving stops every clock
                changes["due"] = math.inf
        elif entry.kind == "priority" or (entry.kind == "escalate" and p.get("priority")):
            changes["priority"] = Priority(p["priority"])
        elif entry.kind == "assign":
            changes["assignee"] = p.get("assignee") or ""
        if entry.kind in ("tag", "escalate"):
            add = p.get("add", []) if entry.kind == "tag" else p.get("tags", [])
            remove = set(p.get("remove", [])) if entry.kind == "tag" else set()
            tags = [t for t in tags if t not in remove] + [t for t in add if t not in tags]
            changes["tags"] = tuple(tags)
    if not changes:
        return row
    fields = {"_hay": None} if any(f.name == "_hay" for f in dataclasses.fields(row)) else {}
    return dataclasses.replace(row, **changes, **fields)  # type: ignore[arg-type]
