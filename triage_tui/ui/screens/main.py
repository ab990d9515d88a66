"""The main screen: queue, ticket detail and draft, with the four actions.

Keys (see ``BINDINGS``; ``?`` shows them all): ``s`` Send, ``e`` Edit,
``x`` Escalate, ``n`` Skip, ``p`` handling plan, ``d`` dismiss the rules that
fire, ``/`` filter, ``r`` refresh, ``q`` quit, ``ctrl+s`` sends from inside the
editor and ``esc`` leaves it. The actions themselves are in ``main_actions``.
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.events import Resize
from textual.screen import Screen
from textual.widgets import Footer, Input, Static

from triage_tui import collector
from triage_tui.config import preview_follows_cursor
from triage_tui.domain import events
from triage_tui.domain.errors import TriageError
from triage_tui.domain.queue import QueueCounts, QueueRow, sort_rows
from triage_tui.engine.loader import TicketLoader, TicketView
from triage_tui.ui import safe_text as st
from triage_tui.engine.recording import record
from triage_tui.ui.screens.closing import ends_with_screen
from triage_tui.ui.screens.main_actions import TicketActions
from triage_tui.ui.screens.main_detail import TicketDetail
from triage_tui.ui.screens.main_sweeps import BatchWork
from triage_tui.ui.widgets.offline_banner import OfflineBanner
from triage_tui.ui.widgets.queue import QueueView, header_text
from triage_tui.ui.widgets.safe_input import SafeInput
from triage_tui.ui.widgets.undo_banner import UndoBanner
from triage_tui.ui.widgets.ticket import OtherTickets, TicketPane

# Clustering, the filter language and handling plans are imported on first
# use: the first screen of rows does not wait for them (benchmarks/tui.py;
# tests/cli/test_startup.py checks the console's first-screen import set).
if TYPE_CHECKING:
    from triage_tui.domain.clusters import Clusters
    from triage_tui.domain.filters import Filter

#: Seconds between updates of the "loading… N tickets" title.
LOADING_TITLE_S = 0.25

#: Rows shown before the whole queue is in (when the helpdesk can pick them).
FIRST_SCREEN_ROWS = 100

#: Below this width the panes stack instead of sitting side by side.
NARROW_WIDTH = 110


class QueuePane(Vertical):
    """The queue's column. Until the detail pane exists (it is mounted once the
    first rows are on screen) it holds back the queue's cursor messages; the
    screen announces the row under the cursor once the pane is there."""

    held = False

    @on(QueueView.Highlighted)
    @on(QueueView.Selected)
    def _hold(self, event: QueueView.Highlighted | QueueView.Selected) -> None:
        screen = self.screen
        if isinstance(screen, MainScreen) and not screen.work_mounted:
            event.stop()
            self.held = True


class MainScreen(TicketActions, TicketDetail, BatchWork, Screen[None]):
    BINDINGS = [
        Binding("s", "send", "Send"),
        Binding("e", "edit", "Edit"),
        Binding("x", "escalate", "Escalate"),
        Binding("n", "skip", "Skip"),
        Binding("p", "toggle_plan", "Plan"),
        Binding("d", "dismiss_rules", "Dismiss rules", show=False),
        Binding("slash", "filter", "Filter", key_display="/"),
        Binding("w", "sweep", "Sweep"),
        Binding("b", "bulk", "Bulk"),
        Binding("U", "undo_batch", "Undo the last bulk batch", show=False, key_display="U"),
        Binding("R", "report", "Session report", show=False, key_display="R"),
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
        self._by_id: tuple[list[QueueRow], dict[str, QueueRow]] = ([], {})
        self.filter: Filter | None = None
        self.view: TicketView | None = None
        # Drafts edited this session, by ticket id, so moving away keeps them.
        self.drafts: dict[str, str] = {}
        self._clusters: Clusters | None = None
        #: ``similar_rows`` of the last few tickets: id -> (clusters, all_rows, rows).
        self._similar: dict[str, tuple[Clusters, list[QueueRow], list[QueueRow]]] = {}
        self.showing_plan = False
        #: Header badge when the helpdesk is not ready ("Zendesk: needs auth").
        self.badge: str | None = None
        self.loader: TicketLoader | None = None
        self.queue_loaded = False
        # The ticket the agent last asked for; actions apply to it, never to a
        # stale view still on screen while it loads.
        self.requested_id: str | None = None
        # An action typed ahead while its ticket loads ("j j x"), run on arrival.
        self._deferred: tuple[str, str] | None = None
        #: The detail pane shows the ticket under the cursor (``preview``
        #: follow); otherwise j/k only move the cursor and Enter opens.
        self.follow_cursor = True

    @property
    def clusters(self) -> Clusters:
        """Similar-incident groups of the queue (none until it is clustered)."""
        if self._clusters is None:
            from triage_tui.domain.clusters import Clusters

            self._clusters = Clusters.empty()
        return self._clusters

    @clusters.setter
    def clusters(self, value: Clusters) -> None:
        self._clusters = value

    # -- layout ------------------------------------------------------------
    def compose(self) -> ComposeResult:
        app = self.app
        yield Static(self._topbar(), id="topbar")
        yield OfflineBanner()  # offline / actions needing the agent (hidden otherwise)
        yield UndoBanner()  # "… · Undo (u) · 8 s" while an action can be taken back
        with Horizontal(id="panes"):
            with QueuePane(id="queue-pane"):
                yield Static(Content("Queue · loading…"), id="queue-title")
                yield Static(Content(header_text(80)), id="queue-header")
                yield QueueView(app.clock, id="queue")  # type: ignore[attr-defined]
                yield SafeInput(placeholder="priority:high sla:<90m tag:api -vip words…  (enter keeps, esc clears)",
                            id="filter")
                yield Static(Content(""), id="filter-error")
            # The detail and draft panes and the footer come once the first rows
            # are painted (``_mount_work``): the first screen is the queue.
            yield Vertical(id="work-pane")

    #: The detail and draft panes and the footer are mounted.
    work_mounted = False

    async def _mount_work(self) -> None:
        """Mount the detail and draft panes and the footer, then open the row under the cursor."""
        if self.work_mounted:
            return
        self.work_mounted = True
        collector.resume()  # paused by the command line until the first screen
        from triage_tui.ui.widgets.draft import DraftPane

        detail, draft = TicketPane(id="detail"), DraftPane(id="draft-pane")
        detail.border_title = Content("Ticket")
        await self.query_one("#work-pane", Vertical).mount(detail, draft)
        await self.mount(Footer())
        self.refresh_bindings()  # a footer mounted after the focus was set shows no keys until told
        draft.editor.border_title = Content("Draft reply")
        queue = self.query_one(QueueView)
        pane = self.query_one(QueuePane)
        if pane.held and queue.current is not None:
            queue.post_message(QueueView.Highlighted(queue.current))
        elif self.filter is not None and not queue.rows:
            self._set_rows(self.all_rows)  # a filter typed meanwhile matched nothing: say so
        pane.held = False

    def _topbar(self) -> Content:
        app = self.app
        helpdesk = app.helpdesk  # type: ignore[attr-defined]
        profile = app.profile  # type: ignore[attr-defined]
        now = app.clock.now()  # type: ignore[attr-defined]
        badge = self.badge or (f"{helpdesk.display_name} ✓" if self.queue_loaded else f"{helpdesk.display_name} …")
        ok = self.queue_loaded and self.badge is None
        return Content.assemble(
            ("triage", "bold"),
            "  ",
            (badge, "$text-success bold" if ok else "$text-warning bold"),
            ("  agent ", "$text-muted"),
            st.line(profile.agent),
            ("  team ", "$text-muted"),
            st.line(profile.team),
            ("  " + now.strftime("%H:%M UTC"), "$text-muted"),
        )

    def on_mount(self) -> None:
        self.query_one("#filter", Input).display = False
        self.watch(self.query_one("#filter", Input), "value", self._on_filter_value, init=False)
        self.query_one("#filter-error", Static).display = False
        self.query_one(QueueView).focus()
        self._apply_width(self.size.width)
        self.follow_cursor = preview_follows_cursor(self.app.profile.preview)  # type: ignore[attr-defined]
        self.query_one(QueueView).enter_opens = not self.follow_cursor
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

    #: The top bar's text as ``tick`` last painted it.
    _topbar_plain: str = ""

    def tick(self) -> None:
        self.query_one(QueueView).tick()
        # The top bar's text changes once a minute: repaint it only then, and
        # without a layout pass (a relayout every second also repaints the
        # queue's scrollbar: 2.4 KB a second to an idle SSH session).
        topbar = self._topbar()
        if topbar.plain != self._topbar_plain:
            self._topbar_plain = topbar.plain
            self.query_one("#topbar", Static).update(topbar, layout=False)

    # -- queue ------------------------------------------------------------
    @work(exclusive=True, group="queue")
    @ends_with_screen
    async def load_queue(self) -> None:
        """Open the helpdesk, then stream the queue in, first screenful first."""
        app = self.app
        title = self.query_one("#queue-title", Static)
        assert self.loader is not None
        try:
            if not self.loader.opened:
                await self.loader.open()
            # What breaches first, when the helpdesk can tell cheaply, is the
            # first screen; otherwise the first batch, sorted. Later batches are
            # only collected, and the whole queue is sorted once at the end:
            # re-sorting and re-showing per batch is quadratic at 100 000.
            first = await self.loader.first_rows(FIRST_SCREEN_ROWS)
            if first:
                self._set_rows(first)
                await self._after_first_rows()
            rows: list[QueueRow] = []
            shown_at = 0.0
            async for batch in self.loader.queue_batches():
                if not rows and not first:
                    rows = sorted(batch, key=QueueRow.sort_key)
                    self._set_rows(list(rows))
                    await self._after_first_rows()
                else:
                    rows.extend(batch)
                # A few times a second and without a layout pass: a repaint per
                # 500-row batch (128 at 64 000 tickets) would each take the GIL
                # from the thread reading the rows and slow the load down.
                if time.monotonic() - shown_at > LOADING_TITLE_S:
                    shown_at = time.monotonic()
                    title.update(Content(f"Queue · loading… {len(rows):,} tickets"), layout=False)
        except TriageError as error:
            if not self.loader.opened:
                app.fail(str(error))  # type: ignore[attr-defined]
                return
            self.app.notify(str(error), severity="error", markup=False)
            await self._mount_work()
            from triage_tui.doctor import readiness

            self.badge = (await readiness(app.helpdesk)).label  # type: ignore[attr-defined]
            self.query_one("#topbar", Static).update(self._topbar())
            return
        await self._after_first_rows()  # an empty queue: nothing was painted yet
        sort_rows(rows)
        self.badge = None
        self.queue_loaded = True
        initial = getattr(app, "initial_filter", None)
        if initial and self.filter is None:
            self._try_filter(initial)
        sweep = getattr(app, "initial_sweep", None)
        if sweep is not None:
            app.initial_sweep = None  # type: ignore[attr-defined]  # once, not on every reload
            self.start_initial_sweep(sweep)
        # An agent who has not moved off the first row gets the most urgent
        # ticket of the whole queue, not the first batch's.
        top = self.query_one(QueueView).cursor == 0
        self._set_rows(rows, top=top)
        current = self.query_one(QueueView).current
        if top and not self.follow_cursor and current is not None and current.id != self.requested_id:
            self.show_ticket(current.id)  # the cursor moved for the agent: so does the open ticket
        self.query_one("#topbar", Static).update(self._topbar())
        # Similar incidents: a thread, so 100 000 rows never stall the keys.
        from triage_tui.domain.clusters import cluster

        self.clusters = await asyncio.to_thread(cluster, rows)
        self.query_one(QueueView).similar = self.clusters.size_of
        self.query_one(QueueView).refresh()
        # Re-show the ticket the agent asked for (not the view on screen, which may
        # be an earlier one still being replaced) so it lists its similar tickets.
        if self.requested_id is not None:
            self.show_ticket(self.requested_id)
        # The `/` filter's row texts and typo vocabulary, before the first keystroke
        # needs them (~0.4 s at 64 000 rows, in a thread like the clustering).
        from triage_tui.domain.row_index import index_for

        await asyncio.to_thread(lambda: index_for(rows).prepare())

    async def _after_first_rows(self) -> None:
        """Once the first rows are painted: the rest of the screen, then the KB index."""
        if not self.work_mounted:
            painted = asyncio.Event()
            self.call_after_refresh(painted.set)
            await painted.wait()
            await self._mount_work()
        assert self.loader is not None
        # Indexing reads every article: started after the first page, not racing it.
        self.loader.start_kb_index(self._kb_ready)

    def _set_rows(self, rows: list[QueueRow], *, top: bool = False) -> None:
        """Show ``rows``, keeping the cursor on its ticket (on the first row when ``top``)."""
        queue = self.query_one(QueueView)
        keep = None if top or queue.current is None else queue.current.id
        self.all_rows = rows
        now = self.app.clock.now()  # type: ignore[attr-defined]
        shown = self.filter.apply(rows, now) if self.filter else rows
        queue.set_rows(shown, keep_id=keep)
        self._update_title()
        if not shown and self.work_mounted:
            self.view = None
            self.requested_id = None
            self.run_worker(self.query_one(TicketPane).show_message(
                "No tickets match the filter." if self.filter else "The queue is empty."
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
        if self.filter:
            parts += [" · ", st.line(self.filter.describe(), "$text-accent"),
                      f" ({counts.total:,} of {len(self.all_rows):,})"]
        self.query_one("#queue-title", Static).update(Content.assemble(*parts), layout=False)  # height 1

    @on(QueueView.Highlighted)
    def _on_highlight(self, event: QueueView.Highlighted) -> None:
        # Without preview a cursor move sends only two repainted rows over the
        # wire; a ticket is opened with Enter, or when none is open yet.
        if self.follow_cursor or self.requested_id is None:
            self.show_ticket(event.row.id)
        else:
            self._read_ahead(event.row.id)  # Enter will most likely open it

    @on(QueueView.Selected)
    def _on_selected(self, event: QueueView.Selected) -> None:
        if event.row.id != self.requested_id:
            self.show_ticket(event.row.id)
            return
        self.query_one("#detail", TicketPane).focus()

    @on(OtherTickets.Open)
    def _on_other_ticket(self, event: OtherTickets.Open) -> None:
        self.show_ticket(event.ticket_id)

    def _kb_ready(self) -> None:
        """The KB index finished building: re-rank the ticket on screen."""
        if self.requested_id is not None:
            self.show_ticket(self.requested_id)

    def action_refresh(self) -> None:
        from triage_tui.domain import row_index

        # The filter's index holds the queue it was built for: not kept alive
        # beside the one being read (the new queue's index is built after it).
        # Kept until then, also while no filter is on: the next `/` is instant.
        row_index.forget()
        self.load_queue()

    def action_leave(self) -> None:
        filter_input = self.query_one("#filter", Input)
        if filter_input.has_focus:
            filter_input.value = ""
            filter_input.display = False
            self.query_one("#filter-error", Static).display = False
        self.query_one(QueueView).focus()

    # -- filter -----------------------------------------------------------
    def action_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.display = True
        if self.filter and not box.value:
            box.value = str(self.filter)
        box.focus()

    def _try_filter(self, text: str) -> bool:
        """Apply ``text`` as the filter; on an error show where, and keep the last good one."""
        from triage_tui.domain.filters import FilterError, parse

        error_line = self.query_one("#filter-error", Static)
        try:
            new = parse(text, me=self.app.profile.agent) if text.strip() else None  # type: ignore[attr-defined]
        except FilterError as error:
            start, end = error.span
            error_line.update(Content.assemble(
                ("✖ ", "$text-error bold"), Content(str(error)), "\n  ",
                st.line(text[:start]), st.line(text[start:end] or " ", "$text-error bold underline"),
                st.line(text[end:]),
            ))
            error_line.display = True
            return False
        error_line.display = False
        self.filter = new
        self._set_rows(self.all_rows)
        return True

    def _on_filter_value(self, value: str) -> None:
        # A watcher, not Input.Changed: it runs while the key is handled, so the
        # typed character and the filtered queue go out in one frame (through the
        # message queue they would be two frames, 16-30 ms apart).
        self._try_filter(value)

    @on(Input.Submitted, "#filter")
    def _on_filter_submitted(self, event: Input.Submitted) -> None:
        if not self._try_filter(event.value):
            return
        if not event.value.strip():
            event.input.display = False
        count = len(self.query_one(QueueView).rows)
        payload = {"filter": str(self.filter) if self.filter else "", "count": count}
        self.run_worker(record(self.app.helpdesk, events.VIEW_CHANGED, None, payload))  # type: ignore[attr-defined]
        self.query_one(QueueView).focus()
