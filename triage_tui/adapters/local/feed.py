"""The local helpdesk's change feed: the ``changes`` table read after a sequence number.

``writes`` appends to it in each write's own transaction; the cursor is the
last ``seq`` read, as text.
"""

from __future__ import annotations

import sqlite3

from triage_tui.adapters.local.store import from_db
from triage_tui.domain.changes import Change, ChangeBatch, ChangeKind

_KINDS = {kind.value: kind for kind in ChangeKind}


def parse_cursor(cursor: str | None) -> int | None:
    """The sequence number in ``cursor``; -1 when it is not one of ours (resync)."""
    if cursor is None:
        return None
    text = cursor.strip()
    # A sequence number fits in SQLite's 64 bits; a longer one is not ours.
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 19 else -1


def changes_after(conn: sqlite3.Connection, after: int | None, limit: int) -> ChangeBatch:
    """At most ``limit`` changes with ``seq > after``, oldest first.

    ``after`` None starts now; a negative one, or one past the newest change
    (the file was replaced, e.g. by ``triage demo --force``), resyncs.
    """
    (top,) = conn.execute("SELECT COALESCE(MAX(seq), 0) FROM changes").fetchone()
    if after is None:
        return ChangeBatch((), str(top))
    if after < 0 or after > top:
        return ChangeBatch((), str(top), resync=True)
    rows = conn.execute(
        "SELECT seq, ticket_id, kind, at, actor FROM changes WHERE seq > ? ORDER BY seq LIMIT ?",
        (after, max(1, limit) + 1),
    ).fetchall()
    page = rows[: max(1, limit)]
    changes = tuple(
        # A kind this version does not know (a newer writer) still says "it changed".
        Change(str(ticket_id), _KINDS.get(kind, ChangeKind.UPDATED), from_db(at), actor or "")
        for _seq, ticket_id, kind, at, actor in page
    )
    cursor = page[-1][0] if page else after
    return ChangeBatch(changes, str(cursor), complete=len(rows) <= len(page))
