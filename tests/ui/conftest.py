"""Fixtures for driving the console with Pilot against a real local helpdesk."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import FROZEN_NOW
from triage_tui.adapters.local.adapter import LocalHelpdesk, LocalOptions
from triage_tui.config import Profile
from triage_tui.demo.generator import generate
from triage_tui.domain.clock import FrozenClock
from triage_tui.ui.app import TriageApp

#: Demo size for UI tests: enough for every state and rule, fast to build.
UI_TICKETS = 120


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One demo database per test session; each test gets its own copy."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    generate(path, tickets=UI_TICKETS, seed=7, now=FROZEN_NOW)
    return path


@pytest.fixture
def demo_db(demo_template: Path, tmp_path: Path) -> Path:
    target = tmp_path / "helpdesk.db"
    source = sqlite3.connect(demo_template)
    dest = sqlite3.connect(target)
    source.backup(dest)
    source.close()
    dest.close()
    return target


@pytest.fixture
def make_app(clock: FrozenClock) -> Callable[..., TriageApp]:
    def factory(db: Path, **profile: object) -> TriageApp:
        helpdesk = LocalHelpdesk(LocalOptions(db=db), clock=clock).act_as("Sam Agent")
        return TriageApp(
            helpdesk,
            profile=Profile(agent="Sam Agent", **profile),  # type: ignore[arg-type]
            clock=clock,
            # Ticks are driven by tests (advance the clock, call tick()).
            tick_seconds=3600,
        )

    return factory


def db_rows(db: Path, sql: str, *args: object) -> list[tuple]:  # type: ignore[type-arg]
    with sqlite3.connect(db) as conn:
        return conn.execute(sql, args).fetchall()
