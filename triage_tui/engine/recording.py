"""Appending to a helpdesk's event log, the one way every caller does it.

The local store keeps an ``events`` table and ``BufferedHelpdesk`` offers a
log for helpdesks that keep none, so ``record_event`` is usually there; a bare
adapter (a verb without the outbox) may not have it. Logging is a record of
what the agent did, never a reason for the action itself to fail.
"""

from __future__ import annotations

from typing import Any

from triage_tui.domain.errors import TriageError


async def record(helpdesk: Any, name: str, ticket_id: str | None, payload: dict[str, Any]) -> bool:
    """Append ``name`` to ``helpdesk``'s event log; whether it was recorded."""
    recorder = getattr(helpdesk, "record_event", None)
    if recorder is None:
        return False
    try:
        await recorder(name, ticket_id, payload)
    except TriageError:
        return False
    return True
