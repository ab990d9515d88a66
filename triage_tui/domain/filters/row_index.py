"""Filters evaluated over one list of rows at C speed, fast enough for every keystroke.

A Python step per row is the budget to beat: on the 2-core benchmark machine a
bare comprehension over 100 000 rows costs 4 ms, reading one attribute of
each row 15 ms, and a substring test of each row's text 25-45 ms. So a
``RowIndex`` answers every term with a *mask* (``bytes``, one byte a row, 1 =
kept) made by C loops, and combines masks as big integers:

* columns are read once per list: a field with few distinct values (priority,
  status, channel, org, assignee, tags, vip) becomes one code byte a row, and
  a condition is tested once per distinct value and spread by
  ``bytes.translate``; due and creation times are compared with ``map``, or
  by bisection when the list is in queue order (sorted by due time);
* free words and phrases are searched in each row's lower-cased text
  (``QueueRow.haystack``), and each answer is remembered: typing one more
  letter (``pass`` → ``passw``) only re-tests the rows that held the shorter
  text, as does a typo correction that contains a word searched before;
* the matching rows come out by ``itertools.compress``, in input order (an
  SLA-sorted queue stays SLA-sorted).

The answers are exactly those of ``terms.Condition.select`` row by row
(``tests/domain/test_row_index.py`` checks both on random rows and filters).

``index_for(rows)`` keeps the index of the last list filtered (of 1 000 rows
or more), so the console's queue is indexed once per load or change, not per
keystroke. The kept index holds its list (so its identity cannot be reused)
until another list is filtered or ``forget()`` is called; a kept list must not
be changed in place (the console and the sweeps build a new list whenever a
row changes; a change of length or of one of 512 sampled rows is noticed).
"""

from __future__ import annotations

import math
import operator
import threading
from array import array
from bisect import bisect_left, bisect_right
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Sequence
from itertools import compress, count, islice, repeat
from typing import Any

from triage_tui.domain.filters.terms import (
    Condition,
    Context,
    Flag,
    PhraseCond,
    SetCond,
    TimeCond,
    WordCond,
)
from triage_tui.domain.filters.word_match import VOCABULARY, learn, max_edits, whole_word_in
from triage_tui.domain.queue import QueueRow, haystacks

#: Lists shorter than this are indexed per call and never kept.
KEEP_FROM_ROWS = 1_000
#: Texts (and corrections) whose matching rows are remembered per index: at most two
#: masks each, 200 KB at 100 000 rows, so ~10 MB at worst; a keystroke needs the last few.
REMEMBERED_TEXTS = 24
#: Rows compared (by identity) to tell a kept list is still the same list.
_SAMPLES = 512
#: Below one row in this many, rows are tested one by one rather than a column read.
_FEW = 8

_NOT = b"\x01\x00" + bytes(254)  # bytes.translate table: 0 <-> 1
_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
#: ``age:<4h`` means created after ``now - 4h``: the comparison turns round.
_AGE_OPS = {"<": ">", "<=": ">=", ">": "<", ">=": "<="}


def _and(a: bytes, b: bytes) -> bytes:
    if a is b:
        return a
    n = len(a)
    return (int.from_bytes(a, "little") & int.from_bytes(b, "little")).to_bytes(n, "little")


def _or(a: bytes, b: bytes) -> bytes:
    n = len(a)
    return (int.from_bytes(a, "little") | int.from_bytes(b, "little")).to_bytes(n, "little")


def _not(mask: bytes) -> bytes:
    return mask.translate(_NOT)


class RowIndex:
    """Columns, texts and remembered word matches of one list of rows (thread-safe)."""

    def __init__(self, rows: list[QueueRow]) -> None:
        self.rows = rows
        self.n = n = len(rows)
        self.everything = b"\x01" * n
        self._step = max(1, n // _SAMPLES)
        self._sample = rows[:: self._step] + rows[-1:]
        self._lock = threading.RLock()
        self._hays: list[str] | None = None
        self._learned = False
        self._codes: dict[str, tuple[bytes | array[int], list[Any]]] = {}
        self._times: dict[str, tuple[list[float], bool]] = {}
        #: text -> (rows searched, rows whose text contains it); most recent last.
        self._found: OrderedDict[str, tuple[bytes, bytes]] = OrderedDict()
        #: correction -> (rows searched, rows holding it as a whole word).
        self._whole: OrderedDict[str, tuple[bytes, bytes]] = OrderedDict()

    def describes(self, rows: list[QueueRow]) -> bool:
        """``rows`` is this index's list, not visibly changed in place since."""
        return (
            rows is self.rows
            and len(rows) == self.n
            and rows[:: self._step] + rows[-1:] == self._sample
        )

    # -- evaluation ---------------------------------------------------------

    def select(self, terms: Sequence[tuple[Condition, bool]], ctx: Context) -> list[QueueRow]:
        """The rows matching every ``(condition, negated)``, in list order."""
        mask = self.mask(terms, ctx)
        if not self._few(mask):
            return list(compress(self.rows, mask))
        # Few rows: jump from one to the next (compress steps through every byte).
        rows, found, at = self.rows, [], mask.find(1)
        while at >= 0:
            found.append(rows[at])
            at = mask.find(1, at + 1)
        return found

    def mask(self, terms: Sequence[tuple[Condition, bool]], ctx: Context) -> bytes:
        with self._lock:
            if not self._learned and any(
                isinstance(c, WordCond) and max_edits(c.word) for c, _ in terms
            ):
                self.prepare()  # typo corrections must know every word here
            kept = self.everything
            # Field terms first (C loops over all rows), texts last (they shrink with the rest).
            for cond, negated in sorted(terms, key=lambda t: t[0].cost):
                if b"\x01" not in kept:
                    break
                if isinstance(cond, (WordCond, PhraseCond)):
                    found = self._text(cond, kept)
                    kept = _and(kept, _not(found)) if negated else found
                elif self._few(kept) and not self._indexed(cond):
                    # A list not indexed yet and few rows left: test those, read no column.
                    found = self._rows_passing(cond.test(ctx), kept)
                    kept = _and(kept, _not(found)) if negated else found
                else:
                    found = self._field(cond, ctx)
                    kept = _and(kept, _not(found) if negated else found)
            return kept

    def prepare(self) -> RowIndex:
        """Build the row texts and learn their words now (e.g. in a worker after
        a load), so the first filter keystroke pays for neither."""
        with self._lock:
            if not self._learned:
                learn(self.rows, self.hays)
                self._learned = True
        return self

    def hays(self) -> list[str]:
        """Every row's lower-cased text (cached on the rows themselves)."""
        if self._hays is None:
            self._hays = haystacks(self.rows)
        return self._hays

    def _few(self, kept: bytes) -> bool:
        """Few enough rows that a test each costs less than reading a column of all."""
        return kept.count(1) * _FEW < self.n

    def _indexed(self, cond: Condition) -> bool:
        """The column ``cond`` reads is built already."""
        if isinstance(cond, Flag):
            return ("vip" if cond.name == "vip" else "due") in self._codes.keys() | self._times
        if isinstance(cond, SetCond):
            attr = {"org": "organization", "tag": "tags"}.get(cond.field, cond.field)
            return attr in self._codes
        if isinstance(cond, TimeCond):
            return ("due" if cond.field == "sla" else "created") in self._times
        return False

    def _rows_passing(self, test: Callable[[QueueRow], bool], within: bytes) -> bytes:
        found, rows = bytearray(self.n), self.rows
        for i in compress(range(self.n), within):
            if test(rows[i]):
                found[i] = 1
        return bytes(found)

    # -- fields -------------------------------------------------------------

    def _field(self, cond: Condition, ctx: Context) -> bytes:
        if isinstance(cond, Flag):
            if cond.name == "vip":
                return self._values("vip", lambda v: v is True)
            return self._time("due", "<=", ctx.now)
        if isinstance(cond, SetCond):
            field = cond.field
            if field in ("priority", "status"):
                return self._values(field, cond.allowed().__contains__)
            if field == "tag":
                tags = cond._tags()
                return self._values("tags", lambda v: not tags.isdisjoint(v))
            matches = cond._value_test(ctx)
            return self._values("organization" if field == "org" else field, matches)
        if isinstance(cond, TimeCond):
            seconds = cond.delta.total_seconds()
            if cond.field == "sla":
                # Rows without a running SLA (due = inf) never match sla:> or sla:>=.
                found = self._time("due", cond.op, ctx.now + seconds)
                if cond.op in (">", ">="):
                    found = _and(found, self._time("due", "<", math.inf))
                return found
            return self._time("created", _AGE_OPS[cond.op], ctx.now - seconds)
        test = cond.test(ctx)  # a condition this index does not know: row by row
        return bytes(1 if test(r) else 0 for r in self.rows)

    def _values(self, attr: str, test: Callable[[Any], object]) -> bytes:
        """Rows whose ``attr`` passes ``test``, tested once per distinct value."""
        column = self._codes.get(attr)
        if column is None:
            # One C pass: an unseen value gets the next code as the dict meets it.
            code_of: defaultdict[Any, int] = defaultdict(count().__next__)
            read = map(operator.attrgetter(attr), self.rows)
            codes: bytes | array[int]
            try:
                codes = bytes(map(code_of.__getitem__, read))
            except ValueError:  # more than 256 distinct values
                read = map(operator.attrgetter(attr), self.rows)
                codes = array("I", map(code_of.__getitem__, read))
            column = self._codes[attr] = (codes, list(code_of))
        codes, distinct = column
        table = bytes(1 if test(v) else 0 for v in distinct)
        if isinstance(codes, bytes):
            return codes.translate(table.ljust(256, b"\x00"))
        return bytes(map(table.__getitem__, codes))

    def _time(self, attr: str, op: str, limit: float) -> bytes:
        """Rows whose ``attr`` (due, created) compares ``op`` to ``limit``."""
        column = self._times.get(attr)
        if column is None:
            values = list(map(operator.attrgetter(attr), self.rows))
            # Stops at the first pair out of order (creation times: at once); NaN is out of order.
            ascending = all(map(operator.le, values, islice(values, 1, None)))
            column = self._times[attr] = (values, ascending)
        values, ascending = column
        if not ascending:
            return bytes(map(_OPS[op], values, repeat(limit)))
        # Queue order is by due time: the matching rows are a prefix or a suffix.
        if op in ("<", "<="):
            k = (bisect_left if op == "<" else bisect_right)(values, limit)
            return b"\x01" * k + b"\x00" * (self.n - k)
        k = (bisect_right if op == ">" else bisect_left)(values, limit)
        return b"\x00" * k + b"\x01" * (self.n - k)

    # -- texts --------------------------------------------------------------

    def _text(self, cond: WordCond | PhraseCond, within: bytes) -> bytes:
        """Rows of ``within`` matching a free word (with its corrections) or a phrase."""
        if isinstance(cond, PhraseCond):
            return self._containing(cond.phrase, within)
        word = cond.word
        found = self._containing(word, within)
        for spelling in VOCABULARY.corrections(word, max_edits(word)):
            found = _or(found, self._whole_word(spelling, within))
        return found

    def _containing(self, text: str, within: bytes) -> bytes:
        """Rows of ``within`` whose text contains ``text``, re-testing only the rows
        that contain a shorter text searched before (``pass`` for ``passw``)."""
        hint: tuple[str, bytes] | None = None
        for known, (searched, found) in reversed(self._found.items()):
            if (
                known in text
                and (hint is None or len(known) > len(hint[0]))
                and self._covers(searched, within)
            ):
                hint = (known, found)
        if hint is not None and hint[0] == text:
            self._found.move_to_end(text)
            return _and(hint[1], within)
        candidates = within if hint is None else _and(hint[1], within)
        found = self._scan(candidates, None, text)
        self._remember(self._found, text, within, found)
        return found

    def _whole_word(self, spelling: str, within: bytes) -> bytes:
        """Rows of ``within`` holding ``spelling`` as a whole word (a typo correction)."""
        known = self._whole.get(spelling)
        if known is not None and self._covers(known[0], within):
            self._whole.move_to_end(spelling)
            return _and(known[1], within)
        candidates = self._containing(spelling, within)
        found = self._scan(candidates, lambda h: whole_word_in(spelling, h), spelling)
        self._remember(self._whole, spelling, within, found)
        return found

    def _scan(self, candidates: bytes, test: Callable[[str], bool] | None, text: str) -> bytes:
        """The candidates whose text passes ``test`` (by default: contains ``text``)."""
        count = candidates.count(1)
        if not count:
            return candidates
        if self._hays is None and count * _FEW < self.n:  # a few rows of a list not indexed
            return self._rows_passing(
                (lambda r: text in (r._hay or r.haystack()))
                if test is None
                else (lambda r: test(r._hay or r.haystack())),
                candidates,
            )
        hays = self.hays()
        if test is None and count * 2 > self.n:
            return _and(bytes([text in h for h in hays]), candidates)
        found = bytearray(self.n)
        if test is None:
            for i in compress(range(self.n), candidates):
                if text in hays[i]:
                    found[i] = 1
        else:
            for i in compress(range(self.n), candidates):
                if test(hays[i]):
                    found[i] = 1
        return bytes(found)

    def _covers(self, searched: bytes, within: bytes) -> bool:
        if searched is self.everything or searched is within:
            return True
        wanted = int.from_bytes(within, "little")
        return int.from_bytes(searched, "little") & wanted == wanted

    @staticmethod
    def _remember(
        memo: OrderedDict[str, tuple[bytes, bytes]], key: str, searched: bytes, found: bytes
    ) -> None:
        memo[key] = (searched, found)
        memo.move_to_end(key)
        while len(memo) > REMEMBERED_TEXTS:
            memo.popitem(last=False)


_kept: list[RowIndex] = []
_kept_lock = threading.Lock()


def index_for(rows: list[QueueRow]) -> RowIndex:
    """The index of ``rows``: kept from the previous call when the list is the same.

    Only the last list filtered is kept, and any other list filtered drops it
    (a reload's first page, a changed queue): a replaced queue is not kept alive.
    """
    with _kept_lock:
        if _kept and _kept[0].describes(rows):
            return _kept[0]
        _kept.clear()
        index = RowIndex(rows)
        if len(rows) >= KEEP_FROM_ROWS:
            _kept.append(index)
        return index


def forget() -> None:
    """Drop the kept indexes (and with them the lists they hold)."""
    with _kept_lock:
        _kept.clear()
