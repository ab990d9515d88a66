"""Per-write hints from the outbox to an adapter, without widening the contract.

The outbox (``triage_tui.engine.delivery``) delivers each recorded write
through the ordinary ``Helpdesk`` methods. Two facts about a write matter to
adapters whose helpdesk has the matching mechanism, and they travel here as
context variables rather than as new parameters on every write method (which
would break every existing adapter):

* ``idempotency_key()`` — a key that stays the same for every attempt of one
  outbox entry. An adapter that declares ``Capabilities.idempotency`` sends it
  (e.g. as an ``Idempotency-Key`` header) so a write resent after a cut
  connection is applied once. Others may log it (a request id helps support
  trace a write) but must not rely on it.
* ``expected_version()`` — the ``Ticket.version`` the write was checked
  against. An adapter that declares ``Capabilities.safe_update`` sends it
  (Zendesk: ``safe_update: true`` + ``updated_stamp``) and raises ``Conflict``
  on a 409, which the outbox turns into a collision the agent resolves.

Both are ``None`` outside the outbox (direct calls, tests of the adapter).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_IDEMPOTENCY_KEY: ContextVar[str | None] = ContextVar("triage_idempotency_key", default=None)
_EXPECTED_VERSION: ContextVar[str | None] = ContextVar("triage_expected_version", default=None)


def idempotency_key() -> str | None:
    """The key of the write being made, when the outbox makes it."""
    return _IDEMPOTENCY_KEY.get()


def expected_version() -> str | None:
    """The ticket version the write was checked against, when known."""
    return _EXPECTED_VERSION.get()


@contextmanager
def writing(*, key: str | None = None, version: str | None = None) -> Iterator[None]:
    """Set both hints for the writes made inside the block (one asyncio task)."""
    key_token = _IDEMPOTENCY_KEY.set(key)
    version_token = _EXPECTED_VERSION.set(version)
    try:
        yield
    finally:
        _EXPECTED_VERSION.reset(version_token)
        _IDEMPOTENCY_KEY.reset(key_token)
