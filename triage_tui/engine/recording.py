"""Appending to a helpdesk's event log, the one way every caller does it.

The local store keeps an ``events`` table and ``BufferedHelpdesk`` keeps a
log for helpdesks that keep none; a bare adapter without one (a verb without
the outbox) raises ``Unsupported`` (``Helpdesk.record_event``'s default).
Logging is a record of what the agent did, never a reason for the action
itself to fail.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from triage_tui.domain.errors import TriageError

if TYPE_CHECKING:
    from triage_tui.adapters.base import Helpdesk


async def record(
    helpdesk: Helpdesk, name: str, ticket_id: str | None, payload: dict[str, Any]
) -> bool:
    """Append ``name`` to ``helpdesk``'s event log; whether it was recorded."""
    try:
        await helpdesk.record_event(name, ticket_id, payload)
    except TriageError:
        return False
    return True
