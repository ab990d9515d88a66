"""A third-party adapter that writes only the abstract methods works with the doctor,
the verbs and the console.

``MinimalHelpdesk`` (``tests/adapters/contract.py``) subclasses ``Helpdesk`` with
the six abstract methods and nothing else. Here it is installed the way an
adapter author's package is (an entry point in a ``*.dist-info`` on
``sys.path``) and chosen with ``TRIAGE_ADAPTER``: every other method the doctor,
the verbs and the console call must then come from the base class's declared
defaults, with nothing found by probing for attributes.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.adapters.contract import (
    AGENT,
    MinimalHelpdesk,
    MinimalOptions,
    install_plugins,
    seed_local_db,
)
from tests.adapters.seed import DEFAULT_SPEC
from tests.test_doctor import doctor
from tests.ui.test_console import settle
from triage_tui.cli import main
from triage_tui.config import Profile
from triage_tui.domain.clock import FrozenClock
from triage_tui.engine.buffered import BufferedHelpdesk
from triage_tui.ui.widgets.queue import QueueView


@pytest.fixture
def minimal_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The ``minimal`` plugin installed and chosen, over a seeded helpdesk file."""
    install_plugins(
        tmp_path / "site", monkeypatch, {"minimal": "tests.adapters.contract:MinimalHelpdesk"}
    )
    db = tmp_path / "minimal.db"
    seed_local_db(db, DEFAULT_SPEC)
    monkeypatch.setenv("TRIAGE_ADAPTER", "minimal")
    monkeypatch.setenv("TRIAGE_MINIMAL_DB", str(db))
    return db


def verb(capsys: pytest.CaptureFixture[str], clock: FrozenClock, *argv: str) -> tuple[int, str]:
    capsys.readouterr()
    code = main(list(argv), clock=clock)
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_doctor_runs_every_check_on_the_base_class_defaults(
    minimal_db: Path, capsys: pytest.CaptureFixture[str], clock: FrozenClock
) -> None:
    code, lines = doctor(capsys, clock)
    assert code == 0, lines
    assert "adapter 'minimal'" in lines["config"]
    assert lines["settings"] == "✓ settings     every required option is set"
    assert lines["reachable"] == "✓ reachable    Minimal answered"
    assert lines["read tickets"].startswith("✓ read tickets the queue can be read (first ticket ")
    assert lines["comment"] == "– comment      cannot be checked without writing a comment"
    assert lines["read KB"] == "– read KB      Minimal has no knowledge base here"


def test_verbs_read_write_and_keep_an_event_log_for_it(
    minimal_db: Path, capsys: pytest.CaptureFixture[str], clock: FrozenClock
) -> None:
    code, out = verb(capsys, clock, "queue", "--json", "--limit", "0")
    assert code == 0, out
    listed = json.loads(out)["tickets"]
    assert len(listed) == len(DEFAULT_SPEC.active_keys())
    ticket_id = listed[0]["id"]

    code, out = verb(capsys, clock, "reply-ticket", ticket_id, "We are on it.")
    assert code == 0, out
    code, out = verb(capsys, clock, "get-ticket", ticket_id, "--json")
    assert code == 0, out
    assert json.loads(out)["messages"][-1]["body"] == "We are on it."

    # The plugin keeps no event log (``Capabilities.event_log`` is off): the
    # outbox keeps one on this machine, so the reply is in ``triage events``.
    code, out = verb(capsys, clock, "events", "--json", "--since", "1h")
    assert code == 0, out
    names = [(e["name"], e["ticket_id"]) for e in json.loads(out)["events"]]
    assert ("reply.sent", ticket_id) in names

    # What it cannot do is one line and the "unsupported" exit code, not a crash.
    code, out = verb(capsys, clock, "update-ticket", ticket_id, "--add-tag", "vip")
    assert code == 2 and len(out.strip().splitlines()) == 1, out
    assert "Minimal" in out and "tags" in out


async def test_the_console_loads_its_queue_and_opens_a_ticket(
    minimal_db: Path, tmp_path: Path, clock: FrozenClock
) -> None:
    from triage_tui.ui.app import TriageApp

    helpdesk = BufferedHelpdesk(
        MinimalHelpdesk(MinimalOptions(db=minimal_db), clock),
        "third-party.minimal.0",
        data_dir=tmp_path / "data",
    )
    app = TriageApp(helpdesk, profile=Profile(agent=AGENT), clock=clock, tick_seconds=3600)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await settle(pilot)
        rows = screen.query_one(QueueView).rows
        assert len(rows) == len(DEFAULT_SPEC.active_keys())
        assert "Minimal ✓" in str(screen._topbar())
        assert screen.view is not None and screen.view.detail.ticket.id == rows[0].id
        assert screen.view.kb == []  # no knowledge base: nothing suggested, nothing failed
