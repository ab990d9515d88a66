"""KB ranking quality and speed, against plain SQLite FTS5 bm25 in the same run.

    python -m benchmarks.kb_quality [--sets DIR] [--typos RATE] [--seed S] [--k 3] [--scale N]
                                    [--words-only]
    python -m benchmarks.kb_quality --kb DIR --queries FILE [--k 3] [--typos RATE] [--seed S]
                                    [--scale N] [--words-only]

Without ``--kb`` it evaluates every set under ``--sets`` (default
``../shared/data/kb-eval``: a folder per set with ``articles/`` and
``queries.jsonl``) in one run, clean and with ``--typos`` (default 0.35), each
beside FTS5 from the same run, and again on the questions on even and on odd
lines of each file (0-based), so a constant tuned on one half can be seen to
hold on the other. ``tuned`` lists every ranker constant that was chosen by
looking at these results, with the set and half it was chosen on; ``scale``
has each set's questions against its KB padded to ``--scale`` articles, and
``targets`` says per set which of issue 23's targets this run meets. With
``--kb``/``--queries`` it evaluates one set at one typo rate (as before).
``--words-only`` leaves out the optional embedding similarity (the
``kb-embed`` extra) even when it is installed, so one install measures both.

Prints one JSON object: ``articles``, ``queries``, ``hit_at_1``, ``hit_at_3``,
``mrr``, ``ms_per_query`` for the project's ranker, the same under
``baseline`` (FTS5, porter tokenizer, title + body, query words OR-ed), and
under ``scale`` the same queries against the KB padded with generated
articles to ``N`` (default 10 000; 0 skips it), for the per-query time.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sqlite3
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.data import load_articles, load_queries, misspell_all, synthetic_kb
from triage_tui.domain.kb import embedding, ranking
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
    embed = not args.words_only
    articles = load_articles(Path(args.kb))
    rows = load_queries(Path(args.queries))
    queries = misspell_all([r["query"] for r in rows], args.typos, args.seed)
    expected = [r["article_id"] for r in rows]

    start = time.perf_counter()
    index = KbIndex(articles, embeddings=embed)
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
        big_index = KbIndex(big, embeddings=embed)
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


def run_set(folder: Path, typos: float, seed: int, k: int, embed: bool = True) -> dict:
    """One set, clean and with ``typos``: the whole set and each half, ours beside FTS5."""
    articles = load_articles(folder / "articles")
    rows = load_queries(folder / "queries.jsonl")
    expected = [r["article_id"] for r in rows]
    start = time.perf_counter()
    index = KbIndex(articles, embeddings=embed)
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
        for half, parity in HALVES:
            part["halves"][half]["confidence"] = calibration(
                index, queries[parity::2], expected[parity::2]
            )
        report[name] = part
    report["typos_drop_hit_at_3"] = round(
        report["clean"]["ours"]["hit_at_3"] - report["typos"]["ours"]["hit_at_3"], 4
    )
    return report


def confidence_features(index: KbIndex, queries: list[str], expected: list[str]) -> list[tuple]:
    """(coverage, lead, is right) for each query's top 3 results: what ``confidence`` sees."""
    rows = []
    for query, target in zip(queries, expected, strict=True):
        found = index.rank(query, 3)
        cover = [m.coverage for m in found]
        for i, match in enumerate(found):
            others = cover[:i] + cover[i + 1 :]
            lead = cover[i] - (max(others) if others else 0.0)
            rows.append((cover[i], lead, match.article.id == target))
    return rows


def fit_logistic(rows: list[tuple[float, float, bool, float]], steps: int = 25) -> list[float]:
    """Weighted logistic regression of "is right" on (coverage, lead)/100 by Newton's method."""
    beta = [0.0, 0.0, 0.0]
    for _ in range(steps):
        grad = [0.0] * 3
        hess = [[0.0] * 3 for _ in range(3)]
        for cover, lead, hit, weight in rows:
            x = (1.0, cover / 100.0, lead / 100.0)
            z = sum(b * v for b, v in zip(beta, x, strict=True))
            p = 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))
            for i in range(3):
                grad[i] += weight * (hit - p) * x[i]
                for j in range(3):
                    hess[i][j] += weight * p * (1 - p) * x[i] * x[j]
        step = _solve3(hess, grad)
        beta = [b + d for b, d in zip(beta, step, strict=True)]
    return [round(b, 3) for b in beta]


def _solve3(a: list[list[float]], b: list[float]) -> list[float]:
    """Solve a 3x3 linear system by Cramer's rule (the Hessian is positive definite)."""

    def det(m: list[list[float]]) -> float:
        return (
            m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1])
            - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
            + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0])
        )

    d = det(a) or 1e-12
    out = []
    for col in range(3):
        m = [[b[r] if c == col else a[r][c] for c in range(3)] for r in range(3)]
        out.append(det(m) / d)
    return out


def fit_confidence(root: Path, typos: float, seed: int, embed: bool = True) -> dict:
    """Refit ``ranking.CONFIDENCE_WEIGHTS`` on the even lines of every set (each set
    weighs the same), clean and with typos; print them with the odd lines' calibration."""
    rows: list[tuple[float, float, bool, float]] = []
    for folder in _set_folders(root):
        articles = load_articles(folder / "articles")
        qrows = load_queries(folder / "queries.jsonl")[0::2]
        index = KbIndex(articles, embeddings=embed)
        for rate in (0.0, typos):
            queries = misspell_all([r["query"] for r in qrows], rate, seed)
            found = confidence_features(index, queries, [r["article_id"] for r in qrows])
            weight = 1.0 / len(found)
            rows.extend((c, lead, hit, weight) for c, lead, hit in found)
    return {"CONFIDENCE_WEIGHTS": fit_logistic(rows), "fitted_on": "even lines, clean and typos"}


def _set_folders(root: Path) -> list[Path]:
    folders = sorted(p for p in root.iterdir() if (p / "queries.jsonl").is_file())
    if not folders:
        raise SystemExit(f"kb_quality: no set (a folder with queries.jsonl) under {root}")
    return folders


def calibration(index: KbIndex, queries: list[str], expected: list[str]) -> dict:
    """How well ``confidence`` is calibrated, and what the quoting threshold does.

    ``bins``: top-1 results by confidence (0-20, 20-40 … %), with how often they
    were right; ``quoted``: the share of questions whose top result reaches
    ``RELEVANT_SCORE`` (the draft would quote it) and how often it was right.
    """
    tops = [index.rank(q, 1) for q in queries]
    bins: dict[str, list[int]] = {}
    quoted = right = 0
    for found, target in zip(tops, expected, strict=True):
        if not found:
            continue
        match = found[0]
        low = min(80, int(match.score // 20) * 20)
        tally = bins.setdefault(f"{low}-{low + 20}", [0, 0])
        tally[0] += 1
        tally[1] += match.article.id == target
        if match.relevant:
            quoted += 1
            right += match.article.id == target
    n = len(queries) or 1
    return {
        "bins": {k: {"n": v[0], "right": round(v[1] / v[0], 3)} for k, v in sorted(bins.items())},
        "quoted_share": round(quoted / n, 4),
        "quoted_right": round(right / quoted, 4) if quoted else None,
    }


def run_sets(args: argparse.Namespace) -> dict:
    """Every set under ``args.sets`` in one run (see the module docstring)."""
    folders = _set_folders(Path(args.sets))
    typos = DEFAULT_SET_TYPOS if args.typos == 0.0 else args.typos
    report: dict = {"seed": args.seed, "k": args.k, "typos": typos, "sets": {}}
    # The embedding model (the kb-embed extra) loads once per process; timed
    # apart so each set's build_ms is the index alone.
    start = time.perf_counter()
    installed = embedding.available()
    embed = installed and not args.words_only
    report["embedding"] = {
        "installed": installed,
        "used": embed,
        "load_ms": round(1000 * (time.perf_counter() - start), 1) if installed else 0.0,
    }
    for folder in folders:
        report["sets"][folder.name] = run_set(folder, typos, args.seed, args.k, embed)
    report["tuned"] = ranking.TUNED
    if args.scale > 0:
        report["scale"] = {
            folder.name: run_scale(folder, args.scale, args.seed, args.k, embed)
            for folder in folders
        }
    report["targets"] = targets(report)
    return report


def run_scale(folder: Path, size: int, seed: int, k: int, embed: bool) -> dict:
    """A set's questions against its articles padded with generated ones to ``size``."""
    rows = load_queries(folder / "queries.jsonl")
    big = synthetic_kb(size, seed, load_articles(folder / "articles"))
    start = time.perf_counter()
    big_index = KbIndex(big, embeddings=embed)
    build_ms = 1000 * (time.perf_counter() - start)
    queries = [r["query"] for r in rows]
    return {
        "articles": len(big),
        "build_ms": round(build_ms, 1),
        **evaluate(ours(big_index), queries, [r["article_id"] for r in rows], k),
    }


TARGET_GAIN = 0.10
"""Issue 23: hit@3 at least 10 points above FTS5 on every set (clean)."""
TARGET_TYPOS_DROP = 0.03
"""Issue 23: with typos, hit@3 within 3 points of the clean score."""
TARGET_MS_PER_QUERY = 5.0
"""Issue 23: under 5 ms a query (mean) over 10 000 articles."""
TARGET_BUILD_MS = 10_000.0
"""Issue 23: the index of 10 000 articles built in under 10 s."""


def targets(report: dict) -> dict:
    """Per set, whether each of issue 23's targets is met in this run (speed only when
    the KB was padded to at least 10 000 articles)."""
    met: dict = {}
    for name, result in report["sets"].items():
        checks = {
            "gain_at_least_10_points": result["clean"]["gain_hit_at_3"] >= TARGET_GAIN,
            "typos_within_3_points": result["typos_drop_hit_at_3"] <= TARGET_TYPOS_DROP,
        }
        scale = report.get("scale", {}).get(name)
        if scale is not None and scale["articles"] >= 10_000:
            checks["under_5_ms_a_query"] = scale["ms_per_query"] < TARGET_MS_PER_QUERY
            checks["build_under_10_s"] = scale["build_ms"] < TARGET_BUILD_MS
        met[name] = checks
    return met


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sets", default=str(DEFAULT_SETS), help="folder of sets (used without --kb)"
    )
    parser.add_argument(
        "--fit-confidence",
        action="store_true",
        help="refit ranking.CONFIDENCE_WEIGHTS on every set's even lines and print them",
    )
    parser.add_argument(
        "--words-only",
        action="store_true",
        help="leave out the kb-embed extra's embedding similarity even when installed",
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
    if args.fit_confidence:
        typos = args.typos or DEFAULT_SET_TYPOS
        fitted = fit_confidence(Path(args.sets), typos, args.seed, not args.words_only)
        print(json.dumps(fitted))
    else:
        print(json.dumps(run(args) if args.kb else run_sets(args)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
