"""Read queries over the helpdesk file, returning domain models.

Each function takes a connection and does a fixed number of queries whatever
the number of rows (the queue page is one query for tickets with their
requester and organisation joined, plus one for the SLA targets of the page),
so a 100 000-ticket queue costs 2 queries per page, never one per row.
"""

from __future__ import annotations

import json
import math
import re
import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any

from triage_tui.adapters.local.store import from_db
from triage_tui.domain.errors import InvalidInput, NotFound
from triage_tui.domain.models import (
    Article,
    Message,
    Organization,
    Person,
    PersonHistory,
    Priority,
    Role,
    SlaStage,
    SlaTarget,
    Status,
    Ticket,
    TicketDetail,
)
from triage_tui.domain.queue import QueueRow

PAGE_SIZE = 500

_TICKET_COLUMNS = """
    t.rowid, t.id, t.subject, t.status, t.priority, t.assignee, t.grp, t.tags, t.channel,
    t.created_at, t.updated_at, t.excerpt,
    p.id, p.name, p.email, p.first_name, p.tier, p.account_value, p.created_at,
    p.organization_id,
    o.id, o.name, o.tier, o.vip
"""
_TICKET_FROM = """
    FROM tickets t
    JOIN people p ON p.id = t.requester_id
    LEFT JOIN organizations o ON o.id = COALESCE(t.organization_id, p.organization_id)
"""


# Models are built with their validating constructors on purpose: measured on
# a 64 000-ticket queue, pydantic 2's ``model_construct`` (pure Python) was
# twice as slow as validation in pydantic-core. Enum members come from dicts
# because ``Status(value)`` goes through EnumMeta.__call__.
_STATUS = {s.value: s for s in Status}
_PRIORITY = {p.value: p for p in Priority}
_STAGE = {s.value: s for s in SlaStage}


def person_from_row(row: Sequence[Any]) -> Person:
    """Columns: id, name, email, first_name, tier, account_value, created_at, organization_id."""
    return Person(
        id=row[0],
        name=row[1],
        email=row[2] or "",
        first_name=row[3] or "",
        tier=row[4],
        account_value=row[5],
        created_at=from_db(row[6]) if row[6] else None,
        organization_id=row[7],
    )


def organization_from_row(row: Sequence[Any]) -> Organization | None:
    """Columns: id, name, tier, vip (all None when the LEFT JOIN found nothing)."""
    if row[0] is None:
        return None
    return Organization(id=row[0], name=row[1], tier=row[2], vip=bool(row[3]))


def _ticket_from_row(row: Sequence[Any], sla: list[SlaTarget]) -> Ticket:
    updated = row[10]
    return Ticket(
        id=row[1],
        subject=row[2],
        status=_STATUS[row[3]],
        priority=_PRIORITY[row[4]],
        assignee=row[5],
        group=row[6],
        tags=json.loads(row[7]) if row[7] else [],
        channel=row[8],
        created_at=from_db(row[9]),
        updated_at=from_db(updated),
        excerpt=row[11],
        requester=person_from_row(row[12:20]),
        organization=organization_from_row(row[20:24]),
        sla=sla,
        # updated_at moves on every write, so it doubles as a version token.
        version=updated,
    )


def _sla_for(conn: sqlite3.Connection, ticket_ids: Sequence[str]) -> dict[str, list[SlaTarget]]:
    found: dict[str, list[SlaTarget]] = {}
    if not ticket_ids:
        return found
    marks = ",".join("?" * len(ticket_ids))
    rows = conn.execute(
        f"SELECT ticket_id, metric, due_at, stage FROM sla_targets WHERE ticket_id IN ({marks})",
        list(ticket_ids),
    )
    for ticket_id, metric, due_at, stage in rows:
        found.setdefault(ticket_id, []).append(
            SlaTarget(metric=metric, due_at=from_db(due_at), stage=_STAGE[stage])
        )
    return found


def _tickets(conn: sqlite3.Connection, rows: list[Sequence[Any]]) -> list[Ticket]:
    sla = _sla_for(conn, [row[1] for row in rows])
    return [_ticket_from_row(row, sla.get(row[1], [])) for row in rows]


def queue_page(
    conn: sqlite3.Connection,
    status: Status,
    assignee: str | None,
    after_rowid: int,
    limit: int = PAGE_SIZE,
    text: str | None = None,
) -> tuple[list[Ticket], int | None]:
    """One page of tickets with ``status``, in rowid order after ``after_rowid``.

    Returns the tickets and the rowid to continue after (None when done).
    Paging one status at a time walks the (status, rowid) index as a range:
    no sort, no OFFSET, constant cost per page at any queue size. ``text``
    (the local adapter's ``QueueFilter.query``) keeps tickets whose subject
    or excerpt contains it, case-insensitively for ASCII.
    """
    where, params = _queue_where(status, assignee, after_rowid, text)
    sql = f"SELECT {_TICKET_COLUMNS} {_TICKET_FROM} {where} ORDER BY t.rowid LIMIT ?"
    rows = conn.execute(sql, [*params, limit]).fetchall()
    if not rows:
        return [], None
    next_after = rows[-1][0] if len(rows) == limit else None
    return _tickets(conn, rows), next_after


# The queue's fast path: the columns a ``QueueRow`` needs, read straight into
# rows. Building 64 000 pydantic ``Ticket``s (with people, organisations and
# SLA targets) to keep 15 fields of each was most of the console's load time.
_ROW_COLUMNS = """
    t.rowid, t.id, t.subject, t.status, t.priority, p.name, p.email, p.id,
    o.name, o.vip, t.created_at, t.tags, t.assignee, t.channel, t.excerpt
"""


def _queue_where(
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
    where, params = _queue_where(status, assignee, after_rowid, text)
    rows = conn.execute(
        f"SELECT {_ROW_COLUMNS} {_TICKET_FROM} {where} ORDER BY t.rowid LIMIT ?", [*params, limit]
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
        f"SELECT {_ROW_COLUMNS} {_TICKET_FROM} WHERE t.id IN ({','.join('?' * len(ids))})", ids
    ).fetchall()
    return _queue_rows(conn, rows)


def _queue_rows(conn: sqlite3.Connection, rows: list[Any]) -> list[QueueRow]:
    """``_ROW_COLUMNS`` rows with their SLA summary as ``QueueRow``s."""
    due, paused = _sla_summary(conn, [row[1] for row in rows])
    inf = math.inf
    status_of, priority_of = _STATUS, _PRIORITY
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


def get_ticket(conn: sqlite3.Connection, ticket_id: str) -> Ticket:
    rows = conn.execute(f"SELECT {_TICKET_COLUMNS} {_TICKET_FROM} WHERE t.id = ?", (ticket_id,))
    found = rows.fetchall()
    if not found:
        raise NotFound(f"ticket {ticket_id} not found")
    return _tickets(conn, found)[0]


def get_ticket_detail(conn: sqlite3.Connection, ticket_id: str) -> TicketDetail:
    ticket = get_ticket(conn, ticket_id)
    rows = conn.execute(
        "SELECT id, ticket_id, author, author_email, role, public, body, created_at "
        "FROM messages WHERE ticket_id = ? ORDER BY created_at, rowid",
        (ticket_id,),
    )
    return TicketDetail(ticket=ticket, messages=[message_from_row(row) for row in rows])


def message_from_row(row: Sequence[Any]) -> Message:
    return Message(
        id=row[0],
        ticket_id=row[1],
        author=row[2],
        author_email=row[3] or "",
        role=Role(row[4]),
        public=bool(row[5]),
        body=row[6],
        created_at=from_db(row[7]),
    )


def get_person_history(conn: sqlite3.Connection, key: str) -> PersonHistory:
    """A person by id or (case-insensitive) email, with their tickets newest first."""
    row = conn.execute(
        "SELECT id, name, email, first_name, tier, account_value, created_at, organization_id "
        "FROM people WHERE id = ? UNION ALL "
        "SELECT id, name, email, first_name, tier, account_value, created_at, organization_id "
        "FROM people WHERE email = ? AND id != ? LIMIT 1",
        (key, key.strip(), key),
    ).fetchone()
    if row is None:
        raise NotFound(f"person {key} not found")
    person = person_from_row(row)
    organization = None
    if person.organization_id:
        org_row = conn.execute(
            "SELECT id, name, tier, vip FROM organizations WHERE id = ?", (person.organization_id,)
        ).fetchone()
        organization = organization_from_row(org_row) if org_row else None
    ticket_rows = conn.execute(
        f"SELECT {_TICKET_COLUMNS} {_TICKET_FROM} WHERE t.requester_id = ? "
        "ORDER BY t.created_at DESC, t.rowid DESC",
        (person.id,),
    ).fetchall()
    return PersonHistory(
        person=person, organization=organization, tickets=_tickets(conn, ticket_rows)
    )


_WORD = re.compile(r"\w+", re.UNICODE)
MAX_QUERY_TERMS = 64


def fts_query(text: str) -> str:
    """Customer text → an FTS5 query that can never be FTS syntax.

    Every word becomes a double-quoted string (so ``OR``, ``NEAR(``, ``*``,
    ``col:`` lose their meaning) and the words are OR-ed: bm25 then ranks the
    articles sharing the most (and rarest) words first. Capped so a pasted
    e-mail does not become a thousand-term query.
    """
    seen: dict[str, None] = {}
    for word in _WORD.findall(text.lower()):
        seen.setdefault(word, None)
        if len(seen) >= MAX_QUERY_TERMS:
            break
    return " OR ".join('"' + word.replace('"', '""') + '"' for word in seen)


def search_articles(conn: sqlite3.Connection, query: str, limit: int = 10) -> list[Article]:
    if limit < 1:
        raise InvalidInput(f"search limit must be at least 1, not {limit}")
    match = fts_query(query)
    if not match:
        return []
    rows = conn.execute(
        "SELECT a.id, a.title, a.body, a.url, a.section FROM articles_fts "
        "JOIN articles a ON a.rowid = articles_fts.rowid "
        # Title words weigh more than body words: titles name the problem.
        "WHERE articles_fts MATCH ? ORDER BY bm25(articles_fts, 4.0, 1.0), a.rowid LIMIT ?",
        (match, limit),
    )
    return [article_from_row(row) for row in rows]


def article_from_row(row: Sequence[Any]) -> Article:
    return Article(id=row[0], title=row[1], body=row[2], url=row[3], section=row[4])


def articles_page(
    conn: sqlite3.Connection, after_rowid: int, limit: int = PAGE_SIZE
) -> tuple[list[Article], int | None]:
    rows = conn.execute(
        "SELECT rowid, id, title, body, url, section FROM articles WHERE rowid > ? "
        "ORDER BY rowid LIMIT ?",
        (after_rowid, limit),
    ).fetchall()
    if not rows:
        return [], None
    next_after = rows[-1][0] if len(rows) == limit else None
    return [article_from_row(row[1:]) for row in rows], next_after


def statuses_in_order(statuses: Iterable[Status]) -> list[Status]:
    """A stable order (the enum's) so paging is deterministic."""
    wanted = set(statuses)
    return [s for s in Status if s in wanted]
