"""``benchmarks/faults.py`` end to end on a short campaign: every fault kind, 0 lost, 0 twice."""

from __future__ import annotations

import json

import pytest

from benchmarks import faults


@pytest.mark.parametrize("idempotent", [False, True], ids=["ticket-check", "idempotency-keys"])
def test_a_short_campaign_loses_nothing_and_sends_nothing_twice(
    capsys: pytest.CaptureFixture[str], idempotent: bool
) -> None:
    argv = ["--actions", "60", "--seed", "11", "--fault-rate", "0.35", "--max-seconds", "25"]
    assert faults.main(argv + (["--idempotent"] if idempotent else [])) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["actions"] == 60
    assert result["duplicates"] == 0 and result["lost"] == 0 and result["undone_but_sent"] == 0
    assert {"drop", "500", "cut"} <= set(result["faults_injected"])
    assert result["delivered"] + result["undone_entries"] == result["entries"]
