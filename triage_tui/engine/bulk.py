"""Bulk actions on marked tickets: preview every change, apply, undo the batch as one.

The pure half (``BulkAction``, ``preview``, ``warnings``, ``confirmation``)
lives in ``bulk_preview`` and is imported from there. This half writes:

* ``apply`` refuses before the first write what the helpdesk cannot do, then
  per ticket reads its current state (what the undo will restore), writes the
  reply first, the note, the escalation, assignee, tags, priority, and the
  status last — so a ticket whose reply failed is never set pending — and
  records ``bulk.applied`` with every before/after. A ticket that fails is
  reported and the batch goes on; what was written stays undoable.
* ``undo`` walks the batch backwards and restores each field *only if it is
  still as the batch left it*; anything changed since is left alone and
  named. Replies and notes cannot be taken back and are listed as such.
  Records ``bulk.undone``.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from triage_tui.adapters.base import Helpdesk
from triage_tui.domain import events
from triage_tui.domain.errors import TriageError, Unsupported
from triage_tui.engine.bulk_preview import (
    PlannedChange,
    TicketState,
)
from triage_tui.engine.recording import record

__all__ = [
    "Applied",
    "BulkResult",
    "UndoResult",
    "apply",
    "undo",
]


@dataclass(frozen=True)
class Applied:
    ticket_id: str
    before: TicketState
    after: TicketState
    replied: bool = False
    noted: bool = False


@dataclass(frozen=True)
class BulkResult:
    batch_id: str
    action: str
    applied: tuple[Applied, ...]
    failed: tuple[tuple[str, str], ...] = ()
    unchanged: tuple[str, ...] = ()

    def to_payload(self) -> dict[str, Any]:
        return {
            "batch_id": self.batch_id,
            "action": self.action,
            "count": len(self.applied),
            "tickets": [
                {
                    "id": a.ticket_id,
                    "before": a.before.to_json(),
                    "after": a.after.to_json(),
                    "replied": a.replied,
                    "noted": a.noted,
                }
                for a in self.applied
            ],
            "failed": [{"id": i, "error": e} for i, e in self.failed],
            "unchanged": list(self.unchanged),
        }

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> BulkResult:
        """Rebuild from a ``bulk.applied`` event, e.g. to undo after a restart."""
        applied = tuple(
            Applied(
                t["id"],
                TicketState.from_json(t["before"]),
                TicketState.from_json(t["after"]),
                bool(t.get("replied")),
                bool(t.get("noted")),
            )
            for t in payload.get("tickets", ())
        )
        failed = tuple((f["id"], f["error"]) for f in payload.get("failed", ()))
        return cls(
            payload["batch_id"],
            payload.get("action", ""),
            applied,
            failed,
            tuple(payload.get("unchanged", ())),
        )


@dataclass(frozen=True)
class UndoResult:
    batch_id: str
    restored: tuple[str, ...]
    left_alone: tuple[tuple[str, tuple[str, ...]], ...]
    """(ticket id, fields changed by someone since the batch) — not overwritten."""
    failed: tuple[tuple[str, str], ...]
    irreversible: tuple[str, ...]
    """What the undo could not take back: "1042: reply sent", "1042: internal note"."""


def _check(helpdesk: Helpdesk, changes: Sequence[PlannedChange]) -> None:
    caps, name = helpdesk.capabilities, helpdesk.display_name
    needs = {
        "tags": any("tags" in c.changed_fields and not c.escalation for c in changes),
        "assignment": any("assignee" in c.changed_fields for c in changes),
        "groups": any("group" in c.changed_fields and not c.escalation for c in changes),
        "priority": any("priority" in c.changed_fields and not c.escalation for c in changes),
        "internal_notes": any(c.note for c in changes),
    }
    missing = [
        k.replace("_", " ") for k, needed in needs.items() if needed and not getattr(caps, k)
    ]
    if missing:
        raise Unsupported(
            f"{name} cannot apply this batch: no {', '.join(missing)}; nothing was written"
        )


async def apply(
    helpdesk: Helpdesk,
    changes: Sequence[PlannedChange],
    *,
    action: str = "",
    batch_id: str | None = None,
) -> BulkResult:
    """Write the previewed changes; unchanged ones are skipped. See the module doc."""
    todo = [c for c in changes if not c.noop]
    _check(helpdesk, todo)
    batch_id = batch_id or "b-" + uuid.uuid4().hex[:10]
    applied: list[Applied] = []
    failed: list[tuple[str, str]] = []
    for change in todo:
        before: TicketState | None = None
        replied = noted = False
        try:
            current = (await helpdesk.get_ticket(change.ticket_id)).ticket
            before = TicketState.of_ticket(current)
            replied, noted = await _write(helpdesk, change, before)
        except TriageError as exc:
            failed.append((change.ticket_id, str(exc)))
        if before is None:
            continue
        try:
            after = TicketState.of_ticket((await helpdesk.get_ticket(change.ticket_id)).ticket)
        except TriageError:
            after = change.after
        if after != before or replied or noted:
            applied.append(Applied(change.ticket_id, before, after, replied, noted))
    result = BulkResult(
        batch_id,
        action,
        tuple(applied),
        tuple(failed),
        tuple(c.ticket_id for c in changes if c.noop),
    )
    await record(helpdesk, events.BULK_APPLIED, None, result.to_payload())
    return result


async def _write(
    helpdesk: Helpdesk, change: PlannedChange, before: TicketState
) -> tuple[bool, bool]:
    """Reply, note, escalation, assignee, tags, priority, status — computed from ``before``."""
    tid, want = change.ticket_id, change.after
    replied = noted = False
    if change.reply:
        await helpdesk.reply(tid, change.reply)
        replied = True
    if change.note:
        await helpdesk.add_note(tid, change.note)
        noted = True
    state = before
    if change.escalation is not None:
        state = TicketState.of_ticket(await helpdesk.escalate(tid, change.escalation))
        noted = True
    intended = set(change.changed_fields)  # what the batch sets, from the preview
    if intended & {"assignee", "group"} and (state.assignee, state.group) != (
        want.assignee,
        want.group,
    ):
        who = want.assignee if "assignee" in intended else state.assignee
        group = want.group if "group" in intended and state.group != want.group else None
        await helpdesk.assign(tid, who, group)
    added = [t for t in want.tags if t not in change.before.tags]
    removed = [t for t in change.before.tags if t not in want.tags]
    add = [t for t in added if t not in state.tags]
    remove = [t for t in removed if t in state.tags]
    if add or remove:
        await helpdesk.tag(tid, add=add, remove=remove)
    if want.priority != change.before.priority and state.priority != want.priority:
        await helpdesk.set_priority(tid, want.priority)
    if want.status != change.before.status and state.status != want.status:
        await helpdesk.set_status(tid, want.status)
    return replied, noted


async def undo(helpdesk: Helpdesk, result: BulkResult) -> UndoResult:
    """Restore every field the batch changed and nobody changed since; see the module doc."""
    restored: list[str] = []
    left: list[tuple[str, tuple[str, ...]]] = []
    failed: list[tuple[str, str]] = []
    irreversible: list[str] = []
    for item in reversed(result.applied):
        if item.replied:
            irreversible.append(f"{item.ticket_id}: reply sent")
        if item.noted:
            irreversible.append(f"{item.ticket_id}: internal note")
        try:
            now = TicketState.of_ticket((await helpdesk.get_ticket(item.ticket_id)).ticket)
            moved = await _restore(helpdesk, item, now)
        except TriageError as exc:
            failed.append((item.ticket_id, str(exc)))
            continue
        if moved:
            left.append((item.ticket_id, moved))
        restored.append(item.ticket_id)
    outcome = UndoResult(
        result.batch_id, tuple(restored), tuple(left), tuple(failed), tuple(irreversible)
    )
    await record(
        helpdesk,
        events.BULK_UNDONE,
        None,
        {
            "batch_id": result.batch_id,
            "count": len(restored),
            "left_alone": [{"id": i, "fields": list(f)} for i, f in left],
            "failed": [{"id": i, "error": e} for i, e in failed],
        },
    )
    return outcome


async def _restore(helpdesk: Helpdesk, item: Applied, now: TicketState) -> tuple[str, ...]:
    """Revert one ticket; returns the fields left alone because they changed since."""
    tid, before, after = item.ticket_id, item.before, item.after
    moved: list[str] = []
    added = [t for t in after.tags if t not in before.tags]
    dropped = [t for t in before.tags if t not in after.tags]
    take_back = [t for t in added if t in now.tags]
    put_back = [t for t in dropped if t not in now.tags]
    if len(take_back) < len(added) or len(put_back) < len(dropped):
        moved.append("tags")
    if take_back or put_back:
        await helpdesk.tag(tid, add=put_back, remove=take_back)
    if (before.assignee, before.group) != (after.assignee, after.group):
        if (now.assignee, now.group) == (after.assignee, after.group):
            # None leaves the group as is; "" clears it.
            group = (before.group or "") if before.group != after.group else None
            await helpdesk.assign(tid, before.assignee, group)
        else:
            moved.append("assignee")
    for name, setter in (("priority", helpdesk.set_priority), ("status", helpdesk.set_status)):
        old, new, current = getattr(before, name), getattr(after, name), getattr(now, name)
        if old == new:
            continue
        if current == new:
            await setter(tid, old)
        else:
            moved.append(name)
    return tuple(moved)
