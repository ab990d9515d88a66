"""UI-free costs at scale, one JSON object: the demo, the queue's rows, filters, sort, KB ranking.

    .venv/bin/python benchmarks/core.py                      # 100 000 tickets, 10 000 articles
    .venv/bin/python benchmarks/core.py --db /tmp/d100k.db   # reuse (or create) a demo database

* ``demo``: ``triage demo --tickets N`` as a user runs it (a subprocess), with
  its peak RSS; skipped when ``--db`` already holds N tickets.
* ``rows``: every ticket of the demo (all statuses, so N rows) read as
  ``QueueRow``s through ``Helpdesk.iter_queue_rows`` (the console's path) and,
  for comparison, through ``iter_queue`` + ``QueueRow.from_ticket``.
* ``sort``: the N rows, shuffled, into queue order; ``counts``: the title's
  breached / under 1 h counts.
* ``filters``: each expression of ``benchmarks/filters.py`` typed a character
  at a time over the N sorted rows, as the ``/`` box applies it (each prefix
  that parses: median and max per keystroke over ``--repeat`` runs, each on a
  list not indexed yet); the whole expression on a list not indexed yet
  (``new_list``: after a load or a ticket change); ``cold_ms``, the first
  free-word filter on fresh rows (builds every row's haystack and learns the
  vocabulary); and the plain word filter ``matches_words``.
* ``kb``: ``KbIndex`` over ``--articles`` articles (the demo's real ones padded
  with generated ones, ``benchmarks/data.synthetic_kb``): build time, and
  ``rank`` for ``--queries`` ticket subjects + excerpts.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.data import synthetic_kb
from benchmarks.filters import FILTERS, typed
from benchmarks.tui_report import add_output_options, measure_and_report
from triage_tui.adapters.local.adapter import LocalHelpdesk, LocalOptions
from triage_tui.domain.enums import Status
from triage_tui.domain.filters import language as filters
from triage_tui.domain.filters import row_index
from triage_tui.domain.kb.ranking import KbIndex
from triage_tui.domain.models import Article, QueueFilter
from triage_tui.domain.queue import QueueCounts, QueueRow, matches_words

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def ms(seconds: float) -> float:
    return round(seconds * 1000, 2)


def timed(fn: Callable[[], object], repeat: int) -> dict[str, float]:
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - started)
    return {"median_ms": ms(statistics.median(runs)), "max_ms": ms(max(runs))}


def make_demo(db: Path, tickets: int) -> dict[str, Any] | None:
    """Run ``triage demo`` unless ``db`` holds ``tickets`` tickets already."""
    if db.exists():
        with sqlite3.connect(db) as conn:
            if conn.execute("SELECT count(*) FROM tickets").fetchone()[0] == tickets:
                return None
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRIAGE_")}
    env.update(TRIAGE_CONFIG_DIR=str(db.parent / "config"), TRIAGE_DATA_DIR=str(db.parent))
    started = time.perf_counter()
    subprocess.run(
        [str(BIN / "triage"), "demo", "--tickets", str(tickets), "--db", str(db), "--force"],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    seconds = time.perf_counter() - started
    # ru_maxrss of waited-for children: the largest, i.e. the demo's (KB on Linux).
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"seconds": round(seconds, 2), "peak_rss_mb": round(peak, 1)}


async def read_rows(db: Path, fast: bool) -> tuple[list[QueueRow], list[Article]]:
    every = QueueFilter(statuses=frozenset(Status))
    async with LocalHelpdesk(LocalOptions(db=db)) as helpdesk:
        if fast:
            rows = [r async for batch in helpdesk.iter_queue_rows(every) for r in batch]
        else:
            rows = [QueueRow.from_ticket(t) async for t in helpdesk.iter_queue(every)]
        articles = [a async for a in helpdesk.iter_articles()]
    return rows, articles


def bench_rows(db: Path) -> tuple[dict[str, Any], list[QueueRow], list[Article]]:
    started = time.perf_counter()
    rows, articles = asyncio.run(read_rows(db, fast=True))
    fast = time.perf_counter() - started
    started = time.perf_counter()
    slow_rows, _ = asyncio.run(read_rows(db, fast=False))
    slow = time.perf_counter() - started
    assert slow_rows == rows, "iter_queue_rows disagrees with iter_queue"
    figures = {"n": len(rows), "iter_queue_rows_s": round(fast, 2), "iter_queue_s": round(slow, 2)}
    return figures, rows, articles


def bench_filters(rows: list[QueueRow], now: datetime, repeat: int) -> dict[str, Any]:
    fresh = [QueueRow(**{f: getattr(r, f) for f in QueueRow.__dataclass_fields__}) for r in rows]
    word = filters.parse("password", me="Agent")
    started = time.perf_counter()
    word.apply(fresh, now)
    cold = time.perf_counter() - started
    del fresh
    row_index.forget()
    by_expression: dict[str, Any] = {}
    for text in FILTERS:
        started = time.perf_counter()
        parsed = filters.parse(text, me="Agent")
        parse_ms = ms(time.perf_counter() - started)
        kept: list[QueueRow] = []

        def new_list(f: filters.Filter = parsed, out: list[QueueRow] = kept) -> None:
            row_index.forget()  # as after a load or a ticket change: the list is not indexed
            out[:] = f.apply(rows, now)

        # Typed a character at a time, as at ``/``: each keystroke parses and applies
        # (the first one indexes the list). ``repeat`` runs, each on a fresh index.
        keys = []
        for _ in range(repeat):
            row_index.forget()
            for step in typed(text):
                started = time.perf_counter()
                step.apply(rows, now)
                keys.append(time.perf_counter() - started)
        by_expression[text] = {
            "parse_ms": parse_ms,
            "keystrokes": len(keys) // repeat,
            "keystroke_median_ms": ms(statistics.median(keys)),
            "keystroke_max_ms": ms(max(keys)),
            "new_list": timed(new_list, repeat),
            "matches": len(kept),
        }
    plain = timed(lambda: [r for r in rows if matches_words(r, ["password"])], repeat)
    return {
        "cold_ms": ms(cold),
        "worst_median_ms": max(v["keystroke_median_ms"] for v in by_expression.values()),
        "worst_keystroke_ms": max(v["keystroke_max_ms"] for v in by_expression.values()),
        "worst_new_list_ms": max(v["new_list"]["median_ms"] for v in by_expression.values()),
        "expressions": by_expression,
        "matches_words_password": plain,
    }


def bench_kb(
    articles: list[Article], rows: list[QueueRow], n: int, queries: int, seed: int
) -> dict[str, Any]:
    corpus = synthetic_kb(n, seed, articles) if n > len(articles) else articles[:n]
    started = time.perf_counter()
    index = KbIndex(corpus)
    build = time.perf_counter() - started
    texts = [f"{r.subject}\n{r.excerpt}" for r in random.Random(seed).sample(rows, queries)]
    times = []
    for text in texts:
        started = time.perf_counter()
        index.rank(text, 5)
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return {
        "articles": len(corpus),
        "build_s": round(build, 2),
        "queries": len(texts),
        "rank_median_ms": round(statistics.median(times), 2),
        "rank_p95_ms": round(times[max(0, -(-len(times) * 95 // 100) - 1)], 2),
    }


def run(args: argparse.Namespace) -> dict[str, Any]:
    tmp = Path(tempfile.mkdtemp(prefix="triage-core-"))
    db = Path(args.db) if args.db else tmp / f"demo-{args.tickets}.db"
    result: dict[str, Any] = {"tickets": args.tickets, "load_before": os.getloadavg()[0]}
    result["demo"] = make_demo(db, args.tickets)
    result["rows"], rows, articles = bench_rows(db)
    now = datetime.now(UTC)
    shuffled = rows[:]
    random.Random(args.seed).shuffle(shuffled)
    ordered: list[QueueRow] = []

    def sort() -> None:
        ordered[:] = sorted(shuffled, key=QueueRow.sort_key)

    result["sort"] = timed(sort, args.repeat)
    result["counts"] = timed(lambda: QueueCounts.of(ordered, now), args.repeat)
    result["filters"] = bench_filters(ordered, now, args.repeat)
    result["kb"] = bench_kb(articles, rows, args.articles, args.queries, args.seed)
    result["load_after"] = os.getloadavg()[0]
    return result


def markdown(result: dict[str, Any], command: str) -> str:
    demo, rows, f, kb = result["demo"], result["rows"], result["filters"], result["kb"]
    lines = [
        (
            f"`{command}` — load average {result['load_before']:.2f} before, "
            f"{result['load_after']:.2f} after; one core (pure Python)."
        ),
        "",
        "| figure | value | target |",
        "| --- | --- | --- |",
    ]
    if demo:
        lines.append(
            f"| `triage demo --tickets {result['tickets']}` | {demo['seconds']:.1f} s "
            f"(peak RSS {demo['peak_rss_mb']:.0f} MB) | ≤ 30 s |"
        )
    lines += [
        (
            f"| {rows['n']:,} rows read: `iter_queue_rows` / via `Ticket`s | "
            f"{rows['iter_queue_rows_s']} s / {rows['iter_queue_s']} s | |"
        ),
        f"| sort {rows['n']:,} rows | {result['sort']['median_ms']} ms | |",
        f"| queue counts (title) | {result['counts']['median_ms']} ms | |",
        (
            f"| filter change (a keystroke at `/`), worst of {len(f['expressions'])} expressions "
            f"typed (median / max) | {f['worst_median_ms']} / {f.get('worst_keystroke_ms', '–')} "
            "ms | ≤ 50 ms |"
        ),
        (
            f"| filter on a list not indexed yet (after a load or a change), worst of "
            f"{len(f['expressions'])} (median) | {f.get('worst_new_list_ms', '–')} ms | |"
        ),
        f"| first free-word filter on fresh rows (builds haystacks) | {f['cold_ms']} ms | |",
        (
            "| plain word filter (`matches_words`) | "
            f"{f['matches_words_password']['median_ms']} ms | |"
        ),
        f"| KB index over {kb['articles']:,} articles: build | {kb['build_s']} s | |",
        (
            f"| KB rank, {kb['queries']} ticket queries (median / p95) | "
            f"{kb['rank_median_ms']} / {kb['rank_p95_ms']} ms | |"
        ),
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--db", help="demo database to use or create (default: a temp file)")
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    add_output_options(parser)
    args = parser.parse_args(argv)
    return measure_and_report(args, argv, run, markdown, "benchmarks/core.py", "core")


if __name__ == "__main__":
    raise SystemExit(main())
