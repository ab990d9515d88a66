"""benchmarks/live.py end to end on a tiny demo, local parts only (figures: docs/performance.md)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks import live


def test_live_benchmark_reports_its_local_figures(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 18 item 7: `triage watch` prints another process's writes; the benchmark
    reports when, beside the write's own round trip, and the idle CPU share."""
    db = tmp_path / "small.db"
    argv = ["--db", str(db), "--tickets", "60", "--writes", "2", "--idle-seconds", "1"]
    small = ["--console-writes", "1", "--console-idle-seconds", "2"]
    assert live.main([*argv, *small, "--skip-remote"]) == 0
    report = json.loads(capsys.readouterr().out)
    result = report["local"]
    assert result["tickets"] == 60 and result["writes"] == 2
    assert result["seen_ms"]["median"] > 0 and result["floor_ms"]["median"] > 0
    assert result["idle_cpu_percent"] >= 0
    assert result["sigterm_exit"] == 0
    # The console itself in a pty: the colleague's change reached its screen.
    console = report["console_local"]
    assert console["writes"] == 1 and console["seen_ms"]["median"] > 0
    assert console["idle_bytes_per_minute"] >= 0 and console["idle_cpu_percent"] >= 0
    assert report["console_local_quiet"]["idle_alerts"] == 0  # alerts off
