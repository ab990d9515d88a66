"""Applying a macro through a helpdesk: the reply, then its bookkeeping.

The console renders the macro into the draft editor (``Macro.render``), the
agent edits it, and on Send this applies the edited reply plus the macro's
note, tags, priority and status, in that order: the reply goes first because
it is what the customer is waiting for, and the status goes last so a
"pending" is never set on a ticket whose reply failed.

A helpdesk that cannot do part of it (no tags, no internal notes, no direct
priority) still gets the reply and the rest; what was skipped is named in the
confirmation line, so nothing is silently dropped. Everything is checked
before the first write.
"""

from __future__ import annotations

from dataclasses import dataclass

from triage_tui.adapters.base import Helpdesk
from triage_tui.domain.errors import InvalidInput
from triage_tui.domain.models import Ticket
from triage_tui.domain.replies.macros import Macro
from triage_tui.engine.actions import responded_line


@dataclass(frozen=True)
class MacroWrites:
    """What applying ``macro`` to ``ticket`` will write, decided before any write."""

    add_tags: tuple[str, ...]
    note: str
    set_priority: bool
    set_status: bool
    skipped: tuple[str, ...]
    """Parts this helpdesk cannot apply, e.g. "tags (not supported by Zendesk)"."""


def macro_writes(helpdesk: Helpdesk, ticket: Ticket, macro: Macro, note: str = "") -> MacroWrites:
    """The writes ``apply_macro`` will make (for a confirmation prompt)."""
    caps = helpdesk.capabilities
    skipped: list[str] = []
    why = f"not supported by {helpdesk.display_name}"
    present = {t.lower() for t in ticket.tags}
    tags = tuple(t for t in macro.tags if t.lower() not in present)
    if tags and not caps.tags:
        skipped.append(f"tags ({why})")
        tags = ()
    note = note.strip()
    if note and not caps.internal_notes:
        skipped.append(f"note ({why})")
        note = ""
    set_priority = macro.priority is not None and macro.priority is not ticket.priority
    if set_priority and not caps.priority:
        skipped.append(f"priority ({why})")
        set_priority = False
    set_status = macro.status is not None and macro.status is not ticket.status
    return MacroWrites(tags, note, set_priority, set_status, tuple(skipped))


async def apply_macro(
    helpdesk: Helpdesk, ticket: Ticket, macro: Macro, body: str, *, note: str = ""
) -> str:
    """Reply with ``body``, then the macro's note, tags, priority and status.

    ``note`` is the rendered internal note (``Macro.render_note``), possibly
    edited; "" records none. Returns the confirmation line, e.g.
    "Responded to 1042 for Dana Reyes · Refund issued: tag +refund, status pending".
    """
    if not body.strip():
        raise InvalidInput("the reply is empty; write something before sending")
    writes = macro_writes(helpdesk, ticket, macro, note)
    await helpdesk.reply(ticket.id, body)
    done: list[str] = []
    if writes.note:
        await helpdesk.add_note(ticket.id, writes.note)
        done.append("note")
    if writes.add_tags:
        await helpdesk.tag(ticket.id, add=list(writes.add_tags), remove=[])
        done.extend(f"tag +{t}" for t in writes.add_tags)
    if writes.set_priority and macro.priority is not None:
        await helpdesk.set_priority(ticket.id, macro.priority)
        done.append(f"priority {macro.priority.value}")
    if writes.set_status and macro.status is not None:
        await helpdesk.set_status(ticket.id, macro.status)
        done.append(f"status {macro.status.value}")
    line = f"{responded_line(ticket)} \u00b7 {macro.title}"
    if done:
        line += ": " + ", ".join(done)
    if writes.skipped:
        line += " (skipped: " + "; ".join(writes.skipped) + ")"
    return line
