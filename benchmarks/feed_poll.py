"""What one poll of the local helpdesk's change feed costs.

    python benchmarks/feed_poll.py [--tickets 100000] [--polls 20000] [--db PATH]

Prints one JSON object. On a demo helpdesk of ``--tickets`` tickets:

* ``idle_poll_us``: ``LocalHelpdesk.changes_since`` from the current cursor with
  nothing written since — one ``PRAGMA data_version`` on the event loop;
* ``pragma_data_version_us``: that PRAGMA alone on a plain connection (the floor);
* ``table_read_us``: the same poll reading the ``changes`` table in a worker
  thread, as it does whenever some process committed a write (the fast path off);
* ``one_change_poll_ms``: another connection writes one reply, then one poll
  brings it (the write itself not included).

Microseconds are the median of ``--polls`` (``--changes`` for the last) runs.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from triage_tui.adapters.local.adapter import LocalHelpdesk, LocalOptions


def _median_us(samples: list[float]) -> float:
    return round(statistics.median(samples) * 1e6, 2)


async def measure(db: Path, polls: int, changes: int) -> dict[str, Any]:
    reader = LocalHelpdesk(LocalOptions(db=db))
    writer = LocalHelpdesk(LocalOptions(db=db)).act_as("Colleague")
    async with reader, writer:
        cursor = (await reader.changes_since(None)).cursor
        await reader.changes_since(cursor)  # primes the fast path
        idle: list[float] = []
        for _ in range(polls):
            start = time.perf_counter()
            batch = await reader.changes_since(cursor)
            idle.append(time.perf_counter() - start)
            assert not batch.changes
        slow: list[float] = []
        for _ in range(max(1, polls // 20)):
            reader._feed_idle = None  # the fast path off: read the table
            start = time.perf_counter()
            await reader.changes_since(cursor)
            slow.append(time.perf_counter() - start)
        one: list[float] = []
        ticket = next(iter(await reader.first_rows(1) or []), None)
        assert ticket is not None, "the demo helpdesk has no active ticket"
        for n in range(changes):
            await writer.add_note(ticket.id, f"Checked ({n}).")
            start = time.perf_counter()
            batch = await reader.changes_since(cursor)
            one.append(time.perf_counter() - start)
            assert len(batch.changes) == 1, batch
            cursor = batch.cursor
    conn = sqlite3.connect(db)
    pragma: list[float] = []
    for _ in range(polls):
        start = time.perf_counter()
        conn.execute("PRAGMA data_version").fetchone()
        pragma.append(time.perf_counter() - start)
    conn.close()
    return {
        "idle_poll_us": _median_us(idle),
        "idle_poll_p99_us": round(sorted(idle)[int(len(idle) * 0.99)] * 1e6, 2),
        "pragma_data_version_us": _median_us(pragma),
        "table_read_us": _median_us(slow),
        "one_change_poll_ms": round(statistics.median(one) * 1e3, 3),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--polls", type=int, default=20_000)
    parser.add_argument("--changes", type=int, default=200)
    parser.add_argument("--db", type=Path, help="an existing helpdesk (else a new demo)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db
        demo_seconds = None
        if db is None:
            from triage_tui.demo import generator

            db = Path(tmp) / "demo.db"
            start = time.perf_counter()
            generator.generate(db, tickets=args.tickets, seed=7)
            demo_seconds = round(time.perf_counter() - start, 2)
        result = asyncio.run(measure(db, args.polls, args.changes))
    out = {
        "tickets": args.tickets if args.db is None else None,
        "polls": args.polls,
        "changes": args.changes,
        "demo_seconds": demo_seconds,
        "python": sys.version.split()[0],
        "sqlite": sqlite3.sqlite_version,
        **result,
    }
    print(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
