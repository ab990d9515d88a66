"""Request Tracker's change feed: TicketSQL on ``LastUpdated``.

RT has no change log over REST2 short of each ticket's history, but every
transaction bumps the ticket's ``LastUpdated`` (one-second resolution). A
poll is one search: ``LastUpdated >= 'T'`` in the configured queues, any
status, oldest first, one page. The cursor is ``T`` and the ids already
reported at ``T`` (changes in the same second are neither lost nor repeated).
Kinds: ``created`` when the ticket was created at its last update, ``solved``
for resolved or rejected, ``deleted``; otherwise ``updated`` (the search
returns the ticket as it is now, not which transaction touched it).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from triage_tui.adapters.rt import translate
from triage_tui.domain.changes import Change, ChangeBatch, ChangeKind

PREFIX = "rt:"
#: RT's REST2 pages hold at most 100 records.
MAX_PAGE = 100
#: Pages of one second's tickets skipped past before a poll gives up (and resumes
#: from there next time): bounded work even if thousands share one second.
MAX_PAGES = 5

Search = Callable[[Mapping[str, Any]], Awaitable[Any]]


def _sql_time(at: datetime) -> str:
    # RT reads TicketSQL dates in UTC when they say so.
    return at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def encode(at: datetime, ids: set[str]) -> str:
    return f"{PREFIX}{_sql_time(at)}|{','.join(sorted(ids, key=int))}"


def decode(cursor: str) -> tuple[datetime, set[str]] | None:
    if not cursor.startswith(PREFIX) or "|" not in cursor:
        return None
    stamp, _, ids = cursor.removeprefix(PREFIX).partition("|")
    try:
        at = datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
    except ValueError:
        return None
    seen = {i for i in ids.split(",") if i}
    if not all(i.isascii() and i.isdigit() and len(i) <= 19 for i in seen):
        return None
    return at, seen


def kind(item: Mapping[str, Any]) -> ChangeKind:
    status = str(item.get("Status") or "").lower()
    if status == "deleted":
        return ChangeKind.DELETED
    if status in ("resolved", "rejected"):
        return ChangeKind.SOLVED
    if item.get("Created") and item.get("Created") == item.get("LastUpdated"):
        return ChangeKind.CREATED
    return ChangeKind.UPDATED


async def changes_since(search: Search, scope: str, cursor: str | None, limit: int) -> ChangeBatch:
    """``search(params)`` is one GET of REST2 ``/tickets``; ``scope`` the queues' clause."""
    per_page = max(1, min(limit, MAX_PAGE))
    where = f"{scope} AND " if scope else ""
    if cursor is None or decode(cursor) is None:
        # Now: the newest update in scope (RT's clock, not ours), and every ticket
        # updated in that same second, so none of them is reported as new.
        data = await search(
            {
                "query": f"{where}LastUpdated > '1970-01-02'",
                "orderby": "LastUpdated",
                "order": "DESC",
                "fields": "LastUpdated",
                "per_page": MAX_PAGE,
            }
        )
        stamped = [(translate.parse_time(i.get("LastUpdated")), str(i["id"])) for i in _items(data)]
        newest = stamped[0][0] if stamped else None
        at = newest or datetime(1970, 1, 2, tzinfo=UTC)
        start = encode(at, {tid for when, tid in stamped if when == newest})
        return ChangeBatch((), start, resync=cursor is not None)
    at, seen = decode(cursor) or (datetime(1970, 1, 2, tzinfo=UTC), set())
    changes: list[Change] = []
    complete = True
    for page in range(1, MAX_PAGES + 1):
        data = await search(
            {
                "query": f"{where}LastUpdated >= '{_sql_time(at)}'",
                "orderby": "LastUpdated",
                "order": "ASC",
                "fields": "Status,Created,LastUpdated",
                "page": page,
                "per_page": per_page,
            }
        )
        items = _items(data)
        for item in items:
            tid = str(item.get("id"))
            updated = translate.parse_time(item.get("LastUpdated"))
            if updated is None or (updated <= at and tid in seen):
                continue
            if len(changes) >= per_page:
                complete = False
                break
            if updated > at:
                at, seen = updated, set()
            seen.add(tid)
            changes.append(Change(tid, kind(item), updated))
        if not complete or len(items) < per_page:
            break
        if changes:  # a full page: more may wait
            complete = False
            break
    else:
        complete = False
    return ChangeBatch(tuple(changes), encode(at, seen), complete=complete)


def _items(data: Any) -> list[dict[str, Any]]:
    items = (data or {}).get("items") if isinstance(data, dict) else None
    return [i for i in items or [] if isinstance(i, dict) and "id" in i]
