"""Is the ticket still the one the agent wrote against? Did our write already land?

Two read-only judgements the deliverer makes from a fresh ``TicketDetail``:

* ``changes_since(base, latest, ours)`` — the collision check before a reply
  goes out. ``base`` is what the agent saw when the draft began (recorded by
  the draft store, else the last read of the ticket); a reply is held when
  someone *else* wrote on the ticket, changed its status or took it. Changes
  our own delivered entries made are not collisions, and neither is a bumped
  ``updated_at`` alone (triggers and SLA timers touch tickets all the time).
* ``already_applied(entry, latest, claimed)`` — after a crash or a connection
  cut while a write was in flight, whether its effect is on the ticket, so an
  entry is never sent twice. Replies and notes are found by their text among
  the messages the agent had not seen (and no other delivered entry already
  accounts for); field changes by the field's value.

Pure functions over domain models: unit-tested without any helpdesk.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from triage_tui.domain.enums import Role
from triage_tui.domain.models import Message, TicketDetail, UtcDatetime
from triage_tui.engine.overlay import PROVISIONAL_PREFIX


class Base(BaseModel):
    """The ticket as the agent saw it when a draft began."""

    # Built when a base is first recorded or read, not when this module is
    # imported (with the first ticket opened or the first delivery).
    model_config = ConfigDict(defer_build=True)

    updated_at: UtcDatetime | None = None
    version: str | None = None
    status: str | None = None
    assignee: str | None = None
    message_ids: list[str] = Field(default_factory=list)
    seen_at: UtcDatetime | None = None
    #: The console or verb run that read it: only that run's later writes are "ours".
    session: str | None = None

    @classmethod
    def of(cls, detail: TicketDetail) -> Base:
        ticket = detail.ticket
        return cls(
            updated_at=ticket.updated_at,
            version=ticket.version,
            status=ticket.status.value,
            assignee=ticket.assignee,
            message_ids=[m.id for m in detail.messages if not m.id.startswith(PROVISIONAL_PREFIX)],
        )


def _excerpt(text: str, limit: int = 80) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _who(message: Message) -> str:
    if message.role is Role.CUSTOMER:
        return f"{message.author or 'The customer'} (customer) wrote"
    what = "added an internal note" if message.is_note else "replied"
    return f"{message.author or 'Someone'} {what}"


def changes_since(base: Base, latest: TicketDetail, ours: list[dict[str, Any]]) -> list[str]:
    """What someone else changed since ``base``, one line each; empty means "safe to send".

    ``ours`` are the helpdesk's answers to our own delivered writes on this
    ticket (messages and tickets as JSON), so our earlier reply or status
    change is never mistaken for a colleague's.
    """
    our_ids = {str(r["id"]) for r in ours if "body" in r and "id" in r}
    our_statuses = {r.get("status") for r in ours if "requester" in r}
    our_assignees = {r.get("assignee") for r in ours if "requester" in r}
    seen = set(base.message_ids)
    lines: list[str] = []
    for message in latest.messages:
        if message.id in seen or message.id in our_ids or message.id.startswith(PROVISIONAL_PREFIX):
            continue
        lines.append(f"{_who(message)}: “{_excerpt(message.body)}”")
    ticket = latest.ticket
    status = ticket.status.value
    if base.status is not None and status != base.status and status not in our_statuses:
        lines.append(f"Status changed from {base.status} to {status}")
    if ticket.assignee != base.assignee and ticket.assignee not in our_assignees:
        if ticket.assignee:
            lines.append(
                f"Taken by {ticket.assignee}" + (f" (was {base.assignee})" if base.assignee else "")
            )
        else:
            lines.append(f"Unassigned (was {base.assignee})")
    return lines


def sessions_of(base: Base | None, session: str | None) -> set[str] | None:
    """Whose delivered writes are "ours" for a reply: the run that took its base and
    the run that recorded it (one run, or a console restarted with a saved draft).
    None for an entry recorded before sessions existed: every delivered write then."""
    found = {s for s in (base.session if base else None, session) if s}
    return found or None


def changed_by_others(
    base: Base, results: list[tuple[dict[str, Any], datetime | None]]
) -> list[str]:
    """What other runs' delivered writes (their helpdesk answers, when delivered) changed
    since ``base``.

    Known from the shared outbox alone, before any read: a reply recorded now
    will be held by the collision check, so the console must not call it sent.
    A message counts when the base does not have it; a field change only when
    delivered after the base was read (the base already shows older ones).
    """
    seen = set(base.message_ids)
    lines: list[str] = []
    for result, delivered_at in results:
        if "body" in result and "id" in result:
            if str(result["id"]) not in seen:
                message = Message.model_validate(result)
                lines.append(f"{_who(message)}: “{_excerpt(message.body)}”")
            continue
        later = base.seen_at is None or (delivered_at is not None and delivered_at >= base.seen_at)
        if "requester" not in result or not later:
            continue
        status = result.get("status")
        if base.status is not None and status is not None and status != base.status:
            lines.append(f"Status changed from {base.status} to {status}")
        if "assignee" in result and result["assignee"] != base.assignee:
            who = result["assignee"]
            lines.append(f"Taken by {who}" if who else f"Unassigned (was {base.assignee})")
    return list(dict.fromkeys(lines))


def _same_text(a: str, b: str) -> bool:
    # Helpdesks trim, re-wrap or convert line endings; the words stay.
    return " ".join(a.split()) == " ".join(b.split())


def _contains_text(haystack: str, needle: str) -> bool:
    return " ".join(needle.split()) in " ".join(haystack.split())


def already_applied(
    kind: str,
    payload: dict[str, Any],
    base: Base | None,
    latest: TicketDetail,
    claimed: set[str],
) -> dict[str, Any] | None:
    """The evidence that this write is on the ticket (a message or the ticket), else None.

    ``claimed`` are message ids other delivered entries already account for, so
    two identical replies queued on purpose are each found once.
    """
    seen = set(base.message_ids) if base else set()
    if kind in ("reply", "note", "escalate"):
        public = kind == "reply"
        for message in latest.messages:
            if message.id in seen or message.id in claimed or message.public != public:
                continue
            if kind == "escalate":
                # Adapters wrap the note ("Escalated: <reason>\n\n<note>"); it stays inside.
                wanted = payload.get("note", "").strip() or payload.get("reason", "")
                if (
                    wanted
                    and _contains_text(message.body, wanted)
                    and message.role is not Role.CUSTOMER
                ):
                    return message.model_dump(mode="json")
            elif (
                _same_text(message.body, payload.get("body", ""))
                and message.role is not Role.CUSTOMER
            ):
                return message.model_dump(mode="json")
        return None
    ticket = latest.ticket
    found = ticket.model_dump(mode="json")
    if kind == "status":
        return found if ticket.status.value == payload["status"] else None
    if kind == "priority":
        return found if ticket.priority.value == payload["priority"] else None
    if kind == "assign":
        same_group = payload.get("group") is None or ticket.group == payload["group"]
        return found if ticket.assignee == payload.get("assignee") and same_group else None
    if kind == "tag":
        tags = set(ticket.tags)
        done = set(payload.get("add", [])) <= tags and not (set(payload.get("remove", [])) & tags)
        return found if done else None
    return None
