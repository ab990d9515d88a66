"""Out-of-range numbers and durations typed by a user or written in the config.

Each case ends with one ``triage: error:`` line and the error's own exit code,
never 70 (an unexpected exception) and never a traceback or a hang.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.conftest import Result, Runner

EXIT_INTERNAL = 70
EXIT_USAGE = 2
HUGE = "9" * 30


def one_error_line(result: Result) -> str:
    assert result.code not in (0, EXIT_INTERNAL), (result.code, result.err)
    assert "Traceback" not in result.err
    lines = result.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("triage: error: "), result.err
    return lines[0]


def write_config(isolated_dirs: Path, text: str) -> Path:
    path = isolated_dirs / "config" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("since", ["99999999999d", "1000000000d", "9" * 5000 + "d"])
def test_report_since_too_long_is_one_line(db_run: Runner, since: str) -> None:
    line = one_error_line(db_run("report", "--since", since))
    assert "duration too large (max 3650d)" in line and len(line) < 200
    assert db_run("events", "--since", since).code == EXIT_USAGE


def test_report_since_ten_years_works(db_run: Runner) -> None:
    result = db_run("report", "--since", "3650d", "--json")
    assert result.code == 0, result.err


def test_huge_limits_and_ids_are_not_internal_errors(db_run: Runner) -> None:
    assert db_run("queue", "--limit", HUGE, "--json").code == 0
    assert db_run("search-kb", "refund", "--limit", HUGE, "--json").code == 0
    for argv in (("get-ticket", HUGE), ("get-user", HUGE), ("close-ticket", HUGE)):
        assert "not found" in one_error_line(db_run(*argv))


def test_a_view_with_a_huge_duration_is_a_config_error_naming_it(
    run: Runner, isolated_dirs: Path
) -> None:
    write_config(isolated_dirs, '[views]\nforever = "sla:<1000000000d"\n')
    result = run("config", "show")
    line = one_error_line(result)
    assert result.code == EXIT_USAGE
    assert line.endswith("views.forever: sla:<1000000000d: duration too large (max 3650d)")


@pytest.mark.parametrize(
    ("toml", "expected"),
    [
        ("x = " + "9" * 5000 + "\n", "invalid TOML: Exceeds the limit"),
        ("x = " + "[" * 100_000 + "]" * 100_000 + "\n", "invalid TOML: nested too deeply"),
    ],
)
def test_toml_numbers_and_nesting_are_config_errors(
    run: Runner, isolated_dirs: Path, toml: str, expected: str
) -> None:
    write_config(isolated_dirs, toml)
    assert expected in one_error_line(run("config", "show"))


def test_a_directory_as_the_config_is_refused(run: Runner, tmp_path: Path) -> None:
    line = one_error_line(run("--config", str(tmp_path), "config", "show"))
    assert "not a regular file (a directory)" in line


def test_a_fifo_as_the_config_is_refused_without_blocking(
    tmp_path: Path, isolated_dirs: Path
) -> None:
    fifo = tmp_path / "config.fifo"
    os.mkfifo(fifo)
    # A subprocess: were the FIFO opened, the read would block until the timeout kills it.
    done = subprocess.run(
        [sys.executable, "-m", "triage_tui", "--config", str(fifo), "queue"],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
    )
    result = Result(done.returncode, done.stdout, done.stderr)
    assert "not a regular file (a FIFO)" in one_error_line(result)
