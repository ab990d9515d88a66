"""The main screen's ticket detail: opening a ticket, reading ahead, its draft.

A mixin of ``MainScreen``. A ticket opens in a worker (the next key cancels
it); on a local terminal the open ticket's neighbours are read, and their first
screenful drawn, in the background (``TicketLoader.read_ahead``), so the next
j/k only paints.
"""

from __future__ import annotations

import asyncio
import heapq
import time
from typing import TYPE_CHECKING

from textual import work
from textual.content import Content

from triage_tui.domain import events
from triage_tui.domain.errors import TriageError
from triage_tui.domain.queue import QueueRow
from triage_tui.engine.recording import record
from triage_tui.ui import safe_text as st
from triage_tui.ui.screens.closing import ends_with_screen
from triage_tui.ui.widgets.queue import QueueView
from triage_tui.ui.widgets.ticket import SIMILAR_LISTED, TicketPane

if TYPE_CHECKING:
    from triage_tui.domain.plan import HandlingPlan
    from triage_tui.engine.loader import TicketView
    from triage_tui.ui.screens.main import MainScreen
    # The draft editor (a TextArea, ~20 ms to import) is mounted after the first screen.
    from triage_tui.ui.widgets.draft import DraftPane

#: Tickets whose similar rows are kept (the open one and those read ahead).
SIMILAR_KEPT = 4


class TicketDetail:
    """Mixed into ``MainScreen``; ``self`` is the screen."""

    # The screen's state these methods set (``MainScreen.__init__`` says what each is).
    view: TicketView | None
    requested_id: str | None
    _deferred: tuple[str, str] | None
    follow_cursor: bool
    showing_plan: bool
    #: The ticket whose ``ticket.viewed`` was logged last.
    _viewed_id: str | None = None

    #: A request this soon after the previous one is a held key (j at the
    #: terminal's repeat rate): its ticket loads only if the cursor rests this long.
    HELD_KEY_S = 0.05
    _last_request: float = 0.0

    def show_ticket(self: MainScreen, ticket_id: str) -> None:
        self.requested_id = ticket_id
        now = time.monotonic()
        held, self._last_request = now - self._last_request < self.HELD_KEY_S, now
        self._load_ticket(ticket_id, held)

    @work(exclusive=True, group="detail")
    @ends_with_screen
    async def _load_ticket(self: MainScreen, ticket_id: str, held: bool = False) -> None:
        assert self.loader is not None
        if held:
            # Over SSH a held j would repaint a whole ticket per row passed
            # (~20 KB each); the next key cancels this worker during the wait.
            await asyncio.sleep(self.HELD_KEY_S)
        pane = self.query_one(TicketPane)
        try:
            view = await self.loader.load(ticket_id)
        except TriageError as error:
            await pane.show_message(f"Ticket {ticket_id}: {error}")
            if not self.follow_cursor:
                self.query_one(QueueView).show_open(ticket_id)
            return
        self.view = view
        now = self.app.clock.now()  # type: ignore[attr-defined]
        # Detail, title and draft in one frame: painted apart, each would be its own
        # layout pass over the screen (two to three per ticket opened).
        with self.app.batch_update():
            if self.showing_plan:
                await pane.show_plan(self.plan_for(view), now)
            else:
                await pane.show(view, now, self.similar_rows(view))
            pane.border_title = Content.assemble("Ticket #", st.line(ticket_id))
            self._load_draft(view)
            if not self.follow_cursor:
                # The ▶ marker moves with the ticket, in the same frame: marked at
                # Enter, the queue's repaint would go out alone and the ticket wait
                # one or two more ticks of the screen's update timer (~30 ms).
                self.query_one(QueueView).show_open(ticket_id)
        row = self._rows_by_id().get(ticket_id)
        # The same ticket shown again (the KB index or the clustering finished,
        # a reload) is not another view by the agent: once per arrival.
        if row is not None and ticket_id != self._viewed_id:
            self._viewed_id = ticket_id
            # Logged once the ticket is painted: the write's thread would take the
            # GIL from the frame that shows the ticket (~5 ms of every ticket opened).
            payload = events.viewed_payload(row)
            helpdesk = self.app.helpdesk  # type: ignore[attr-defined]
            self.call_after_refresh(
                lambda: self.run_worker(record(helpdesk, events.VIEWED, ticket_id, payload), group="viewed")
            )
        if self._deferred is not None and self._deferred[1] == ticket_id:
            action, self._deferred = self._deferred[0], None
            await self.run_action(action)
        elif self.follow_cursor:
            queue = self.query_one(QueueView)
            at = queue.cursor
            self._read_ahead(*(queue.rows[i].id for i in (at + 1, at - 1) if 0 <= i < len(queue.rows)))

    def _read_ahead(self: MainScreen, *ticket_ids: str) -> None:
        """Read these tickets in the background once the keys rest: the ones the
        agent most likely opens next (``TicketLoader.read_ahead``)."""
        if self.loader is not None and self.loader.reads_ahead and ticket_ids:
            self._read_ahead_worker(ticket_ids)

    @work(exclusive=True, group="ahead")
    @ends_with_screen
    async def _read_ahead_worker(self: MainScreen, ticket_ids: tuple[str, ...]) -> None:
        assert self.loader is not None
        await asyncio.sleep(self.HELD_KEY_S)  # the next key cancels this worker
        for ticket_id in ticket_ids:
            try:
                view = await self.loader.read_ahead(ticket_id, self.app.profile)  # type: ignore[attr-defined]
            except TriageError:
                return  # opening the ticket will read it again and say what is wrong
            if view is not None and not self.showing_plan:
                self.similar_rows(view)
                self.query_one(TicketPane).predraw(view, self.app.clock.now())  # type: ignore[attr-defined]

    def _load_draft(self: MainScreen, view: TicketView) -> None:
        ticket_id = view.detail.ticket.id
        assert self.loader is not None
        if ticket_id in self.drafts:
            text, cursor = self.drafts[ticket_id], None
        else:
            text, cursor = self.loader.draft(view, self.app.profile)  # type: ignore[attr-defined]
            if (problem := self.loader.untold_template_problem()) is not None:
                self.app.notify(problem, severity="warning", markup=False, timeout=10)
        from triage_tui.ui.widgets.draft import DraftPane

        self.query_one(DraftPane).load(view, text, cursor)

    def on_draft_pane_changed(self: MainScreen, event: DraftPane.Changed) -> None:  # by name: the class is imported late
        if self.view is not None:
            self.drafts[self.view.detail.ticket.id] = event.text

    def plan_for(self: MainScreen, view: TicketView) -> HandlingPlan:
        from triage_tui.domain.plan import handling_plan

        return handling_plan(view.detail, view.history, view.rules, view.kb, self.clusters,
                             now=self.app.clock.now())  # type: ignore[attr-defined]

    def similar_rows(self: MainScreen, view: TicketView) -> list[QueueRow]:
        """Open tickets clustered with this one (same problem): the first
        ``SIMILAR_LISTED`` in queue order (the ones the pane lists), then the rest
        unordered — at 100 000 tickets a cluster holds thousands, sorted per
        ticket opened for nothing but a count."""
        ticket_id = view.detail.ticket.id
        known = self._similar.get(ticket_id)
        if known is not None and known[0] is self.clusters and known[1] is self.all_rows:
            return known[2]  # worked out when the ticket was read ahead
        by_id = self._rows_by_id()
        found = [by_id[i] for i in self.clusters.similar(ticket_id) if i in by_id]
        if len(found) <= SIMILAR_LISTED:
            rows = sorted(found, key=QueueRow.sort_key)
        else:
            first = heapq.nsmallest(SIMILAR_LISTED, found, key=QueueRow.sort_key)
            listed = {row.id for row in first}
            rows = first + [row for row in found if row.id not in listed]
        self._similar[ticket_id] = (self.clusters, self.all_rows, rows)
        while len(self._similar) > SIMILAR_KEPT:
            del self._similar[next(iter(self._similar))]  # the oldest
        return rows

    def _rows_by_id(self: MainScreen) -> dict[str, QueueRow]:
        """``all_rows`` by id, rebuilt when the list is replaced: opening a ticket looked
        rows up by scanning 100 000 of them, twice (10-20 ms per ticket)."""
        if self._by_id[0] is not self.all_rows:
            self._by_id = (self.all_rows, {r.id: r for r in self.all_rows})
        return self._by_id[1]
