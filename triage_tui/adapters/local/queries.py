"""Read queries over the helpdesk file, returning domain models.

The queue's compact rows are read by ``row_queries`` (no pydantic: the
console's first screen); this module is imported when a ticket is first opened.

Each function takes a connection and does a fixed number of queries whatever
the number of rows (the queue page is one query for tickets with their
requester and organisation joined, plus one for the SLA targets of the page),
so a 100 000-ticket queue costs 2 queries per page, never one per row.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Sequence
from typing import Any

from triage_tui.adapters.local.row_queries import (
    PAGE_SIZE,
    PRIORITY_OF,
    STAGE_OF,
    STATUS_OF,
    TICKET_FROM,
    queue_where,
)
from triage_tui.adapters.local.store import from_db
from triage_tui.domain.enums import Role, Status
from triage_tui.domain.errors import InvalidInput, NotFound
from triage_tui.domain.models import (
    Article,
    Message,
    Organization,
    Person,
    PersonHistory,
    SlaTarget,
    Ticket,
    TicketDetail,
)

_TICKET_COLUMNS = """
    t.rowid, t.id, t.subject, t.status, t.priority, t.assignee, t.grp, t.tags, t.channel,
    t.created_at, t.updated_at, t.excerpt,
    p.id, p.name, p.email, p.first_name, p.tier, p.account_value, p.created_at,
    p.organization_id,
    o.id, o.name, o.tier, o.vip
"""


# Models are built with their validating constructors on purpose: pydantic 2's
# ``model_construct`` is pure Python and slower than validation in pydantic-core
# (docs/performance.md).


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
        status=STATUS_OF[row[3]],
        priority=PRIORITY_OF[row[4]],
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
            SlaTarget(metric=metric, due_at=from_db(due_at), stage=STAGE_OF[stage])
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
    where, params = queue_where(status, assignee, after_rowid, text)
    sql = f"SELECT {_TICKET_COLUMNS} {TICKET_FROM} {where} ORDER BY t.rowid LIMIT ?"
    rows = conn.execute(sql, [*params, limit]).fetchall()
    if not rows:
        return [], None
    next_after = rows[-1][0] if len(rows) == limit else None
    return _tickets(conn, rows), next_after


def tickets_by_id(conn: sqlite3.Connection, ids: Sequence[str]) -> list[Ticket]:
    """The tickets with these ids (those that exist), in no particular order: two
    queries, whatever the number."""
    if not ids:
        return []
    marks = ",".join("?" * len(ids))
    rows = conn.execute(
        f"SELECT {_TICKET_COLUMNS} {TICKET_FROM} WHERE t.id IN ({marks})", list(ids)
    ).fetchall()
    return _tickets(conn, rows)


def get_ticket(conn: sqlite3.Connection, ticket_id: str) -> Ticket:
    rows = conn.execute(f"SELECT {_TICKET_COLUMNS} {TICKET_FROM} WHERE t.id = ?", (ticket_id,))
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
        f"SELECT {_TICKET_COLUMNS} {TICKET_FROM} WHERE t.requester_id = ? "
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


def agent_names(conn: sqlite3.Connection) -> list[str]:
    """Everyone a ticket is assigned to: the embedded helpdesk keeps no user table, so
    its agents are its assignees (one read of the assignee index)."""
    rows = conn.execute("SELECT DISTINCT assignee FROM tickets WHERE assignee IS NOT NULL")
    return [str(r[0]) for r in rows if str(r[0]).strip()]


def group_names(conn: sqlite3.Connection) -> list[str]:
    """The groups tickets are in (no group table either)."""
    rows = conn.execute("SELECT DISTINCT grp FROM tickets WHERE grp IS NOT NULL")
    return [str(r[0]) for r in rows if str(r[0]).strip()]
