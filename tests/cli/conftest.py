"""Fixtures for the command line: a pristine demo helpdesk per test and a runner.

The demo database is generated once per session (frozen clock, fixed seed) and
copied for each test, so tests may write to it freely and stay fast.
"""

from __future__ import annotations

import json
import shutil
import sys
import types
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import FROZEN_NOW
from triage_tui.cli import main
from triage_tui.domain.clock import FrozenClock


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


Runner = Callable[..., Result]


@pytest.fixture(scope="session")
def pristine_demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from triage_tui.demo import generator as demo

    path = tmp_path_factory.mktemp("demo") / "helpdesk.db"
    demo.generate(path, tickets=300, seed=7, now=FROZEN_NOW)
    return path


@pytest.fixture
def demo_db(pristine_demo: Path, tmp_path: Path) -> Path:
    """A private copy of the demo helpdesk for one test."""
    target = tmp_path / "demo.db"
    for suffix in ("", "-wal", "-shm"):
        source = pristine_demo.with_name(pristine_demo.name + suffix)
        if source.exists():
            shutil.copyfile(source, target.with_name(target.name + suffix))
    return target


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str], clock: FrozenClock) -> Runner:
    """``run("queue", "--json")`` → Result(code, out, err), with the frozen clock."""

    def runner(*argv: str) -> Result:
        capsys.readouterr()
        code = main(list(argv), clock=clock)
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return runner


@pytest.fixture
def db_run(run: Runner, demo_db: Path) -> Runner:
    """Like ``run`` but against the demo copy (``--db`` given after the command)."""

    def runner(*argv: str) -> Result:
        return run(*argv, "--db", str(demo_db))

    return runner


def fake_console(monkeypatch: pytest.MonkeyPatch, run: Callable[..., int]) -> None:
    """``run`` in place of ``triage_tui.ui.app.run``: the command line's console
    path (context, helpdesk, start-up) without Textual."""
    fake = types.ModuleType("triage_tui.ui.app")
    fake.run = run  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "triage_tui.ui.app", fake)
