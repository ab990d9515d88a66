"""benchmarks/intel_timings.py runs end to end on a small queue (a smoke test, not a timing)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks import intel_timings


def test_intel_timings_prints_every_figure(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    queries = tmp_path / "queries.jsonl"
    lines = ["how do I cancel my order", "cancel purchase 123 please", "forgot my password"]
    queries.write_text("\n".join(json.dumps({"query": q}) for q in lines) + "\n", "utf-8")
    assert intel_timings.main(["--rows", "300", "--queries", str(queries)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out["safeguards"]) == {"template", "typical", "long_400_words"}
    assert all(v["us_per_check"] > 0 for v in out["safeguards"].values())
    assert out["plan_tickets"] > 0 and out["macro_render_us"] > 0
    assert out["clusters_demo"]["rows"] == 300 and out["clusters_demo"]["groups"] > 0
    assert out["clusters_varied"]["rows"] == 300
