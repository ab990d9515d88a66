"""The conditions a filter is made of, each compiled to a fast row test.

Split from ``language`` (which parses) so each file stays readable. A condition
knows its canonical text (``priority:high,urgent``), a short description for
the queue title, and how to keep matching rows from a list. Row tests are
closures over precomputed values (a set of priorities, an absolute due-time
limit), because a Python call per row is the budget: 100 000 rows ≈ 6 ms.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import ClassVar

from triage_tui.domain.durations import format_duration
from triage_tui.domain.enums import Priority, Status
from triage_tui.domain.filters.word_match import WordMatcher, max_edits
from triage_tui.domain.queue import QueueRow, haystacks

RowTest = Callable[[QueueRow], bool]
_INF = math.inf
_COMPARE = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}


@dataclass(frozen=True, slots=True)
class Context:
    """What matching needs besides the row: the instant and who "me" is (lower-cased)."""

    now: float
    me: str


def quote(value: str) -> str:
    """A value as the filter language reads it back: quoted if it holds a space or comma."""
    return f'"{value}"' if not value or any(c in value for c in ' ,:"') else value


class Condition:
    """Base of every condition; subclasses are frozen dataclasses."""

    #: Order of evaluation: cheap, selective tests first, text scans last.
    cost: ClassVar[int] = 1

    def text(self) -> str:
        raise NotImplementedError

    def describe(self, negated: bool) -> str:
        raise NotImplementedError

    def test(self, ctx: Context) -> RowTest:
        raise NotImplementedError

    def select(self, rows: list[QueueRow], ctx: Context, negated: bool) -> list[QueueRow]:
        keep = self.test(ctx)
        if negated:
            return [r for r in rows if not keep(r)]
        return [r for r in rows if keep(r)]


@dataclass(frozen=True, slots=True)
class Flag(Condition):
    """``breached`` or ``vip``."""

    cost: ClassVar[int] = 0
    name: str

    def text(self) -> str:
        return self.name

    def describe(self, negated: bool) -> str:
        label = "VIP" if self.name == "vip" else self.name
        return f"not {label}" if negated else label

    def test(self, ctx: Context) -> RowTest:
        if self.name == "vip":
            return lambda r: r.vip
        now = ctx.now
        return lambda r: r.due <= now

    def select(self, rows: list[QueueRow], ctx: Context, negated: bool) -> list[QueueRow]:
        # Inline comprehensions: a call per row would double the cost.
        want = not negated
        if self.name == "vip":
            return [r for r in rows if r.vip is want]
        now = ctx.now
        return [r for r in rows if (r.due <= now) is want]


@dataclass(frozen=True, slots=True)
class SetCond(Condition):
    """``field:a,b`` — any of the values; ``priority:>=high`` when ``op`` is set."""

    field: str
    values: tuple[str, ...]
    op: str | None = None

    @property
    def cost(self) -> int:  # type: ignore[override]
        return 1 if self.field in ("priority", "status", "channel") else 2

    def text(self) -> str:
        if self.op:
            return f"{self.field}:{self.op}{self.values[0]}"
        return f"{self.field}:{','.join(quote(v) for v in self.values)}"

    def describe(self, negated: bool) -> str:
        joined = " or ".join(self.values)
        if self.field == "priority" and self.op:
            label = f"priority {self.op} {self.values[0]}"
        elif self.field == "tag":
            label = f"tagged {joined}"
        elif self.field == "channel":
            label = f"via {joined}"
        elif self.field == "assignee":
            names = {"me": "mine", "none": "unassigned"}
            label = " or ".join(names.get(v, f"assigned to {v}") for v in self.values)
        else:
            label = f"{self.field} {joined}"
        return f"not {label}" if negated else label

    def allowed(self) -> frozenset[Priority] | frozenset[Status]:
        """The priorities or statuses that match (``priority:>=high`` → high, urgent)."""
        if self.field == "status":
            return frozenset(Status(v) for v in self.values)
        if self.op:
            pivot, compare = Priority(self.values[0]).rank, _COMPARE[self.op]
            return frozenset(p for p in Priority if compare(p.rank, pivot))
        return frozenset(Priority(v) for v in self.values)

    def test(self, ctx: Context) -> RowTest:
        field = self.field
        if field in ("priority", "status"):
            allowed = self.allowed()
            get = _ATTRIBUTE[field]
            return lambda r: get(r) in allowed
        if field == "tag":
            tags = self._tags()
            return lambda r: not tags.isdisjoint(r.tags)
        matches, get = self._value_test(ctx), _ATTRIBUTE[field]
        return lambda r: matches(get(r))

    def select(self, rows: list[QueueRow], ctx: Context, negated: bool) -> list[QueueRow]:
        # Inline set-membership comprehensions: a function call (or a lower())
        # per row would double the cost. Text fields have few distinct values,
        # so each distinct value is tested once and rows by membership.
        want, field = not negated, self.field
        if field == "priority":
            priorities = self.allowed()
            return [r for r in rows if (r.priority in priorities) is want]
        if field == "status":
            statuses = self.allowed()
            return [r for r in rows if (r.status in statuses) is want]
        if field == "tag":
            tags = self._tags()
            return [r for r in rows if (not tags.isdisjoint(r.tags)) is want]
        matches = self._value_test(ctx)
        if field == "channel":
            hits = frozenset(v for v in {r.channel for r in rows} if matches(v))
            return [r for r in rows if (r.channel in hits) is want]
        if field == "org":
            hits = frozenset(v for v in {r.organization for r in rows} if matches(v))
            return [r for r in rows if (r.organization in hits) is want]
        hits = frozenset(v for v in {r.assignee for r in rows} if matches(v))
        return [r for r in rows if (r.assignee in hits) is want]

    def _tags(self) -> frozenset[str]:
        # Exact set test; helpdesks store tags lower-case, one with capitals matches as typed.
        return frozenset(self.values) | {v.lower() for v in self.values}

    def _value_test(self, ctx: Context) -> Callable[[str], bool]:
        """channel, org (substring) or assignee, tested on the field's text."""
        wanted = frozenset(v.lower() for v in self.values)
        if self.field == "channel":
            return lambda v: v.lower() in wanted
        if self.field == "org":
            return lambda v: any(w in v.lower() for w in wanted)
        return _assignee_test(tuple(wanted), ctx.me)


_ATTRIBUTE = {
    "priority": operator.attrgetter("priority"),
    "status": operator.attrgetter("status"),
    "channel": operator.attrgetter("channel"),
    "org": operator.attrgetter("organization"),
    "assignee": operator.attrgetter("assignee"),
}


def _assignee_test(values: tuple[str, ...], me: str) -> Callable[[str], bool]:
    """``me`` is the profile's agent; ``none`` is unassigned; a first name matches too."""
    unassigned = "none" in values
    names = frozenset((me if v == "me" else v) for v in values if v != "none") - {""}

    def test(who: str) -> bool:
        if not who:
            return unassigned
        lowered = who.lower()
        return lowered in names or lowered.split(" ", 1)[0] in names

    return test


@dataclass(frozen=True, slots=True)
class TimeCond(Condition):
    """``sla:<90m`` (time left before the next breach) or ``age:>2d`` (since creation)."""

    field: str
    op: str
    delta: timedelta

    def text(self) -> str:
        return f"{self.field}:{self.op}{format_duration(self.delta)}"

    def describe(self, negated: bool) -> str:
        amount = format_duration(self.delta)
        if self.field == "sla":
            label = f"SLA {self.op} {amount} left"
        elif self.op in ("<", "<="):
            label = f"younger than {amount}"
        else:
            label = f"older than {amount}"
        return f"not {label}" if negated else label

    def test(self, ctx: Context) -> RowTest:
        seconds = self.delta.total_seconds()
        if self.field == "sla":
            # Rows without a running SLA (due = inf) never match a comparison.
            limit = ctx.now + seconds
            if self.op == "<":
                return lambda r: r.due < limit
            if self.op == "<=":
                return lambda r: r.due <= limit
            if self.op == ">":
                return lambda r: limit < r.due < _INF
            return lambda r: limit <= r.due < _INF
        born = ctx.now - seconds  # age < 4h  <=>  created after now - 4h
        if self.op == "<":
            return lambda r: r.created > born
        if self.op == "<=":
            return lambda r: r.created >= born
        if self.op == ">":
            return lambda r: r.created < born
        return lambda r: r.created <= born

    def select(self, rows: list[QueueRow], ctx: Context, negated: bool) -> list[QueueRow]:
        if self.op not in ("<", ">"):
            return Condition.select(self, rows, ctx, negated)
        want, seconds = not negated, self.delta.total_seconds()
        if self.field == "sla":
            limit = ctx.now + seconds
            if self.op == "<":
                return [r for r in rows if (r.due < limit) is want]
            return [r for r in rows if (limit < r.due < _INF) is want]
        born = ctx.now - seconds
        if self.op == "<":
            return [r for r in rows if (r.created > born) is want]
        return [r for r in rows if (r.created < born) is want]


@dataclass(frozen=True, slots=True)
class PhraseCond(Condition):
    """``"password reset"``: the exact text (case-insensitive), no typo tolerance."""

    cost: ClassVar[int] = 5
    phrase: str

    def text(self) -> str:
        return f'"{self.phrase}"'

    def describe(self, negated: bool) -> str:
        return f'not "{self.phrase}"' if negated else f'"{self.phrase}"'

    def test(self, ctx: Context) -> RowTest:
        phrase = self.phrase
        return lambda r: phrase in r.haystack()

    def select(self, rows: list[QueueRow], ctx: Context, negated: bool) -> list[QueueRow]:
        phrase = self.phrase
        return [
            r for r, h in zip(rows, haystacks(rows), strict=True) if (phrase in h) is not negated
        ]


@dataclass(frozen=True, slots=True)
class WordCond(Condition):
    """A free word: in the text, or one typo away from a word of it (see ``word_match``)."""

    word: str

    @property
    def cost(self) -> int:  # type: ignore[override]
        """Exact words before typo-tolerant ones (those scan once per spelling)."""
        return 7 if max_edits(self.word) else 6

    def text(self) -> str:
        return self.word

    def describe(self, negated: bool) -> str:
        return f"not {self.word}" if negated else self.word

    def test(self, ctx: Context) -> RowTest:
        return lambda r: bool(self.select([r], ctx, False))

    def select(self, rows: list[QueueRow], ctx: Context, negated: bool) -> list[QueueRow]:
        return WordMatcher.for_word(self.word).select(rows, haystacks(rows), negated)
