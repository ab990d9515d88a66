"""benchmarks/live.py end to end on a tiny demo, local part only (figures: docs/performance.md)."""

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
    assert live.main([*argv, "--skip-remote"]) == 0
    result = json.loads(capsys.readouterr().out)["local"]
    assert result["tickets"] == 60 and result["writes"] == 2
    assert result["seen_ms"]["median"] > 0 and result["floor_ms"]["median"] > 0
    assert result["idle_cpu_percent"] >= 0
    assert result["sigterm_exit"] == 0
