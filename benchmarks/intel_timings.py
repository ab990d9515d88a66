"""Timings of the per-ticket intelligence: safeguards, plan, macros, similar-incident clusters.

    python benchmarks/intel_timings.py [--rows 100000] [--db PATH] [--queries FILE] [--seed S]

Prints one JSON object. Safeguards run on every keystroke in the draft editor,
so they are timed per check (median microseconds) on three drafts of the demo:
the template draft, a typical edited draft with findings, and a 400-word one.
Clusters are timed on ``--rows`` queue rows twice: the demo's own tickets
(many reports of the same few problems, like an incident spike) and, when the
bitext questions are available, the same number of rows built from them with
typos, names and numbers so that nearly every text is distinct (the hard
case). Wall and CPU seconds are both given: on a shared machine wall time
includes other processes.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from triage_tui.adapters.local.adapter import LocalHelpdesk, LocalOptions
from triage_tui.demo import generator as demo
from triage_tui.domain.clusters import cluster
from triage_tui.domain.enums import Priority, Status
from triage_tui.domain.escalation import RuleSet
from triage_tui.domain.handling_plan.plan import handling_plan
from triage_tui.domain.kb.ranking import KbIndex
from triage_tui.domain.models import QueueFilter
from triage_tui.domain.queue import QueueRow
from triage_tui.domain.replies.drafting import draft_context, draft_for
from triage_tui.domain.replies.macros import builtin_macros
from triage_tui.domain.safeguards.checks import check
from triage_tui.engine.loader import TicketLoader, TicketView

DEFAULT_QUERIES = Path(__file__).resolve().parents[2] / "shared/data/kb-eval/bitext/queries.jsonl"
EDITS = (
    " We'll look into it, and as per our policy the backend team will get back to you."
    " Unfortunately, that's not possible today. It is guaranteed to work after the hotfix."
)


def _median_us(fn: Callable[[], object], runs: int) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return round(statistics.median(samples) * 1e6, 1)


async def _views(db: Path, count: int) -> tuple[list[TicketView], list[QueueRow]]:
    async with LocalHelpdesk(LocalOptions(db=db)) as helpdesk:
        loader = TicketLoader(helpdesk, RuleSet.default(), _Clock())
        loader.kb_index = KbIndex([a async for a in helpdesk.iter_articles()])
        rows = [r async for batch in helpdesk.iter_queue_rows() for r in batch]
        views = [await loader.load(r.id) for r in sorted(rows, key=lambda r: r.id)[:count]]
    return views, rows


class _Clock:
    def now(self) -> Any:
        return demo_now()


def demo_now() -> Any:
    from datetime import UTC, datetime

    return datetime(2026, 11, 22, 9, 30, tzinfo=UTC)


def per_ticket(db: Path) -> dict[str, Any]:
    views, rows = asyncio.run(_views(db, 60))
    clusters = cluster(rows)
    view = next(v for v in views if v.relevant_article is not None)
    draft, _ = draft_for(view.detail, view.relevant_article, team="Polaris Support",
                         agent="Sam", now=demo_now())  # fmt: skip
    drafts = {
        "template": draft.body,
        "typical": draft.body.replace("Let me know", EDITS.strip() + "\n\nLet me know"),
        "long_400_words": " ".join((draft.body + EDITS).split() * 8)[: 400 * 6],
    }
    safeguards = {}
    for name, text in drafts.items():

        def run(text: str = text) -> object:
            return check(text, detail=view.detail, kb=view.kb, rules=view.rules)

        safeguards[name] = {
            "words": len(text.split()),
            "findings": len(run()),
            "us_per_check": _median_us(run, 400),
        }
    plan_us = [
        _median_us(
            lambda v=v: handling_plan(v.detail, v.history, v.rules, v.kb, clusters, now=demo_now()),
            20,
        )
        for v in views
    ]
    macro = builtin_macros()["known_bug"]
    ctx = draft_context(view.detail, view.relevant_article, team="Polaris Support", agent="Sam")
    return {
        "safeguards": safeguards,
        "plan_ms_per_ticket_median": round(statistics.median(plan_us) / 1000, 2),
        "plan_tickets": len(plan_us),
        "macro_render_us": _median_us(lambda: macro.render(ctx), 200),
    }


def _time_cluster(rows: list[QueueRow]) -> dict[str, Any]:
    wall, cpu = time.perf_counter(), time.process_time()
    result = cluster(rows, active_only=False)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    distinct = len({(r.subject, r.excerpt) for r in rows})
    return {
        "rows": len(rows),
        "distinct_texts": distinct,
        "groups": len(result),
        "largest": [len(g) for g in result.groups[:3]],
        "wall_s": round(wall, 2),
        "cpu_s": round(cpu, 2),
    }


async def _all_rows(db: Path) -> list[QueueRow]:
    everything = QueueFilter(statuses=frozenset(Status))
    async with LocalHelpdesk(LocalOptions(db=db)) as helpdesk:
        return [r async for batch in helpdesk.iter_queue_rows(everything) for r in batch]


def varied_rows(queries: Path, n: int, seed: int) -> list[QueueRow]:
    """``n`` rows from customer questions, each made distinct with typos, names, numbers."""
    texts = [json.loads(line)["query"] for line in queries.read_text("utf-8").splitlines() if line]
    rng = random.Random(seed)
    filler = ["It is urgent.", "Thanks in advance.", "I tried twice already.", "", ""]
    names = ["Ana", "Ben", "Chloe", "Dmitri", "Elif", "Farah", "Hana", "Ines", "Jonah", "Kai"]

    def typo(word: str) -> str:
        if len(word) < 4 or rng.random() > 0.15:
            return word
        i = rng.randrange(1, len(word) - 1)
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]

    rows = []
    for i in range(n):
        words = [typo(w) for w in rng.choice(texts).split()]
        if rng.random() < 0.5:
            words.append(str(rng.randrange(10**6)))
        excerpt = f"Hi team, {' '.join(words)}. {rng.choice(filler)} {rng.choice(names)}"
        rows.append(QueueRow(str(i + 1), " ".join(words[:7]), Status.OPEN, Priority.NORMAL,
                             "x", "p", "", False, math.inf, False, 0.0, (), "", "email",
                             excerpt))  # fmt: skip
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--db", type=Path, help="a local helpdesk to cluster (all statuses)")
    parser.add_argument("--queries", type=Path, default=DEFAULT_QUERIES)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        small = Path(tmp) / "small.db"
        demo.generate(small, tickets=300, seed=args.seed, now=demo_now())
        out.update(per_ticket(small))
        db = args.db
        if db is None:
            db = Path(tmp) / "big.db"
            demo.generate(db, tickets=args.rows, seed=args.seed, now=demo_now())
        rows = asyncio.run(_all_rows(db))[: args.rows]
        out["clusters_demo"] = _time_cluster(rows)
    if args.queries.is_file():
        out["clusters_varied"] = _time_cluster(varied_rows(args.queries, args.rows, args.seed))
    print(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
