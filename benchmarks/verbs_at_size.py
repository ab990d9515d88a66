"""Time the reading verbs at 100 000 tickets as whole processes: one JSON object on stdout.

    .venv/bin/python benchmarks/verbs_at_size.py --db /tmp/big.db     # reuse a demo database
    .venv/bin/python benchmarks/verbs_at_size.py                       # generates one (≈20 s)
    .venv/bin/python benchmarks/verbs_at_size.py --db /tmp/big.db \\
        --before /tmp/old-src --before-db /tmp/big-old.db              # beside older code

Each case is ``triage …`` as a script runs it: a fresh process, ``--json``, its
output read and thrown away. ``triage --version`` is the floor (the interpreter
and the command line, no helpdesk). The cases run in turn, ``--runs`` rounds
(A B C … A B C …, so a machine that slows down slows every case alike); each
figure is the median, min and max wall-clock seconds and the largest peak RSS
(``wait4``'s ``ru_maxrss`` of that process). ``ratio_to_version`` is the
case's median over the floor's.

The package is compiled first (``compileall``), as ``pip install`` does.
``--before DIR`` runs the same cases with ``PYTHONPATH=DIR`` (a checkout's
``triage_tui`` of an older commit) against ``--before-db`` (a copy of the
database: an older schema refuses a file a newer one has migrated), in the
same rounds. ``triage sweep`` has no listing to time: it opens the console.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def _cases(db: Path, email: str, ticket_id: str) -> dict[str, list[str]]:
    at = ["--db", str(db)]
    return {
        "version": ["--version"],
        "get_ticket": ["get-ticket", ticket_id, "--json", *at],
        "queue_limit_10": ["queue", "--limit", "10", "--json", *at],
        "queue_filter_urgent_10": [
            "queue",
            "--filter",
            "priority:urgent",
            "--limit",
            "10",
            "--json",
            *at,
        ],
        "queue_filter_words_10": [
            "queue",
            "--filter",
            "refund -vip",
            "--limit",
            "10",
            "--json",
            *at,
        ],
        "queue_limit_10_text": ["queue", "--limit", "10", *at],
        "report": ["report", "--json", *at],
        "get_user_tickets": ["get-user", email, "--tickets", "--json", *at],
    }


def _sample(db: Path) -> tuple[str, str]:
    """A requester with the most tickets, and an active ticket's id."""
    conn = sqlite3.connect(db)
    try:
        (email,) = conn.execute(
            "SELECT p.email FROM people p JOIN tickets t ON t.requester_id = p.id"
            " GROUP BY p.id ORDER BY COUNT(*) DESC, p.id LIMIT 1"
        ).fetchone()
        (ticket_id,) = conn.execute(
            "SELECT id FROM tickets WHERE status = 'open' ORDER BY rowid LIMIT 1"
        ).fetchone()
    finally:
        conn.close()
    return str(email), str(ticket_id)


def _run(argv: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float, int]:
    """(wall seconds, peak RSS in MB, exit code) of one process."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        argv, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    return wall, usage.ru_maxrss / 1024, proc.returncode


def _summary(walls: list[float], rss: list[float], codes: list[int]) -> dict[str, Any]:
    return {
        "median_s": round(statistics.median(walls), 4),
        "min_s": round(min(walls), 4),
        "max_s": round(max(walls), 4),
        "peak_rss_mb": round(max(rss), 1),
        "exit_codes": sorted(set(codes)),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, help="a demo database (default: generate one)")
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=7, help="rounds (default 7)")
    parser.add_argument("--before", type=Path, help="PYTHONPATH of older code to time beside")
    parser.add_argument("--before-db", type=Path, help="the database copy the older code reads")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="verbs-at-size-"))
    try:
        db = args.db
        if db is None:
            db = work / "big.db"
            subprocess.run(
                [sys.executable, "-m", "triage_tui", "demo", "--tickets", str(args.tickets)]
                + ["--db", str(db)],
                check=True,
                stdout=subprocess.DEVNULL,
            )
        email, ticket_id = _sample(db)
        env = {
            **os.environ,
            "TRIAGE_DATA_DIR": str(work / "data"),
            "TRIAGE_CONFIG_DIR": str(work / "config"),
            "NO_COLOR": "1",
        }
        env.pop("TRIAGE_CONFIG", None)
        # Run from the scratch folder: ``-m`` puts the working directory first on the path,
        # ahead of ``--before``'s PYTHONPATH.
        triage = [sys.executable, "-m", "triage_tui"]
        variants: dict[str, tuple[dict[str, list[str]], dict[str, str]]] = {
            "after": (_cases(db, email, ticket_id), env)
        }
        if args.before is not None:
            before_env = {**env, "PYTHONPATH": str(args.before)}
            variants["before"] = (_cases(args.before_db or db, email, ticket_id), before_env)
        # Compiled as ``pip install`` compiles: with PYTHONDONTWRITEBYTECODE set (as on this
        # machine) an editable checkout would compile every module on every launch.
        for package in [ROOT, *([args.before] if args.before else [])]:
            subprocess.run(
                [sys.executable, "-m", "compileall", "-q", str(package / "triage_tui")],
                check=False,
                stdout=subprocess.DEVNULL,
            )
        # One warm-up of each (page cache), not counted.
        for cases, variant_env in variants.values():
            for argv in cases.values():
                _run(triage + argv, variant_env, work)
        got: dict[str, dict[str, tuple[list[float], list[float], list[int]]]] = {
            name: {case: ([], [], []) for case in cases} for name, (cases, _) in variants.items()
        }
        for _ in range(args.runs):
            for case in variants["after"][0]:
                for name, (cases, variant_env) in variants.items():
                    wall, rss, code = _run(triage + cases[case], variant_env, work)
                    walls, peaks, codes = got[name][case]
                    walls.append(wall)
                    peaks.append(rss)
                    codes.append(code)
        result: dict[str, Any] = {
            "machine": {
                "cpus": os.cpu_count(),
                "python": platform.python_version(),
                "platform": platform.platform(),
            },
            "db": str(db),
            "runs": args.runs,
            "get_user": email,
        }
        for name, cases_got in got.items():
            floor = statistics.median(cases_got["version"][0])
            result[name] = {
                case: {
                    **_summary(*figures),
                    "ratio_to_version": round(statistics.median(figures[0]) / floor, 2),
                }
                for case, figures in cases_got.items()
            }
        print(json.dumps(result, indent=2))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
