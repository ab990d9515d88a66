"""Sweep mode: the matching tickets in SLA order, one at a time, one key per decision.

The ticket detail (``TicketPane``) and the draft (pre-filled by
``TicketLoader.draft``, checked by the draft safeguards) share the screen. A
``SweepSession`` (``engine.sweep``) holds the order, timestamps each decision
and moves on by itself; the progress line says *n of N*, the time spent and
the projected finish against the next breach; the alert strip names any
ticket that breached or entered its last 90 minutes since the sweep began.

| key | action |
| --- | --- |
| ``s`` | **Send** the draft (asks pending / solved, like the main screen) |
| ``e`` | **Edit**: focus the draft (``esc`` leaves it, ``ctrl+s`` sends from inside) |
| ``x`` | **Escalate** with a reason (pre-filled from the rule that fired) |
| ``n`` | **Skip**: the next ticket, nothing written |
| ``o`` | internal **Note** (the ticket stays on screen) |
| ``a`` | **Assign** (``me`` is the profile's agent; empty unassigns) |
| ``J`` | jump to the ticket the alert strip names; the sweep resumes after its decision |
| ``u`` | undo the last write while the undo banner counts down (the app's key): the sweep |
|       | returns to that ticket, its reply back in the draft, the decision no longer counted |
| ``q``, ``esc`` | end the sweep early (asks), then the report |

Keys typed ahead act on each ticket only once its detail has loaded, never
on the one still on screen; a key typed while a write is on its way waits
for it. Events the helpdesk cannot know (``sweep.started``, ``ticket.viewed``,
``ticket.skipped``, ``sla.alerted``, ``sweep.completed``) go to
``helpdesk.record_event`` when it has one, in order. At the end the screen
dismisses itself with a ``SweepOutcome`` and pushes the ``ReportScreen``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.events import Resize
from textual.widgets import Footer, ProgressBar, Static

from triage_tui.domain import events
from triage_tui.domain.clock import Clock
from triage_tui.domain.enums import Status
from triage_tui.domain.errors import TriageError
from triage_tui.domain.safeguards.checks import Finding
from triage_tui.domain.text import count
from triage_tui.engine import actions
from triage_tui.engine.directory import AGENT, directory_of
from triage_tui.engine.loader import TicketLoader, TicketView
from triage_tui.engine.outbox_model import Entry
from triage_tui.engine.report import Report
from triage_tui.engine.sweep import Decision, SweepEvent, SweepSession, SweepSummary
from triage_tui.ui import safe_text as st
from triage_tui.ui.keys import bindings
from triage_tui.ui.screens.ask import AskScreen, ConfirmScreen, PickNameScreen
from triage_tui.ui.screens.closing import ends_with_screen
from triage_tui.ui.screens.desk import DeskScreen, TicketDesk
from triage_tui.ui.screens.prompts import EscalationChoice
from triage_tui.ui.screens.report import ReportScreen, load_report
from triage_tui.ui.widgets.draft import DraftPane
from triage_tui.ui.widgets.ticket import TicketPane
from triage_tui.ui.widgets.undo_banner import UndoBanner

if TYPE_CHECKING:
    from triage_tui.ui.widgets.find_bar import FindBar

#: Below this width the detail and the draft stack.
NARROW_WIDTH = 110
__all__ = ["LoggedEvent", "SweepOutcome", "SweepScreen"]

Outcome = tuple[Decision, str]


@dataclass(frozen=True)
class SweepOutcome:
    """What ``SweepScreen`` is dismissed with."""

    summary: SweepSummary
    report: Report


@dataclass
class LoggedEvent:
    """An event kept in memory (``engine.report.EventLike``), for helpdesks without a log."""

    name: str
    at: datetime
    ticket_id: str | None
    payload: Mapping[str, Any]


class SweepScreen(DeskScreen[SweepOutcome | None]):
    """One ticket at a time; see the module docstring for the keys."""

    DEFAULT_CSS = """
    SweepScreen #sweep-topbar { height: 1; padding: 0 1; background: $panel; }
    SweepScreen #sweep-alerts { height: auto; padding: 0 1; display: none; }
    SweepScreen #sweep-alerts.-at-risk { display: block; background: $warning 20%; }
    SweepScreen #sweep-alerts.-breached { display: block; background: $error 20%; }
    SweepScreen #sweep-progress { height: auto; padding: 0 1; }
    SweepScreen #sweep-bar { width: auto; }
    SweepScreen #sweep-bar Bar { width: 16; }
    SweepScreen #sweep-progress-label { width: 1fr; height: auto; padding-left: 1; }
    SweepScreen #sweep-panes { height: 1fr; }
    SweepScreen #sweep-detail {
        width: 1fr;
        border: round $border-blurred;
        border-title-color: $text-muted;
    }
    SweepScreen #sweep-detail:focus-within { border: round $border; border-title-color: $text; }
    SweepScreen #sweep-draft-pane { width: 45%; height: 1fr; }
    SweepScreen.-narrow #sweep-panes { layout: vertical; }
    SweepScreen.-narrow #sweep-draft-pane { width: 100%; height: 11; }
    """

    BINDINGS = bindings("sweep")

    def __init__(
        self,
        loader: TicketLoader,
        session: SweepSession,
        *,
        report_dir: Path | None = None,
    ) -> None:
        super().__init__()
        self.loader = loader
        self.helpdesk = loader.helpdesk
        self.session = session
        self.report_dir = report_dir
        #: The current ticket, its draft and the keys typed ahead, each for the ticket shown next.
        self.desk = TicketDesk(
            self, keys_move_on=True, on_hold=self._update_progress, log=self._log
        )
        self._failed: str | None = None
        self._loading_draft = False
        self._finishing = False
        self._pending: list[SweepEvent] = []
        self._lock = asyncio.Lock()
        #: Every event of the sweep, for the report when the helpdesk keeps no log.
        self.memory: list[LoggedEvent] = []
        self._chained: Callable[[SweepEvent], None] | None = session.on_event
        session.on_event = self._on_event

    # -- layout ------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Static(Content("Sweep"), id="sweep-topbar")
        yield UndoBanner()  # "… · Undo (u) · 8 s", as on the main screen
        yield Static(Content(""), id="sweep-alerts")
        with Horizontal(id="sweep-progress"):
            yield ProgressBar(total=max(1, len(self.session.rows)), show_eta=False, id="sweep-bar")
            yield Static(Content(""), id="sweep-progress-label")
        with Horizontal(id="sweep-panes"):
            yield TicketPane(id="sweep-detail")
            yield DraftPane(id="sweep-draft-pane")
        yield Footer()

    @property
    def clock(self) -> Clock:
        return self.app.clock

    async def mount_find_bar(self, bar: FindBar) -> None:
        # The detail shares its row with the draft: the box goes under both.
        await self.mount(bar, before=self.query_one(Footer))

    def on_mount(self) -> None:
        pane = self.query_one(TicketPane)
        pane.border_title = Content("Ticket")
        pane.focus()
        self.query_one(DraftPane).editor.border_title = Content("Draft reply")
        self.set_class(self.size.width < NARROW_WIDTH, "-narrow")
        self.session.start()
        self._flush_soon()
        self._show_current()
        self.set_interval(self.app.tick_seconds, self.tick)

    def on_resize(self, event: Resize) -> None:
        self.set_class(event.size.width < NARROW_WIDTH, "-narrow")

    def tick(self) -> None:
        """Alerts (recorded once each), progress and the top bar, on the app's clock."""
        now = self.clock.now()
        alerts = self.session.alerts(now)
        self._flush_soon()
        strip = self.query_one("#sweep-alerts", Static)
        strip.set_class(bool(alerts) and alerts[0].kind == "breached", "-breached")
        strip.set_class(bool(alerts) and alerts[0].kind != "breached", "-at-risk")
        if alerts:
            first = alerts[0]
            current = self.session.current
            parts: list[Content | tuple[str, str] | str] = [
                ("⚠ ", "$text-error bold" if first.kind == "breached" else "$text-warning bold"),
                st.line(first.message(now)),
                (
                    "  (on screen)"
                    if current is not None and current.id == first.ticket_id
                    else "",
                    "$text-muted",
                ),
                ("   J", "$text-accent bold"),
                " jump",
            ]
            if len(alerts) > 1:
                parts.append(
                    (
                        f"   +{count(len(alerts) - 1, 'more alert')}",
                        "$text-muted",
                    )
                )
            strip.update(Content.assemble(*parts))
        self._update_progress(now)

    def _update_progress(self, now: datetime | None = None) -> None:
        progress = self.session.progress(now or self.clock.now())
        self.query_one(ProgressBar).update(total=max(1, progress.total), progress=progress.done)
        style = "$text-warning" if progress.projected_breaches else ""
        self.query_one("#sweep-progress-label", Static).update(st.line(progress.label(), style))
        current = self.session.current
        position = (
            f" · ticket {progress.position} of {progress.total}"
            if current is not None
            else " · done"
        )
        self.query_one("#sweep-topbar", Static).update(
            Content.assemble(
                ("Sweep", "bold"),
                " · ",
                st.line(self.session.filter_text or "all tickets", "$text-accent"),
                position,
                (
                    f" · {len(self.desk.held)} key(s) waiting" if self.desk.held else "",
                    "$text-muted",
                ),
            )
        )

    # -- the current ticket --------------------------------------------------
    def _show_current(self) -> None:
        row = self.session.current
        if row is None:
            self._finish()
            return
        self.requested_id = row.id
        self._failed = None
        self._load(row.id)
        self.tick()

    @work(exclusive=True, group="sweep-detail")
    @ends_with_screen
    async def _load(self, ticket_id: str) -> None:
        pane = self.query_one(TicketPane)
        try:
            view = await self.loader.load(ticket_id)
        except TriageError as error:
            self._failed = ticket_id
            await pane.show_message(
                st.clean(f"Ticket {ticket_id}: {error} — n skips it", one_line=True)
            )
            if self.desk.next_held() == "skip":
                self._run_deferred(ticket_id)
            return
        if ticket_id != self.requested_id:
            return
        self.view = view
        await pane.show(view, self.clock.now())
        pane.border_title = Content.assemble("Ticket #", st.line(ticket_id))
        self.desk.load_draft(self.loader, view)
        self._run_deferred(ticket_id)

    def _run_deferred(self, ticket_id: str) -> None:
        """The first key typed ahead, now that its ticket is on screen (after this worker)."""
        action = self.desk.take_held(ticket_id)
        if action is None:
            return
        self._update_progress()
        self.call_later(self.run_action, action)

    def action_jump(self) -> None:
        if self.desk.busy:
            self.app.notify("Wait for the action on its way, then jump.", markup=False)
            return
        current = self.session.current
        alerts = self.session.alerts(self.clock.now())
        target = next((a for a in alerts if current is None or a.ticket_id != current.id), None)
        if target is None:
            self.app.notify("No alert to jump to.", markup=False, timeout=2)
            return
        self.desk.drop_held()
        self.session.jump_to(target.ticket_id)
        self._flush_soon()
        self._show_current()

    # -- the end -----------------------------------------------------------------
    def action_end(self) -> None:
        if self._finishing:
            return
        progress = self.session.progress(self.clock.now())
        left = progress.total - progress.done

        def done(yes: bool | None) -> None:
            if yes:
                self._finish()

        detail = Content(
            f"{progress.done} of {progress.total} decided; the other {left} stay in the queue. "
            "The report follows."
        )
        self.app.push_screen(
            ConfirmScreen(
                Content("End the sweep now?"),
                detail,
                yes="end and show the report",
                no="keep sweeping",
            ),
            done,
        )

    @work(exclusive=True, group="sweep-finish")
    async def _finish(self) -> None:
        if self._finishing:
            return
        self._finishing = True
        self.desk.close()
        summary = self.session.finish()
        await self._flush()
        until = self.clock.now()

        def again() -> Awaitable[Report]:
            return load_report(self.helpdesk, self.session.started_at, until, self.memory)

        self.app.call_later(self._close, SweepOutcome(summary, await again()), again)

    def _close(self, outcome: SweepOutcome, again: Callable[[], Awaitable[Report]]) -> None:
        self.dismiss(outcome)
        self.app.push_screen(
            ReportScreen(
                outcome.report, directory=self.report_dir, title="Sweep report", again=again
            )
        )

    # -- the event log -------------------------------------------------------------
    def _on_event(self, event: SweepEvent) -> None:
        self._pending.append(event)
        self.memory.append(
            LoggedEvent(event.name, self.clock.now(), event.ticket_id, event.payload)
        )
        if self._chained is not None:
            self._chained(event)

    def _log(self, name: str, ticket_id: str, payload: dict[str, Any]) -> None:
        """An event of the console's own for the log (and the report)."""
        self._on_event(SweepEvent(name, ticket_id, payload))
        self._flush_soon()

    def _remember(self, name: str, ticket_id: str, payload: dict[str, Any]) -> None:
        """What the helpdesk records itself, kept for a report without an event log."""
        self.memory.append(LoggedEvent(name, self.clock.now(), ticket_id, payload))

    def _flush_soon(self) -> None:
        if self._pending:
            self.run_worker(self._flush(), group="sweep-events")

    async def _flush(self) -> None:
        """Record pending events in order (one at a time, under a lock)."""
        from triage_tui.engine.recording import record

        async with self._lock:
            while self._pending:
                event = self._pending.pop(0)
                await record(self.helpdesk, event.name, event.ticket_id, event.payload)

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
        if (
            self.requested_id is not None
            and self._failed == self.requested_id
            and not self.desk.busy
        ):
            self._decide(self.requested_id, Decision.SKIP)
        elif (view := self.desk.need("skip")) is not None:
            self._decide(view.detail.ticket.id, Decision.SKIP)

    def took_back(self, entries: list[Entry]) -> bool:
        """``u`` undid a write of this sweep: back to its ticket, the reply's text in the
        draft, its decision no longer counted; after the new decision the sweep resumes."""
        ticket_id = entries[0].ticket_id
        if self._finishing or all(r.id != ticket_id for r in self.session.rows):
            return False
        reply = next((e for e in entries if e.kind == "reply"), None)
        if reply is not None:
            self.drafts[ticket_id] = reply.payload["body"]
        self.desk.drop_held()
        self.session.reopen(ticket_id)
        self._flush_soon()
        self._show_current()
        return True

    def action_leave(self) -> None:
        if self.query_one(DraftPane).editor.has_focus:
            self.query_one(TicketPane).focus()
        else:
            self.action_end()

    # -- Send ------------------------------------------------------------------
    def action_send(self) -> None:
        self.desk.send(self._send_confirmed)

    def _send_confirmed(
        self, view: TicketView, body: str, status: Status, findings: list[Finding]
    ) -> None:
        ticket = view.detail.ticket
        if findings:  # sent past blocking safeguards: logged, as from the main screen
            self._log(events.SAFEGUARD_RAISED, ticket.id, events.override_payload(findings))
        self._write(ticket.id, "send", self._send(view, body, status))

    async def _send(self, view: TicketView, body: str, status: Status) -> Outcome:
        ticket = view.detail.ticket
        line = await actions.send_reply(self.helpdesk, ticket, body, status)
        self.drafts.pop(ticket.id, None)
        due = events.viewed_payload(_row_of(self.session, ticket.id))["sla_due_at"]
        self._remember(events.REPLY_SENT, ticket.id, {"sla_due_at": due})
        self._said(line)
        edited = body != self.desk.generated.get(ticket.id)
        return (Decision.EDIT if edited else Decision.SEND), status.value

    # -- Escalate --------------------------------------------------------------
    def action_escalate(self) -> None:
        self.desk.escalate(self._escalate_chosen)

    def _escalate_chosen(self, view: TicketView, choice: EscalationChoice) -> None:
        self._write(view.detail.ticket.id, "escalate", self._escalate(view, choice))

    async def _escalate(self, view: TicketView, choice: EscalationChoice) -> Outcome:
        ticket_id = view.detail.ticket.id
        line = await actions.escalate(
            self.helpdesk, ticket_id, choice.reason, choice.note, view.rules, choice.group
        )
        self._remember(events.ESCALATED, ticket_id, {"reason": choice.reason})
        self._said(line)
        return Decision.ESCALATE, choice.reason

    # -- Note ------------------------------------------------------------------
    def action_note(self) -> None:
        if not self.helpdesk.capabilities.internal_notes:
            self.app.notify(
                f"{self.helpdesk.display_name} has no internal notes.",
                severity="warning",
                markup=False,
            )
            return
        view = self.desk.need("note")
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
        self._said(
            actions.confirmed(self.helpdesk, ticket_id, f"Note added to {ticket_id}", "Note on")
        )
        return Decision.NOTE, ""

    # -- Assign ----------------------------------------------------------------
    def action_assign(self) -> None:
        if not self.helpdesk.capabilities.assignment:
            self.app.notify(
                f"{self.helpdesk.display_name} does not assign tickets.",
                severity="warning",
                markup=False,
            )
            return
        view = self.desk.need("assign")
        if view is None:
            return
        ticket_id = view.detail.ticket.id

        def done(name: str | None) -> None:
            if name is not None:
                self._write(ticket_id, "assign", self._assign(ticket_id, name or None))

        title = Content.assemble("Assign #", st.line(ticket_id), " to")
        picker = PickNameScreen(
            title, directory_of(self.helpdesk), AGENT, me=self.app.profile.agent, allow_empty=True
        )
        self.app.push_screen(picker, done)

    async def _assign(self, ticket_id: str, who: str | None) -> Outcome:
        await self.helpdesk.assign(ticket_id, who)
        self._remember(events.ASSIGNED, ticket_id, {"to": who})
        done = f"Ticket {ticket_id} assigned to {who}" if who else f"Ticket {ticket_id} unassigned"
        self._said(actions.confirmed(self.helpdesk, ticket_id, done, "Assignment of"))
        return Decision.ASSIGN, who or ""

    def _said(self, line: str) -> None:
        """A write's confirmation — a warning when it waits for the agent's decision first."""
        self.app.notify(
            line, severity="warning" if actions.waits(line) else "information", markup=False
        )

    # -- writing -----------------------------------------------------------------
    def _write(self, ticket_id: str, what: str, job: Awaitable[Outcome]) -> None:
        self.desk.busy = True
        self._run_write(ticket_id, what, job)

    @work(group="sweep-write")
    async def _run_write(self, ticket_id: str, what: str, job: Awaitable[Outcome]) -> None:
        """Record pending events first (viewed before replied), write, then decide."""
        try:
            await self._flush()
            decision, detail = await job
        except TriageError as error:
            self.desk.drop_held()
            self.app.notify(f"Not done ({what}): {error}", severity="error", markup=False)
            return
        finally:
            self.desk.busy = False
        self._decide(ticket_id, decision, detail)


def _row_of(session: SweepSession, ticket_id: str) -> Any:
    return next(r for r in session.rows if r.id == ticket_id)
