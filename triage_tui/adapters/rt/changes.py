"""Request Tracker's change feed: TicketSQL on ``LastUpdated``.

RT has no change log over REST2 short of each ticket's history, but every
transaction bumps the ticket's ``LastUpdated``, which has one-second
resolution. A poll is one search: ``LastUpdated >= 'T'`` in the configured
queues, any status, oldest first, one page. The cursor is ``T``, the ids
already reported at ``T``, and whether second ``T`` was still running when
they were read ("open").

Why "open": a ticket reported at ``T`` and changed again within that same
second keeps ``LastUpdated = T``, so a cursor that skips the ids it reported
at ``T`` would lose that second change. While ``T`` may still be running, the
ids reported at it are kept aside; the first poll whose search ran after ``T``
ended reports them once more, flagged ``repeat``. So a change is never lost
and is reported at most twice; the repeat says it may be old news (consumers
compare the ticket they re-read with the one they hold). Whether ``T`` has
ended is read from RT's own clock, the response's ``Date`` header (a later
``LastUpdated`` in the same answer also proves it); without a ``Date``,
this host's clock, with a margin.

Reading: whatever ``limit``, a poll searches pages of ``MAX_PAGE`` ordered by
``LastUpdated`` then ``id``, and stops reporting at ``limit``. The tickets
updated since the cursor usually fit one page, so a poll is one consistent
answer. Pages of ``limit`` would walk one second's tickets by ``OFFSET`` over
several searches, and RT (and the database under it) orders tickets tied on
``LastUpdated`` afresh each time unless told a second key: a ticket already
seen could come back on the next page and hide one never reported, and the
cursor then moved past it for good.

Kinds: ``created`` when the ticket was created at its last update, ``solved``
for resolved or rejected, ``deleted``; otherwise ``updated`` (the search
returns the ticket as it is now, not which transaction touched it).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from triage_tui.adapters.rt import translate
from triage_tui.domain.changes import Change, ChangeBatch, ChangeKind

PREFIX = "rt:"
#: RT's REST2 pages hold at most 100 records.
MAX_PAGE = 100
#: Tickets tied on ``LastUpdated`` in one order on every search (see "Reading").
ORDER_BY = ("LastUpdated", "id")
#: Pages of one second's tickets skipped past before a poll gives up (and resumes
#: from there next time): bounded work even if thousands share one second.
MAX_PAGES = 5
#: ``Date`` is truncated to the second and written after the search ran: a
#: ``Date`` two seconds past ``T`` means the search ran after ``T`` ended,
#: unless answering took over a second.
ENDED_BY_SERVER_CLOCK = timedelta(seconds=2)
#: Without a ``Date`` header, this host's clock decides, with a second more for
#: the two clocks' drift (NTP keeps them far closer).
ENDED_BY_LOCAL_CLOCK = timedelta(seconds=3)

#: ``search(params)`` is one GET of REST2 ``/tickets``: the parsed answer and the
#: time in its ``Date`` header (None when absent).
Search = Callable[[Mapping[str, Any]], Awaitable[tuple[Any, datetime | None]]]


def _sql_time(at: datetime) -> str:
    # RT reads TicketSQL dates in UTC when they say so.
    return at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def _ids(ids: set[str]) -> str:
    return ",".join(sorted(ids, key=int))


def encode(at: datetime, seen: set[str], owed: set[str] | None = None) -> str:
    """``owed``: ids reported while second ``at`` may still have been running."""
    tail = f"|{_ids(owed)}" if owed else ""
    return f"{PREFIX}{_sql_time(at)}|{_ids(seen)}{tail}"


def decode(cursor: str) -> tuple[datetime, set[str], set[str]] | None:
    if not cursor.startswith(PREFIX) or "|" not in cursor:
        return None
    stamp, _, rest = cursor.removeprefix(PREFIX).partition("|")
    try:
        at = datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
    except ValueError:
        return None
    seen_part, _, owed_part = rest.partition("|")
    seen = {i for i in seen_part.split(",") if i}
    owed = {i for i in owed_part.split(",") if i}
    if not all(i.isascii() and i.isdigit() and len(i) <= 19 for i in seen | owed):
        return None
    return at, seen, owed & seen


def ended(second: datetime, server_now: datetime | None) -> bool:
    """Whether second ``second`` of RT's clock was over when the search ran."""
    if server_now is not None:
        return server_now >= second + ENDED_BY_SERVER_CLOCK
    return datetime.now(UTC) >= second + ENDED_BY_LOCAL_CLOCK


def kind(item: Mapping[str, Any], first: datetime, seen: set[str]) -> ChangeKind:
    """What one search hit is to a reader whose cursor is ``first`` (having read
    ``seen`` updated in that second). A ticket created since the cursor is new even
    when RT touched it again after creating it (a Due or Priority set, a scrip's
    auto-reply): comparing Created with LastUpdated would call it changed."""
    status = str(item.get("Status") or "").lower()
    if status == "deleted":
        return ChangeKind.DELETED
    if status in ("resolved", "rejected"):
        return ChangeKind.SOLVED
    created = translate.parse_time(item.get("Created"))
    if created is not None and (
        created > first or (created == first and str(item.get("id")) not in seen)
    ):
        return ChangeKind.CREATED
    return ChangeKind.UPDATED


async def _start(search: Search, where: str, resync: bool) -> ChangeBatch:
    """Now: the newest update in scope (RT's clock, not ours) and every ticket updated
    in that same second, so none of them is reported as new — but owed a repeat if
    that second was still running."""
    data, server_now = await search(
        {
            "query": f"{where}LastUpdated > '1970-01-02'",
            "orderby": ORDER_BY,
            "order": ("DESC", "DESC"),
            "fields": "LastUpdated",
            "per_page": MAX_PAGE,
        }
    )
    stamped = [(translate.parse_time(i.get("LastUpdated")), str(i["id"])) for i in _items(data)]
    newest = stamped[0][0] if stamped else None
    at = newest or datetime(1970, 1, 2, tzinfo=UTC)
    seen = {tid for when, tid in stamped if when == newest}
    owed = set() if newest is None or ended(newest, server_now) else seen
    return ChangeBatch((), encode(at, seen, owed), resync=resync)


async def changes_since(search: Search, scope: str, cursor: str | None, limit: int) -> ChangeBatch:
    """``scope`` is the queues' TicketSQL clause ("" for every queue)."""
    limit = max(1, limit)
    where = f"{scope} AND " if scope else ""
    decoded = decode(cursor) if cursor is not None else None
    if decoded is None:
        return await _start(search, where, resync=cursor is not None)
    first, seen, owed = decoded
    already = seen
    at = first
    #: Reported in this poll (not as repeats) at ``at``: owed a repeat if ``at`` had
    #: not ended when they were read.
    fresh: set[str] = set()
    repeated: set[str] = set()
    first_ended = first_exhausted = False
    server_now: datetime | None = None
    changes: list[Change] = []
    complete = True
    for page in range(1, MAX_PAGES + 1):
        data, server_now = await search(
            {
                "query": f"{where}LastUpdated >= '{_sql_time(first)}'",
                "orderby": ORDER_BY,
                "order": ("ASC", "ASC"),
                "fields": "Status,Created,LastUpdated",
                "page": page,
                "per_page": MAX_PAGE,
            }
        )
        items = _items(data)
        stamped = [(item, translate.parse_time(item.get("LastUpdated"))) for item in items]
        later = any(when is not None and when > first for _, when in stamped)
        first_ended = first_ended or later or ended(first, server_now)
        first_exhausted = first_exhausted or later or len(items) < MAX_PAGE
        for item, updated in stamped:
            tid = str(item.get("id"))
            if updated is None or updated < at:
                continue
            again = updated == at and tid in seen
            if again and not (at == first and tid in owed and first_ended and tid not in repeated):
                continue
            if len(changes) >= limit:
                complete = first_exhausted = False
                break
            if again:
                repeated.add(tid)
                changes.append(Change(tid, kind(item, first, already), updated, repeat=True))
                continue
            if updated > at:
                at, seen, fresh = updated, set(), set()
            seen.add(tid)
            fresh.add(tid)
            changes.append(Change(tid, kind(item, first, already), updated))
        if not complete or len(items) < MAX_PAGE:
            break
        if changes:  # a full page: more may wait
            complete = False
            break
    else:
        complete = False
    if at == first:
        if first_ended:
            # Read after the second ended: final. Ids not met again have moved on
            # (their later update is reported in its own second) once every
            # ticket of that second has been read.
            still_owed = set() if first_exhausted else owed - repeated
        else:
            still_owed = owed | fresh
    else:
        still_owed = set() if ended(at, server_now) else fresh
    return ChangeBatch(tuple(changes), encode(at, seen, still_owed), complete=complete)


def _items(data: Any) -> list[dict[str, Any]]:
    items = (data or {}).get("items") if isinstance(data, dict) else None
    return [i for i in items or [] if isinstance(i, dict) and "id" in i]
