"""The issue's targets checked against a ``benchmarks/tui.py`` result, and the tables of
docs/performance.md."""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

KB = 1024


def _get(data: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(data, dict) or data.get(key) is None:
            return None
        data = data[key]
    return data


def check_targets(result: dict[str, Any]) -> list[dict[str, Any]]:
    """One entry per target and size: the figure, the limit, and whether it is met."""
    targets: list[dict[str, Any]] = []

    def add(name: str, size: str, value: float | None, limit: float, unit: str) -> None:
        targets.append(
            {
                "target": name,
                "size": size,
                "value": value,
                "limit": limit,
                "unit": unit,
                "met": value is not None and value <= limit,
            }
        )

    for size, figures in result["sizes"].items():
        settle_targets(add, size, figures)
        if "triage" not in figures:
            continue
        t = figures["triage"]
        add("first rows / floor first screen", size, figures["ratios"]["first_screen"], 1.5, "×")
        add("j/k median", size, _get(t, "jk_ms", "median"), 16, "ms")
        add("j/k p95", size, _get(t, "jk_ms", "p95"), 33, "ms")
        add("open a ticket median (Enter, over SSH)", size, _get(t, "open_ms", "median"), 50, "ms")
        if figures.get("local"):
            add(
                "open a ticket median (j/k, local)",
                size,
                _get(figures["local"], "open_ms", "median"),
                50,
                "ms",
            )
        add("type in the draft median", size, _get(t, "type_ms", "median"), 16, "ms")
        if size == "120x40":
            add("bytes per j/k, isolated", size, _get(t, "bytes_per_jk", "isolated"), 2 * KB, "B")
            add("bytes per j/k, held", size, _get(t, "bytes_per_jk", "burst"), 2 * KB, "B")
        if t.get("filter_ms"):
            add("filter change median", size, _get(t, "filter_ms", "median"), 50, "ms")
        add("peak RSS", size, t.get("peak_rss_mb"), 300, "MB")
        if t.get("filter_ms"):
            add("peak RSS before any filter", size, t.get("peak_rss_before_filter_mb"), 300, "MB")
    if result.get("demo_seconds") is not None:
        add("triage demo", "", result["demo_seconds"], 30, "s")
    return targets


def settle_targets(
    add: Callable[[str, str, float | None, float, str], None], size: str, figures: dict[str, Any]
) -> None:
    """Issue 20's targets: until the screen settles, locally and over SSH; held j;
    the remote start from the cache."""
    settle = figures.get("settle")
    if settle and size == "120x40":
        local, ssh = settle["local"], settle["ssh"]
        add("local j/k settled median", size, _get(local, "settled_ms", "median"), 50, "ms")
        add("local j/k settled p95", size, _get(local, "settled_ms", "p95"), 100, "ms")
        add("local bytes per j/k until settled", size, local.get("bytes_per_key"), 12 * KB, "B")
        held = _get(local, "held", "settled_after_last_key_ms")
        add("local held j settled after the last key", size, held, 100, "ms")
        add("SSH j/k settled median", size, _get(ssh, "settled_ms", "median"), 16, "ms")
        add("SSH j/k settled p95", size, _get(ssh, "settled_ms", "p95"), 33, "ms")
        add("SSH bytes per j/k until settled", size, ssh.get("bytes_per_key"), 2 * KB, "B")
    remote = figures.get("remote_start")
    if remote:
        add("remote start first rows / floor", size, remote.get("ratio_first_screen"), 1.5, "×")
        kept = remote.get("cursor_kept") and remote.get("age_notice_on_first_screen")
        add("remote start: age shown, fresh merged, cursor kept", size, 0 if kept else 1, 0, "")


def _fmt(value: Any, digits: int = 1) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return f"{value:,}"


def _ms(summary: dict[str, Any] | None) -> str:
    if not summary:
        return "–"
    return f"{_fmt(summary['median'])} / {_fmt(summary['p95'])}"


def markdown(result: dict[str, Any], command: str) -> str:
    m = result["machine"]
    lines = [
        (
            f"`{command}` at {result.get('code', '?')} — {m['cpu']}, {m['cores']} cores, "
            f"Python {m['python']}, Textual {m['textual']}; "
            f"load average {m['load_before'][0]} before, "
            f"{m['load_after'][0]} after. N = {result['tickets']:,} tickets "
            f"({result['active_in_queue']:,} active, all in the queue). Times are median / p95 "
            "in ms unless marked; the floor is a minimal Textual app (one `Static`) measured "
            "the same way in the same run."
        ),
        "",
        "| size | figure | triage | floor | ratio |",
        "| --- | --- | --- | --- | --- |",
    ]
    for size, figures in result["sizes"].items():
        t, f, r = figures["triage"], figures["floor"], figures["ratios"]
        first, floor_first = t["first_rows_ms"], f["first_screen_ms"]
        bytes_jk = t["bytes_per_jk"]
        rows = [
            (
                "first screen of rows, ms (runs)",
                f"{_fmt(first and first['median'])} ({', '.join(_fmt(v) for v in first['runs'])})"
                if first
                else "–",
                f"{_fmt(floor_first and floor_first['median'])}",
                _fmt(r["first_screen"], 2) + "×",
            ),
            ("whole queue loaded, ms", _fmt(_get(t, "loaded_ms", "median")), "", ""),
            ("j/k to screen", _ms(t["jk_ms"]), _ms(f["key_ms"]), _fmt(r["jk_median"], 2) + "×"),
            ("open a ticket (Enter to its detail)", _ms(t["open_ms"]), "", ""),
            ("type a character in the draft", _ms(t["type_ms"]), "", ""),
            ("filter change (a typed character)", _ms(t.get("filter_ms")), "", ""),
            (
                "bytes per j/k: cursor only / isolated / held",
                (
                    f"{_fmt(bytes_jk['cursor'], 0)} / {_fmt(bytes_jk['isolated'], 0)} / "
                    f"{_fmt(bytes_jk['burst'], 0)}"
                ),
                _fmt(f["bytes_per_key"], 0),
                _fmt(r["bytes_per_jk_cursor"], 2) + "× (cursor)",
            ),
            ("bytes per idle second", _fmt(t["idle_bytes_per_s"]), "", ""),
            (
                "peak RSS, MB (before the first filter)",
                f"{_fmt(t['peak_rss_mb'])} ({_fmt(t.get('peak_rss_before_filter_mb'))})",
                _fmt(f["peak_rss_mb"]),
                "",
            ),
        ]
        local = figures.get("local")
        if local:
            rows += [
                ("local: j/k to screen", _ms(local["jk_ms"]), "", ""),
                ("local: open a ticket (j/k to its detail)", _ms(local["open_ms"]), "", ""),
                (
                    "local: bytes per j/k, cursor only / isolated",
                    f"{_fmt(local['bytes_per_jk']['cursor'], 0)} / "
                    f"{_fmt(local['bytes_per_jk']['isolated'], 0)}",
                    "",
                    "",
                ),
            ]
        lines += [f"| {size} | {a} | {b} | {c} | {d} |" for a, b, c, d in rows]
    lines += ["", "| target | size | figure | limit | met |", "| --- | --- | --- | --- | --- |"]
    for target in result["targets"]:
        lines.append(
            f"| {target['target']} | {target['size']} | {_fmt(target['value'])} {target['unit']} "
            f"| {_fmt(target['limit'])} {target['unit']} | {'yes' if target['met'] else '**no**'} |"
        )
    return "\n".join(lines)


#: Where ``--write-docs`` puts the tables.
PERFORMANCE_DOC = Path(__file__).resolve().parents[1] / "docs" / "performance.md"


def write_block(doc: Path, table: str, name: str) -> None:
    """Replace the text between ``<!-- perf:NAME:start -->`` and ``<!-- perf:NAME:end -->``."""
    start, end = f"<!-- perf:{name}:start -->", f"<!-- perf:{name}:end -->"
    text = doc.read_text(encoding="utf-8")
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.DOTALL)
    if not pattern.search(text):
        raise SystemExit(f"{doc} has no {start} … {end} block")
    block = f"{start}\n{table}\n{end}"
    doc.write_text(pattern.sub(lambda _: block, text), encoding="utf-8")


def summary(values: list[float]) -> dict[str, float | int] | None:
    if not values:
        return None
    return {
        "median": round(statistics.median(values), 1),
        "p95": round(percentile(values, 95), 1),
        "min": round(min(values), 1),
        "max": round(max(values), 1),
        "n": len(values),
    }


def spread(values: list[float | None]) -> dict[str, float | list[float]] | None:
    real = [v for v in values if v is not None]
    if not real:
        return None
    return {"median": round(statistics.median(real), 1), "runs": [round(v, 1) for v in real]}


def ratios(floor: dict[str, Any], console: dict[str, Any]) -> dict[str, float | None]:
    def ratio(a: float | None, b: float | None) -> float | None:
        return round(a / b, 2) if a and b else None

    fs, cf = floor["first_screen_ms"], console["first_rows_ms"]
    return {
        "first_screen": ratio(cf and cf["median"], fs and fs["median"]),
        "jk_median": ratio(
            console["jk_ms"] and console["jk_ms"]["median"],
            floor["key_ms"] and floor["key_ms"]["median"],
        ),
        "bytes_per_jk_cursor": ratio(console["bytes_per_jk"]["cursor"], floor["bytes_per_key"]),
    }


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty sequence."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * q // 100))
    return ordered[int(rank) - 1]


def add_output_options(parser: argparse.ArgumentParser) -> None:
    """``--markdown``, ``--write-docs`` and ``--from-json``, shared by the benchmarks."""
    parser.add_argument("--markdown", action="store_true", help="also print the Markdown tables")
    parser.add_argument(
        "--write-docs", action="store_true", help="rewrite the tables in docs/performance.md"
    )
    parser.add_argument("--from-json", help="render a saved result instead of measuring")


def measure_and_report(
    args: argparse.Namespace,
    argv: list[str] | None,
    run: Callable[[argparse.Namespace], dict[str, Any]],
    render: Callable[[dict[str, Any], str], str],
    script: str,
    block: str,
    doc: Path | None = None,
) -> int:
    """Run (or load ``--from-json``), print the JSON, then the tables / the docs' block as asked."""
    if args.from_json:
        text = Path(args.from_json).read_text(encoding="utf-8")
        result = json.loads(text[text.index("{") : text.index("\n}\n") + 2])
    else:
        result = run(args)
        result["command"] = " ".join([script, *(sys.argv[1:] if argv is None else argv)])
        print(json.dumps(result, indent=2))
    if args.markdown or args.write_docs:
        table = render(result, result.get("command", "?"))
        if args.markdown:
            print(table)
        if args.write_docs:
            write_block(doc or PERFORMANCE_DOC, table, block)
    return 0
