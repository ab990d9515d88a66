"""KB ranking on the tuning and held-out halves of the questions.

    python benchmarks/kb_heldout.py --kb DIR --queries FILE [--typos RATE] [--seed S]

The WordNet weights (``kb.vocab.RELATED_SIMILARITY``, ``kb.thesaurus.HYPERNYM``,
``DERIVED``, ``RANK_DECAY``, ``SENSES``) were chosen on the questions on even
lines of the file (0-based: the first, third, ...); the odd lines were not
looked at while tuning. Prints one JSON object: hit@1 / hit@3 / MRR for each
half, for the ranker with and without WordNet relatives and for FTS5.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.data import load_articles, load_queries, misspell_all
from benchmarks.kb_quality import Fts5Baseline, evaluate, ours
from triage_tui.domain.kb.ranking import KbIndex


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kb", required=True)
    parser.add_argument("--queries", required=True)
    parser.add_argument("--typos", type=float, default=0.0)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    articles = load_articles(Path(args.kb))
    rows = load_queries(Path(args.queries))
    queries = misspell_all([r["query"] for r in rows], args.typos, args.seed)
    rankers = {
        "ours": ours(KbIndex(articles)),
        "ours_without_wordnet": ours(KbIndex(articles, related_words=False)),
        "fts5": Fts5Baseline(articles).rank,
    }
    report: dict = {"typos": args.typos}
    for half, parity in (("tuning_even_lines", 0), ("held_out_odd_lines", 1)):
        picked = [i for i in range(len(rows)) if i % 2 == parity]
        qs = [queries[i] for i in picked]
        expected = [rows[i]["article_id"] for i in picked]
        report[half] = {"queries": len(picked)}
        for name, rank in rankers.items():
            result = evaluate(rank, qs, expected, 3)
            report[half][name] = {k: result[k] for k in ("hit_at_1", "hit_at_3", "mrr")}
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
