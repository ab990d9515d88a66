"""Time the filter language over a large queue: one JSON object on stdout.

    .venv/bin/python benchmarks/filters.py                  # 100 000 demo tickets (≈20 s setup)
    .venv/bin/python benchmarks/filters.py --db /tmp/big.db # reuse a demo database

Every ticket of the demo helpdesk (all statuses, so 100 000 rows) becomes a
``QueueRow``; each filter is then applied ``--repeat`` times and the median
and worst wall-clock milliseconds are reported, with the median CPU time of
the process (the honest "one core" figure on a busy machine). ``cold_ms`` is the first filter with
free words on fresh rows: it computes every row's haystack and learns the
vocabulary (``word_match.warm``), which the console can do in a worker
after loading. Pure Python: one core.
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

from triage_tui.adapters.local import demo
from triage_tui.adapters.local.adapter import LocalHelpdesk, LocalOptions
from triage_tui.domain import filters
from triage_tui.domain.models import QueueFilter, Status
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


async def _rows(db: Path) -> list[QueueRow]:
    async with LocalHelpdesk(LocalOptions(db=db)) as helpdesk:
        every = QueueFilter(statuses=frozenset(Status))
        rows = [QueueRow.from_ticket(t) async for t in helpdesk.iter_queue(every)]
    sort_rows(rows)
    return rows


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
        times, cpu, count = [], [], 0
        for _ in range(args.repeat):
            started, started_cpu = time.perf_counter(), time.process_time()
            count = len(flt.apply(rows, NOW))
            cpu.append((time.process_time() - started_cpu) * 1000)
            times.append((time.perf_counter() - started) * 1000)
        results.append(
            {
                "filter": text,
                "matches": count,
                "min_ms": round(min(times), 1),
                "median_ms": round(statistics.median(times), 1),
                "max_ms": round(max(times), 1),
                "median_cpu_ms": round(statistics.median(cpu), 1),
            }
        )
    print(
        json.dumps(
            {
                "rows": len(rows),
                "cold_ms": round(cold),
                "worst_median_ms": max(r["median_ms"] for r in results),
                "worst_median_cpu_ms": max(r["median_cpu_ms"] for r in results),
                "filters": results,
            },
            indent=1,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
