"""The live queue's pure decisions: merging changed rows, row markers, alerts.

The console hands each batch of the change feed (``domain.changes``) here as
plain values — the changes, the rows re-read for them, the queue it shows —
and gets back the new queue, the markers to show and the alerts to raise. No
Textual, no I/O, no clock of its own: unit-tested alone, and timed by
``benchmarks/live_merge.py`` at 100 000 rows.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from functools import lru_cache

from triage_tui.domain.changes import Change, ChangeKind
from triage_tui.domain.enums import Priority
from triage_tui.domain.queue import QueueRow, Sort


class Marker(StrEnum):
    """What happened to a row since the agent last opened its ticket: a text
    marker in front of the subject (with a colour). Cleared on opening it."""

    #: Created since the console showed the queue.
    NEW = "new"
    #: The customer wrote.
    REPLIED = "re"
    #: Someone other than this agent changed it (a reply, status, priority, assignee…).
    CHANGED = "chg"


#: A stronger marker is not replaced by a weaker one until the ticket is opened.
_STRENGTH = {Marker.CHANGED: 0, Marker.REPLIED: 1, Marker.NEW: 2}


def stronger(old: Marker | None, new: Marker | None) -> Marker | None:
    """The marker a row keeps when ``new`` arrives on top of ``old``."""
    if old is None:
        return new
    if new is None:
        return old
    return new if _STRENGTH[new] > _STRENGTH[old] else old


@lru_cache(maxsize=1024)
def _fold(name: str) -> str:
    # A burst names the same few actors a thousand times: fold each once.
    return name.casefold()


def is_own(change: Change, agent: str) -> bool:
    """The console's own writes (recorded under the profile's agent) are not news."""
    actor = change.actor
    return bool(agent) and (actor == agent or _fold(actor) == _fold(agent))


def marker_for(change: Change, agent: str, row: QueueRow | None) -> Marker | None:
    """The marker one change earns its row; None for this agent's own changes.

    A message whose actor is the ticket's requester (by name or id) is the
    customer replying; any other change by someone else is ``chg``. A change
    whose actor the helpdesk does not name counts as someone else's: only the
    agent's own, named, are known to be old news.
    """
    if is_own(change, agent):
        return None
    if change.kind is ChangeKind.CREATED:
        return Marker.NEW
    if change.kind in (ChangeKind.MESSAGE_ADDED, ChangeKind.UPDATED) and row is not None:
        actor = _fold(change.actor)
        if actor and actor in (_fold(row.requester), _fold(row.requester_id)):
            return Marker.REPLIED
    return Marker.CHANGED


def merge_rows(
    rows: list[QueueRow],
    updates: Mapping[str, QueueRow | None],
    shown: Mapping[str, QueueRow] | None = None,
    order: Sort = Sort.SLA,
) -> list[QueueRow]:
    """A new list: ``rows`` (sorted in ``order``) with ``updates`` applied. A row
    for an id replaces the old one at its place in that order (or enters); None
    or an inactive row leaves. ``shown`` (``rows`` by id, when the caller keeps
    one) finds the old rows by bisection instead of a walk over every row.

    The old rows' places and the new rows' places are found by bisection, and
    the result is one concatenation of slices: the work per row of the queue is
    copying a pointer, so 1 000 changes on 100 000 rows stay cheap.
    """
    key = order.key
    gone = _places(rows, updates, shown, key)
    if gone is not None and len(updates) <= FEW_CHANGES:
        # One copy, then C-level moves: the common poll brings a change or two.
        few = list(rows)
        for at in reversed(gone):
            del few[at]
        for row in updates.values():
            if row is not None and row.status.is_active:
                bisect.insort(few, row, key=key)
        return few
    # Without an index (or with a stale one): one pass over the rows.
    kept = [row for row in rows if row.id not in updates] if gone is None else _without(rows, gone)
    incoming = sorted(
        (row for row in updates.values() if row is not None and row.status.is_active), key=key
    )
    merged: list[QueueRow] = []
    start = 0
    for row in incoming:
        place = bisect.bisect_left(kept, key(row), lo=start, key=key)
        merged += kept[start:place]
        merged.append(row)
        start = place
    merged += kept[start:]
    return merged


#: Up to this many changes are merged by deleting and inserting in one copy of
#: the queue; more by concatenating slices around them.
FEW_CHANGES = 16


def _places(
    rows: list[QueueRow],
    updates: Mapping[str, object],
    shown: Mapping[str, QueueRow] | None,
    key: Callable[[QueueRow], tuple[float | int | str, ...]],
) -> list[int] | None:
    """Where the updated tickets' old rows are in ``rows`` (sorted by ``key``),
    ascending; None when ``shown`` cannot say (then the caller walks the rows)."""
    if shown is None:
        return None
    places: list[int] = []
    for ticket_id in updates:
        old = shown.get(ticket_id)
        if old is None:
            continue
        at = bisect.bisect_left(rows, key(old), key=key)
        if at >= len(rows) or rows[at] is not old:
            return None
        places.append(at)
    places.sort()
    return places


def _without(rows: list[QueueRow], places: list[int]) -> list[QueueRow]:
    kept: list[QueueRow] = []
    start = 0
    for at in places:
        kept += rows[start:at]
        start = at + 1
    kept += rows[start:]
    return kept


# -- alerts ------------------------------------------------------------------


class AlertStage(StrEnum):
    """At most one alert per ticket per stage."""

    #: A new ticket matching the rule.
    NEW = "new"
    #: A ticket entering its last ``within`` before breaching.
    DUE = "due"


@dataclass(frozen=True, slots=True)
class AlertRule:
    """Which new tickets alert: any of the priorities, a VIP organization, or an
    SLA due within ``within``; every ticket entering its last ``within`` alerts."""

    priorities: frozenset[Priority] = frozenset({Priority.URGENT})
    vip: bool = True
    within: timedelta = timedelta(minutes=90)

    def matches(self, row: QueueRow, now: datetime) -> bool:
        if row.priority in self.priorities or (self.vip and row.vip):
            return True
        return _due_within(row, now, self.within)


def _due_within(row: QueueRow, now: datetime, within: timedelta) -> bool:
    return row.due != math.inf and row.due - now.timestamp() <= within.total_seconds()


@dataclass(frozen=True, slots=True)
class Alert:
    row: QueueRow
    stage: AlertStage

    def line(self, now: datetime) -> str:
        """One line for the notice and the desktop notification."""
        row = self.row
        why: list[str] = []
        if row.priority is Priority.URGENT:
            why.append("urgent")
        if row.vip:
            why.append("VIP")
        left = row.due - now.timestamp()
        if row.due != math.inf:
            why.append(f"breaches in {max(0, round(left / 60))} min")
        head = "New ticket" if self.stage is AlertStage.NEW else "Due soon"
        return f"{head} #{row.id}: {row.subject} ({', '.join(why) or row.priority.value})"


@dataclass
class AlertTracker:
    """Decides the alerts; remembers which (ticket, stage) already alerted.

    ``seed`` with the queue as first shown: tickets already inside the window
    are not "entering" it. ``created`` judges new tickets; ``due`` finds the
    rows that crossed into the window since the last look — the queue is in
    due order and the window's far edge only moves forward, so they are the
    rows between the last edge and this one, found by bisection (a tick looks
    at the one or two rows that crossed, not at thousands inside); ``moved``
    judges rows whose due time a change moved into the window.
    """

    rule: AlertRule = field(default_factory=AlertRule)
    alerted: set[tuple[str, AlertStage]] = field(default_factory=set)
    #: The window's far edge (POSIX seconds) at the last look; None before ``seed``.
    edge: float | None = None

    def seed(self, rows: Sequence[QueueRow], now: datetime) -> None:
        for row in _between(rows, now.timestamp(), self._edge(now)):
            self.alerted.add((row.id, AlertStage.DUE))
        self.edge = self._edge(now)

    def _edge(self, now: datetime) -> float:
        return now.timestamp() + self.rule.within.total_seconds()

    def created(self, rows: Iterable[QueueRow], now: datetime) -> list[Alert]:
        alerts: list[Alert] = []
        for row in rows:
            if not row.status.is_active:
                continue
            if _due_within(row, now, self.rule.within):
                # Arrived inside the window: the "new" alert says so; not twice.
                self.alerted.add((row.id, AlertStage.DUE))
            if self.rule.matches(row, now) and self._first(row.id, AlertStage.NEW):
                alerts.append(Alert(row, AlertStage.NEW))
        return alerts

    def due(self, rows: Sequence[QueueRow], now: datetime) -> list[Alert]:
        """Rows (in queue order) that entered their last ``within`` since the last
        look and are not breached, each the first time."""
        edge = self._edge(now)
        last = self.edge if self.edge is not None else edge
        self.edge = max(edge, last)
        crossed = _between(rows, max(last, now.timestamp()), edge)
        return [
            Alert(row, AlertStage.DUE) for row in crossed if self._first(row.id, AlertStage.DUE)
        ]

    def moved(self, rows: Iterable[QueueRow], now: datetime) -> list[Alert]:
        """Rows re-read after a change that are now inside the window (a new SLA, a
        new priority), each the first time."""
        ts, edge = now.timestamp(), self._edge(now)
        return [
            Alert(row, AlertStage.DUE)
            for row in rows
            if row.status.is_active and ts < row.due <= edge and self._first(row.id, AlertStage.DUE)
        ]

    def _first(self, ticket_id: str, stage: AlertStage) -> bool:
        key = (ticket_id, stage)
        if key in self.alerted:
            return False
        self.alerted.add(key)
        return True


def _between(rows: Sequence[QueueRow], after: float, until: float) -> Sequence[QueueRow]:
    """The rows (in due order) due after ``after`` and at or before ``until``."""
    low = bisect.bisect_right(rows, after, key=_due)
    high = bisect.bisect_right(rows, until, lo=low, key=_due)
    return rows[low:high]


def _due(row: QueueRow) -> float:
    return row.due


# -- the open ticket's notice ----------------------------------------------------


def ago(at: datetime | None, now: datetime) -> str:
    """``20 s ago``, ``3 min ago``, ``2 h ago``; "just now" when the time is unknown."""
    if at is None:
        return "just now"
    seconds = max(0, int((now - at).total_seconds()))
    if seconds < 60:
        return f"{seconds} s ago"
    if seconds < 3600:
        return f"{seconds // 60} min ago"
    return f"{seconds // 3600} h ago"


#: Which of several changes to one ticket the notice names: a reply says more
#: than the SLA clock it restarted.
_NOTICE_RANK = {
    ChangeKind.MESSAGE_ADDED: 6,
    ChangeKind.DELETED: 5,
    ChangeKind.SOLVED: 4,
    ChangeKind.STATUS_CHANGED: 4,
    ChangeKind.ASSIGNEE_CHANGED: 3,
    ChangeKind.PRIORITY_CHANGED: 2,
    ChangeKind.CREATED: 1,
    ChangeKind.UPDATED: 1,
    ChangeKind.SLA_CHANGED: 0,
}


def headline(changes: Iterable[Change]) -> Change | None:
    """The change a notice names among several (the latest of the most telling kind)."""
    best: Change | None = None
    for change in changes:
        if best is None or _NOTICE_RANK[change.kind] >= _NOTICE_RANK[best.kind]:
            best = change
    return best


def notice_line(change: Change, row: QueueRow | None, now: datetime) -> str:
    """One line on the open ticket saying who changed what, and when:
    ``Dana Reyes replied 20 s ago``, ``Mei Chen set pending 3 s ago``.

    ``row`` is the ticket as re-read after the change (None: it is gone).
    """
    who = change.actor or "Someone"
    kind = change.kind
    if row is None or kind is ChangeKind.DELETED:
        what = "deleted it"
    elif kind is ChangeKind.MESSAGE_ADDED:
        what = "replied"
    elif kind in (ChangeKind.STATUS_CHANGED, ChangeKind.SOLVED):
        what = f"set {row.status.value}"
    elif kind is ChangeKind.PRIORITY_CHANGED:
        what = f"set priority {row.priority.value}"
    elif kind is ChangeKind.ASSIGNEE_CHANGED:
        what = f"assigned it to {row.assignee}" if row.assignee else "unassigned it"
    elif kind is ChangeKind.SLA_CHANGED:
        what = "changed its SLA"
    elif kind is ChangeKind.CREATED:
        what = "created it"
    else:
        what = "updated it"
    return f"{who} {what} {ago(change.at, now)}"
