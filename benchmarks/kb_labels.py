"""Are a KB set's labels where its questions point? A check of the data, not of our ranker.

    python benchmarks/kb_labels.py [--sets DIR] [--spread 3]

For each set under ``--sets`` (default ``../shared/data/kb-eval``) whose
article ids end in a number in source order (``au-517``), the FTS5 baseline of
``kb_quality`` ranks every question, and the offset of its first result from
the labelled article (``number(first) - number(label)``) is counted for
-spread..+spread. Neighbouring articles are often alike, so small offsets turn
up on both sides; labels shifted by k in the set show as an offset k counted
far more often than -k. ``shifted`` names each such k (at least
``EXCESS_FACTOR`` times its mirror and ``MIN_EXCESS`` questions more) with the
label ranges it occurs in. Prints one JSON object.

The baseline, not the project's ranker, finds the articles, so what this
reports does not depend on the ranker being judged; ``kb_quality`` scores
against the labels as they are.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.data import load_articles, load_queries
from benchmarks.kb_quality import DEFAULT_SETS, Fts5Baseline

#: An offset counted this many times as often as its mirror is reported as a shift.
EXCESS_FACTOR = 3
#: ... and at least this many questions more than its mirror.
MIN_EXCESS = 20
_NUMBER = re.compile(r"(\d+)$")


def _number(article_id: str) -> int | None:
    found = _NUMBER.search(article_id)
    return int(found.group(1)) if found else None


def check_set(folder: Path, spread: int) -> dict[str, object]:
    articles = load_articles(folder / "articles")
    rows = load_queries(folder / "queries.jsonl")
    if any(_number(a.id) is None for a in articles):
        return {"questions": len(rows), "skipped": "article ids carry no number"}
    baseline = Fts5Baseline(articles)
    offsets: Counter[int] = Counter()
    labels_at: dict[int, list[int]] = {}
    for row in rows:
        first = baseline.rank(row["query"], 1)
        label = _number(row["article_id"])
        if not first or label is None:
            continue
        offset = (_number(first[0]) or 0) - label
        offsets[offset] += 1
        labels_at.setdefault(offset, []).append(label)
    shifted = {
        str(k): {
            "questions": offsets[k],
            "mirror": offsets[-k],
            "labels": _ranges(sorted(set(labels_at.get(k, [])))),
        }
        for k in range(-spread, spread + 1)
        if k != 0
        and offsets[k] >= EXCESS_FACTOR * max(1, offsets[-k])
        and offsets[k] - offsets[-k] >= MIN_EXCESS
    }
    return {
        "questions": len(rows),
        "first_result_offset_from_label": {str(k): offsets[k] for k in range(-spread, spread + 1)},
        "shifted": shifted,
    }


def _ranges(numbers: Sequence[int], gap: int = 3) -> list[str]:
    """``[472, 473, 475, 480]`` -> ``["472-475", "480"]`` (runs with gaps up to ``gap``)."""
    out: list[str] = []
    start = prev = None
    for n in numbers:
        if prev is not None and n - prev > gap:
            out.append(f"{start}-{prev}" if start != prev else str(start))
            start = None
        start = n if start is None else start
        prev = n
    if start is not None:
        out.append(f"{start}-{prev}" if start != prev else str(start))
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", type=Path, default=DEFAULT_SETS, help="folder of sets")
    parser.add_argument("--spread", type=int, default=3, help="offsets counted each side")
    args = parser.parse_args(argv)
    if not args.sets.is_dir():
        print(f"kb_labels: no sets folder at {args.sets}", file=sys.stderr)
        return 2
    folders = sorted(p for p in args.sets.iterdir() if (p / "queries.jsonl").is_file())
    report = {f.name: check_set(f, args.spread) for f in folders}
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
