"""Plan first: what a sweep over the matching tickets meets, before the first key.

``plan_sweep`` summarises the rows a filter selected (count, breached, in the
last 90 minutes, VIP, similar-incident groups), proposes the order (SLA order:
breached first, most overdue on top) and a batch size, projects which tickets
would breach before they are reached, and offers alternatives, each with its
risk in words. Pure: rows and an instant in, a frozen ``SweepPlan`` out, so
the plan screen can re-plan on every key that changes the batch or the order.

**Assumption, spelled out in every plan:** a ticket takes ``DEFAULT_HANDLE_TIME``
(4 minutes: read it, adapt the draft that is already there, send) unless the
caller passes a measured median (``report.median_handle_time`` over earlier
events). Projections are that time multiplied out, nothing cleverer.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from triage_tui.domain import sla
from triage_tui.domain.durations import format_duration
from triage_tui.domain.enums import Status
from triage_tui.domain.queue import QueueRow

DEFAULT_HANDLE_TIME = timedelta(minutes=4)
MAX_BATCH = 25
"""Check in at least this often: 25 tickets at 4 min is ~the 90-minute alert window."""
SIMILAR_MIN = 3
"""From this many similar tickets one reviewed reply beats answering each."""
STALE_PENDING = timedelta(days=3)
MAX_CLUSTER_ALTERNATIVES = 3


def pace_text(delta: timedelta) -> str:
    """A handle time or what it multiplies to, at the resolution it is felt: ``13 s``
    under a minute (a measured pace is often seconds; ``0m`` would say nothing),
    else the canonical ``4m``, ``1h30m``-style spelling (``format_duration``)."""
    seconds = delta.total_seconds()
    if 0 <= seconds < 59.5:
        return f"{round(seconds)} s"
    return format_duration(delta)


class ClusterLike(Protocol):
    """What ``domain.clusters.Clusters`` offers; anything with these two works."""

    def size_of(self, ticket_id: str) -> int: ...

    def members(self, ticket_id: str) -> list[str]: ...


@dataclass(frozen=True)
class SimilarGroup:
    """Tickets of the sweep that describe one problem, in plan order."""

    ticket_ids: tuple[str, ...]
    subject: str
    vip: int
    breached: int

    @property
    def size(self) -> int:
        return len(self.ticket_ids)


@dataclass(frozen=True)
class Alternative:
    """Another way through the same tickets; the screen shows it collapsed."""

    kind: str  # one_reply | at_risk_first | close_pending | hand_off
    title: str
    detail: str
    risk: str
    ticket_ids: tuple[str, ...]


@dataclass(frozen=True)
class SweepPlan:
    rows: tuple[QueueRow, ...]
    """The proposed order."""
    created_at: datetime
    breached: int
    at_risk: int
    """Not yet breached, due within ``sla.SWEEP_RISK_WINDOW`` (90 minutes)."""
    vip: int
    no_sla: int
    handle_time: timedelta
    handle_time_measured: bool
    batch_size: int
    next_breach: QueueRow | None
    """The first ticket, by due time, that has not breached yet."""
    projected_breaches: tuple[str, ...]
    """Ids that would breach before they are reached, in the proposed order."""
    clusters: tuple[SimilarGroup, ...]
    alternatives: tuple[Alternative, ...]
    assumptions: tuple[str, ...]

    @property
    def count(self) -> int:
        return len(self.rows)

    @property
    def order(self) -> tuple[str, ...]:
        return tuple(r.id for r in self.rows)

    @property
    def estimated(self) -> timedelta:
        return self.handle_time * self.count

    def summary(self) -> str:
        """One line for the plan screen's header."""
        parts = [
            f"{self.count} tickets",
            f"{self.breached} breached",
            f"{self.at_risk} in the last 90 min",
            f"{self.vip} VIP",
        ]
        if self.clusters:
            parts.append(f"{len(self.clusters)} similar groups")
        parts.append(f"≈{pace_text(self.estimated)} at {pace_text(self.handle_time)}")
        return " · ".join(parts)

    def to_json(self) -> dict[str, Any]:
        return {
            "created_at": self.created_at.isoformat(),
            "count": self.count,
            "breached": self.breached,
            "at_risk": self.at_risk,
            "vip": self.vip,
            "no_sla": self.no_sla,
            "order": list(self.order),
            "batch_size": self.batch_size,
            "handle_seconds": self.handle_time.total_seconds(),
            "handle_time_measured": self.handle_time_measured,
            "next_breach": self.next_breach.id if self.next_breach else None,
            "projected_breaches": list(self.projected_breaches),
            "clusters": [
                {
                    "ticket_ids": list(c.ticket_ids),
                    "subject": c.subject,
                    "vip": c.vip,
                    "breached": c.breached,
                }
                for c in self.clusters
            ],
            "alternatives": [
                asdict(a) | {"ticket_ids": list(a.ticket_ids)} for a in self.alternatives
            ],
            "assumptions": list(self.assumptions),
        }


def plan_sweep(
    rows: list[QueueRow],
    now: datetime,
    clusters: ClusterLike | None = None,
    *,
    handle_time: timedelta | None = None,
) -> SweepPlan:
    """The plan for sweeping ``rows`` (any order; typically a filter's result)."""
    ts = now.timestamp()
    risk_limit = ts + sla.SWEEP_RISK_WINDOW.total_seconds()
    ordered = sorted(rows, key=QueueRow.sort_key)
    h = handle_time if handle_time and handle_time.total_seconds() > 0 else DEFAULT_HANDLE_TIME
    measured = h is handle_time
    breached = sum(1 for r in ordered if r.due <= ts)
    at_risk = sum(1 for r in ordered if ts < r.due < risk_limit)
    upcoming = [r for r in ordered if ts < r.due < float("inf")]
    next_breach = upcoming[0] if upcoming else None
    batch, batch_note = _batch(len(ordered), next_breach, now, h)
    late = projected_late(ordered, now, h)
    groups = _groups(ordered, clusters, ts)
    assumptions: tuple[str, ...] = (
        (
            f"Handle time {pace_text(h)} a ticket, the median measured in earlier sessions."
            if measured
            else f"Handle time {pace_text(h)} a ticket is assumed (read, adapt the"
            " ready draft, send); measured times replace it once the event log has some."
        ),
        batch_note,
        (
            f"In this order {len(late)} ticket(s) would breach before they are reached: "
            + ", ".join(late[:10])
            + ("…" if len(late) > 10 else "")
            if late
            else "In this order no ticket breaches before it is reached."
        ),
    )
    if clusters is None:
        assumptions += ("Similar incidents were not grouped (no clustering available).",)
    return SweepPlan(
        rows=tuple(ordered),
        created_at=now,
        breached=breached,
        at_risk=at_risk,
        vip=sum(1 for r in ordered if r.vip),
        no_sla=sum(1 for r in ordered if r.due == float("inf")),
        handle_time=h,
        handle_time_measured=measured,
        batch_size=batch,
        next_breach=next_breach,
        projected_breaches=tuple(late),
        clusters=groups,
        alternatives=tuple(_alternatives(ordered, now, h, groups, late, batch)),
        assumptions=assumptions,
    )


def projected_late(
    rows: list[QueueRow] | tuple[QueueRow, ...], now: datetime, handle_time: timedelta
) -> list[str]:
    """Ids of tickets, not breached yet, whose reply at this pace comes after their due time."""
    ts, step = now.timestamp(), handle_time.total_seconds()
    finish, late = ts, []
    for row in rows:
        finish += step
        if ts < row.due < finish:
            late.append(row.id)
    return late


def _batch(
    count: int, next_breach: QueueRow | None, now: datetime, h: timedelta
) -> tuple[int, str]:
    if count == 0:
        return 0, "Nothing to sweep."
    if next_breach is None:
        size = min(count, MAX_BATCH)
        return size, (
            f"Batch of {size}: no ticket here has a breach ahead; plans check in"
            f" at least every {MAX_BATCH} tickets."
        )
    left = timedelta(seconds=next_breach.due - now.timestamp())
    fits = int(left / h)
    size = max(1, min(fits, MAX_BATCH, count))
    if fits > MAX_BATCH and count > MAX_BATCH:
        return size, (
            f"Batch of {size}: the next breach ({next_breach.id}) is"
            f" {format_duration(left)} away; plans check in every {MAX_BATCH} tickets."
        )
    return size, (
        f"Batch of {size}: {size} ticket(s) at {pace_text(h)} take"
        f" {pace_text(h * size)}, before the next breach ({next_breach.id})"
        f" in {format_duration(left)}."
    )


def _groups(
    rows: list[QueueRow], clusters: ClusterLike | None, ts: float
) -> tuple[SimilarGroup, ...]:
    if clusters is None:
        return ()
    position = {r.id: i for i, r in enumerate(rows)}
    by_id = {r.id: r for r in rows}
    seen: set[str] = set()
    groups = []
    for row in rows:
        if row.id in seen or clusters.size_of(row.id) < 2:
            continue
        members = sorted(
            (m for m in clusters.members(row.id) if m in position), key=lambda m: position[m]
        )
        seen.update(members)
        if len(members) >= 2:
            picked = [by_id[m] for m in members]
            groups.append(
                SimilarGroup(
                    tuple(members),
                    picked[0].subject,
                    sum(r.vip for r in picked),
                    sum(1 for r in picked if r.due <= ts),
                )
            )
    groups.sort(key=lambda g: -g.size)
    return tuple(groups)


def _alternatives(
    rows: list[QueueRow],
    now: datetime,
    h: timedelta,
    groups: tuple[SimilarGroup, ...],
    late: list[str],
    batch: int,
) -> list[Alternative]:
    ts = now.timestamp()
    out: list[Alternative] = []
    for group in [g for g in groups if g.size >= SIMILAR_MIN][:MAX_CLUSTER_ALTERNATIVES]:
        vip = f" {group.vip} of them VIP." if group.vip else ""
        out.append(
            Alternative(
                "one_reply",
                f"Answer the {group.size} similar tickets with one reply",
                f'"{group.subject}" and {group.size - 1} like it: one reviewed reply sent to each'
                f" (bulk macro), about {pace_text(h * (group.size - 1))} saved.",
                f"One answer for {group.size} customers: a ticket that differs in a detail gets a"
                " wrong reply, and replies cannot be undone. Open two or three before sending."
                + vip,
                group.ticket_ids,
            )
        )
    breached = [r for r in rows if r.due <= ts]
    at_risk = [r for r in rows if ts < r.due < ts + sla.SWEEP_RISK_WINDOW.total_seconds()]
    if breached and at_risk:
        first = {r.id for r in breached} | {r.id for r in at_risk}
        rest = [r for r in rows if r.id not in first]
        late_alt = projected_late(at_risk + breached + rest, now, h)
        out.append(
            Alternative(
                "at_risk_first",
                f"Answer the {len(at_risk)} tickets in their last 90 minutes before the"
                f" {len(breached)} already breached",
                f"Projected new breaches: {len(late_alt)} instead of {len(late)}.",
                f"The {len(breached)} breached ticket(s) wait about"
                f" {pace_text(h * len(at_risk))} longer; their customers have already"
                " waited past the SLA.",
                tuple(r.id for r in at_risk + breached),
            )
        )
    stale = [
        r
        for r in rows
        if r.status is Status.PENDING and ts - r.created > STALE_PENDING.total_seconds()
    ]
    if stale:
        stale_vip = sum(r.vip for r in stale)
        out.append(
            Alternative(
                "close_pending",
                f"Close the {len(stale)} pending tickets opened over"
                f" {format_duration(STALE_PENDING)} ago in one batch",
                "Bulk status solved, previewed first, undoable as one batch.",
                "Closing without reading drops any question a customer added since;"
                + (f" {stale_vip} VIP ticket(s) would be closed;" if stale_vip else "")
                + " undo restores the status but not the SLA clocks that solving stopped.",
                tuple(r.id for r in stale),
            )
        )
    if late and len(rows) > batch:
        handed = rows[batch:]
        out.append(
            Alternative(
                "hand_off",
                f"Hand the {len(handed)} tickets after the first batch to a colleague",
                f"Bulk-assign tickets {batch + 1}–{len(rows)}; you keep the {batch} that fit"
                " before the next breach.",
                "Helps only if someone is free now; their SLA keeps running while they wait in"
                " another queue.",
                tuple(r.id for r in handed),
            )
        )
    return out
