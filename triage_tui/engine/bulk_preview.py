"""Bulk actions, the pure half: what a batch will change, before anything is written.

(``engine/bulk.py`` applies and undoes; what is defined here is imported from here.)

``preview`` is pure: from the marked rows and a ``BulkAction`` it lists, per
ticket, the fields that will change (before → after), what cannot be undone
(replies, notes) and warnings (closing a VIP ticket); ``warnings`` adds the
batch-level ones (more than 50 tickets). Nothing is written until ``apply``,
which first checks the helpdesk can do all of it, then records each ticket's
state *as read just before writing* — the undo restores that, not the possibly
stale preview. ``undo`` reverts a whole batch, but only fields still as the
batch left them: a colleague's later change is left alone and reported.

``bulk.applied`` carries every before/after, so a batch can be undone from the
event log too (``BulkResult.from_payload``).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from triage_tui.domain.enums import Priority, Status
from triage_tui.domain.models import Escalation, Ticket
from triage_tui.domain.queue import QueueRow

MANY = 50
"""More tickets than this in one batch earns a warning."""
FIELDS = ("status", "priority", "assignee", "group", "tags")


@dataclass(frozen=True)
class TicketState:
    """The fields a bulk action may change (and its undo restores)."""

    status: Status
    priority: Priority
    assignee: str | None
    group: str | None
    tags: tuple[str, ...]

    @classmethod
    def of_ticket(cls, t: Ticket) -> TicketState:
        return cls(t.status, t.priority, t.assignee or None, t.group, tuple(t.tags))

    @classmethod
    def of_row(cls, r: QueueRow) -> TicketState:
        return cls(r.status, r.priority, r.assignee or None, None, r.tags)

    def to_json(self) -> dict[str, Any]:
        return {
            "status": self.status.value,
            "priority": self.priority.value,
            "assignee": self.assignee,
            "group": self.group,
            "tags": list(self.tags),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> TicketState:
        return cls(
            Status(data["status"]),
            Priority(data["priority"]),
            data.get("assignee"),
            data.get("group"),
            tuple(data.get("tags") or ()),
        )


@dataclass(frozen=True)
class BulkAction:
    """What to do to every marked ticket. Build with the class methods."""

    label: str
    set_assignee: bool = False
    assignee: str | None = None
    group: str | None = None
    add_tags: tuple[str, ...] = ()
    remove_tags: tuple[str, ...] = ()
    status: Status | None = None
    priority: Priority | None = None
    escalation: Escalation | None = None
    reply: str | None = None
    """The same reply to each (the one answer for similar tickets)."""
    replies: Mapping[str, str] = field(default_factory=dict)
    """A reply per ticket id (a macro rendered for each requester)."""
    note: str | None = None

    @classmethod
    def assign(cls, assignee: str | None, group: str | None = None) -> BulkAction:
        who = (assignee or "").strip() or None
        return cls(
            f"assign to {who}" if who else "unassign", set_assignee=True, assignee=who, group=group
        )

    @classmethod
    def tag(cls, add: Sequence[str] = (), remove: Sequence[str] = ()) -> BulkAction:
        label = " ".join([f"+{t}" for t in add] + [f"-{t}" for t in remove])
        return cls(f"tag {label}", add_tags=tuple(add), remove_tags=tuple(remove))

    @classmethod
    def set_status(cls, status: Status) -> BulkAction:
        return cls(f"status {status.value}", status=status)

    @classmethod
    def set_priority(cls, priority: Priority) -> BulkAction:
        return cls(f"priority {priority.value}", priority=priority)

    @classmethod
    def escalate(cls, escalation: Escalation) -> BulkAction:
        return cls(f"escalate: {escalation.reason}", escalation=escalation)

    @classmethod
    def macro(
        cls,
        name: str,
        *,
        tags: Sequence[str] = (),
        status: Status | None = None,
        priority: Priority | None = None,
        replies: Mapping[str, str] | None = None,
        reply: str | None = None,
        note: str | None = None,
    ) -> BulkAction:
        """A macro's bookkeeping plus its reply (rendered per ticket, or one for all)."""
        return cls(
            f"macro {name}",
            add_tags=tuple(tags),
            status=status,
            priority=priority,
            replies=dict(replies or {}),
            reply=reply,
            note=note,
        )

    def reply_for(self, ticket_id: str) -> str | None:
        return self.replies.get(ticket_id, self.reply)

    def outcome(self, before: TicketState) -> TicketState:
        """The state ``before`` becomes (escalating reopens, like the adapters do)."""
        after = before
        if self.escalation is not None:
            esc = self.escalation
            after = replace(
                after,
                status=Status.OPEN,
                priority=esc.priority or after.priority,
                group=esc.group or after.group,
                tags=_merge(after.tags, esc.tags, ()),
            )
        if self.set_assignee:
            after = replace(
                after,
                assignee=self.assignee,
                group=self.group if self.group is not None else after.group,
            )
        if self.add_tags or self.remove_tags:
            after = replace(after, tags=_merge(after.tags, self.add_tags, self.remove_tags))
        if self.priority is not None:
            after = replace(after, priority=self.priority)
        if self.status is not None:
            after = replace(after, status=self.status)
        return after


def _merge(tags: tuple[str, ...], add: Sequence[str], remove: Sequence[str]) -> tuple[str, ...]:
    gone = set(remove)
    kept = [t for t in tags if t not in gone]
    return tuple(kept + [t for t in dict.fromkeys(add) if t not in kept and t not in gone])


@dataclass(frozen=True)
class PlannedChange:
    ticket_id: str
    subject: str
    vip: bool
    organization: str
    before: TicketState
    after: TicketState
    reply: str | None = None
    note: str | None = None
    escalation: Escalation | None = None
    warnings: tuple[str, ...] = ()

    @property
    def changed_fields(self) -> tuple[str, ...]:
        return tuple(f for f in FIELDS if getattr(self.before, f) != getattr(self.after, f))

    @property
    def noop(self) -> bool:
        return not (self.changed_fields or self.reply or self.note or self.escalation)

    def describe(self) -> str:
        """``1042 status open → solved · tags +refund · reply (cannot be undone)``."""
        parts = []
        for name in self.changed_fields:
            old, new = getattr(self.before, name), getattr(self.after, name)
            if name == "tags":
                plus = [f"+{t}" for t in new if t not in old]
                minus = [f"-{t}" for t in old if t not in new]
                parts.append("tags " + " ".join(plus + minus))
            else:
                parts.append(f"{name} {_text(old)} → {_text(new)}")
        if self.escalation:
            parts.append(f"escalate ({self.escalation.reason})")
        if self.reply:
            parts.append("reply (cannot be undone)")
        if self.note:
            parts.append("internal note (stays after undo)")
        return f"{self.ticket_id} " + (" · ".join(parts) or "unchanged")


def _text(value: object) -> str:
    if value is None:
        return "(none)"
    return value.value if isinstance(value, (Status, Priority)) else str(value)


def preview(rows: Sequence[QueueRow], action: BulkAction) -> list[PlannedChange]:
    """Every change ``apply`` would make, in the rows' order; nothing is written."""
    changes = []
    for row in rows:
        before = TicketState.of_row(row)
        after = action.outcome(before)
        warn = []
        if row.vip and after.status in (Status.SOLVED, Status.CLOSED) and before.status.is_active:
            warn.append(f"closes a VIP ticket ({row.organization or 'VIP'})")
        reply = action.reply_for(row.id)
        changes.append(
            PlannedChange(
                row.id,
                row.subject,
                row.vip,
                row.organization,
                before,
                after,
                reply,
                action.note,
                action.escalation,
                tuple(warn),
            )
        )
    return changes


def unknown_names(
    action: BulkAction,
    agents: Collection[str] | None = None,
    groups: Collection[str] | None = None,
) -> list[str]:
    """Warnings for an assignee or a group the helpdesk does not list (None: it lists
    none, nothing to check against)."""
    out = []
    who = action.assignee if action.set_assignee else None
    if who and agents is not None and who not in agents:
        out.append(f"assigns to {who!r}, who is not one of the helpdesk's agents")
    group = action.group or (action.escalation.group if action.escalation else None)
    if group and groups is not None and group not in groups:
        out.append(f"moves tickets to {group!r}, which is not one of the helpdesk's groups")
    return out


def warnings(changes: Sequence[PlannedChange], unknown: Sequence[str] = ()) -> list[str]:
    """The batch's warnings, most serious first, for the confirmation; ``unknown`` are
    ``unknown_names``' (they come first)."""
    out = list(unknown)
    active = [c for c in changes if not c.noop]
    if len(active) > MANY:
        out.append(f"{len(active)} tickets: more than {MANY} at once — check the selection")
    vip = sum(1 for c in active if any(w.startswith("closes a VIP") for w in c.warnings))
    if vip:
        out.append(f"closes {vip} VIP ticket(s)")
    replies = sum(1 for c in active if c.reply)
    if replies:
        out.append(f"sends {replies} replies: replies cannot be undone")
    notes = sum(1 for c in active if c.note or c.escalation)
    if notes:
        out.append(f"adds {notes} internal note(s) that stay after an undo")
    unchanged = len(changes) - len(active)
    if unchanged:
        out.append(f"{unchanged} ticket(s) already as asked: left unchanged")
    return out


def confirmation(
    action: BulkAction, changes: Sequence[PlannedChange], unknown: Sequence[str] = ()
) -> str:
    """``Apply "status solved" to 12 tickets? (2 warnings)``."""
    count = sum(1 for c in changes if not c.noop)
    n = len(warnings(changes, unknown))
    tail = f" ({n} warning{'s' if n != 1 else ''})" if n else ""
    return f'Apply "{action.label}" to {count} ticket{"s" if count != 1 else ""}?{tail}'
