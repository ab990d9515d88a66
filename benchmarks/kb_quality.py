"""KB ranking quality and speed, against plain SQLite FTS5 bm25 in the same run.

    python -m benchmarks.kb_quality [--sets DIR] [--typos RATE] [--seed S] [--k 3] [--scale N]
    python -m benchmarks.kb_quality --kb DIR --queries FILE [--k 3] [--typos RATE] [--seed S]
                                    [--scale N]

Without ``--kb`` it evaluates every set under ``--sets`` (default
``../shared/data/kb-eval``: a folder per set with ``articles/`` and
``queries.jsonl``) in one run, clean and with ``--typos`` (default 0.35), each
beside FTS5 from the same run, and again on the questions on even and on odd
lines of each file (0-based), so a constant tuned on one half can be seen to
hold on the other. ``tuned`` lists every ranker constant that was chosen by
looking at these results, with the set and half it was chosen on. With
``--kb``/``--queries`` it evaluates one set at one typo rate (as before).

Prints one JSON object: ``articles``, ``queries``, ``hit_at_1``, ``hit_at_3``,
``mrr``, ``ms_per_query`` for the project's ranker, the same under
``baseline`` (FTS5, porter tokenizer, title + body, query words OR-ed), and
under ``scale`` the same queries against the KB padded with generated
articles to ``N`` (default 10 000; 0 skips it), for the per-query time.
"""

from __future__ import annotations

import argparse
import json
import re
import sqlite3
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.data import load_articles, load_queries, misspell_all, synthetic_kb
from triage_tui.domain.kb import ranking
from triage_tui.domain.kb.ranking import KbIndex
from triage_tui.domain.models import Article

Ranker = Callable[[str, int], list[str]]


class Fts5Baseline:
    """What the local store would do with no help: FTS5 bm25 over title and body."""

    def __init__(self, articles: Sequence[Article]) -> None:
        self.db = sqlite3.connect(":memory:")
        self.db.execute(
            "CREATE VIRTUAL TABLE kb USING fts5(id UNINDEXED, title, body, tokenize='porter')"
        )
        self.db.executemany(
            "INSERT INTO kb (id, title, body) VALUES (?, ?, ?)",
            [(a.id, a.title, a.body) for a in articles],
        )
        self.db.commit()

    def rank(self, text: str, k: int) -> list[str]:
        words = re.findall(r"\w+", text)
        if not words:
            return []
        match = " OR ".join('"' + w.replace('"', '""') + '"' for w in words)
        rows = self.db.execute(
            "SELECT id FROM kb WHERE kb MATCH ? ORDER BY bm25(kb) LIMIT ?", (match, k)
        ).fetchall()
        return [row[0] for row in rows]


def evaluate(rank: Ranker, queries: list[str], expected: list[str], k: int) -> dict[str, float]:
    """hit@1, hit@3 (and hit@k), MRR over the top k, mean and 95th-percentile ms per query.

    Queries run once each, in file order, on a fresh index: the ranker's
    caches (lazy postings, typo lookups) warm up during the run, as they would
    over an agent's session; the p95 shows what the colder queries cost.
    """
    ranked, timings = rank_all(rank, queries, max(k, 3))
    return score(ranked, expected, k, timings)


def rank_all(rank: Ranker, queries: list[str], depth: int) -> tuple[list[list[str]], list[float]]:
    """Each query's ranked ids and its time in seconds, in file order."""
    ranked: list[list[str]] = []
    timings: list[float] = []
    clock = time.perf_counter
    for query in queries:
        start = clock()
        ranked.append(rank(query, depth))
        timings.append(clock() - start)
    return ranked, timings


def score(
    ranked: list[list[str]], expected: list[str], k: int, timings: list[float] | None = None
) -> dict[str, float]:
    """The quality figures of ranked ids against the expected ones (and times, when given)."""
    hits1 = hits3 = hitsk = 0
    reciprocal = 0.0
    for ids, target in zip(ranked, expected, strict=True):
        if target in ids[:1]:
            hits1 += 1
        if target in ids[:3]:
            hits3 += 1
        if target in ids[:k]:
            hitsk += 1
        if target in ids[:k]:
            reciprocal += 1.0 / (ids.index(target) + 1)
    n = len(ranked) or 1
    result = {
        "hit_at_1": round(hits1 / n, 4),
        "hit_at_3": round(hits3 / n, 4),
        "mrr": round(reciprocal / n, 4),
    }
    if timings is not None:
        ordered = sorted(timings)
        result["ms_per_query"] = round(1000 * sum(timings) / n, 3)
        result["p95_ms"] = round(1000 * ordered[int(0.95 * (n - 1))], 3) if ordered else 0.0
    if k != 3:
        result[f"hit_at_{k}"] = round(hitsk / n, 4)
    return result


def ours(index: KbIndex) -> Ranker:
    return lambda text, k: [m.article.id for m in index.rank(text, k)]


def run(args: argparse.Namespace) -> dict:
    articles = load_articles(Path(args.kb))
    rows = load_queries(Path(args.queries))
    queries = misspell_all([r["query"] for r in rows], args.typos, args.seed)
    expected = [r["article_id"] for r in rows]

    start = time.perf_counter()
    index = KbIndex(articles)
    build_ms = 1000 * (time.perf_counter() - start)
    report: dict = {"articles": len(articles), "queries": len(queries)}
    report.update(evaluate(ours(index), queries, expected, args.k))
    report["build_ms"] = round(build_ms, 1)
    report["typos"] = args.typos
    report["seed"] = args.seed
    report["baseline"] = {
        "articles": len(articles),
        "queries": len(queries),
        **evaluate(Fts5Baseline(articles).rank, queries, expected, args.k),
    }
    if args.scale > len(articles):
        big = synthetic_kb(args.scale, args.seed, articles)
        start = time.perf_counter()
        big_index = KbIndex(big)
        build_ms = 1000 * (time.perf_counter() - start)
        report["scale"] = {
            "articles": len(big),
            "queries": len(queries),
            "build_ms": round(build_ms, 1),
            **evaluate(ours(big_index), queries, expected, args.k),
            "baseline": evaluate(Fts5Baseline(big).rank, queries, expected, args.k),
        }
    return report


DEFAULT_SETS = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "kb-eval"
DEFAULT_SET_TYPOS = 0.35
HALVES = (("even_lines", 0), ("odd_lines", 1))


def _compare(
    ours_ranked: list[list[str]],
    fts_ranked: list[list[str]],
    expected: list[str],
    k: int,
    picked: Sequence[int] | None = None,
) -> dict:
    """Ours beside FTS5 on the questions ``picked`` (all when None), and the hit@3 gain."""
    if picked is not None:
        ours_ranked = [ours_ranked[i] for i in picked]
        fts_ranked = [fts_ranked[i] for i in picked]
        expected = [expected[i] for i in picked]
    mine, theirs = score(ours_ranked, expected, k), score(fts_ranked, expected, k)
    return {
        "queries": len(expected),
        "ours": mine,
        "fts5": theirs,
        "gain_hit_at_3": round(mine["hit_at_3"] - theirs["hit_at_3"], 4),
    }


def run_set(folder: Path, typos: float, seed: int, k: int) -> dict:
    """One set, clean and with ``typos``: the whole set and each half, ours beside FTS5."""
    articles = load_articles(folder / "articles")
    rows = load_queries(folder / "queries.jsonl")
    expected = [r["article_id"] for r in rows]
    start = time.perf_counter()
    index = KbIndex(articles)
    build_ms = 1000 * (time.perf_counter() - start)
    fts = Fts5Baseline(articles)
    report: dict = {"articles": len(articles), "queries": len(rows), "build_ms": round(build_ms, 1)}
    for name, rate in (("clean", 0.0), ("typos", typos)):
        queries = misspell_all([r["query"] for r in rows], rate, seed)
        mine, my_times = rank_all(ours(index), queries, max(k, 3))
        theirs, their_times = rank_all(fts.rank, queries, max(k, 3))
        part = _compare(mine, theirs, expected, k)
        part["ours"] = score(mine, expected, k, my_times)
        part["fts5"] = score(theirs, expected, k, their_times)
        part["typos"] = rate
        part["halves"] = {
            half: _compare(mine, theirs, expected, k, range(parity, len(rows), 2))
            for half, parity in HALVES
        }
        report[name] = part
    report["typos_drop_hit_at_3"] = round(
        report["clean"]["ours"]["hit_at_3"] - report["typos"]["ours"]["hit_at_3"], 4
    )
    return report


def run_sets(args: argparse.Namespace) -> dict:
    """Every set under ``args.sets`` in one run (see the module docstring)."""
    root = Path(args.sets)
    folders = sorted(p for p in root.iterdir() if (p / "queries.jsonl").is_file())
    if not folders:
        raise SystemExit(f"kb_quality: no set (a folder with queries.jsonl) under {root}")
    typos = DEFAULT_SET_TYPOS if args.typos == 0.0 else args.typos
    report: dict = {"seed": args.seed, "k": args.k, "typos": typos, "sets": {}}
    for folder in folders:
        report["sets"][folder.name] = run_set(folder, typos, args.seed, args.k)
    report["tuned"] = ranking.TUNED
    if args.scale > 0:
        base = load_articles(folders[0] / "articles")
        rows = load_queries(folders[0] / "queries.jsonl")
        big = synthetic_kb(args.scale, args.seed, base)
        start = time.perf_counter()
        big_index = KbIndex(big)
        build_ms = 1000 * (time.perf_counter() - start)
        queries = [r["query"] for r in rows]
        report["scale"] = {
            "set": folders[0].name,
            "articles": len(big),
            "build_ms": round(build_ms, 1),
            **evaluate(ours(big_index), queries, [r["article_id"] for r in rows], args.k),
        }
    return report


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sets", default=str(DEFAULT_SETS), help="folder of sets (used without --kb)"
    )
    parser.add_argument("--kb", help="folder of Markdown articles (one set)")
    parser.add_argument("--queries", help='JSONL of {"query", "article_id"} (one set)')
    parser.add_argument("--k", type=int, default=3, help="results per query (MRR depth)")
    parser.add_argument(
        "--typos",
        type=float,
        default=0.0,
        help="fraction of words misspelt (all sets: the typo run's rate, default 0.35)",
    )
    parser.add_argument("--seed", type=int, default=0, help="seed for typos and generated KB")
    parser.add_argument(
        "--scale", type=int, default=10_000, help="also time a KB padded to N articles (0: skip)"
    )
    args = parser.parse_args(argv)
    if (args.kb is None) != (args.queries is None):
        parser.error("--kb and --queries go together")
    if not 0.0 <= args.typos <= 1.0:
        parser.error("--typos must be between 0 and 1")
    if args.k < 1:
        parser.error("--k must be at least 1")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    print(json.dumps(run(args) if args.kb else run_sets(args)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
