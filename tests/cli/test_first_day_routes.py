"""Issue 17 item 11: ``triage doctor`` says in one line which escalation routes name no
group of the helpdesk."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.conftest import Runner


def _routes_line(out: str) -> str:
    lines = [line for line in out.splitlines() if line[2:15].strip() == "routes"]
    assert len(lines) == 1, out
    return lines[0]


def test_doctor_names_the_routes_that_are_no_group_of_the_helpdesk(
    db_run: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 17 item 11: routes set to "Tier 3" and "legal dept" (no group of the demo:
    Billing, Engineering, Legal & Compliance, Support, Tier 2) are named, the built-in
    "billing queue" (Billing) is not; rc stays 0."""
    config = tmp_path / "config.toml"
    config.write_text(
        "[escalation]\n"
        'routes = { requested_human = "Tier 3", repeated_contact = "Tier 3", '
        'legal_compliance = "legal dept" }\n'
    )
    monkeypatch.setenv("TRIAGE_CONFIG", str(config))
    result = db_run("doctor")
    assert result.code == 0, result.out + result.err
    line = _routes_line(result.out)
    assert line.startswith("! routes       routes that name no group: ")
    assert "requested_human, repeated_contact → 'Tier 3'" in line
    assert "legal_compliance → 'legal dept'" in line
    assert "billing" not in line.split("(groups:")[0]
    assert "(groups: Billing, Engineering, Legal & Compliance, Support, Tier 2)" in line
    assert "fix: name one of the groups in the config" in line


def test_the_built_in_routes_are_groups_of_the_demo(db_run: Runner) -> None:
    """Issue 17 item 11: on the untouched demo every built-in route names a group."""
    result = db_run("doctor")
    assert result.code == 0, result.out + result.err
    assert _routes_line(result.out) == "✓ routes       every rule routes to one of the 5 groups"


def test_routes_set_in_the_config_to_existing_groups_pass(
    db_run: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 17 item 11: with [escalation] routes naming the demo's groups the check is ✓."""
    config = tmp_path / "config.toml"
    config.write_text(
        "[escalation]\n"
        'routes = { requested_human = "Support", repeated_contact = "support", '
        'legal_compliance = "Legal & Compliance" }\n'
    )
    monkeypatch.setenv("TRIAGE_CONFIG", str(config))
    result = db_run("doctor")
    assert result.code == 0, result.out + result.err
    assert _routes_line(result.out) == "✓ routes       every rule routes to one of the 5 groups"
