"""The performance benchmarks run end to end on tiny inputs (the figures live in
docs/performance.md)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from benchmarks import tui_report


def test_tui_benchmark_in_a_pty(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("pyte", reason="the pty benchmark needs pyte: pip install -e '.[bench]'")
    from benchmarks import tui

    db = tmp_path / "demo.db"
    argv = ["--tickets", "150", "--db", str(db), "--sizes", "80x24", "--keys", "2", "--runs", "1"]
    assert tui.main([*argv, "--warm-up", "0.3", "--idle", "0.5", "--markdown"]) == 0
    out = capsys.readouterr().out
    result = json.loads(out[: out.index("\n}\n") + 2])
    figures = result["sizes"]["80x24"]
    console, floor = figures["triage"], figures["floor"]
    assert result["tickets"] == 150 and 0 < result["active_in_queue"] <= 150
    assert result["demo_seconds"] is not None
    assert console["first_rows_ms"]["median"] > 0 and floor["first_screen_ms"]["median"] > 0
    assert console["jk_ms"]["n"] == 2 and console["open_ms"]["n"] >= 1
    assert console["type_ms"]["n"] == 2
    # Over SSH j/k writes only the cursor move; locally the detail follows it.
    assert console["bytes_per_jk"]["isolated"] >= console["bytes_per_jk"]["cursor"] > 0
    local = figures["local"]
    assert local["bytes_per_jk"]["isolated"] > local["bytes_per_jk"]["cursor"] > 0
    assert local["open_ms"]["n"] >= 1
    assert console["peak_rss_mb"] > floor["peak_rss_mb"] > 0
    assert figures["ratios"]["first_screen"] > 0
    # Keys are timed with the alerts off: a toast is not a key's change.
    assert "enabled = false" in result["console_config"]
    assert figures["settle"]["local"]["settled_ms"]["n"] == 2
    assert {t["target"] for t in result["targets"]} >= {"j/k median", "peak RSS", "triage demo"}
    assert "| 80x24 | j/k to screen |" in out
    assert "| 80x24 | local: open a ticket (j/k to its detail) |" in out


def test_docs_block_is_replaced_between_its_markers(tmp_path: Path) -> None:
    doc = tmp_path / "performance.md"
    doc.write_text("a\n<!-- perf:tui:start -->\nold\n<!-- perf:tui:end -->\nb\n", encoding="utf-8")
    tui_report.write_block(doc, "| new |", "tui")
    assert doc.read_text(encoding="utf-8") == (
        "a\n<!-- perf:tui:start -->\n| new |\n<!-- perf:tui:end -->\nb\n"
    )
    with pytest.raises(SystemExit, match=re.escape("perf:core:start")):
        tui_report.write_block(doc, "x", "core")


def test_write_docs_rewrites_the_tables_of_the_performance_page(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from benchmarks import core

    page = tui_report.PERFORMANCE_DOC.read_text(encoding="utf-8")
    assert page.count("<!-- perf:core:") == 2 and page.count("<!-- perf:tui:") == 2
    doc = tmp_path / "performance.md"
    doc.write_text(page, encoding="utf-8")
    monkeypatch.setattr(tui_report, "PERFORMANCE_DOC", doc)
    db = str(tmp_path / "demo.db")
    argv = ["--tickets", "60", "--db", db, "--articles", "20", "--queries", "2", "--repeat", "1"]
    assert core.main(argv) == 0
    saved = tmp_path / "run.json"
    saved.write_text(capsys.readouterr().out, encoding="utf-8")
    assert core.main(["--from-json", str(saved), "--write-docs"]) == 0
    text = doc.read_text(encoding="utf-8")
    assert "| sort 60 rows |" in text
    assert text.count("<!-- perf:core:start -->") == 1
    assert "<!-- perf:tui:start -->" in text


def test_core_benchmark_on_a_tiny_demo(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from benchmarks import core

    argv = ["--tickets", "120", "--db", str(tmp_path / "demo.db"), "--articles", "100"]
    assert core.main([*argv, "--queries", "5", "--repeat", "1", "--markdown"]) == 0
    out = capsys.readouterr().out
    result = json.loads(out[: out.index("\n}\n") + 2])
    assert result["demo"]["seconds"] > 0
    assert result["rows"]["n"] == 120
    assert result["sort"]["median_ms"] >= 0
    assert len(result["filters"]["expressions"]) >= 5
    assert result["kb"]["articles"] == 100 and result["kb"]["queries"] == 5
    assert "| sort 120 rows |" in out
