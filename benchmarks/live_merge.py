"""What merging the change feed into the console costs the UI thread.

    python benchmarks/live_merge.py [--db PATH | --tickets 100000] [--runs 15]

Prints one JSON object. The console (headless, 120×40) loads a demo helpdesk
of ``--tickets`` tickets with the cursor mid-queue and one ticket marked; then:

* ``one_change_ms``: ``LiveQueue.apply`` of one change (a colleague moved a
  ticket's SLA): markers, the merge into 100 000 rows, the cursor kept, the
  title recounted — everything the UI thread does for a batch before the next
  frame is painted;
* ``burst_1000_ms``: the same for one batch of 1 000 changes (600 moved, 200
  solved, 200 new tickets), as the feed hands a burst over;
* ``reread_one_ms`` / ``reread_1000_ms``: re-reading those tickets' rows from
  the helpdesk (``TicketLoader.rows``), which runs before ``apply`` and off
  the UI thread (the local adapter reads in worker threads), for scale.

Milliseconds: median (and max) of ``--runs`` runs. Targets (issue 18): one
change ≤ 5 ms, a burst of 1 000 ≤ 100 ms in total.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from triage_tui.adapters.local.adapter import LocalHelpdesk, LocalOptions
from triage_tui.config import Profile
from triage_tui.domain.changes import Change, ChangeKind
from triage_tui.domain.enums import Status
from triage_tui.domain.queue import QueueRow
from triage_tui.ui.app import TriageApp
from triage_tui.ui.screens.main import MainScreen
from triage_tui.ui.widgets.queue import QueueView


def _stats(samples: list[float]) -> dict[str, float]:
    ms = [s * 1000 for s in samples]
    return {"median": round(statistics.median(ms), 2), "max": round(max(ms), 2)}


def _batch(
    rows: list[QueueRow], size: int, rng: random.Random, serial: int
) -> tuple[list[Change], dict[str, QueueRow | None]]:
    """``size`` changes on random rows: 60 % moved, 20 % solved, 20 % new tickets."""
    now = datetime.now(UTC)
    changes: list[Change] = []
    updates: dict[str, QueueRow | None] = {}
    for n, old in enumerate(rng.sample(rows, size)):
        pick = n % 5
        if pick < 3 or size == 1:
            row = replace(old, due=old.due + rng.uniform(-7200, 7200))
            kind = ChangeKind.SLA_CHANGED
        elif pick == 3:
            row = replace(old, status=Status.SOLVED)
            kind = ChangeKind.SOLVED
        else:
            row = replace(old, id=f"live-{serial}-{n}")
            kind = ChangeKind.CREATED
        updates[row.id] = row
        changes.append(Change(row.id, kind, now, "Mei Chen"))
    return changes, updates


async def measure(db: Path, runs: int) -> dict[str, Any]:
    helpdesk = LocalHelpdesk(LocalOptions(db=db)).act_as("Sam Rivera")
    # The poll timer is set far out: the benchmark hands the batches over itself.
    profile = Profile(agent="Sam Rivera", poll_seconds=3600)
    app = TriageApp(helpdesk, profile=profile, tick_seconds=3600)
    result: dict[str, Any] = {}
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        assert isinstance(screen, MainScreen)
        for _ in range(6000):
            if screen.queue_loaded and screen.live is not None and screen.live.poller:
                break
            await asyncio.sleep(0.05)
        live, loader = screen.live, screen.loader
        assert live is not None and loader is not None, "the queue did not load"
        queue = screen.query_one(QueueView)
        queue.move_to(len(queue.rows) // 2)
        queue.action_toggle_mark()
        await pilot.pause()
        rng = random.Random(18)
        result["tickets"] = len(screen.all_rows)
        for size, name in ((1, "one_change_ms"), (1000, "burst_1000_ms")):
            samples: list[float] = []
            for run in range(runs):
                changes, updates = _batch(screen.all_rows, size, rng, run)
                at = queue.current
                start = time.perf_counter()
                live.apply(changes, updates)
                samples.append(time.perf_counter() - start)
                assert queue.current is not None and at is not None
                await pilot.pause()
            result[name] = _stats(samples)
        for size, name in ((1, "reread_one_ms"), (1000, "reread_1000_ms")):
            ids = [r.id for r in rng.sample(screen.all_rows, size)]
            start = time.perf_counter()
            await loader.rows(ids)
            result[name] = round((time.perf_counter() - start) * 1000, 1)
        app.exit()
    result["targets_ms"] = {"one_change": 5, "burst_1000": 100}
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, help="an existing demo helpdesk (else one is made)")
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db
        if db is None:
            from triage_tui.demo.generator import generate

            db = Path(tmp) / "demo.db"
            generate(db, tickets=args.tickets, seed=7)
        print(json.dumps(asyncio.run(measure(db, args.runs)), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
