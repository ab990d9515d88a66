"""The main screen: queue, ticket detail and draft, with the four actions.

Keys (see ``BINDINGS``; ``?`` shows them all): ``s`` Send, ``e`` Edit,
``x`` Escalate, ``n`` Skip, ``/`` filter, ``r`` refresh, ``q`` quit,
``ctrl+s`` sends from inside the editor and ``esc`` leaves it.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator

from textual import on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.events import Resize
from textual.screen import Screen
from textual.widgets import Footer, Input, Static, TextArea

from triage_tui.domain.errors import TriageError
from triage_tui.domain.models import Status
from triage_tui.domain.queue import QueueCounts, QueueRow, matches_words, sort_rows
from triage_tui.engine import actions
from triage_tui.engine.loader import TicketLoader, TicketView
from triage_tui.ui import safe_text as st
from triage_tui.ui.screens.prompts import EscalateScreen, EscalationChoice, SendScreen
from triage_tui.ui.widgets.offline_banner import OfflineBanner
from triage_tui.ui.widgets.queue import QueueView, header_text
from triage_tui.ui.widgets.undo_banner import UndoBanner
from triage_tui.ui.widgets.ticket import OtherTickets, TicketPane

#: Below this width the panes stack instead of sitting side by side.
NARROW_WIDTH = 110


class MainScreen(Screen[None]):
    BINDINGS = [
        Binding("s", "send", "Send"),
        Binding("e", "edit", "Edit"),
        Binding("x", "escalate", "Escalate"),
        Binding("n", "skip", "Skip"),
        Binding("slash", "filter", "Filter", key_display="/"),
        Binding("r", "refresh", "Refresh", show=False),
        Binding("q", "app.quit", "Quit"),
        Binding("j", "queue_next", "Next ticket", show=False),
        Binding("k", "queue_previous", "Previous ticket", show=False),
        Binding("ctrl+s", "send", "Send (from the editor)", show=False, priority=True),
        Binding("escape", "leave", "Leave the editor / filter", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.all_rows: list[QueueRow] = []
        self.filter_words: list[str] = []
        self.view: TicketView | None = None
        # Drafts edited this session, by ticket id, so moving away keeps them.
        self.drafts: dict[str, str] = {}
        self._loading_draft = False
        self.loader: TicketLoader | None = None
        self.queue_loaded = False
        # The ticket the agent last asked for; actions apply to it, never to a
        # stale view still on screen while it loads.
        self.requested_id: str | None = None
        # An action typed ahead while its ticket loads ("j j x"), run on arrival.
        self._deferred: tuple[str, str] | None = None

    # -- layout ------------------------------------------------------------
    def compose(self) -> ComposeResult:
        app = self.app
        yield Static(self._topbar(), id="topbar")
        yield OfflineBanner()  # offline / actions needing the agent (hidden otherwise)
        yield UndoBanner()  # "… · Undo (u) · 8 s" while an action can be taken back
        with Horizontal(id="panes"):
            with Vertical(id="queue-pane"):
                yield Static(Content("Queue · loading…"), id="queue-title")
                yield Static(Content(header_text(80)), id="queue-header")
                yield QueueView(app.clock, id="queue")  # type: ignore[attr-defined]
                yield Input(placeholder="filter: words in subject, requester, org, tags", id="filter")
            with Vertical(id="work-pane"):
                yield TicketPane(id="detail")
                yield TextArea(id="draft", soft_wrap=True, show_line_numbers=False, tab_behavior="focus")
        yield Footer()

    def _topbar(self) -> Content:
        app = self.app
        helpdesk = app.helpdesk  # type: ignore[attr-defined]
        profile = app.profile  # type: ignore[attr-defined]
        now = app.clock.now()  # type: ignore[attr-defined]
        badge = f"{helpdesk.display_name} {'✓' if self.queue_loaded else '…'}"
        return Content.assemble(
            ("triage", "bold"),
            "  ",
            (badge, "$text-success bold" if self.queue_loaded else "$text-warning"),
            ("  agent ", "$text-muted"),
            st.line(profile.agent),
            ("  team ", "$text-muted"),
            st.line(profile.team),
            ("  " + now.strftime("%H:%M UTC"), "$text-muted"),
        )

    def on_mount(self) -> None:
        self.query_one("#filter", Input).display = False
        draft = self.query_one("#draft", TextArea)
        draft.border_title = Content("Draft reply")
        self.query_one("#detail", TicketPane).border_title = Content("Ticket")
        self.query_one(QueueView).focus()
        self._apply_width(self.size.width)
        # Rules are built on the first ticket, not before the first screen.
        self.loader = TicketLoader(self.app.helpdesk, lambda: self.app.rules, self.app.clock)  # type: ignore[attr-defined]
        self.load_queue()
        self.set_interval(self.app.tick_seconds, self.tick)  # type: ignore[attr-defined]

    def on_resize(self, event: Resize) -> None:
        self._apply_width(event.size.width)

    def _apply_width(self, width: int) -> None:
        self.set_class(width < NARROW_WIDTH, "-narrow")

    @on(QueueView.Resized)
    def _on_queue_resized(self, event: QueueView.Resized) -> None:
        self.query_one("#queue-header", Static).update(Content(header_text(max(20, event.width))))

    def tick(self) -> None:
        self.query_one(QueueView).tick()
        self.query_one("#topbar", Static).update(self._topbar())

    # -- queue ------------------------------------------------------------
    @work(exclusive=True, group="queue")
    async def load_queue(self) -> None:
        """Open the helpdesk, then stream the queue in, first screenful first."""
        app = self.app
        title = self.query_one("#queue-title", Static)
        assert self.loader is not None
        try:
            if not self.loader.opened:
                await self.loader.open()
                self.loader.start_kb_index(self._kb_ready)
            # The first batch is sorted and shown at once (the first screenful);
            # later ones are only collected, and the whole queue is sorted once at
            # the end: re-sorting and re-showing per batch was quadratic at 100 000.
            rows: list[QueueRow] = []
            async for batch in self.loader.queue_batches():
                if not rows:
                    rows = sorted(batch, key=QueueRow.sort_key)
                    self._set_rows(list(rows))
                else:
                    rows.extend(batch)
                title.update(Content(f"Queue · loading… {len(rows):,} tickets"))
        except TriageError as error:
            if not self.loader.opened:
                app.fail(str(error))  # type: ignore[attr-defined]
                return
            self.app.notify(str(error), severity="error", markup=False)
            return
        sort_rows(rows)
        self.queue_loaded = True
        # An agent who has not moved off the first row gets the most urgent
        # ticket of the whole queue, not the first batch's.
        self._set_rows(rows, top=self.query_one(QueueView).cursor == 0)
        self.query_one("#topbar", Static).update(self._topbar())

    def _set_rows(self, rows: list[QueueRow], *, top: bool = False) -> None:
        """Show ``rows``, keeping the cursor on its ticket (on the first row when ``top``)."""
        queue = self.query_one(QueueView)
        keep = None if top or queue.current is None else queue.current.id
        self.all_rows = rows
        shown = [r for r in rows if matches_words(r, self.filter_words)] if self.filter_words else rows
        queue.set_rows(shown, keep_id=keep)
        self._update_title()
        if not shown:
            self.view = None
            self.requested_id = None
            self.run_worker(self.query_one(TicketPane).show_message(
                "No tickets match the filter." if self.filter_words else "The queue is empty."
            ))

    def _update_title(self) -> None:
        queue = self.query_one(QueueView)
        now = self.app.clock.now()  # type: ignore[attr-defined]
        counts = QueueCounts.of(queue.rows, now)
        parts: list[Content | tuple[str, str] | str] = [("Queue", "bold"), f" · {counts.total:,} open"]
        if counts.breached:
            parts.append((f" · {counts.breached} breached", "$text-error bold"))
        if counts.at_risk:
            parts.append((f" · {counts.at_risk} under 1 h", "$text-warning bold"))
        if self.filter_words:
            parts += [" · filter: ", st.line(" ".join(self.filter_words), "$text-accent"),
                      f" ({counts.total:,} of {len(self.all_rows):,})"]
        self.query_one("#queue-title", Static).update(Content.assemble(*parts))

    @on(QueueView.Highlighted)
    def _on_highlight(self, event: QueueView.Highlighted) -> None:
        self.show_ticket(event.row.id)

    @on(QueueView.Selected)
    def _on_selected(self, event: QueueView.Selected) -> None:
        self.query_one("#detail", TicketPane).focus()

    @on(OtherTickets.Open)
    def _on_other_ticket(self, event: OtherTickets.Open) -> None:
        self.show_ticket(event.ticket_id)

    def _kb_ready(self) -> None:
        """The KB index finished building: re-rank the ticket on screen."""
        if self.requested_id is not None:
            self.show_ticket(self.requested_id)

    # -- detail -----------------------------------------------------------
    def show_ticket(self, ticket_id: str) -> None:
        self.requested_id = ticket_id
        self._load_ticket(ticket_id)

    @work(exclusive=True, group="detail")
    async def _load_ticket(self, ticket_id: str) -> None:
        assert self.loader is not None
        pane = self.query_one(TicketPane)
        try:
            view = await self.loader.load(ticket_id)
        except TriageError as error:
            await pane.show_message(f"Ticket {ticket_id}: {error}")
            return
        self.view = view
        await pane.show(view, self.app.clock.now())  # type: ignore[attr-defined]
        pane.border_title = Content.assemble("Ticket #", st.line(ticket_id))
        self._load_draft(view)
        if self._deferred is not None and self._deferred[1] == ticket_id:
            action, self._deferred = self._deferred[0], None
            await self.run_action(action)

    def _load_draft(self, view: TicketView) -> None:
        editor = self.query_one("#draft", TextArea)
        ticket_id = view.detail.ticket.id
        assert self.loader is not None
        if ticket_id in self.drafts:
            text, cursor = self.drafts[ticket_id], None
        else:
            text, cursor = self.loader.draft(view, self.app.profile)  # type: ignore[attr-defined]
        self._loading_draft = True
        editor.load_text(text)
        self._loading_draft = False
        if cursor is not None:
            before = text[:cursor]
            editor.move_cursor((before.count("\n"), len(before) - (before.rfind("\n") + 1)))
        editor.border_title = Content.assemble("Draft reply to ", st.line(view.detail.ticket.requester.name))

    @on(TextArea.Changed, "#draft")
    def _on_draft_changed(self, event: TextArea.Changed) -> None:
        if not self._loading_draft and self.view is not None:
            self.drafts[self.view.detail.ticket.id] = event.text_area.text

    # -- actions ----------------------------------------------------------
    def _need_ticket(self, action: str) -> TicketView | None:
        """The view of the requested ticket, or None (deferring ``action`` while it loads)."""
        if self.requested_id is None:
            self.app.notify("No ticket is open.", severity="warning", markup=False)
            return None
        if self.view is None or self.view.detail.ticket.id != self.requested_id:
            self._deferred = (action, self.requested_id)
            return None
        return self.view

    def action_queue_next(self) -> None:
        self.query_one(QueueView).action_cursor_down()

    def action_queue_previous(self) -> None:
        self.query_one(QueueView).action_cursor_up()

    def action_edit(self) -> None:
        if self._need_ticket("edit"):
            self.query_one("#draft", TextArea).focus()

    def action_leave(self) -> None:
        filter_input = self.query_one("#filter", Input)
        if filter_input.has_focus:
            filter_input.value = ""
            filter_input.display = False
        self.query_one(QueueView).focus()

    def action_skip(self) -> None:
        if self.requested_id is None:
            return
        self.app.notify(f"Skipped {self.requested_id}", markup=False, timeout=2)
        self._advance_from(self.requested_id)

    def action_send(self) -> None:
        view = self._need_ticket("send")
        if view is None:
            return
        body = self.query_one("#draft", TextArea).text
        if not body.strip():
            self.app.notify("The draft is empty: press e to write a reply.", severity="warning", markup=False)
            return
        ticket = view.detail.ticket
        default = Status(self.app.profile.send_status)  # type: ignore[attr-defined]

        def done(status: Status | None) -> None:
            if status is not None:
                self.do_send(view, body, status)

        self.app.push_screen(SendScreen(ticket.id, ticket.requester.name, body, default), done)

    @work(group="write")
    async def do_send(self, view: TicketView, body: str, status: Status) -> None:
        ticket = view.detail.ticket
        try:
            line = await actions.send_reply(self.app.helpdesk, ticket, body, status)  # type: ignore[attr-defined]
        except TriageError as error:
            self.app.notify(f"Not sent: {error}", severity="error", markup=False)
            return
        self.drafts.pop(ticket.id, None)
        self.app.notify(line, markup=False)
        await self._after_write(ticket.id)

    def action_escalate(self) -> None:
        view = self._need_ticket("escalate")
        if view is None:
            return
        fired = view.fired_rules
        reason = fired[0].label if fired else ""
        note = "; ".join(
            f"{r.title}: " + ", ".join(r.evidence) for r in fired if r.evidence
        )
        route = fired[0].route if fired else None

        def done(choice: EscalationChoice | None) -> None:
            if choice is not None:
                self.do_escalate(view, choice)

        self.app.push_screen(EscalateScreen(view.detail.ticket.id, reason, note, route), done)

    @work(group="write")
    async def do_escalate(self, view: TicketView, choice: EscalationChoice) -> None:
        ticket_id = view.detail.ticket.id
        try:
            line = await actions.escalate(
                self.app.helpdesk, ticket_id, choice.reason, choice.note, view.rules  # type: ignore[attr-defined]
            )
        except TriageError as error:
            self.app.notify(f"Not escalated: {error}", severity="error", markup=False)
            return
        self.app.notify(line, markup=False)
        await self._after_write(ticket_id)

    async def _after_write(self, ticket_id: str) -> None:
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
        queue.focus()

    def _advance_from(self, ticket_id: str) -> None:
        queue = self.query_one(QueueView)
        index = next((i for i, r in enumerate(queue.rows) if r.id == ticket_id), queue.cursor)
        if index + 1 < len(queue.rows):
            queue.move_to(index + 1)
        else:
            self.app.notify("That was the last ticket in the queue.", markup=False, timeout=3)
        queue.focus()

    def action_refresh(self) -> None:
        self.load_queue()

    # -- filter -----------------------------------------------------------
    def action_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.display = True
        box.focus()

    @on(Input.Changed, "#filter")
    def _on_filter_changed(self, event: Input.Changed) -> None:
        self.filter_words = event.value.lower().split()
        self._set_rows(self.all_rows)

    @on(Input.Submitted, "#filter")
    def _on_filter_submitted(self, event: Input.Submitted) -> None:
        if not event.value.strip():
            event.input.display = False
        self.query_one(QueueView).focus()

    # -- command palette --------------------------------------------------
    def palette_commands(self) -> Iterator[SystemCommand]:
        yield SystemCommand("Send reply", "Send the draft (s)", self.action_send)
        yield SystemCommand("Edit draft", "Focus the draft editor (e)", self.action_edit)
        yield SystemCommand("Escalate ticket", "Escalate with a reason (x)", self.action_escalate)
        yield SystemCommand("Skip ticket", "Next ticket, nothing written (n)", self.action_skip)
        yield SystemCommand("Filter queue", "Filter by words (/)", self.action_filter)
        yield SystemCommand("Refresh queue", "Reload from the helpdesk (r)", self.action_refresh)
