"""``triage demo`` and ``triage kb import``: the embedded helpdesk's own commands."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.cli.conftest import Runner
from tests.conftest import shared_path
from triage_tui import paths
from triage_tui.cli import admin


def _count(db: Path, table: str) -> int:
    with sqlite3.connect(db) as conn:
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def test_demo_fills_the_default_database(run: Runner) -> None:
    result = run("demo", "--tickets", "40", "--seed", "3")
    assert result.code == 0, result.err
    assert str(paths.default_db()) in result.out and "Demo helpdesk ready" in result.out
    assert _count(paths.default_db(), "tickets") >= 40
    assert run("queue", "--json").json()["total"] > 0


def test_demo_json_summary_and_db_flag(run: Runner, tmp_path: Path) -> None:
    db = tmp_path / "d.db"
    data = run("demo", "--tickets", "30", "--db", str(db), "--json").json()
    assert data["db"] == str(db) and data["seconds"] >= 0
    assert _count(db, "tickets") >= 30


def test_demo_can_be_regenerated_but_never_over_real_work(run: Runner, tmp_path: Path) -> None:
    demo_db = tmp_path / "demo.db"
    assert run("demo", "--tickets", "20", "--db", str(demo_db)).code == 0
    # demo over demo: fine, with --reset (without it the demo is kept)
    assert run("demo", "--tickets", "25", "--db", str(demo_db), "--reset").code == 0
    assert _count(demo_db, "tickets") >= 25

    real = tmp_path / "real.db"
    empty = tmp_path / "no-articles"
    empty.mkdir()
    assert run("kb", "import", str(empty), "--db", str(real)).code == 0  # creates the helpdesk
    created = run(
        "create-ticket",
        "--subject",
        "s",
        "--body",
        "b",
        "--requester",
        "a@b.example",
        "--db",
        str(real),
    )
    assert created.code == 0, created.err
    refused = run("demo", "--db", str(real))
    assert refused.code == 2 and "--force" in refused.err and len(refused.err.splitlines()) == 1
    assert _count(real, "tickets") == 1
    assert run("demo", "--db", str(real), "--reset").code == 2  # --reset is not --force
    assert _count(real, "tickets") == 1
    assert run("demo", "--tickets", "20", "--db", str(real), "--force").code == 0
    assert _count(real, "tickets") >= 20


def test_demo_refuses_a_foreign_file(run: Runner, tmp_path: Path) -> None:
    foreign = tmp_path / "thesis.db"
    foreign.write_bytes(b"not sqlite at all" * 10)
    result = run("demo", "--db", str(foreign))
    assert result.code == 2 and "--force" in result.err
    assert foreign.read_bytes() == b"not sqlite at all" * 10


def test_demo_shows_progress_for_large_runs(
    run: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(admin, "PROGRESS_FROM", 10)
    result = run("demo", "--tickets", "20", "--db", str(tmp_path / "p.db"))
    assert result.code == 0 and "generating" in result.err and "20 tickets" in result.err


def test_demo_rejects_a_bad_count(run: Runner) -> None:
    result = run("demo", "--tickets", "0")
    assert result.code == 2 and "--tickets" in result.err


def test_demo_refuses_another_adapter(run: Runner) -> None:
    result = run("--adapter", "zendesk", "demo")
    assert result.code == 2 and "local helpdesk" in result.err


def _write_articles(folder: Path) -> None:
    folder.mkdir()
    (folder / "reset.md").write_text(
        "---\nid: kb-1\ntitle: Reset your password\nurl: https://help.example/kb-1\n"
        "section: Account\n---\n\nOpen Settings, then Security, then Reset.\n"
    )
    (folder / "export.md").write_text(
        "---\nid: kb-2\ntitle: Exporting large projects\ncategory: Data\n---\n\n"
        "Use chunked export.\n"
    )


def test_kb_import_then_search(run: Runner, tmp_path: Path) -> None:
    folder = tmp_path / "kb"
    _write_articles(folder)
    db = tmp_path / "kb.db"
    result = run("kb", "import", str(folder), "--db", str(db))
    assert result.code == 0, result.err
    assert result.out.startswith("Imported 2 new articles (0 updated, 0 unchanged, 0 skipped)")
    (folder / "reset.md").write_text(
        "---\nid: kb-1\ntitle: Reset your password\nurl: https://help.example/kb-1\n---\n\nNew.\n"
    )
    (folder / "broken.md").write_text("no front matter here\n")
    again = run("kb", "import", str(folder), "--db", str(db), "--json").json()
    assert (again["imported"], again["updated"], again["unchanged"]) == (0, 1, 1)
    assert again["skipped"] == 1 and again["skipped_files"][0]["file"] == "broken.md"
    human = run("kb", "import", str(folder), "--db", str(db))
    assert "2 unchanged, 1 skipped" in human.out and "skipped broken.md" in human.err
    found = run("search-kb", "password reset", "--db", str(db), "--json").json()
    assert found["articles"][0]["id"] == "kb-1"
    assert found["articles"][0]["url"] == "https://help.example/kb-1"


def test_kb_import_of_a_missing_folder(run: Runner, tmp_path: Path) -> None:
    result = run("kb", "import", str(tmp_path / "missing"))
    assert result.code == 2 and "missing" in result.err and len(result.err.splitlines()) == 1


@pytest.mark.shared
def test_kb_import_of_the_arduino_help_center(run: Runner, tmp_path: Path) -> None:
    folder = shared_path("data", "kb", "arduino-help-center")
    db = tmp_path / "arduino.db"
    result = run("kb", "import", str(folder), "--db", str(db), "--json")
    assert result.code == 0, result.err
    assert result.json()["imported"] >= 400
    assert run("search-kb", "upload sketch board", "--db", str(db), "--json").json()["count"] >= 1


@pytest.mark.parametrize("tickets", ["0", "-5", "1000001", "1000000000000"])
def test_demo_refuses_a_ticket_count_out_of_range_and_writes_nothing(
    run: Runner, tmp_path: Path, tickets: str
) -> None:
    db = tmp_path / "demo.db"
    result = run("demo", "--tickets", tickets, "--db", str(db))
    assert result.code == 2
    assert result.err.strip().startswith("triage: error: --tickets must be from 1 to 1,000,000")
    assert list(tmp_path.iterdir()) == []
