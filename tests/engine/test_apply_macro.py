"""Applying a macro through a helpdesk: reply, note, tags, priority, status, and what is skipped."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import ClassVar

import pytest

from triage_tui.adapters.base import Capabilities
from triage_tui.adapters.local.adapter import LocalHelpdesk, LocalOptions
from triage_tui.domain.clock import FrozenClock
from triage_tui.domain.enums import Priority, Role, Status
from triage_tui.domain.errors import InvalidInput
from triage_tui.domain.models import NewTicket, Ticket
from triage_tui.domain.replies.macros import Macro, get_macro
from triage_tui.engine.macros import apply_macro, macro_writes


class NoExtrasHelpdesk(LocalHelpdesk):
    """The local helpdesk pretending it has no tags, notes or direct priority."""

    capabilities: ClassVar[Capabilities] = Capabilities(
        tags=False, internal_notes=False, priority=False
    )
    display_name: ClassVar[str] = "Bare"


async def _open(cls: type[LocalHelpdesk], db: Path, clock: FrozenClock) -> LocalHelpdesk:
    helpdesk = cls(LocalOptions(db=db), clock=clock)
    await helpdesk.open()
    return helpdesk


@pytest.fixture
async def local(tmp_path: Path, clock: FrozenClock) -> AsyncIterator[tuple[LocalHelpdesk, Ticket]]:
    helpdesk = await _open(LocalHelpdesk, tmp_path / "h.db", clock)
    ticket = await helpdesk.create_ticket(
        NewTicket(
            subject="Refund please",
            body="I was charged twice.",
            requester_email="d@x.example",
            requester_name="Dana Reyes",
        )
    )
    yield helpdesk, ticket
    await helpdesk.close()


async def test_refund_issued_replies_tags_and_sets_pending(
    local: tuple[LocalHelpdesk, Ticket],
) -> None:
    helpdesk, ticket = local
    macro = get_macro("refund_issued")
    line = await apply_macro(helpdesk, ticket, macro, "Hi Dana, refunded.")
    assert line == (
        f"Responded to {ticket.id} for Dana Reyes \u00b7 Refund issued: tag +refund, status pending"
    )
    after = await helpdesk.get_ticket(ticket.id)
    assert after.ticket.status is Status.PENDING and "refund" in after.ticket.tags
    assert after.messages[-1].role is Role.AGENT and after.messages[-1].body == "Hi Dana, refunded."


async def test_note_and_priority_are_applied_and_present_tags_not_repeated(
    local: tuple[LocalHelpdesk, Ticket],
) -> None:
    helpdesk, ticket = local
    await helpdesk.tag(ticket.id, add=["refund"])
    ticket = (await helpdesk.get_ticket(ticket.id)).ticket
    macro = Macro("m", "Urgent refund", "default", ("refund",), Status.OPEN, Priority.HIGH)
    line = await apply_macro(helpdesk, ticket, macro, "Hi", note="Checked with billing")
    assert line.endswith("Urgent refund: note, priority high, status open")
    after = await helpdesk.get_ticket(ticket.id)
    assert after.ticket.priority is Priority.HIGH
    assert [m.body for m in after.messages if m.is_note] == ["Checked with billing"]


async def test_unsupported_parts_are_skipped_and_named(tmp_path: Path, clock: FrozenClock) -> None:
    helpdesk = await _open(NoExtrasHelpdesk, tmp_path / "b.db", clock)
    try:
        ticket = await helpdesk.create_ticket(
            NewTicket(subject="S", body="B", requester_email="d@x.example", requester_name="Dana")
        )
        macro = Macro("m", "Everything", "default", ("refund",), Status.PENDING, Priority.HIGH)
        writes = macro_writes(helpdesk, ticket, macro, note="n")
        assert writes.add_tags == () and writes.note == "" and not writes.set_priority
        line = await apply_macro(helpdesk, ticket, macro, "Hi", note="n")
        assert line.endswith(
            "Everything: status pending (skipped: tags (not supported by Bare); "
            "note (not supported by Bare); priority (not supported by Bare))"
        )
    finally:
        await helpdesk.close()


async def test_an_empty_reply_writes_nothing(local: tuple[LocalHelpdesk, Ticket]) -> None:
    helpdesk, ticket = local
    with pytest.raises(InvalidInput, match="reply is empty"):
        await apply_macro(helpdesk, ticket, get_macro("refund_issued"), "  \n")
    after = await helpdesk.get_ticket(ticket.id)
    assert after.ticket.status is ticket.status and len(after.messages) == 1
