"""``TicketLoader.read_ahead``: a view read ahead is opened only while it is the view a read
would give."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import FROZEN_NOW
from triage_tui.adapters.local.adapter import LocalHelpdesk, LocalOptions
from triage_tui.demo.generator import generate
from triage_tui.domain.clock import FrozenClock
from triage_tui.domain.escalation import RuleSet
from triage_tui.engine import loader as loader_mod
from triage_tui.engine.loader import TicketLoader


class Counting(LocalHelpdesk):
    """Reads counted; says when it writes, like the console's outbox, unless ``watched`` is
    False."""

    def __init__(self, options: LocalOptions, clock: FrozenClock, watched: bool = True) -> None:
        super().__init__(options, clock)
        self.reads: list[str] = []
        self.watched = watched
        self.listeners: list[Callable[[str, Any], None]] = []

    def watch_writes(self, listener: Callable[[str, Any], None]) -> bool:
        if self.watched:
            self.listeners.append(listener)
        return self.watched

    async def get_ticket(self, ticket_id: str):  # type: ignore[no-untyped-def]
        self.reads.append(ticket_id)
        return await super().get_ticket(ticket_id)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "helpdesk.db"
    generate(path, tickets=40, seed=3, now=FROZEN_NOW)
    return path


async def open_loader(db: Path, watched: bool = True) -> tuple[TicketLoader, Counting, str]:
    clock = FrozenClock(FROZEN_NOW)
    helpdesk = Counting(LocalOptions(db=db), clock, watched).act_as("Sam")
    loader = TicketLoader(helpdesk, RuleSet.from_config({}, {}), clock)
    await loader.open()
    ticket_id = (await loader.first_rows(1) or [])[0].id
    return loader, helpdesk, ticket_id


async def test_a_fresh_read_ahead_is_opened_without_reading_again(db: Path) -> None:
    loader, helpdesk, ticket_id = await open_loader(db)
    await loader.read_ahead(ticket_id)
    view = await loader.load(ticket_id)
    assert helpdesk.reads == [ticket_id]
    assert view.detail.ticket.id == ticket_id
    await loader.load(ticket_id)  # used once: opening it again reads it
    assert helpdesk.reads == [ticket_id, ticket_id]
    await loader.close()


async def test_an_old_read_ahead_is_read_again(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    loader, helpdesk, ticket_id = await open_loader(db)
    now = [1000.0]
    monkeypatch.setattr(loader_mod.time, "monotonic", lambda: now[0])
    await loader.read_ahead(ticket_id)
    now[0] += loader_mod.AHEAD_FRESH_S + 1
    await loader.load(ticket_id)
    assert helpdesk.reads == [ticket_id, ticket_id]
    await loader.close()


async def test_dismissing_a_rule_or_a_write_makes_it_read_again(db: Path) -> None:
    loader, helpdesk, ticket_id = await open_loader(db)
    await loader.read_ahead(ticket_id)
    loader.overrides[ticket_id] = {"billing_refund"}
    await loader.load(ticket_id)
    assert helpdesk.reads == [ticket_id, ticket_id]
    await loader.read_ahead(ticket_id)
    for listener in helpdesk.listeners:
        listener("queued", None)
    await loader.load(ticket_id)
    assert helpdesk.reads == [ticket_id] * 4
    await loader.close()


async def test_a_helpdesk_that_does_not_say_when_it_changes_is_never_read_ahead(db: Path) -> None:
    loader, helpdesk, ticket_id = await open_loader(db, watched=False)
    assert not loader.reads_ahead
    await loader.read_ahead(ticket_id)
    assert helpdesk.reads == []
    await loader.close()


async def test_the_draft_is_made_once_per_view(db: Path) -> None:
    from triage_tui.config import Profile

    loader, _helpdesk, ticket_id = await open_loader(db)
    await loader.read_ahead(ticket_id, Profile(agent="Sam"))
    view = await loader.load(ticket_id)
    assert view.drafted is not None
    assert loader.draft(view, Profile(agent="Sam")) is view.drafted
    await loader.close()
