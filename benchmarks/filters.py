"""Time the filter language over a large queue: one JSON object on stdout.

    .venv/bin/python benchmarks/filters.py                  # 100 000 demo tickets (≈20 s setup)
    .venv/bin/python benchmarks/filters.py --db /tmp/big.db # reuse a demo database

Every ticket of the demo helpdesk (all statuses, so 100 000 rows) is read as a
``QueueRow`` (``iter_queue_rows``, the console's path) and sorted into queue
order. Each filter is then typed a character at a time, as the ``/`` box
applies it (every prefix that parses), ``--repeat`` times, each run on a list
not indexed yet: the median and worst wall-clock milliseconds per keystroke,
and the median CPU time (the honest "one core" figure on a busy machine).
``new_list_median_ms`` is the whole filter on a list not indexed yet (after a
load or a ticket change). ``cold_ms`` is the first filter with free words on
fresh rows: it computes every row's haystack and learns the vocabulary
(``word_match.warm``); the console does it in a thread after loading
(``RowIndex.prepare``).
Pure Python: one core.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from triage_tui.adapters.local.adapter import LocalHelpdesk, LocalOptions
from triage_tui.demo import generator as demo
from triage_tui.domain.enums import Status
from triage_tui.domain.filters import language as filters
from triage_tui.domain.filters import row_index
from triage_tui.domain.models import QueueFilter
from triage_tui.domain.queue import QueueRow, sort_rows

NOW = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
FILTERS = [
    "priority:high",
    "priority:high,urgent status:open,pending",
    "sla:<90m",
    "breached -vip",
    "priority:high age:<4h",
    "tag:api,sso org:acme",
    "assignee:none channel:email",
    "password",
    "passwrod",
    "-refund",
    "priority:high age:<4h login",
    '"sign-in fails" sso',
    "sigle sign invoce export",
]


def typed(text: str, me: str = "Agent") -> list[filters.Filter]:
    """The filters the ``/`` box applies while ``text`` is typed (prefixes that parse)."""
    steps = []
    for end in range(1, len(text) + 1):
        try:
            steps.append(filters.parse(text[:end], me=me))
        except filters.FilterError:
            continue  # the console keeps the last good filter: nothing to apply
    return steps


async def _rows(db: Path) -> list[QueueRow]:
    async with LocalHelpdesk(LocalOptions(db=db)) as helpdesk:
        every = QueueFilter(statuses=frozenset(Status))
        rows = [r async for batch in helpdesk.iter_queue_rows(every) for r in batch]
    sort_rows(rows)
    return rows


def _median_ms(values: list[float]) -> float:
    return round(statistics.median(values) * 1000, 1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="an existing demo helpdesk")
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or Path(tmp) / "bench.db"
        if args.db is None:
            demo.generate(db, tickets=args.tickets, seed=7, now=NOW)
        rows = asyncio.run(_rows(db))
    started = time.perf_counter()
    filters.parse("password", me="Sam").apply(rows, NOW)
    cold = (time.perf_counter() - started) * 1000
    results = []
    for text in FILTERS:
        flt = filters.parse(text, me="Sam")
        wall, cpu, new_list, count = [], [], [], 0
        for _ in range(args.repeat):
            row_index.forget()  # each run types on a list not indexed yet
            for step in typed(text, me="Sam"):
                started, started_cpu = time.perf_counter(), time.process_time()
                step.apply(rows, NOW)
                cpu.append(time.process_time() - started_cpu)
                wall.append(time.perf_counter() - started)
            row_index.forget()
            started = time.perf_counter()
            count = len(flt.apply(rows, NOW))
            new_list.append(time.perf_counter() - started)
        results.append(
            {
                "filter": text,
                "matches": count,
                "keystroke_median_ms": _median_ms(wall),
                "keystroke_max_ms": round(max(wall) * 1000, 1),
                "keystroke_median_cpu_ms": _median_ms(cpu),
                "new_list_median_ms": _median_ms(new_list),
            }
        )
    print(
        json.dumps(
            {
                "rows": len(rows),
                "cold_ms": round(cold),
                "worst_keystroke_median_ms": max(r["keystroke_median_ms"] for r in results),
                "worst_keystroke_median_cpu_ms": max(r["keystroke_median_cpu_ms"] for r in results),
                "worst_new_list_median_ms": max(r["new_list_median_ms"] for r in results),
                "filters": results,
            },
            indent=1,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
