"""Issue 21 item 3: the hooks on an event a verb logs run once its write is delivered."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.test_hooks_watch import hook_events, triage, write_config


def open_ticket(db: str) -> str:
    queue = json.loads(triage("queue", "--db", db, "--limit", "0", "--json").stdout)
    ticket_id: str = next(t["id"] for t in queue["tickets"] if t["status"] == "open")
    return ticket_id


def test_escalate_ticket_runs_its_exec_hook_once_and_the_watcher_not_again(
    demo_db: Path, tmp_path: Path
) -> None:
    """Issue 21 item 3: `triage escalate-ticket` runs the ticket.escalated exec hook as soon
    as the escalation is written (its stderr says so), with the reason in the payload; a
    `triage watch --once` reading the same event-log row afterwards does not run it again."""
    db, ran = str(demo_db), tmp_path / "ran.jsonl"
    config = write_config(
        tmp_path,
        f'[[hooks]]\nname = "page"\non = "ticket.escalated"\n'
        f'exec = \'cat >> "{ran}"; echo >> "{ran}"\'\n',
    )
    assert triage("--config", config, "watch", "--once", "--db", db).returncode == 0
    ticket_id = open_ticket(db)

    done = triage(
        "--config", config, "escalate-ticket", ticket_id, "--db", db, "--reason", "billing/refund"
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert f"hook page (exec) on #{ticket_id}: exit 0" in done.stderr
    again = triage("--config", config, "watch", "--once", "--db", db)
    assert again.returncode == 0, again.stderr

    [line] = ran.read_text().splitlines()
    payload = json.loads(line)
    assert (payload["event"], payload["ticket"]["id"]) == ("ticket.escalated", ticket_id)
    assert payload["reason"] == "billing/refund"
    assert [e["payload"]["hook"] for e in hook_events(db)] == ["page"]
