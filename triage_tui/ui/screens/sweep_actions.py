"""The sweep's decisions on the current ticket: Send, Edit, Escalate, Skip, Note, Assign.

A mixin of ``SweepScreen`` (which holds the bindings and the session), kept
apart so the screen file stays about layout, loading and the event log. Each
action applies to the ticket whose detail has loaded (``_need`` defers a key
typed while it loads or while a write is on its way); each write runs in a
worker that records pending events first, writes, then decides and moves on.
"""

from __future__ import annotations

from collections.abc import Awaitable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from textual import work
from textual.content import Content
from textual.screen import Screen

from triage_tui.adapters.base import Helpdesk
from triage_tui.domain import events
from triage_tui.domain.errors import TriageError
from triage_tui.domain.models import Status
from triage_tui.engine import actions
from triage_tui.engine.loader import TicketLoader, TicketView
from triage_tui.engine.report import Report
from triage_tui.engine.sweep import Decision, SweepSession, SweepSummary
from triage_tui.ui import safe_text as st
from triage_tui.ui.screens.ask import AskScreen
from triage_tui.ui.screens.prompts import EscalateScreen, EscalationChoice, SendScreen
from triage_tui.ui.widgets.draft import DraftPane
from triage_tui.ui.widgets.ticket import TicketPane

Outcome = tuple[Decision, str]


@dataclass(frozen=True)
class SweepOutcome:
    """What ``SweepScreen`` is dismissed with."""

    summary: SweepSummary
    report: Report


class SweepActions(Screen[SweepOutcome | None]):
    """The decisions; ``SweepScreen`` holds the state below and the hooks at the end."""

    loader: TicketLoader
    helpdesk: Helpdesk
    session: SweepSession
    view: TicketView | None
    requested_id: str | None
    drafts: dict[str, str]
    _generated: dict[str, str]
    _deferred: list[str]
    _failed: str | None
    _busy: bool
    _finishing: bool

    def _show_current(self) -> None:
        raise NotImplementedError

    def _update_progress(self, now: datetime | None = None) -> None:
        raise NotImplementedError

    def _flush_soon(self) -> None:
        raise NotImplementedError

    async def _flush(self) -> None:
        raise NotImplementedError

    def _remember(self, name: str, ticket_id: str, payload: dict[str, Any]) -> None:
        raise NotImplementedError

    def _log(self, name: str, ticket_id: str, payload: dict[str, Any]) -> None:
        raise NotImplementedError

    def action_end(self) -> None:
        raise NotImplementedError

    def _need(self, action: str) -> TicketView | None:
        """The loaded view of the current ticket, or None (the action waits for it)."""
        if self.requested_id is None or self._finishing:
            return None
        if self._busy or self.view is None or self.view.detail.ticket.id != self.requested_id:
            self._deferred.append(action)
            self._update_progress()
            return None
        return self.view

    def _decide(self, ticket_id: str, decision: Decision, detail: str = "") -> None:
        current = self.session.current
        if current is None or current.id != ticket_id:
            return
        self.session.decide(decision, detail)
        self._flush_soon()
        if decision.settles:
            if self.query_one(DraftPane).editor.has_focus:
                self.query_one(TicketPane).focus()  # keys are decisions again, not typing
            self._show_current()
        else:
            self._update_progress()

    def action_skip(self) -> None:
        if self.requested_id is not None and self._failed == self.requested_id and not self._busy:
            self._decide(self.requested_id, Decision.SKIP)
        elif (view := self._need("skip")) is not None:
            self._decide(view.detail.ticket.id, Decision.SKIP)

    def action_edit(self) -> None:
        if self._need("edit") is not None:
            self.query_one(DraftPane).editor.focus()

    def action_leave(self) -> None:
        if self.query_one(DraftPane).editor.has_focus:
            self.query_one(TicketPane).focus()
        else:
            self.action_end()

    # -- Send ------------------------------------------------------------------
    def action_send(self) -> None:
        view = self._need("send")
        if view is None:
            return
        ready = self.query_one(DraftPane).ready_to_send()
        if ready is None:
            return
        body, findings = ready
        ticket = view.detail.ticket
        default = Status(self.app.profile.send_status)  # type: ignore[attr-defined]
        blocking = [f.reason for f in findings]

        def done(status: Status | None) -> None:
            if status is not None:
                if findings:  # sent past blocking safeguards: logged, as from the main screen
                    self._log(events.SAFEGUARD_RAISED, ticket.id, events.override_payload(findings))
                self._write(ticket.id, "send", self._send(view, body, status))

        self.app.push_screen(SendScreen(ticket.id, ticket.requester.name, body, default, blocking), done)

    async def _send(self, view: TicketView, body: str, status: Status) -> Outcome:
        ticket = view.detail.ticket
        line = await actions.send_reply(self.helpdesk, ticket, body, status)
        self.drafts.pop(ticket.id, None)
        due = events.viewed_payload(_row_of(self.session, ticket.id))["sla_due_at"]
        self._remember(events.REPLY_SENT, ticket.id, {"sla_due_at": due})
        self._said(line)
        edited = body != self._generated.get(ticket.id)
        return (Decision.EDIT if edited else Decision.SEND), status.value

    # -- Escalate --------------------------------------------------------------
    def action_escalate(self) -> None:
        view = self._need("escalate")
        if view is None:
            return
        fired = view.fired_rules
        reason = fired[0].label if fired else ""
        note = "; ".join(f"{r.title}: " + ", ".join(r.evidence) for r in fired if r.evidence)
        route = fired[0].route if fired else None

        def done(choice: EscalationChoice | None) -> None:
            if choice is not None:
                self._write(view.detail.ticket.id, "escalate", self._escalate(view, choice))

        self.app.push_screen(EscalateScreen(view.detail.ticket.id, reason, note, route), done)

    async def _escalate(self, view: TicketView, choice: EscalationChoice) -> Outcome:
        ticket_id = view.detail.ticket.id
        line = await actions.escalate(self.helpdesk, ticket_id, choice.reason, choice.note, view.rules)
        self._remember(events.ESCALATED, ticket_id, {"reason": choice.reason})
        self._said(line)
        return Decision.ESCALATE, choice.reason

    # -- Note ------------------------------------------------------------------
    def action_note(self) -> None:
        if not self.helpdesk.capabilities.internal_notes:
            self.app.notify(f"{self.helpdesk.display_name} has no internal notes.", severity="warning", markup=False)
            return
        view = self._need("note")
        if view is None:
            return
        ticket_id = view.detail.ticket.id

        def done(text: str | None) -> None:
            if text:
                self._write(ticket_id, "note", self._note(ticket_id, text))

        title = Content.assemble("Internal note on #", st.line(ticket_id))
        self.app.push_screen(AskScreen(title, placeholder="visible to agents only"), done)

    async def _note(self, ticket_id: str, text: str) -> Outcome:
        await self.helpdesk.add_note(ticket_id, text)
        self._remember(events.NOTE_ADDED, ticket_id, {})
        self._said(actions.confirmed(self.helpdesk, ticket_id, f"Note added to {ticket_id}", "Note on"))
        return Decision.NOTE, ""

    # -- Assign ----------------------------------------------------------------
    def action_assign(self) -> None:
        if not self.helpdesk.capabilities.assignment:
            self.app.notify(f"{self.helpdesk.display_name} does not assign tickets.", severity="warning", markup=False)
            return
        view = self._need("assign")
        if view is None:
            return
        ticket_id = view.detail.ticket.id
        agent = self.app.profile.agent  # type: ignore[attr-defined]

        def done(text: str | None) -> None:
            if text is not None:
                who = agent if text.lower() == "me" else (text or None)
                self._write(ticket_id, "assign", self._assign(ticket_id, who))

        title = Content.assemble("Assign #", st.line(ticket_id), " to")
        hint = Content.assemble("me = ", st.line(agent), " · empty unassigns")
        self.app.push_screen(AskScreen(title, value="me", hint=hint, allow_empty=True), done)

    async def _assign(self, ticket_id: str, who: str | None) -> Outcome:
        await self.helpdesk.assign(ticket_id, who)
        self._remember(events.ASSIGNED, ticket_id, {"to": who})
        done = f"Ticket {ticket_id} assigned to {who}" if who else f"Ticket {ticket_id} unassigned"
        self._said(actions.confirmed(self.helpdesk, ticket_id, done, "Assignment of"))
        return Decision.ASSIGN, who or ""

    def _said(self, line: str) -> None:
        """A write's confirmation — a warning when it waits for the agent's decision first."""
        self.app.notify(line, severity="warning" if actions.waits(line) else "information", markup=False)

    # -- writing -----------------------------------------------------------------
    def _write(self, ticket_id: str, what: str, job: Awaitable[Outcome]) -> None:
        self._busy = True
        self._run_write(ticket_id, what, job)

    @work(group="sweep-write")
    async def _run_write(self, ticket_id: str, what: str, job: Awaitable[Outcome]) -> None:
        """Record pending events first (viewed before replied), write, then decide."""
        try:
            await self._flush()
            decision, detail = await job
        except TriageError as error:
            self._deferred.clear()
            self.app.notify(f"Not done ({what}): {error}", severity="error", markup=False)
            return
        finally:
            self._busy = False
        self._decide(ticket_id, decision, detail)


def _row_of(session: SweepSession, ticket_id: str) -> Any:
    return next(r for r in session.rows if r.id == ticket_id)
