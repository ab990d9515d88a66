"""Issue 17 item 12 (verbs): assignees and groups come from the helpdesk."""

from __future__ import annotations

from tests.cli.conftest import Runner


def _an_open_ticket(db_run: Runner) -> str:
    queue = db_run("queue", "--json").json()
    return str(queue["tickets"][0]["id"])


def test_an_unknown_assignee_is_refused_with_the_known_names(db_run: Runner) -> None:
    """Issue 17 item 12: ``update-ticket --assignee "Nobody Real"`` is rc 2, one line
    naming the agents, and nothing is written."""
    tid = _an_open_ticket(db_run)
    before = db_run("get-ticket", tid, "--json").json()["ticket"]["assignee"]
    result = db_run("update-ticket", tid, "--assignee", "Nobody Real")
    assert result.code == 2
    lines = [line for line in result.err.splitlines() if line.strip()]
    assert len(lines) == 1, result.err
    assert "no agent 'Nobody Real'" in lines[0]
    assert "Mei Chen" in lines[0] and "Traceback" not in result.err
    assert db_run("get-ticket", tid, "--json").json()["ticket"]["assignee"] == before


def test_a_unique_prefix_resolves_to_the_full_name(db_run: Runner) -> None:
    """Issue 17 item 12: ``--assignee Mei`` assigns Mei Chen, and the store says so."""
    tid = _an_open_ticket(db_run)
    result = db_run("update-ticket", tid, "--assignee", "Mei", "--json")
    assert result.code == 0, result.err
    assert result.json()["changes"]["assignee"] == "Mei Chen"
    assert db_run("get-ticket", tid, "--json").json()["ticket"]["assignee"] == "Mei Chen"


def test_an_unknown_group_is_refused_and_a_known_one_resolves(db_run: Runner) -> None:
    """Issue 17 item 12: ``--group finance`` is rc 2 listing the demo's groups;
    ``--group eng`` moves the ticket to Engineering."""
    tid = _an_open_ticket(db_run)
    refused = db_run("update-ticket", tid, "--group", "finance")
    assert refused.code == 2
    groups = "Billing, Engineering, Legal & Compliance, Support, Tier 2"
    assert f"no group 'finance'; groups: {groups}" in refused.err
    moved = db_run("update-ticket", tid, "--group", "eng", "--json")
    assert moved.code == 0, moved.err
    assert db_run("get-ticket", tid, "--json").json()["ticket"]["group"] == "Engineering"
