"""A helpdesk file from an earlier triage-tui on a read-only disk: read as it is.

Later schemas only add (the ``changes`` table, an index), so where the file
cannot be upgraded the verbs still read it rather than refusing it.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from tests.cli.conftest import Runner
from tests.fakes.disk import remount_read_only, remount_writable, small_tmpfs


def _as_schema_3(db: Path) -> None:
    """What a schema-3 file looks like: the same tables without the status index."""
    with sqlite3.connect(db) as conn:
        names = [
            row[0]
            for row in conn.execute(
                "SELECT name FROM sqlite_master WHERE type='index' AND tbl_name='tickets' "
                "AND sql LIKE '%status%priority%'"
            )
        ]
        for name in names:
            conn.execute(f"DROP INDEX {name}")
        conn.execute("PRAGMA user_version = 3")
        conn.execute("PRAGMA journal_mode = DELETE")


def test_a_schema_3_helpdesk_on_a_read_only_disk_is_read(run: Runner, tmp_path: Path) -> None:
    source = tmp_path / "demo.db"
    assert run("demo", "--tickets", "30", "--db", str(source)).code == 0
    _as_schema_3(source)
    expected = run("queue", "--json", "--db", str(source)).json()["total"]
    _as_schema_3(source)  # the read above upgraded it
    with small_tmpfs(tmp_path / "disk", size="4m") as disk:
        shutil.copy(source, disk / "old.db")
        remount_read_only(disk)
        try:
            result = run("queue", "--json", "--db", str(disk / "old.db"))
            assert result.code == 0, result.err
            assert result.json()["total"] == expected
            with sqlite3.connect(f"{(disk / 'old.db').as_uri()}?immutable=1", uri=True) as conn:
                assert conn.execute("PRAGMA user_version").fetchone()[0] == 3
        finally:
            remount_writable(disk)
