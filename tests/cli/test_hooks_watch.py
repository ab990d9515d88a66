"""Issue 21: hooks run by ``triage watch`` on the local helpdesk, as subprocesses on one --db."""

from __future__ import annotations

import fcntl
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

#: A safety net against a hang, not a timing assertion.
DEADLINE_S = 60.0
AGENTS = ["Sam Rivera", "Mei Chen", "Priya Nair"]


def triage(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "triage_tui", *argv],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )


def write_config(tmp_path: Path, hooks: str, away: str = "") -> str:
    path = tmp_path / "config.toml"
    profile = "[profiles.default]\npoll_seconds = 1\n" + (f"away = [{away}]\n" if away else "")
    path.write_text(profile + hooks)
    return str(path)


def create(db: str, subject: str) -> str:
    made = triage(
        "create-ticket", "--db", db, "--subject", subject, "--body", "It stopped.",
        "--requester", "ivy@new.example", "--priority", "high", "--json",
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    ticket_id: str = json.loads(made.stdout)["ticket"]["id"]
    return ticket_id


def least_busy_by_hand(db: str, candidates: list[str], away: set[str]) -> str:
    """What least busy must pick, counted from `triage queue --json`: active tickets
    with a running SLA (a due time, not paused) per candidate; the first wins a tie."""
    queue = json.loads(triage("queue", "--db", db, "--limit", "0", "--json").stdout)
    load = dict.fromkeys(candidates, 0)
    for ticket in queue["tickets"]:
        running = ticket["sla_due_at"] is not None and ticket["sla_state"] != "paused"
        if ticket["assignee"] in load and running:
            load[ticket["assignee"]] += 1
    return min((c for c in candidates if c not in away), key=lambda c: load[c])


def hook_events(db: str, name: str = "hook.ran") -> list[dict[str, Any]]:
    log = json.loads(triage("events", "--db", db, "--since", "1d", "--json").stdout)
    return [e for e in log["events"] if e["name"] == name]


def test_watch_once_assigns_least_busy_and_runs_the_exec_hook_exactly_once(
    demo_db: Path, tmp_path: Path
) -> None:
    """Issue 21 done-when: `triage watch --once` assigns a newly created ticket to the
    least busy agent (skipping one away) and runs its ticket.created exec hook once —
    also when run twice; the command got the payload on stdin and the event in its
    environment, and the event log has one hook.ran per hook."""
    db, ran = str(demo_db), tmp_path / "ran.jsonl"
    names = ", ".join(f'"{a}"' for a in AGENTS)
    config = write_config(
        tmp_path,
        f'[[hooks]]\nname = "auto-assign"\non = "ticket.created"\n'
        f'assign = {{ strategy = "least_busy", agents = [{names}] }}\n'
        f'[[hooks]]\nname = "log-new"\non = ["ticket.created"]\nwhen = "priority:high,urgent"\n'
        f'exec = \'(cat; echo " $TRIAGE_EVENT $TRIAGE_TICKET_ID") >> "{ran}"\'\n',
        away='"Priya Nair"',
    )
    first = triage("--config", config, "watch", "--once", "--db", db)
    assert (first.returncode, first.stderr) == (0, ""), first.stderr  # starts now
    # Priya holds the fewest: away, she must not get it.
    assert least_busy_by_hand(db, AGENTS, set()) == "Priya Nair"
    expected = least_busy_by_hand(db, AGENTS, {"Priya Nair"})
    new_id = create(db, "Export stuck at 99%")

    for _ in range(2):
        once = triage("--config", config, "watch", "--once", "--db", db)
        assert once.returncode == 0, once.stderr

    ticket = json.loads(triage("get-ticket", new_id, "--db", db, "--json").stdout)["ticket"]
    assert ticket["assignee"] == expected
    [line] = ran.read_text().splitlines()
    payload_text, _, env_text = line.rpartition(" ticket.created ")
    assert env_text == new_id
    payload = json.loads(payload_text)
    assert (payload["event"], payload["hook"], payload["ticket"]["id"]) == (
        "ticket.created", "log-new", new_id,
    )  # fmt: skip
    assert payload["ticket"]["subject"] == "Export stuck at 99%"
    runs = [(e["payload"]["hook"], e["ticket_id"]) for e in hook_events(db)]
    assert sorted(runs) == [("auto-assign", new_id), ("log-new", new_id)]
    outbox = json.loads(triage("outbox", "--db", db, "--json").stdout)
    hooks = [e for e in outbox["entries"] if e["kind"] == "hook"]
    assert [e["state"] for e in hooks] == ["delivered", "delivered"]


def test_an_exec_hook_killed_with_its_watcher_mid_run_is_not_run_again(
    demo_db: Path, tmp_path: Path
) -> None:
    """Issue 21 done-when: the watcher is killed (kill -9) while the hook's command runs;
    the next `watch --once` does not run it again: the outbox shows it failed with the
    reason, `triage outbox` lists it, and hook.failed is in the event log."""
    db, count = str(demo_db), tmp_path / "count"
    config = write_config(
        tmp_path,
        f'[[hooks]]\nname = "slow"\non = "ticket.created"\n'
        f"exec = 'echo run >> \"{count}\"; sleep 60'\ntimeout_seconds = 120\n",
    )
    assert triage("--config", config, "watch", "--once", "--db", db).returncode == 0
    create(db, "Slow hook")
    watcher = subprocess.Popen(
        [sys.executable, "-m", "triage_tui", "--config", config, "watch", "--once", "--db", db],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        started = time.monotonic()
        while not count.exists():
            assert watcher.poll() is None, watcher.stderr.read() if watcher.stderr else ""
            assert time.monotonic() - started < DEADLINE_S, "the hook never started"
            time.sleep(0.05)
    finally:
        os.killpg(watcher.pid, signal.SIGKILL)  # the watcher and the command with it
        watcher.wait(timeout=30)

    again = triage("--config", config, "watch", "--once", "--db", db)
    assert again.returncode == 0, again.stderr
    assert "it may have run, so it is not run again" in again.stdout
    assert count.read_text() == "run\n"
    third = triage("--config", config, "watch", "--once", "--db", db)
    assert third.returncode == 0 and count.read_text() == "run\n"
    listed = json.loads(triage("outbox", "--db", db, "--json").stdout)["entries"]
    [entry] = [e for e in listed if e["kind"] == "hook"]
    assert entry["state"] == "failed" and "not run again" in entry["last_error"]
    [failed] = hook_events(db, "hook.failed")
    assert failed["payload"]["hook"] == "slow" and failed["payload"]["final"] is True


def test_a_second_watcher_leaves_the_hooks_to_the_lease_holder(
    demo_db: Path, tmp_path: Path
) -> None:
    """Issue 21 item 3: while another process holds the profile's hook lease, a watcher
    prints the feed but runs no hook (and records none)."""
    db, ran = str(demo_db), tmp_path / "ran"
    config = write_config(
        tmp_path, f'[[hooks]]\non = "ticket.created"\nexec = \'echo x >> "{ran}"\'\n'
    )
    assert triage("--config", config, "watch", "--once", "--db", db).returncode == 0
    [lock] = (Path(os.environ["TRIAGE_DATA_DIR"]) / "hooks").glob("*.lock")
    with lock.open("a+b") as held:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)  # "the other watcher"
        new_id = create(db, "Two watchers")
        second = triage("--config", config, "watch", "--once", "--db", db)
    assert second.returncode == 0
    assert f"#{new_id}" in second.stdout
    assert "another triage watch runs this profile's hooks" in second.stderr
    assert not ran.exists()
    assert json.loads(triage("outbox", "--db", db, "--json").stdout)["count"] == 0
