"""The verbs' human output on a helpdesk whose every field carries terminal attacks."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.conftest import Runner
from tests.fakes.hostile import FORBIDDEN, VISIBLE, poison
from tests.ui.conftest import db_rows


@pytest.fixture
def hostile_run(db_run: Runner, demo_db: Path) -> Runner:
    poison(demo_db)
    return db_run


def test_no_verb_writes_an_attack_to_the_terminal(hostile_run: Runner, demo_db: Path) -> None:
    ticket_id, email = db_rows(
        demo_db,
        "SELECT t.id, p.email FROM tickets t JOIN people p ON p.id = t.requester_id "
        "WHERE t.status = 'open' LIMIT 1",
    )[0]
    calls = [
        ("queue",),
        ("get-ticket", ticket_id),
        ("get-user", email),
        ("search-kb", "password reset"),
        ("plan", ticket_id),
        ("escalate-ticket", ticket_id, "--reason", "needs engineering"),
        ("events",),
        ("report",),
    ]
    for argv in calls:
        result = hostile_run(*argv)
        assert result.code == 0, (argv, result.err)
        leaked = FORBIDDEN.findall(result.out + result.err)
        assert not leaked, f"{argv[0]}: wrote {sorted(set(leaked))!r}"
        if argv[0] in ("queue", "get-ticket", "get-user", "search-kb", "plan"):
            assert "PWNED" in result.out, f"{argv[0]}: the hostile data was not shown"
    assert VISIBLE in hostile_run("get-ticket", ticket_id).out
