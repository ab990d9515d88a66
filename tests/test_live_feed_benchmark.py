"""benchmarks/feed_poll.py end to end on a tiny demo (the figures: docs/performance.md)."""

from __future__ import annotations

import json

import pytest

from benchmarks import feed_poll


def test_feed_poll_benchmark_prints_its_figures(capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 18 item 1: the local poll cost benchmark reports every figure it promises."""
    assert feed_poll.main(["--tickets", "60", "--polls", "50", "--changes", "3"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["tickets"] == 60
    for key in ("idle_poll_us", "pragma_data_version_us", "table_read_us", "one_change_poll_ms"):
        assert result[key] > 0
