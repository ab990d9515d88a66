"""The agent's hands on the outbox: undo, cancel, retry, send anyway, release.

A mixin of ``engine.buffered.BufferedHelpdesk``. A reply taken back from the
outbox returns to its ticket's draft (``DraftStore.unsent``); every change is
told to the listeners (the console's outbox screen and banners).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from triage_tui.engine import outbox as ob

if TYPE_CHECKING:
    from triage_tui.engine.delivery import Deliverer
    from triage_tui.engine.drafts import DraftStore


class OutboxControls:
    drafts: DraftStore | None
    _outbox: ob.Outbox | None

    # BufferedHelpdesk's (opened lazily there); declared as OfflineReads does.
    @property
    def outbox(self) -> ob.Outbox:
        raise NotImplementedError

    @property
    def deliverer(self) -> Deliverer:
        raise NotImplementedError

    def _emit(self, event: str, entry: ob.Entry | None = None) -> None:
        raise NotImplementedError

    def _base_for(self, ticket_id: str, body: str | None) -> dict[str, Any] | None:
        raise NotImplementedError

    def undo_last(self) -> list[ob.Entry]:
        """Cancel the newest batch still in its undo window; its reply goes back to the draft."""
        batches = self.outbox.held_batches()
        if not batches:
            return []
        cancelled = self.outbox.cancel_batch(batches[0][0].batch)
        self._returned(cancelled)
        self._emit("undone", cancelled[0] if cancelled else None)
        return cancelled

    def cancel(self, entry_id: str, *, keep_draft: bool = True) -> list[ob.Entry]:
        cancelled = self.outbox.cancel(entry_id)
        if keep_draft:
            self._returned(cancelled)
        elif self.drafts is not None:
            for entry in cancelled:
                if entry.kind == "reply":
                    self.drafts.discard(entry.ticket_id)
        self._emit("changed")
        return cancelled

    def _returned(self, cancelled: list[ob.Entry]) -> None:
        if self.drafts is None:
            return
        for entry in cancelled:
            if entry.kind == "reply":
                self.drafts.unsent(
                    entry.ticket_id,
                    entry.id,
                    entry.payload["body"],
                    self._base_for(entry.ticket_id, None),
                )

    def retry(self, entry_id: str) -> bool:
        done = self.outbox.retry(entry_id)
        self.deliverer.kick()
        self._emit("changed")
        return done

    def send_anyway(self, entry_id: str) -> bool:
        done = self.outbox.send_anyway(entry_id)
        self.deliverer.kick()
        self._emit("changed")
        return done

    def release_all(self) -> int:
        """Quitting with "wait": end every undo window now."""
        released = self.outbox.release_holds(everything=True)
        self.deliverer.kick()
        return released

    def in_flight_count(self) -> int:
        counts = self.outbox.counts() if self._outbox is not None else {}
        return sum(counts.get(state, 0) for state in ob.IN_FLIGHT)
