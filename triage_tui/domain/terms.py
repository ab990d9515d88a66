"""The conditions a filter is made of, each compiled to a fast row test.

Split from ``filters`` (which parses) so each file stays readable. A condition
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
from triage_tui.domain.models import Priority, Status
from triage_tui.domain.queue import QueueRow, haystacks
from triage_tui.domain.word_match import WordMatcher

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

    def test(self, ctx: Context) -> RowTest:
        field, values = self.field, self.values
        if field == "priority":
            if self.op:
                pivot, compare = Priority(values[0]).rank, _COMPARE[self.op]
                allowed = frozenset(p for p in Priority if compare(p.rank, pivot))
            else:
                allowed = frozenset(Priority(v) for v in values)
            return lambda r: r.priority in allowed
        if field == "status":
            statuses = frozenset(Status(v) for v in values)
            return lambda r: r.status in statuses
        wanted = frozenset(v.lower() for v in values)
        if field == "tag":
            # Exact set test (a per-row lower() doubles the cost); helpdesks store
            # tags lower-case, and a tag with capitals matches as typed.
            tags = wanted | frozenset(values)
            return lambda r: not tags.isdisjoint(r.tags)
        if field == "channel":
            return lambda r: r.channel.lower() in wanted
        if field == "org":
            if len(wanted) == 1:
                (one,) = wanted
                return lambda r: one in r.organization.lower()
            return lambda r: any(v in r.organization.lower() for v in wanted)
        return _assignee_test(tuple(wanted), ctx.me)


def _assignee_test(values: tuple[str, ...], me: str) -> RowTest:
    """``me`` is the profile's agent; ``none`` is unassigned; a first name matches too."""
    unassigned = "none" in values
    names = frozenset((me if v == "me" else v) for v in values if v != "none")
    names = names - {""}
    if not names:
        if unassigned:
            return lambda r: not r.assignee
        return lambda r: False

    def test(row: QueueRow) -> bool:
        who = row.assignee
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
        return [r for r, h in zip(rows, haystacks(rows), strict=True) if (phrase in h) is not negated]


@dataclass(frozen=True, slots=True)
class WordCond(Condition):
    """A free word: in the text, or one typo away from a word of it (see ``word_match``)."""

    cost: ClassVar[int] = 6
    word: str

    def text(self) -> str:
        return self.word

    def describe(self, negated: bool) -> str:
        return f"not {self.word}" if negated else self.word

    def test(self, ctx: Context) -> RowTest:
        return lambda r: bool(self.select([r], ctx, False))

    def select(self, rows: list[QueueRow], ctx: Context, negated: bool) -> list[QueueRow]:
        return WordMatcher.for_word(self.word).select(rows, haystacks(rows), negated)
