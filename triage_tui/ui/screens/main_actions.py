"""The main screen's actions on the current ticket: Send, Edit, Escalate, Skip,
dismissing escalation rules, and the handling-plan view.

A mixin of ``MainScreen`` (which holds the bindings), kept apart so the screen
file stays about layout and loading. Every action applies to the ticket the
agent asked for; a key typed while that ticket loads waits for it.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator
from typing import TYPE_CHECKING

from textual import work
from textual.app import SystemCommand

from triage_tui.domain import events
from triage_tui.domain.errors import TriageError
from triage_tui.domain.queue import QueueRow
from triage_tui.engine.recording import record
from triage_tui.ui.widgets.queue import QueueView

# The prompts, the draft and detail panes and the write actions are imported
# by the action that needs them: the console's first screen (the queue) never
# pays for them (tests/cli/test_startup.py checks the import set).
if TYPE_CHECKING:
    from triage_tui.domain.models import Status
    from triage_tui.engine.loader import TicketView
    from triage_tui.ui.screens.main import MainScreen
    from triage_tui.ui.screens.prompts import EscalationChoice


class TicketActions:
    """Mixed into ``MainScreen``; ``self`` is the screen."""

    # The screen's state these methods set (``MainScreen.__init__`` says what each is).
    _deferred: tuple[str, str] | None
    showing_plan: bool

    def _need_ticket(self: MainScreen, action: str) -> TicketView | None:
        """The view of the requested ticket, or None (deferring ``action`` while it loads)."""
        if self.requested_id is None:
            self.app.notify("No ticket is open.", severity="warning", markup=False)
            return None
        if self.view is None or self.view.detail.ticket.id != self.requested_id:
            self._deferred = (action, self.requested_id)
            return None
        return self.view

    def action_queue_next(self: MainScreen) -> None:
        self.query_one(QueueView).action_cursor_down()

    def action_queue_previous(self: MainScreen) -> None:
        self.query_one(QueueView).action_cursor_up()

    def action_edit(self: MainScreen) -> None:
        from triage_tui.ui.widgets.draft import DraftPane

        if self._need_ticket("edit"):
            self.query_one(DraftPane).editor.focus()

    def action_skip(self: MainScreen) -> None:
        if self.requested_id is None:
            return
        ticket_id = self.requested_id
        self.app.notify(f"Skipped {ticket_id}", markup=False, timeout=2)
        self.run_worker(record(self.app.helpdesk, events.SKIPPED, ticket_id, {}))  # type: ignore[attr-defined]
        self._advance_from(ticket_id)

    def action_toggle_plan(self: MainScreen) -> None:
        view = self._need_ticket("toggle_plan")
        if view is None:
            return
        from triage_tui.ui.widgets.ticket import TicketPane

        pane = self.query_one(TicketPane)
        self.showing_plan = not self.showing_plan
        if self.showing_plan:
            self.run_worker(pane.show_plan(self.plan_for(view), self.app.clock.now()))  # type: ignore[attr-defined]
        else:
            self.run_worker(pane.show(view, self.app.clock.now(), self.similar_rows(view)))  # type: ignore[attr-defined]

    def action_dismiss_rules(self: MainScreen) -> None:
        """The agent overrides the fired rules on this ticket: no escalation block on Send."""
        view = self._need_ticket("dismiss_rules")
        if view is None or self.loader is None:
            return
        fired = [r.rule_id for r in view.fired_rules]
        ticket_id = view.detail.ticket.id
        if not fired:
            restored = self.loader.overrides.pop(ticket_id, set())
            message = "Rules restored on this ticket." if restored else "No escalation rule fires here."
            self.app.notify(message, markup=False, timeout=3)
            if restored:
                self.show_ticket(ticket_id)
            return
        self.loader.overrides.setdefault(ticket_id, set()).update(fired)
        self.app.notify(f"Dismissed on {ticket_id}: {', '.join(fired)} (d again restores)", markup=False)
        self.show_ticket(ticket_id)

    # -- Send -------------------------------------------------------------
    def action_send(self: MainScreen) -> None:
        view = self._need_ticket("send")
        if view is None:
            return
        from triage_tui.domain.models import Status
        from triage_tui.ui.screens.prompts import SendScreen
        from triage_tui.ui.widgets.draft import DraftPane

        ready = self.query_one(DraftPane).ready_to_send()
        if ready is None:
            return
        body, blocking = ready
        ticket = view.detail.ticket
        default = Status(self.app.profile.send_status)  # type: ignore[attr-defined]

        def done(status: Status | None) -> None:
            if status is None:
                return
            if blocking:
                payload = events.override_payload(blocking)
                self.run_worker(record(self.app.helpdesk, events.SAFEGUARD_RAISED, ticket.id, payload))  # type: ignore[attr-defined]
            self.do_send(view, body, status)

        screen = SendScreen(ticket.id, ticket.requester.name, body, default,
                            blocking=[f.reason for f in blocking])
        self.app.push_screen(screen, done)

    @work(group="write")
    async def do_send(self: MainScreen, view: TicketView, body: str, status: Status) -> None:
        from triage_tui.engine import actions

        ticket = view.detail.ticket
        try:
            line = await actions.send_reply(self.app.helpdesk, ticket, body, status)  # type: ignore[attr-defined]
        except TriageError as error:
            self.app.notify(f"Not sent: {error}", severity="error", markup=False)
            return
        self.drafts.pop(ticket.id, None)
        self.app.notify(line, severity="warning" if actions.waits(line) else "information",
                        markup=False)
        await self._after_write(ticket.id)

    # -- Escalate ---------------------------------------------------------
    def action_escalate(self: MainScreen) -> None:
        view = self._need_ticket("escalate")
        if view is None:
            return
        from triage_tui.ui.screens.prompts import EscalateScreen

        fired = view.fired_rules
        reason = fired[0].label if fired else ""
        note = "; ".join(f"{r.title}: " + ", ".join(r.evidence) for r in fired if r.evidence)
        route = fired[0].route if fired else None

        def done(choice: EscalationChoice | None) -> None:
            if choice is not None:
                self.do_escalate(view, choice)

        self.app.push_screen(EscalateScreen(view.detail.ticket.id, reason, note, route), done)

    @work(group="write")
    async def do_escalate(self: MainScreen, view: TicketView, choice: EscalationChoice) -> None:
        from triage_tui.engine import actions

        ticket_id = view.detail.ticket.id
        try:
            line = await actions.escalate(
                self.app.helpdesk, ticket_id, choice.reason, choice.note, view.rules  # type: ignore[attr-defined]
            )
        except TriageError as error:
            self.app.notify(f"Not escalated: {error}", severity="error", markup=False)
            return
        self.app.notify(line, severity="warning" if actions.waits(line) else "information",
                        markup=False)
        await self._after_write(ticket_id)

    # -- moving on --------------------------------------------------------
    async def _after_write(self: MainScreen, ticket_id: str) -> None:
        """Refresh the written ticket's row, then move on to the next ticket."""
        assert self.loader is not None
        try:
            row = await self.loader.row(ticket_id)
        except TriageError:
            row = None
        queue = self.query_one(QueueView)
        shown = queue.rows
        index = next((i for i, r in enumerate(shown) if r.id == ticket_id), queue.cursor)
        following = shown[index + 1].id if index + 1 < len(shown) else None
        rows = [r for r in self.all_rows if r.id != ticket_id]
        if row is not None and row.status.is_active:
            bisect.insort(rows, row, key=QueueRow.sort_key)
        self._set_rows(rows)
        if following is not None:
            queue.move_to(next((i for i, r in enumerate(queue.rows) if r.id == following), 0))
            self._open_after_move()
        queue.focus()

    def _advance_from(self: MainScreen, ticket_id: str) -> None:
        queue = self.query_one(QueueView)
        index = next((i for i, r in enumerate(queue.rows) if r.id == ticket_id), queue.cursor)
        if index + 1 < len(queue.rows):
            queue.move_to(index + 1)
            self._open_after_move()
        else:
            self.app.notify("That was the last ticket in the queue.", markup=False, timeout=3)
        queue.focus()

    def _open_after_move(self: MainScreen) -> None:
        """Moving on after an action opens the next ticket even when the
        detail pane does not follow the cursor (it does so by itself otherwise)."""
        current = self.query_one(QueueView).current
        if not self.follow_cursor and current is not None:
            self.show_ticket(current.id)

    # -- command palette --------------------------------------------------
    def palette_commands(self: MainScreen) -> Iterator[SystemCommand]:
        yield SystemCommand("Send reply", "Send the draft (s)", self.action_send)
        yield SystemCommand("Edit draft", "Focus the draft editor (e)", self.action_edit)
        yield SystemCommand("Escalate ticket", "Escalate with a reason (x)", self.action_escalate)
        yield SystemCommand("Skip ticket", "Next ticket, nothing written (n)", self.action_skip)
        yield SystemCommand("Handling plan", "Show or hide the four-stage plan (p)", self.action_toggle_plan)
        yield SystemCommand("Dismiss escalation rules", "Override the rules that fire here (d)",
                            self.action_dismiss_rules)
        yield SystemCommand("Filter queue", "Filter language: priority:high sla:<90m … (/)",
                            self.action_filter)
        yield SystemCommand("Refresh queue", "Reload from the helpdesk (r)", self.action_refresh)
