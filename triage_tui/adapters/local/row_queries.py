"""Queue reads as compact ``QueueRow``s: the console's first screen and whole queue.

Apart from ``queries`` (which builds pydantic models) so that the console's
path to its first screen imports no pydantic. The same paging as there: one
status at a time along the (status, rowid) index, two queries per page.
"""

from __future__ import annotations

import json
import math
import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any

from triage_tui.adapters.local.store import from_db
from triage_tui.domain.enums import Priority, SlaStage, Status
from triage_tui.domain.queue import QueueRow

PAGE_SIZE = 500

TICKET_FROM = """
    FROM tickets t
    JOIN people p ON p.id = t.requester_id
    LEFT JOIN organizations o ON o.id = COALESCE(t.organization_id, p.organization_id)
"""

# Enum members come from dicts because ``Status(value)`` goes through EnumMeta.__call__.
STATUS_OF = {s.value: s for s in Status}
PRIORITY_OF = {p.value: p for p in Priority}
STAGE_OF = {s.value: s for s in SlaStage}


# The queue's fast path: the columns a ``QueueRow`` needs, read straight into
# rows. Building 64 000 pydantic ``Ticket``s (with people, organisations and
# SLA targets) to keep 15 fields of each was most of the console's load time.
_ROW_COLUMNS = """
    t.rowid, t.id, t.subject, t.status, t.priority, p.name, p.email, p.id,
    o.name, o.vip, t.created_at, t.tags, t.assignee, t.channel, t.excerpt, t.updated_at
"""


def queue_where(
    status: Status, assignee: str | None, after_rowid: int, text: str | None
) -> tuple[str, list[Any]]:
    sql = "WHERE t.status = ? AND t.rowid > ?"
    params: list[Any] = [status.value, after_rowid]
    if assignee is not None:
        # Unary + keeps the planner on the status index (assignee is a filter).
        sql += " AND +t.assignee = ?"
        params.append(assignee)
    if text:
        pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        sql += " AND (t.subject LIKE ? ESCAPE '\\' OR t.excerpt LIKE ? ESCAPE '\\')"
        params += [pattern, pattern]
    return sql, params


def queue_rows_page(
    conn: sqlite3.Connection,
    status: Status,
    assignee: str | None,
    after_rowid: int,
    limit: int = PAGE_SIZE,
    text: str | None = None,
) -> tuple[list[QueueRow], int | None]:
    """``queue_page`` as compact ``QueueRow``s, equal to ``QueueRow.from_ticket`` of each."""
    where, params = queue_where(status, assignee, after_rowid, text)
    rows = conn.execute(
        f"SELECT {_ROW_COLUMNS} {TICKET_FROM} {where} ORDER BY t.rowid LIMIT ?", [*params, limit]
    ).fetchall()
    if not rows:
        return [], None
    next_after = rows[-1][0] if len(rows) == limit else None
    return _queue_rows(conn, rows), next_after


def first_rows(conn: sqlite3.Connection, limit: int) -> list[QueueRow]:
    """The ``limit`` active tickets whose SLA falls due first, as rows (any order).

    Read through the ``(stage, due_at)`` index, so the console's first screen
    shows what breaches first without reading the whole queue. Times compare
    as text here (the store writes one ISO form; the full load re-sorts on
    parsed times).
    """
    active = [s.value for s in Status if s.is_active]
    marks = ",".join("?" * len(active))
    ids: list[str] = []
    seen: set[str] = set()
    offset, step = 0, max(limit * 2, 50)
    while len(ids) < limit:
        found = conn.execute(
            "SELECT s.ticket_id FROM sla_targets s JOIN tickets t ON t.id = s.ticket_id"
            f" WHERE s.stage = 'active' AND t.status IN ({marks})"
            " ORDER BY s.due_at LIMIT ? OFFSET ?",
            [*active, step, offset],
        ).fetchall()
        for (ticket_id,) in found:
            if ticket_id not in seen:
                seen.add(ticket_id)
                ids.append(ticket_id)
        if len(found) < step:
            break
        offset += step
    ids = ids[:limit]
    if not ids:
        return []
    rows = conn.execute(
        f"SELECT {_ROW_COLUMNS} {TICKET_FROM} WHERE t.id IN ({','.join('?' * len(ids))})", ids
    ).fetchall()
    return _queue_rows(conn, rows)


def _queue_rows(conn: sqlite3.Connection, rows: list[Any]) -> list[QueueRow]:
    """``_ROW_COLUMNS`` rows with their SLA summary as ``QueueRow``s."""
    due, paused = _sla_summary(conn, [row[1] for row in rows])
    inf = math.inf
    status_of, priority_of = STATUS_OF, PRIORITY_OF
    page = [
        QueueRow(
            id=row[1],
            subject=row[2],
            status=status_of[row[3]],
            priority=priority_of[row[4]],
            requester=row[5] or row[6] or "",
            requester_id=row[7],
            organization=row[8] or "",
            vip=bool(row[9]),
            due=due.get(row[1], inf),
            paused=row[1] in paused and row[1] not in due,
            created=from_db(row[10]).timestamp(),
            tags=_row_tags(row[11]),
            assignee=row[12] or "",
            channel=row[13],
            excerpt=row[14],
            updated=from_db(row[15]).timestamp(),
        )
        for row in rows
    ]
    return page


_TAGS: dict[str, tuple[str, ...]] = {}


def _row_tags(raw: str | None) -> tuple[str, ...]:
    """Stored JSON tags as ``Ticket``'s validator leaves them (stripped, no empty ones).

    Memoised: a queue repeats a few hundred tag sets across 100 000 tickets,
    and decoding each copy was a third of the page's cost.
    """
    if not raw:
        return ()
    tags = _TAGS.get(raw)
    if tags is None:
        tags = tuple(t.strip() for t in json.loads(raw) if t and t.strip())
        if len(_TAGS) < 10_000:
            _TAGS[raw] = tags
    return tags


def _sla_summary(
    conn: sqlite3.Connection, ticket_ids: Sequence[str]
) -> tuple[dict[str, float], set[str]]:
    """Per ticket, the POSIX time of its soonest active target, and which have a paused one."""
    due: dict[str, float] = {}
    paused: set[str] = set()
    marks = ",".join("?" * len(ticket_ids))
    rows = conn.execute(
        f"SELECT ticket_id, due_at, stage FROM sla_targets WHERE ticket_id IN ({marks})",
        list(ticket_ids),
    )
    for ticket_id, due_at, stage in rows:
        if stage == "active":
            # Parsed, not compared as text: hand-edited times may be in any ISO form.
            at = from_db(due_at).timestamp()
            if at < due.get(ticket_id, math.inf):
                due[ticket_id] = at
        elif stage == "paused":
            paused.add(ticket_id)
    return due, paused


def statuses_in_order(statuses: Iterable[Status]) -> list[Status]:
    """A stable order (the enum's) so paging is deterministic."""
    wanted = set(statuses)
    return [s for s in Status if s in wanted]


# -- the queue's first N in SQL (the ``queue`` verb) ---------------------------------

#: ``ORDER BY`` form of ``QueueRow.sort_key``'s priority part (most urgent first).
#: Joins read ``sla_targets`` along its (stage, due_at) index, then each ticket by id
#: (CROSS JOIN fixes that order: the planner would otherwise read every active ticket
#: by status and sort their targets, 170-400 ms at 100 000 tickets instead of ~1 ms).
_PRIORITY_ORDER = (
    "CASE t.priority WHEN 'urgent' THEN 0 WHEN 'high' THEN 1 WHEN 'normal' THEN 2 ELSE 3 END"
)


def _wanted_where(
    statuses: Sequence[str], priorities: Sequence[str] | None
) -> tuple[str, list[Any]]:
    sql = f"t.status IN ({','.join('?' * len(statuses))})"
    params: list[Any] = list(statuses)
    if priorities is not None:
        sql += f" AND t.priority IN ({','.join('?' * len(priorities))})"
        params += list(priorities)
    return sql, params


def queue_count(
    conn: sqlite3.Connection, statuses: Sequence[str], priorities: Sequence[str] | None
) -> int:
    """Tickets with one of ``statuses`` (and ``priorities``): a range count on the
    (status, priority) index, no row read."""
    if not statuses or priorities == ():
        return 0
    where, params = _wanted_where(statuses, priorities)
    return int(conn.execute(f"SELECT COUNT(*) FROM tickets t WHERE {where}", params).fetchone()[0])


def due_counts(
    conn: sqlite3.Connection,
    statuses: Sequence[str],
    priorities: Sequence[str] | None,
    now: str,
    at_risk_until: str,
) -> tuple[int, int]:
    """(breached, at risk) among those tickets: whose soonest active target is due by
    ``now``, or before ``at_risk_until``, read along the (stage, due_at) index."""
    if not statuses or priorities == ():
        return 0, 0
    where, params = _wanted_where(statuses, priorities)
    soonest = conn.execute(
        "SELECT MIN(s.due_at) FROM sla_targets s CROSS JOIN tickets t ON t.id = s.ticket_id"
        f" WHERE s.stage = 'active' AND s.due_at < ? AND {where} GROUP BY s.ticket_id",
        [at_risk_until, *params],
    ).fetchall()
    breached = sum(1 for (due,) in soonest if due <= now)
    return breached, len(soonest) - breached


#: More active tickets than any helpdesk holds; see ``queue_top_ids``.
MAX_TOP_LIMIT = 10**9


def queue_top_ids(
    conn: sqlite3.Connection,
    statuses: Sequence[str],
    priorities: Sequence[str] | None,
    limit: int,
) -> list[str]:
    """At least the ``limit`` tickets that come first in queue order, any order.

    Walks the active SLA targets along the (stage, due_at) index until ``limit``
    tickets are found (a ticket's first target met is its soonest), adds the
    tickets due at the same instant as the last one (a tie the priority may
    break either way), then, if fewer than ``limit`` have a running SLA, the
    tickets without one in queue order. The caller sorts these exactly.
    Times compare as text: the store writes one fixed-width ISO form.
    """
    # A limit past any queue means "all of them"; bounded so that the paging
    # below stays inside SQLite's integer range (a 30-digit --limit is valid input).
    limit = min(limit, MAX_TOP_LIMIT)
    if not statuses or priorities == () or limit <= 0:
        return []
    where, params = _wanted_where(statuses, priorities)
    walk = (
        "SELECT s.ticket_id, s.due_at FROM sla_targets s CROSS JOIN tickets t ON t.id = s.ticket_id"
        f" WHERE s.stage = 'active' AND {where} ORDER BY s.due_at LIMIT ? OFFSET ?"
    )
    ids: dict[str, None] = {}
    last_due: str | None = None
    offset, step = 0, max(limit * 2, 50)
    while len(ids) < limit:
        found = conn.execute(walk, [*params, step, offset]).fetchall()
        for ticket_id, due_at in found:
            if ticket_id not in ids:
                ids[ticket_id] = None
                last_due = due_at
                if len(ids) == limit:
                    break
        if len(found) < step:
            break
        offset += step
    if len(ids) >= limit and last_due is not None:
        ties = conn.execute(
            "SELECT s.ticket_id FROM sla_targets s CROSS JOIN tickets t ON t.id = s.ticket_id"
            f" WHERE s.stage = 'active' AND s.due_at = ? AND {where}",
            [last_due, *params],
        )
        for (ticket_id,) in ties:
            ids.setdefault(ticket_id, None)
        return list(ids)
    rest = conn.execute(
        f"SELECT t.id FROM tickets t WHERE {where} AND NOT EXISTS (SELECT 1 FROM sla_targets s"
        " WHERE s.ticket_id = t.id AND s.stage = 'active')"
        f" ORDER BY {_PRIORITY_ORDER}, t.created_at, t.id LIMIT ?",
        [*params, limit - len(ids)],
    )
    for (ticket_id,) in rest:
        ids.setdefault(ticket_id, None)
    return list(ids)
