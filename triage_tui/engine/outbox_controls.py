"""The agent's hands on the outbox: undo, cancel, retry, send anyway, release.

A mixin of ``engine.buffered.BufferedHelpdesk``. A reply taken back from the
outbox returns to its ticket's draft (``DraftStore.unsent``); every change is
told to the listeners (the console's outbox screen and banners).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from triage_tui.engine import outbox as ob
from triage_tui.engine import outbox_model as om

if TYPE_CHECKING:
    from triage_tui.engine.delivery import Deliverer
    from triage_tui.engine.drafts import DraftStore


def waiting_reason(root: om.Entry, session: str | None) -> str:
    """Why an entry cannot go out yet: "waits behind a conflict on an earlier write"."""
    what = (
        "a conflict on an earlier write"
        if root.state == om.CONFLICT
        else "an earlier write the helpdesk refused"
    )
    whose = " from another console" if root.session and root.session != session else ""
    return f"waits behind {what}{whose}"


class OutboxControls:
    drafts: DraftStore | None
    _outbox: ob.Outbox | None
    session: str
    mode: str

    # BufferedHelpdesk's (opened lazily there); declared as OfflineReads does.
    @property
    def outbox(self) -> ob.Outbox:
        raise NotImplementedError

    @property
    def deliverer(self) -> Deliverer:
        raise NotImplementedError

    def _emit(self, event: str, entry: om.Entry | None = None) -> None:
        raise NotImplementedError

    def _base_for(self, ticket_id: str, body: str | None) -> dict[str, Any] | None:
        raise NotImplementedError

    def undo_last(self) -> list[om.Entry]:
        """Cancel the newest batch still in its undo window; its reply goes back to the draft."""
        batches = self.outbox.held_batches()
        if not batches:
            return []
        cancelled = self.outbox.cancel_batch(batches[0][0].batch)
        self._returned(cancelled)
        self._emit("undone", cancelled[0] if cancelled else None)
        return cancelled

    def cancel(self, entry_id: str, *, keep_draft: bool = True) -> list[om.Entry]:
        cancelled = self.outbox.cancel(entry_id)
        if keep_draft:
            self._returned(cancelled)
        elif self.drafts is not None:
            for entry in cancelled:
                if entry.kind == "reply":
                    self.drafts.discard(entry.ticket_id)
        self._emit("changed")
        return cancelled

    def _returned(self, cancelled: list[om.Entry]) -> None:
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
        """A collision: send without the check. An entry waiting behind another batch's
        failed or conflicted write: send without waiting for it (still checked)."""
        done = self.outbox.send_anyway(entry_id) or (
            self.outbox.waits_behind(entry_id) is not None and self.outbox.jump(entry_id)
        )
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
        return sum(counts.get(state, 0) for state in om.IN_FLIGHT)

    # -- what a write waits for -------------------------------------------------
    def holdup(self, ticket_id: str) -> str | None:
        """Why this run's newest writes on a ticket cannot go out by themselves, or None.

        They wait behind another batch's failed or conflicted write, or the
        ticket is already known (from the shared outbox) to have changed under
        the reply since its base was read — the collision check will hold it.
        """
        if self.mode != "console" or self._outbox is None:
            return None
        mine = [
            e for e in self.outbox.for_ticket(ticket_id, om.IN_FLIGHT) if e.session == self.session
        ]
        if not mine:
            return None
        newest = [e for e in mine if e.batch == mine[-1].batch]
        for entry in newest:
            root = self.outbox.waits_behind(entry.id)
            if root is not None and root.batch != entry.batch:
                return waiting_reason(root, self.session)
        for entry in newest:
            changes = self._known_changes(entry)
            if changes:
                return (
                    "is held: the ticket changed since you opened it (" + "; ".join(changes) + ")"
                )
        return None

    def _known_changes(self, entry: om.Entry) -> list[str]:
        if entry.kind != "reply" or entry.force or not entry.base:
            return []
        from triage_tui.engine.collision import Base, changed_by_others, sessions_of

        base = Base.model_validate(entry.base)
        ours = sessions_of(base, entry.session)
        if ours is None:
            return []
        others = self.outbox.delivered_by_others(entry.ticket_id, ours)
        return changed_by_others(base, [(e.result, e.delivered_at) for e in others if e.result])

    def waiting(self, ticket_id: str | None = None) -> list[tuple[om.Entry, om.Entry]]:
        """Entries stuck behind another batch's failed or conflicted write: (entry, blocker)."""
        return self.outbox.waiting(ticket_id) if self._outbox is not None else []
