"""A newcomer's first day: the README's run line twice keeps the work; a wrong --db creates nothing.

The commands run as subprocesses through the installed ``triage`` script, as the
README's run line does; ``isolated_dirs`` (tests/conftest.py) points the data and
config folders at the test's own directory, and the subprocesses inherit that.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.cli.conftest import Runner, fake_console
from triage_tui import paths

TRIAGE = str(Path(sys.executable).parent / "triage")
MISSING_LINE = "no helpdesk at {db} — run `triage demo` or check --db"


def triage(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [TRIAGE, *argv],
        capture_output=True,
        check=False,
        text=True,
        env=dict(os.environ),
        timeout=120,
    )


def triage_json(*argv: str) -> Any:
    proc = triage(*argv, "--json")
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def fingerprint(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` and a hash of its bytes: "writes nothing" made checkable.

    SQLite's shared-memory index (``-shm``) and an empty ``-wal`` appear when a
    WAL database is merely read; they hold no data, so they are left out.
    """
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
        and not p.name.endswith("-shm")
        and not (p.name.endswith("-wal") and p.stat().st_size == 0)
    }


def test_the_run_line_twice_keeps_the_first_days_work() -> None:
    first = triage("demo")
    assert first.returncode == 0, first.stderr
    assert "Demo helpdesk ready" in first.stdout

    # The first day's work: a ticket comes in and gets a reply.
    created = triage_json(
        "create-ticket",
        "--subject",
        "Export stuck at 99%",
        "--body",
        "The CSV export never finishes.",
        "--requester",
        "newcomer-customer@example.com",
    )
    ticket_id = str(created["ticket"]["id"])
    replied = triage("reply-ticket", ticket_id, "Thanks — we are re-running the export for you.")
    assert replied.returncode == 0, replied.stderr
    events_before = triage_json("events")["events"]
    data = paths.default_db().parent
    before = fingerprint(data)

    again = triage("demo")
    assert again.returncode == 0, again.stderr
    lines = again.stdout.splitlines()
    assert len(lines) == 1, again.stdout
    assert str(paths.default_db()) in lines[0] and "triage demo --reset" in lines[0]
    assert f"{len(events_before)} events" in lines[0]
    assert fingerprint(data) == before  # kept means untouched

    ticket = triage_json("get-ticket", ticket_id)
    assert ticket["ticket"]["subject"] == "Export stuck at 99%"
    bodies = [m.get("body", "") for m in ticket["messages"]]
    assert any("re-running the export" in body for body in bodies), bodies
    events_after = triage_json("events")["events"]
    assert events_after == events_before
    names = {e["name"] for e in events_after if str(e["ticket_id"]) == ticket_id}
    assert "reply.sent" in names, names

    kept = triage_json("demo")
    assert kept["kept"] is True and kept["events"] == len(events_before)

    # --reset starts over: the deterministic data set without the day's work.
    reset = triage("demo", "--reset", "--tickets", "40")
    assert reset.returncode == 0, reset.stderr
    assert "Demo helpdesk ready" in reset.stdout
    gone = triage("get-ticket", ticket_id)
    assert gone.returncode == 3, gone.stderr
    assert not any(e["name"] == "reply.sent" for e in triage_json("events")["events"])


def test_a_different_data_set_on_an_existing_demo_needs_reset(run: Runner, tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    assert run("demo", "--tickets", "20", "--db", str(db)).code == 0
    before = db.read_bytes()
    refused = run("demo", "--tickets", "50", "--db", str(db))
    assert refused.code == 2 and len(refused.err.splitlines()) == 1
    assert "--reset" in refused.err
    assert db.read_bytes() == before
    assert run("demo", "--tickets", "50", "--db", str(db), "--reset").code == 0
    assert run("queue", "--json", "--db", str(db)).json()["total"] > 0


def test_an_empty_helpdesk_is_filled_not_kept(run: Runner, tmp_path: Path) -> None:
    db = tmp_path / "kb-only.db"
    folder = tmp_path / "no-articles"
    folder.mkdir()
    assert run("kb", "import", str(folder), "--db", str(db)).code == 0
    result = run("demo", "--tickets", "20", "--db", str(db))
    assert result.code == 0 and "Demo helpdesk ready" in result.out, result.err


READ_AND_WRITE = [
    ("queue",),
    ("get-ticket", "1"),
    ("get-user", "dana@example.com"),
    ("search-kb", "password"),
    ("report",),
    ("events",),
    ("plan", "1"),
    ("reply-ticket", "1", "hello"),
    ("create-ticket", "--subject", "s", "--body", "b", "--requester", "a@b.example"),
]


@pytest.mark.parametrize("argv", READ_AND_WRITE, ids=lambda a: a[0])
def test_a_verb_on_a_missing_db_refuses_and_creates_nothing(
    run: Runner, tmp_path: Path, argv: tuple[str, ...]
) -> None:
    db = tmp_path / "nonexistent" / "dir" / "x.db"
    result = run("--db", str(db), *argv)
    assert result.code == 2, result.err
    assert result.err == f"triage: error: {MISSING_LINE.format(db=db)}\n"
    assert result.out == ""
    assert not (tmp_path / "nonexistent").exists()


def test_a_missing_default_db_is_refused_too(run: Runner) -> None:
    result = run("queue")
    assert result.code == 2 and "no helpdesk at" in result.err
    assert not paths.default_db().exists()


def test_the_real_script_refuses_a_mistyped_db(tmp_path: Path) -> None:
    db = tmp_path / "nonexistent" / "dir" / "x.db"
    proc = triage("--db", str(db), "queue")
    assert proc.returncode == 2
    assert proc.stderr == f"triage: error: {MISSING_LINE.format(db=db)}\n"
    assert "active tickets" not in proc.stdout
    assert not (tmp_path / "nonexistent").exists()


@pytest.mark.parametrize("argv", [(), ("sweep", "priority:high")], ids=["console", "sweep"])
def test_the_console_on_a_missing_db_refuses_before_drawing(
    run: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, argv: tuple[str, ...]
) -> None:
    started: list[object] = []
    fake_console(monkeypatch, lambda *a, **k: started.append(a) or 0)
    db = tmp_path / "nonexistent" / "x.db"
    result = run("--db", str(db), *argv)
    assert result.code == 2
    assert result.err == f"triage: error: {MISSING_LINE.format(db=db)}\n"
    assert started == []
    assert not (tmp_path / "nonexistent").exists()


def test_doctor_reports_a_missing_db_without_creating_it(run: Runner, tmp_path: Path) -> None:
    db = tmp_path / "nonexistent" / "x.db"
    result = run("doctor", "--json", "--db", str(db))
    assert result.code == 1
    checks = {c["name"]: c for c in result.json()["checks"]}
    assert checks["settings"]["state"] == "fail" and str(db) in checks["settings"]["detail"]
    assert not (tmp_path / "nonexistent").exists()
