"""Issue 20 item 2: a plain `triage queue` imports no more than it uses."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.cli.test_startup import _env

#: Runs the verb, then prints its JSON and whether the filter terms were imported.
CODE = (
    "import io, sys, contextlib; from triage_tui.cli import main; out = io.StringIO()\n"
    "with contextlib.redirect_stdout(out): rc = main(sys.argv[1:])\n"
    "print(out.getvalue()); print('TERMS', 'triage_tui.domain.filters.terms' in sys.modules)\n"
    "raise SystemExit(rc)"
)


def _queue(demo_db: Path, tmp_path: Path, *argv: str) -> tuple[dict[str, object], bool]:
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            CODE,
            "queue",
            *argv,
            "--limit",
            "3",
            "--json",
            "--db",
            str(demo_db),
        ],
        capture_output=True,
        check=False,
        text=True,
        env=_env(tmp_path),
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    body, _, terms = proc.stdout.rpartition("TERMS ")
    return json.loads(body), terms.strip() == "True"


def test_a_plain_queue_leaves_the_filter_terms_unimported(demo_db: Path, tmp_path: Path) -> None:
    """Issue 20 item 2: `queue --limit N --json` without a filter prints its tickets
    without importing the filter language's terms (~5 ms of the verb's start)."""
    data, terms = _queue(demo_db, tmp_path)
    assert data["count"] == 3
    assert not terms


def test_a_filtered_queue_still_counts_by_priority(demo_db: Path, tmp_path: Path) -> None:
    """Issue 20 item 2: with `--filter "priority:urgent"` the terms are read and every
    ticket printed is urgent."""
    data, terms = _queue(demo_db, tmp_path, "--filter", "priority:urgent")
    assert terms
    tickets = data["tickets"]
    assert isinstance(tickets, list) and tickets
    assert {t["priority"] for t in tickets} == {"urgent"}
