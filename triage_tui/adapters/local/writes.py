"""Write operations on the helpdesk file; each runs inside one transaction.

Every write appends one row to ``events`` in the same transaction as the
change itself, so the event log can never disagree with the tickets (the
session report and ``triage events`` read it), and one row per kind of change
to ``changes``, the change feed's sequence (``Helpdesk.changes_since``): a
console in another process sees the write once it commits. Every write also
bumps the ticket's ``updated_at`` from the injected clock.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timedelta
from typing import Any

from triage_tui.adapters.local import queries
from triage_tui.adapters.local.store import to_db
from triage_tui.domain.changes import ChangeKind
from triage_tui.domain.enums import Priority, Role, Status
from triage_tui.domain.errors import InvalidInput, NotFound
from triage_tui.domain.models import Escalation, Message, NewTicket, Ticket

#: First-reply SLA of a ticket created through ``create_ticket``, by priority.
FIRST_REPLY_TARGETS = {
    Priority.URGENT: timedelta(hours=1),
    Priority.HIGH: timedelta(hours=4),
    Priority.NORMAL: timedelta(hours=8),
    Priority.LOW: timedelta(hours=24),
}
EXCERPT_CHARS = 200


def insert_event(
    conn: sqlite3.Connection,
    name: str,
    at: datetime,
    ticket_id: str | None,
    actor: str,
    payload: dict[str, Any] | None = None,
) -> int:
    cursor = conn.execute(
        "INSERT INTO events(name, at, ticket_id, actor, payload) VALUES (?, ?, ?, ?, ?)",
        (name, to_db(at), ticket_id, actor, json.dumps(payload or {}, ensure_ascii=False)),
    )
    return int(cursor.lastrowid or 0)


def record_change(
    conn: sqlite3.Connection, ticket_id: str, kind: ChangeKind, at: datetime, actor: str
) -> None:
    """One row of the change feed, in the caller's transaction."""
    conn.execute(
        "INSERT INTO changes(ticket_id, kind, at, actor) VALUES (?, ?, ?, ?)",
        (ticket_id, kind.value, to_db(at), actor),
    )


def _status_kind(status: Status) -> ChangeKind:
    # Solved or closed: the ticket leaves the queue, which is what a reader acts on.
    return ChangeKind.STATUS_CHANGED if status.is_active else ChangeKind.SOLVED


def _ticket_row(conn: sqlite3.Connection, ticket_id: str) -> tuple[Any, ...]:
    """(status, priority, assignee, grp, tags) of a ticket; ``NotFound`` if there is none."""
    row: tuple[Any, ...] | None = conn.execute(
        "SELECT status, priority, assignee, grp, tags FROM tickets WHERE id = ?", (ticket_id,)
    ).fetchone()
    if row is None:
        raise NotFound(f"ticket {ticket_id} not found")
    return row


def _next_id(conn: sqlite3.Connection, table: str, floor: int = 0) -> str:
    """The next short numeric id for ``table`` (ids stay opaque TEXT elsewhere)."""
    (highest,) = conn.execute(
        f"SELECT COALESCE(MAX(CAST(id AS INTEGER)), 0) FROM {table}"  # fixed table names
    ).fetchone()
    candidate = max(int(highest), floor) + 1
    while conn.execute(f"SELECT 1 FROM {table} WHERE id = ?", (str(candidate),)).fetchone():
        candidate += 1
    return str(candidate)


def _next_message_id(conn: sqlite3.Connection) -> str:
    # MAX(rowid) is O(1); the loop only matters if someone imported odd ids.
    (highest,) = conn.execute("SELECT COALESCE(MAX(rowid), 0) FROM messages").fetchone()
    candidate = int(highest) + 1
    while conn.execute("SELECT 1 FROM messages WHERE id = ?", (str(candidate),)).fetchone():
        candidate += 1
    return str(candidate)


def insert_message(
    conn: sqlite3.Connection,
    ticket_id: str,
    *,
    author: str,
    author_email: str,
    role: Role,
    public: bool,
    body: str,
    at: datetime,
) -> Message:
    message_id = _next_message_id(conn)
    conn.execute(
        "INSERT INTO messages(id, ticket_id, author, author_email, role, public, body, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (message_id, ticket_id, author, author_email, role.value, int(public), body, to_db(at)),
    )
    return Message(
        id=message_id,
        ticket_id=ticket_id,
        author=author,
        author_email=author_email,
        role=role,
        public=public,
        body=body,
        created_at=at,
    )


def _touch(conn: sqlite3.Connection, ticket_id: str, at: datetime, **columns: Any) -> None:
    sets = ["updated_at = ?"]
    values: list[Any] = [to_db(at)]
    for column, value in columns.items():
        sets.append(f"{column} = ?")
        values.append(value)
    values.append(ticket_id)
    conn.execute(f"UPDATE tickets SET {', '.join(sets)} WHERE id = ?", values)


def _require_text(body: str, what: str) -> None:
    if not body or not body.strip():
        raise InvalidInput(f"{what} is empty")


def reply(conn: sqlite3.Connection, ticket_id: str, body: str, agent: str, at: datetime) -> Message:
    """A public agent message; the active first-reply target is thereby achieved."""
    _require_text(body, "reply body")
    _ticket_row(conn, ticket_id)
    message = insert_message(
        conn,
        ticket_id,
        author=agent,
        author_email="",
        role=Role.AGENT,
        public=True,
        body=body,
        at=at,
    )
    # The due time this reply answers, kept in the event: the session report
    # counts a reply inside the last 90 minutes as a breach avoided.
    (due_at,) = conn.execute(
        "SELECT MIN(due_at) FROM sla_targets WHERE ticket_id = ? AND stage = 'active' "
        "AND metric IN ('first_reply_time', 'next_reply_time')",
        (ticket_id,),
    ).fetchone()
    achieved = conn.execute(
        "UPDATE sla_targets SET stage = 'achieved' WHERE ticket_id = ? AND stage = 'active' "
        "AND metric IN ('first_reply_time', 'next_reply_time')",
        (ticket_id,),
    ).rowcount
    _touch(conn, ticket_id, at)
    record_change(conn, ticket_id, ChangeKind.MESSAGE_ADDED, at, agent)
    if achieved:
        record_change(conn, ticket_id, ChangeKind.SLA_CHANGED, at, agent)
    insert_event(
        conn,
        "reply.sent",
        at,
        ticket_id,
        agent,
        {
            "message_id": message.id,
            "chars": len(body),
            "sla_achieved": achieved,
            "sla_due_at": due_at,
        },
    )
    return message


def add_note(
    conn: sqlite3.Connection, ticket_id: str, body: str, agent: str, at: datetime
) -> Message:
    _require_text(body, "note body")
    _ticket_row(conn, ticket_id)
    message = insert_message(
        conn,
        ticket_id,
        author=agent,
        author_email="",
        role=Role.AGENT,
        public=False,
        body=body,
        at=at,
    )
    _touch(conn, ticket_id, at)
    record_change(conn, ticket_id, ChangeKind.MESSAGE_ADDED, at, agent)
    insert_event(conn, "note.added", at, ticket_id, agent, {"message_id": message.id})
    return message


def set_status(
    conn: sqlite3.Connection, ticket_id: str, status: Status, agent: str, at: datetime
) -> Ticket:
    """Change the status; solving or closing stops (achieves) the running SLA clocks."""
    before = Status(_ticket_row(conn, ticket_id)[0])
    _touch(conn, ticket_id, at, status=status.value)
    record_change(conn, ticket_id, _status_kind(status), at, agent)
    if (
        not status.is_active
        and conn.execute(
            "UPDATE sla_targets SET stage = 'achieved' WHERE ticket_id = ? AND stage = 'active'",
            (ticket_id,),
        ).rowcount
    ):
        record_change(conn, ticket_id, ChangeKind.SLA_CHANGED, at, agent)
    insert_event(
        conn,
        "ticket.status_changed",
        at,
        ticket_id,
        agent,
        {"from": before.value, "to": status.value},
    )
    return queries.get_ticket(conn, ticket_id)


def set_priority(
    conn: sqlite3.Connection, ticket_id: str, priority: Priority, agent: str, at: datetime
) -> Ticket:
    old = queries.get_ticket(conn, ticket_id).priority
    _touch(conn, ticket_id, at, priority=priority.value)
    record_change(conn, ticket_id, ChangeKind.PRIORITY_CHANGED, at, agent)
    insert_event(
        conn,
        "ticket.priority_changed",
        at,
        ticket_id,
        agent,
        {"from": old.value, "to": priority.value},
    )
    return queries.get_ticket(conn, ticket_id)


def assign(
    conn: sqlite3.Connection,
    ticket_id: str,
    assignee: str | None,
    group: str | None,
    agent: str,
    at: datetime,
) -> Ticket:
    """Set the assignee (None unassigns); the group changes only when given."""
    row = _ticket_row(conn, ticket_id)
    assignee = assignee.strip() or None if assignee is not None else None
    columns: dict[str, Any] = {"assignee": assignee}
    payload: dict[str, Any] = {"from": row[2], "to": assignee}
    if group is not None:
        columns["grp"] = group.strip() or None
        payload.update(group_from=row[3], group_to=columns["grp"])
    _touch(conn, ticket_id, at, **columns)
    record_change(conn, ticket_id, ChangeKind.ASSIGNEE_CHANGED, at, agent)
    insert_event(conn, "ticket.assigned", at, ticket_id, agent, payload)
    return queries.get_ticket(conn, ticket_id)


def _merge_tags(current: list[str], add: list[str], remove: list[str]) -> list[str]:
    removing = {t.strip() for t in remove if t.strip()}
    merged = [t for t in current if t not in removing]
    for tag in add:
        tag = tag.strip()
        if tag and tag not in merged and tag not in removing:
            merged.append(tag)
    return merged


def tag(
    conn: sqlite3.Connection,
    ticket_id: str,
    add: list[str],
    remove: list[str],
    agent: str,
    at: datetime,
) -> Ticket:
    row = _ticket_row(conn, ticket_id)
    current = json.loads(row[4]) if row[4] else []
    merged = _merge_tags(current, add, remove)
    _touch(conn, ticket_id, at, tags=json.dumps(merged, ensure_ascii=False))
    record_change(conn, ticket_id, ChangeKind.UPDATED, at, agent)
    insert_event(
        conn,
        "ticket.tagged",
        at,
        ticket_id,
        agent,
        {
            "added": [t for t in merged if t not in current],
            "removed": [t for t in current if t not in merged],
        },
    )
    return queries.get_ticket(conn, ticket_id)


def escalate(
    conn: sqlite3.Connection, ticket_id: str, escalation: Escalation, agent: str, at: datetime
) -> Ticket:
    """The composite: a note with the reason, then priority/group/tags; status becomes open.

    The ticket is reopened (if it was new, pending, on hold or solved)
    because an escalated ticket is, by definition, work for the team now.
    """
    _require_text(escalation.reason, "escalation reason")
    row = _ticket_row(conn, ticket_id)
    note = f"Escalated: {escalation.reason.strip()}"
    if escalation.note.strip():
        note += "\n\n" + escalation.note.strip()
    insert_message(
        conn,
        ticket_id,
        author=agent,
        author_email="",
        role=Role.AGENT,
        public=False,
        body=note,
        at=at,
    )
    columns: dict[str, Any] = {"status": Status.OPEN.value}
    payload: dict[str, Any] = {
        "reason": escalation.reason,
        "note": escalation.note,
        "status": {"from": row[0], "to": Status.OPEN.value},
    }
    if escalation.priority is not None:
        columns["priority"] = escalation.priority.value
        payload["priority"] = {"from": row[1], "to": escalation.priority.value}
    if escalation.group:
        columns["grp"] = escalation.group
        payload["group"] = {"from": row[3], "to": escalation.group}
    if escalation.tags:
        current = json.loads(row[4]) if row[4] else []
        merged = _merge_tags(current, escalation.tags, [])
        columns["tags"] = json.dumps(merged, ensure_ascii=False)
        payload["tags_added"] = [t for t in merged if t not in current]
    _touch(conn, ticket_id, at, **columns)
    kinds = [ChangeKind.MESSAGE_ADDED]
    if row[0] != Status.OPEN.value:
        kinds.append(ChangeKind.STATUS_CHANGED)
    if "priority" in columns and columns["priority"] != row[1]:
        kinds.append(ChangeKind.PRIORITY_CHANGED)
    if "grp" in columns and columns["grp"] != row[3]:
        kinds.append(ChangeKind.ASSIGNEE_CHANGED)
    if payload.get("tags_added"):
        kinds.append(ChangeKind.UPDATED)
    for kind in kinds:
        record_change(conn, ticket_id, kind, at, agent)
    insert_event(conn, "ticket.escalated", at, ticket_id, agent, payload)
    return queries.get_ticket(conn, ticket_id)


def _person_for(conn: sqlite3.Connection, new: NewTicket, at: datetime) -> tuple[str, str | None]:
    email = new.requester_email.strip()
    row = conn.execute(
        "SELECT id, organization_id FROM people WHERE email = ?", (email,)
    ).fetchone()
    if row:
        return row[0], row[1]
    name = new.requester_name.strip() or email.split("@", 1)[0]
    person_id = _next_id(conn, "people")
    first = name.split()[0] if name.split() else ""
    conn.execute(
        "INSERT INTO people(id, name, email, first_name, tier, account_value, created_at,"
        " organization_id) VALUES (?, ?, ?, ?, NULL, NULL, ?, NULL)",
        (person_id, name, email, first, to_db(at)),
    )
    return person_id, None


def create_ticket(conn: sqlite3.Connection, new: NewTicket, actor: str, at: datetime) -> Ticket:
    """A NEW ticket from a (possibly new) requester, with a first-reply SLA by priority."""
    _require_text(new.subject, "ticket subject")
    _require_text(new.body, "ticket body")
    email = new.requester_email.strip()
    if "@" not in email or email.startswith("@") or email.endswith("@"):
        raise InvalidInput(f"requester email {new.requester_email!r} is not an email address")
    person_id, org_id = _person_for(conn, new, at)
    ticket_id = _next_id(conn, "tickets", floor=1000)
    stamp = to_db(at)
    tags = _merge_tags([], new.tags, [])
    conn.execute(
        "INSERT INTO tickets(id, subject, status, priority, requester_id, organization_id,"
        " assignee, grp, tags, channel, created_at, updated_at, excerpt)"
        " VALUES (?, ?, 'new', ?, ?, ?, NULL, NULL, ?, ?, ?, ?, ?)",
        (
            ticket_id,
            new.subject.strip(),
            new.priority.value,
            person_id,
            org_id,
            json.dumps(tags, ensure_ascii=False),
            new.channel,
            stamp,
            stamp,
            " ".join(new.body.split())[:EXCERPT_CHARS],
        ),
    )
    (name,) = conn.execute("SELECT name FROM people WHERE id = ?", (person_id,)).fetchone()
    insert_message(
        conn,
        ticket_id,
        author=name,
        author_email=email,
        role=Role.CUSTOMER,
        public=True,
        body=new.body,
        at=at,
    )
    due = at + FIRST_REPLY_TARGETS[new.priority]
    conn.execute(
        "INSERT INTO sla_targets(ticket_id, metric, due_at, stage) VALUES (?, ?, ?, 'active')",
        (ticket_id, "first_reply_time", to_db(due)),
    )
    # The customer created it (create-ticket stands in for mail reaching the
    # helpdesk): a console must see someone else's new ticket, not its own.
    record_change(conn, ticket_id, ChangeKind.CREATED, at, name)
    insert_event(
        conn,
        "ticket.created",
        at,
        ticket_id,
        actor,
        {"requester_id": person_id, "priority": new.priority.value, "channel": new.channel},
    )
    return queries.get_ticket(conn, ticket_id)
