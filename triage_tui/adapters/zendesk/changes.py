"""Zendesk's change feed: the cursor-based incremental ticket export.

``GET /api/v2/incremental/tickets/cursor`` returns every ticket changed after
a cursor (its latest state, not what changed), ``after_cursor`` to continue
and ``end_of_stream``. A first call takes a ``start_time`` at least a minute
in the past. Zendesk limits incremental exports to 10 requests a minute, so a
poll is one request (the shared client waits out a 429 and its Retry-After).
"""

from __future__ import annotations

from collections.abc import Mapping

from triage_tui.adapters.zendesk.api import ZendeskApi
from triage_tui.adapters.zendesk.wire import ZTicket
from triage_tui.domain.changes import Change, ChangeBatch, ChangeKind
from triage_tui.domain.clock import Clock

PREFIX = "zendesk:"
#: Pages read to find the end of the stream when the feed starts "now".
START_PAGES = 5
#: Zendesk refuses a start_time less than a minute ago.
START_LAG_SECONDS = 61
SOLVED = frozenset({"solved", "closed"})


def kinds(ticket: ZTicket, before: ZTicket | None) -> list[ChangeKind]:
    """What changed, as far as the ticket's two states tell: the export sends the
    latest state only, so without an earlier one (``before``) it is "updated"."""
    if ticket.status == "deleted":
        return [ChangeKind.DELETED]
    if ticket.created_at == ticket.updated_at:
        return [ChangeKind.CREATED]
    found: list[ChangeKind] = []
    if before is not None and before.updated_at < ticket.updated_at:
        if before.status != ticket.status:
            solved = ticket.status in SOLVED
            found.append(ChangeKind.SOLVED if solved else ChangeKind.STATUS_CHANGED)
        if before.priority != ticket.priority:
            found.append(ChangeKind.PRIORITY_CHANGED)
        if (before.assignee_id, before.group_id) != (ticket.assignee_id, ticket.group_id):
            found.append(ChangeKind.ASSIGNEE_CHANGED)
    elif ticket.status in SOLVED:
        found.append(ChangeKind.SOLVED)
    return found or [ChangeKind.UPDATED]


async def changes_since(
    api: ZendeskApi,
    clock: Clock,
    cursor: str | None,
    limit: int,
    seen: Mapping[str, ZTicket],
) -> ChangeBatch:
    per_page = max(1, min(limit, 1000))
    if cursor is None:
        start = int(clock.now().timestamp()) - START_LAG_SECONDS
        page = await api.incremental(cursor=None, start_time=start, per_page=1000)
        for _ in range(START_PAGES):
            if page.end_of_stream or not page.after_cursor:
                break
            page = await api.incremental(cursor=page.after_cursor, start_time=None, per_page=1000)
        return ChangeBatch((), PREFIX + (page.after_cursor or ""), complete=page.end_of_stream)
    if not cursor.startswith(PREFIX) or cursor == PREFIX:
        batch = await changes_since(api, clock, None, limit, seen)
        return ChangeBatch((), batch.cursor, resync=True)
    page = await api.incremental(
        cursor=cursor.removeprefix(PREFIX), start_time=None, per_page=per_page
    )
    changes = tuple(
        Change(str(t.id), kind, t.updated_at)
        for t in page.tickets
        for kind in kinds(t, seen.get(str(t.id)))
    )
    after = PREFIX + page.after_cursor if page.after_cursor else cursor
    return ChangeBatch(changes, after, complete=page.end_of_stream)
