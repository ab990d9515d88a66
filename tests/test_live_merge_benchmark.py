"""benchmarks/live_merge.py end to end on a small demo (the figures: docs/performance.md)."""

from __future__ import annotations

import json

import pytest

from benchmarks import live_merge


def test_live_merge_benchmark_prints_its_figures(capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 18 item 2: the UI-thread merge benchmark reports every figure it promises."""
    assert live_merge.main(["--tickets", "2000", "--runs", "2"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["tickets"] > 1000  # the active ones of 2 000
    for key in ("one_change_ms", "burst_1000_ms"):
        assert result[key]["median"] > 0 and result[key]["max"] >= result[key]["median"]
    assert result["reread_one_ms"] > 0 and result["reread_1000_ms"] > 0
