"""Escalation rule quality: per-rule precision and recall on labelled queries.

    python -m benchmarks.escalation_quality --queries FILE [--show-errors N]

Each line's ``query`` becomes a one-message ticket; the rules fire or not, and
are compared with the line's ``escalation`` labels (``requested_human``,
``billing_refund``). Prints one JSON object keyed by rule id; rules without
labels in the file only report how often they fired. ``--show-errors`` lists
misclassified queries on stderr, to study the rules (not to paste from).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.data import load_queries
from triage_tui.domain.escalation import RULE_IDS, RuleSet
from triage_tui.domain.models import Message, Person, Ticket, TicketDetail

LABELLED = ("requested_human", "billing_refund")
_AT = datetime(2026, 1, 1, tzinfo=UTC)


def one_message_ticket(text: str, number: int) -> TicketDetail:
    ticket = Ticket(
        id=str(number),
        subject="",
        requester=Person(id="c", name="Customer"),
        created_at=_AT,
        updated_at=_AT,
    )
    message = Message(
        id=f"{number}-1", ticket_id=str(number), author="Customer", body=text, created_at=_AT
    )
    return TicketDetail(ticket=ticket, messages=[message])


def run(path: Path, show_errors: int = 0) -> dict:
    rows = load_queries(path)
    rules = RuleSet.default()
    counts = {
        r: {"tp": 0, "fp": 0, "fn": 0, "fired": 0} for r in RULE_IDS if r != "repeated_contact"
    }
    errors: list[str] = []
    start = time.perf_counter()
    for number, row in enumerate(rows):
        labels = set(row.get("escalation") or ())
        for result in rules.evaluate(one_message_ticket(row["query"], number)):
            if result.rule_id not in counts:
                continue
            c = counts[result.rule_id]
            c["fired"] += result.fired
            expected = result.rule_id in labels
            if result.fired and expected:
                c["tp"] += 1
            elif result.fired:
                c["fp"] += 1
                errors.append(f"FP {result.rule_id}: {row['query']!r} evidence={result.evidence}")
            elif expected:
                c["fn"] += 1
                errors.append(f"FN {result.rule_id}: {row['query']!r}")
    elapsed = time.perf_counter() - start
    report: dict = {
        "queries": len(rows),
        "ms_per_ticket": round(1000 * elapsed / max(1, len(rows)), 3),
    }
    for rule_id, c in counts.items():
        if rule_id in LABELLED:
            tp, fp, fn = c["tp"], c["fp"], c["fn"]
            precision = tp / (tp + fp) if tp + fp else 1.0
            recall = tp / (tp + fn) if tp + fn else 1.0
            f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
            report[rule_id] = {
                "precision": round(precision, 4),
                "recall": round(recall, 4),
                "f1": round(f1, 4),
                "support": tp + fn,
                "fired": c["fired"],
            }
        else:
            report[rule_id] = {"fired": c["fired"]}
    for line in errors[:show_errors]:
        print(line, file=sys.stderr)
    return report


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--queries", required=True, help='JSONL of {"query", "escalation": [...]}')
    parser.add_argument("--show-errors", type=int, default=0, metavar="N")
    args = parser.parse_args(argv)
    print(json.dumps(run(Path(args.queries), args.show_errors)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
