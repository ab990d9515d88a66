"""The main screen: queue, ticket detail and draft, with the four actions.

Keys (see ``BINDINGS``; ``?`` shows them all): ``s`` Send, ``e`` Edit,
``x`` Escalate, ``n`` Skip, ``p`` handling plan, ``d`` dismiss the rules that
fire, ``/`` filter, ``r`` refresh, ``q`` quit, ``ctrl+s`` sends from inside the
editor and ``esc`` leaves it.

Every action applies to the ticket the agent asked for; a key typed while that
ticket loads waits for it. A ticket opens in a worker (the next key cancels
it); on a local terminal the open ticket's neighbours are read, and their first
screenful drawn, in the background (``TicketLoader.read_ahead``), so the next
j/k only paints.

Batch work: ``w`` plans a sweep over the tickets the filter shows and, once the
agent accepts the plan, walks them one at a time (``SweepScreen``); ``b``
applies one action to the marked tickets after a preview — held as one outbox
batch, so ``u`` takes all of it back during the undo window, and ``U`` undoes
the whole batch after delivery; ``R`` shows the session report.
"""

from __future__ import annotations

import asyncio
import bisect
import heapq
import time
from collections.abc import Awaitable, Iterator, Mapping
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.events import Resize
from textual.widgets import Input, Static

from triage_tui import collector, paths
from triage_tui.config import preview_follows_cursor
from triage_tui.domain import events
from triage_tui.domain.errors import TriageError
from triage_tui.domain.queue import QueueCounts, QueueRow, Sort, by_due, sort_rows
from triage_tui.engine.loader import TicketLoader, TicketView
from triage_tui.engine.recording import record
from triage_tui.ui import safe_text as st
from triage_tui.ui.keys import bindings
from triage_tui.ui.screens.closing import ends_with_screen
from triage_tui.ui.screens.desk import DeskScreen, TicketDesk
from triage_tui.ui.widgets.footer import TriageFooter
from triage_tui.ui.widgets.offline_banner import OfflineBanner, age
from triage_tui.ui.widgets.queue import QueueView, header_text
from triage_tui.ui.widgets.safe_input import SafeInput
from triage_tui.ui.widgets.ticket import SIMILAR_LISTED, OtherTickets, TicketPane
from triage_tui.ui.widgets.undo_banner import UndoBanner

# Clustering, the filter language, handling plans, the prompts, the draft pane,
# the write actions, sweeps, bulk actions and the report are imported on first
# use: the first screen of rows does not wait for them (benchmarks/tui.py;
# tests/cli/test_startup.py checks the console's first-screen import set).
if TYPE_CHECKING:
    from textual.timer import Timer

    from triage_tui.domain.clusters import Clusters
    from triage_tui.domain.enums import Status
    from triage_tui.domain.filters.language import Filter
    from triage_tui.domain.handling_plan.plan import HandlingPlan
    from triage_tui.domain.safeguards.checks import Finding
    from triage_tui.engine.bulk import BulkResult
    from triage_tui.engine.report import Report
    from triage_tui.ui.live import LiveQueue
    from triage_tui.ui.screens.bulk import BulkChoice
    from triage_tui.ui.screens.prompts import EscalationChoice
    from triage_tui.ui.screens.sweep import SweepOutcome


#: Seconds between updates of the "loading… N tickets" title.
LOADING_TITLE_S = 0.25

#: Rows shown before the whole queue is in (when the helpdesk can pick them).
FIRST_SCREEN_ROWS = 100

#: Below this width the panes stack instead of sitting side by side.
NARROW_WIDTH = 110

#: Seconds before the queue is read again after a read that failed with nothing
#: on screen (the helpdesk unreachable at start, no cached queue), doubling up
#: to ``RETRY_MAX_S``: the console comes back by itself when the network does.
RETRY_FIRST_S = 10.0
RETRY_MAX_S = 120.0

#: Tickets whose similar rows are kept (the open one and those read ahead).
SIMILAR_KEPT = 4

#: What the report key covers: an agent's working day.
REPORT_WINDOW = timedelta(hours=8)


class QueuePane(Vertical):
    """The queue's column. Until the detail pane exists (it is mounted once the
    first rows are on screen) it holds back the queue's cursor messages; the
    screen announces the row under the cursor once the pane is there."""

    ALLOW_MAXIMIZE = True  # z zooms the whole column (title, header, rows)
    held = False

    @on(QueueView.Highlighted)
    @on(QueueView.Selected)
    def _hold(self, event: QueueView.Highlighted | QueueView.Selected) -> None:
        screen = self.screen
        if isinstance(screen, MainScreen) and not screen.work_mounted:
            event.stop()
            self.held = True


class MainScreen(DeskScreen[None]):
    BINDINGS = bindings("main")

    def __init__(self) -> None:
        super().__init__()
        #: The open ticket, its draft and a key typed ahead while it loads ("j j x").
        self.desk = TicketDesk(self)
        self.all_rows: list[QueueRow] = []
        self._by_id: tuple[list[QueueRow], dict[str, QueueRow]] = ([], {})
        self.filter: Filter | None = None
        self._clusters: Clusters | None = None
        #: ``similar_rows`` of the last few tickets: id -> (clusters, all_rows, rows).
        self._similar: dict[str, tuple[Clusters, list[QueueRow], list[QueueRow]]] = {}
        self.showing_plan = False
        #: Header badge when the helpdesk is not ready ("Zendesk: needs auth").
        self.badge: str | None = None
        self.loader: TicketLoader | None = None
        self.queue_loaded = False
        #: Why the queue could not be read, while no row is shown (None otherwise).
        self.load_failure: str | None = None
        #: Seconds until the next automatic read after a failed one.
        self._retry_in = RETRY_FIRST_S
        self._retry_timer: Timer | None = None
        #: The detail pane shows the ticket under the cursor (``preview``
        #: follow); otherwise j/k only move the cursor and Enter opens.
        self.follow_cursor = True
        #: The live queue (``ui/live.py``): made once the first rows are painted.
        self.live: LiveQueue | None = None
        #: The queue's order (``O`` cycles it); ``all_rows`` is kept sorted in it.
        self.sort = Sort.SLA

    @staticmethod
    def find(app: App[Any]) -> MainScreen | None:
        """The app's main screen, wherever it is in the stack (None before it exists)."""
        for screen in app.screen_stack:
            if isinstance(screen, MainScreen):
                return screen
        return None

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
                yield Static(self._queue_title, id="queue-title")
                yield Static(Content(header_text(80)), id="queue-header")
                yield QueueView(app.clock, id="queue")
                # The error goes under the box, never over it (both dock as one).
                with Vertical(id="filter-box"):
                    yield SafeInput(
                        placeholder=(
                            "priority:high sla:<90m tag:api -vip words…  (enter keeps, esc clears)"
                        ),
                        id="filter",
                    )
                    yield Static(Content(""), id="filter-error")
            # The detail and draft panes and the footer come once the first rows
            # are painted (``_mount_work``): the first screen is the queue.
            yield Vertical(id="work-pane")

    #: The detail and draft panes and the footer are mounted.
    work_mounted = False
    #: The ticket whose ``ticket.viewed`` was logged last.
    _viewed_id: str | None = None
    #: A request this soon after the previous one is a held key (j at the
    #: terminal's repeat rate): its ticket loads only if the cursor rests this long.
    HELD_KEY_S = 0.05
    _last_request: float = 0.0
    #: The last bulk batch applied this session (``U`` undoes it).
    last_batch: BulkResult | None = None

    async def _mount_work(self) -> None:
        """Mount the detail and draft panes and the footer, then open the row under the cursor."""
        if self.work_mounted:
            return
        self.work_mounted = True
        collector.resume()  # paused by the command line until the first screen
        from triage_tui.ui.widgets.draft import DraftPane

        queue = self.query_one(QueueView)
        pane = self.query_one(QueuePane)
        first = queue.current if pane.held else None
        if first is not None:
            # Keys read while the panes mount below (e, s, x: the footer already
            # shows them) wait for this ticket, as keys typed while a ticket
            # loads do, instead of finding no ticket open.
            self.requested_id = first.id

        detail, draft = TicketPane(id="detail"), DraftPane(id="draft-pane")
        detail.border_title = Content("Ticket")
        await self.query_one("#work-pane", Vertical).mount(detail, draft)
        await self.mount(TriageFooter())  # the keys that fit the width
        self.refresh_bindings()  # a footer mounted after the focus was set shows no keys until told
        draft.editor.border_title = Content("Draft reply")
        if first is not None and queue.current is not None and self.requested_id == first.id:
            # The row under the cursor now (unless a move meanwhile already opened it).
            self.show_ticket(queue.current.id)
        elif self.filter is not None and not queue.rows:
            self._set_rows(self.all_rows)  # a filter typed meanwhile matched nothing: say so
        pane.held = False

    def _topbar(self) -> Content:
        app = self.app
        helpdesk = app.helpdesk
        profile = app.profile
        now = app.clock.now()
        badge = self.badge or (
            f"{helpdesk.display_name} ✓" if self.queue_loaded else f"{helpdesk.display_name} …"
        )
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
        self.call_after_refresh(self._place_queue_title)
        self.follow_cursor = preview_follows_cursor(self.app.profile.preview)
        self.query_one(QueueView).enter_opens = not self.follow_cursor
        # Rules are built on the first ticket, not before the first screen.
        self.loader = TicketLoader(self.app.helpdesk, lambda: self.app.rules, self.app.clock)
        self.load_queue()
        self.set_interval(self.app.tick_seconds, self.tick)

    def on_resize(self, event: Resize) -> None:
        self._apply_width(event.size.width)
        # After the refresh: the classes the size sets (and the styles they bring)
        # are applied by then.
        self.call_after_refresh(self._place_queue_title)

    def on_unmount(self) -> None:
        if self.live is not None:
            self.live.stop()  # no more polls; this console's presence record goes

    def _apply_width(self, width: int) -> None:
        self.set_class(width < NARROW_WIDTH, "-narrow")

    @on(QueueView.Resized)
    def _on_queue_resized(self, event: QueueView.Resized) -> None:
        self.query_one("#queue-header", Static).update(Content(header_text(max(20, event.width))))

    #: The top bar's text as ``tick`` last painted it.
    _topbar_plain: str = ""

    def tick(self) -> None:
        queue = self.query_one(QueueView)
        queue.tick()
        # A ticket that breaches (or enters its last hour) while the console is open
        # moves the title's counts on the same tick as its row's marker.
        now = self.app.clock.now()
        counts = QueueCounts.of(queue.rows, now, self.sort)
        if counts != self._title_counts:
            self._update_title(counts)
        if self.live is not None:
            self.live.tick(by_due(self.all_rows, self.sort), now)
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
        assert self.loader is not None
        if self._retry_timer is not None:
            self._retry_timer.stop()  # `r` pressed before the automatic read
            self._retry_timer = None
        if self.load_failure is not None:
            self._set_queue_title(Content("Queue · reading again…"))
        # A remote helpdesk with a cached queue: that queue at once, with its
        # age, while the fresh read is on its way; merged in place when it is in.
        cached = not self.queue_loaded and not self.all_rows and await self._show_cached()
        try:
            if not self.loader.opened:
                await self.loader.open()
            # What breaches first, when the helpdesk can tell cheaply, is the
            # first screen; otherwise the first batch, sorted. Later batches are
            # only collected, and the whole queue is sorted once at the end:
            # re-sorting and re-showing per batch is quadratic at 100 000.
            first = None
            if cached:
                await self._after_first_rows()
            else:
                first = await self.loader.first_rows(FIRST_SCREEN_ROWS)
                if first and self.sort is not Sort.SLA:
                    first = sorted(first, key=self.sort.key)
            if first:
                self._set_rows(first)
                await self._after_first_rows()
            rows: list[QueueRow] = []
            shown_at = 0.0
            async for batch in self.loader.queue_batches():
                if cached:
                    rows.extend(batch)
                elif not rows and not first:
                    rows = sorted(batch, key=self.sort.key)
                    self._set_rows(list(rows))
                    await self._after_first_rows()
                else:
                    rows.extend(batch)
                # A few times a second and without a layout pass: a repaint per
                # 500-row batch (128 at 64 000 tickets) would each take the GIL
                # from the thread reading the rows and slow the load down.
                if time.monotonic() - shown_at > LOADING_TITLE_S:
                    shown_at = time.monotonic()
                    self._set_queue_title(Content(f"Queue · loading… {len(rows):,} tickets"))
        except TriageError as error:
            if not self.loader.opened:
                app.fail(str(error))
                return
            self.app.notify(str(error), severity="error", markup=False)
            await self._mount_work()
            from triage_tui.doctor import readiness

            self.badge = (await readiness(app.helpdesk)).label
            self.query_one("#topbar", Static).update(self._topbar())
            if not self.all_rows:
                self._queue_unread(str(error))
            return
        self.load_failure = None
        self._retry_in = RETRY_FIRST_S
        await self._after_first_rows()  # an empty queue: nothing was painted yet
        sort_rows(rows, self.sort)
        self.badge = None
        self.queue_loaded = True
        initial = app.initial_filter
        if initial and self.filter is None:
            self._try_filter(initial)
        sweep = app.initial_sweep
        if sweep is not None:
            app.initial_sweep = None  # once, not on every reload
            self.start_initial_sweep(sweep)
        # An agent who has not moved off the first row gets the most urgent
        # ticket of the whole queue, not the first batch's.
        top = self.query_one(QueueView).cursor == 0 and not cached
        if cached:
            # The cached queue shown so far: the fresh one merged in place (the
            # live queue's merge), the cursor on its ticket and screen line.
            fresh = {row.id: row for row in rows}
            gone: dict[str, QueueRow | None] = {
                row.id: None for row in self.all_rows if row.id not in fresh
            }
            self.merge_live({**gone, **fresh})
            rows = self.all_rows
        else:
            self._set_rows(rows, top=top)
        if self.live is not None:
            # From now on the queue follows the helpdesk.
            self.live.follow(by_due(rows, self.sort), app.clock.now())
        current = self.query_one(QueueView).current
        if (
            top
            and not self.follow_cursor
            and current is not None
            and current.id != self.requested_id
        ):
            self.show_ticket(current.id)  # the cursor moved for the agent: so does the open ticket
        self.query_one("#topbar", Static).update(self._topbar())
        # Similar incidents: a thread, so 100 000 rows never stall the keys.
        from triage_tui.domain.clusters import cluster

        self.clusters = await asyncio.to_thread(cluster, rows)
        self.query_one(QueueView).similar = self.clusters.size_of
        self.query_one(QueueView).proposed = self._proposed_tickets()
        self.query_one(QueueView).refresh()
        # Re-show the ticket the agent asked for (not the view on screen, which may
        # be an earlier one still being replaced) so it lists its similar tickets.
        if self.requested_id is not None:
            self.show_ticket(self.requested_id)
        # The `/` filter's row texts and typo vocabulary, before the first keystroke
        # needs them (~0.4 s at 64 000 rows, in a thread like the clustering).
        from triage_tui.domain.filters.row_index import index_for

        await asyncio.to_thread(lambda: index_for(rows).prepare())

    def _queue_unread(self, reason: str) -> None:
        """Nothing on screen and the read failed: say so (not "0 open"), and
        read again in ``_retry_in`` seconds, or at once with `r`."""
        self.load_failure = reason
        wait = self._retry_in
        self._retry_in = min(wait * 2, RETRY_MAX_S)
        self._retry_timer = self.set_timer(wait, self.load_queue)
        self._update_title()
        self._show_no_ticket(
            f"The queue could not be read: {st.clean(reason, one_line=True)}\n\n"
            f"Reading it again in {wait:.0f} s; r reads it now."
        )

    async def _show_cached(self) -> bool:
        """Show the queue as last listed from a remote helpdesk, the top bar saying
        how old it is; False when there is none (``cached_queue``)."""
        from triage_tui.engine.buffered import BufferedHelpdesk

        helpdesk = self.app.helpdesk
        # Decided and read on the event loop, before the first frame: a thread
        # hop waits for the GIL behind that frame and the rows come later
        # (docs/performance.md). The read is ~20 ms at 5 000 cached rows.
        if not isinstance(helpdesk, BufferedHelpdesk) or not helpdesk.starts_from_cache:
            return False
        found = helpdesk.cached_queue()
        if found is None:
            return False
        rows, at = found
        since = age(self.app.clock.now() - at)
        self.badge = f"{helpdesk.display_name}: data from {since} ago · refreshing"
        self._set_rows(rows)
        self.query_one("#topbar", Static).update(self._topbar())
        # Painted before the helpdesk is opened: opening builds the HTTP
        # client and its TLS context on the event loop (~25 ms), which the
        # first frame would otherwise wait for.
        await self._painted()
        return True

    async def _painted(self) -> None:
        """Return once what was set so far is on screen (the next refresh)."""
        painted = asyncio.Event()
        self.call_after_refresh(painted.set)
        await painted.wait()

    async def _after_first_rows(self) -> None:
        """Once the first rows are painted: the rest of the screen, then the KB index."""
        if not self.work_mounted:
            await self._painted()
            await self._mount_work()
        if self.live is None:
            from triage_tui.ui.live import LiveQueue

            self.live = LiveQueue(self)
        self.live.prime()
        assert self.loader is not None
        # Indexing reads every article: started after the first page, not racing it.
        self.loader.start_kb_index(self._kb_ready)

    def _set_rows(
        self, rows: list[QueueRow], *, top: bool = False, shown: list[QueueRow] | None = None
    ) -> None:
        """Show ``rows``, keeping the cursor on its ticket (on the first row when ``top``);
        ``shown`` is what the filter keeps of them, when the caller has worked it out."""
        queue = self.query_one(QueueView)
        keep = None if top or queue.current is None else queue.current.id
        self.all_rows = rows
        if shown is None:
            now = self.app.clock.now()
            shown = self.filter.apply(rows, now) if self.filter else rows
        queue.set_rows(shown, keep_id=keep)
        self._update_title()
        if not self.work_mounted:
            return
        if not shown:
            self._show_no_ticket(
                "No tickets match the filter." if self.filter else "The queue is empty."
            )

    def _show_no_ticket(self, line: str) -> None:
        """An empty list: no ticket in the detail or the draft (one still loading is dropped)."""
        from triage_tui.ui.widgets.draft import DraftPane

        self.workers.cancel_group(self, "detail")
        self.view = None
        self.requested_id = None
        self.run_worker(self.query_one(TicketPane).show_message(line))
        self.query_one(TicketPane).border_title = Content("Ticket")
        self.query_one(DraftPane).clear()

    #: The counts the queue's title shows (those of the rows shown).
    _title_counts: QueueCounts | None = None

    def _update_title(self, counts: QueueCounts | None = None) -> None:
        """The queue's title for ``counts`` (those of the rows shown, counted now when None)."""
        if counts is None:
            counts = QueueCounts.of(self.query_one(QueueView).rows, self.app.clock.now(), self.sort)
        self._title_counts = counts
        if self.load_failure is not None and not self.all_rows:
            self._set_queue_title(Content.assemble(("Queue", "bold"), " · could not be read"))
            return
        # The order first: a title cut at the pane's width loses counts, not the order.
        order = "" if self.sort is Sort.SLA else f" by {self.sort.label}"
        parts: list[Content | tuple[str, str] | str] = [
            ("Queue", "bold"),
            (order, "$text-accent"),
            f" · {counts.total:,} open",
        ]
        if counts.breached:
            parts.append((f" · {counts.breached:,} breached", "$text-error bold"))
        if counts.at_risk:
            parts.append((f" · {counts.at_risk:,} under 1 h", "$text-warning bold"))
        if self.filter:
            parts += [
                " · ",
                st.line(self.filter.describe(), "$text-accent"),
                f" ({counts.total:,} of {len(self.all_rows):,})",
            ]
        self._set_queue_title(Content.assemble(*parts))

    #: The queue's title as last set, and what the queue box's border shows of it.
    _queue_title: Content = Content("Queue · loading…")
    _bordered_title: Content | None = None

    def _set_queue_title(self, title: Content) -> None:
        self._queue_title = title
        self.query_one("#queue-title", Static).update(title, layout=False)  # height 1
        self._place_queue_title()

    def _place_queue_title(self) -> None:
        """Where the layout hides the title's own line (a narrow or a tiny terminal:
        app.tcss), the title goes in the queue box's top border, which costs no row:
        the counts stay on screen at 80×24."""
        hidden = self.query_one("#queue-title", Static).styles.display == "none"
        wanted = self._queue_title if hidden else None
        if wanted != self._bordered_title:  # a new border repaints the whole box
            self._bordered_title = wanted
            self.query_one(QueuePane).border_title = wanted

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
        from triage_tui.domain.filters import row_index

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

    def action_sort(self) -> None:
        """The queue in its next order (SLA, priority, age, last update); the cursor
        stays on its ticket, which stays open."""
        self.set_sort(self.sort.next())

    def set_sort(self, order: Sort) -> None:
        if order is self.sort:
            return
        self.sort = order
        # A new list, not sorted in place: the filter's index and the due-order
        # copies are kept per list and hold the old one.
        self._set_rows(sorted(self.all_rows, key=order.key))
        self.app.notify(f"Queue sorted by {order.label}", markup=False, timeout=2)

    def action_views(self) -> None:
        from triage_tui.ui.screens.views import pick_view

        pick_view(self)

    # -- filter -----------------------------------------------------------
    def action_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.display = True
        if self.filter and not box.value:
            box.value = str(self.filter)
        box.focus()

    def _try_filter(self, text: str, *, commit: bool = True) -> bool:
        """Apply ``text`` as the filter; on an error show where, and keep a complete filter.

        While the agent types (``commit`` False) each keystroke applies the text if it
        parses and matches a ticket. Otherwise the queue shows the expression before
        the offending word — up to the bad token, or up to the word being typed when
        nothing matches — never a half-typed term (``prio``, ``sla:<9``) or an empty
        queue. Enter (``commit``) applies whatever parses, even when it matches
        nothing (the queue, detail and draft then say so).
        """
        from triage_tui.domain.filters.language import FilterError, parse
        from triage_tui.ui.widgets import filter_line

        error_line = self.query_one("#filter-error", Static)
        try:
            new = parse(text, me=self.app.profile.agent) if text.strip() else None
        except FilterError as error:
            width = self.query_one(QueuePane).content_region.width - 2  # the line's padding
            error_line.update(filter_line.error_content(text, error, width))
            error_line.set_class(False, "-hint")
            error_line.display = True
            self._fall_back(text[: error.position])
            return False
        shown = new.apply(self.all_rows, self.app.clock.now()) if new else self.all_rows
        if not commit and new and not shown:
            typed = text.rstrip()
            self._fall_back(typed[: typed.rfind(" ") + 1])  # the box holds no other spacing
            keeps = f"“{self.filter}”" if self.filter else "every ticket"
            error_line.update(filter_line.no_match_content(text, keeps))
            error_line.set_class(True, "-hint")
            error_line.display = True
            return False
        error_line.display = False
        self.filter = new
        self._filter_rows(shown)
        return True

    def _fall_back(self, before: str) -> None:
        """While typing, a word that does not parse or matches nothing: the queue shows the
        expression ``before`` it when that parses and matches, and otherwise stays."""
        from triage_tui.domain.filters.language import FilterError, parse

        try:
            new = parse(before, me=self.app.profile.agent) if before.strip() else None
        except FilterError:
            return
        shown = new.apply(self.all_rows, self.app.clock.now()) if new else self.all_rows
        if (shown or not new) and new != self.filter:
            self.filter = new
            self._filter_rows(shown)

    def _filter_rows(self, shown: list[QueueRow] | None = None) -> None:
        """Show what the new filter keeps. Where the detail does not follow the cursor, an
        open ticket the filter leaves out is not kept open: the cursor's ticket opens."""
        self._set_rows(self.all_rows, shown=shown)
        queue = self.query_one(QueueView)
        current = queue.current
        if (
            self.work_mounted
            and not self.follow_cursor
            and self.requested_id is not None
            and current is not None
            and all(row.id != self.requested_id for row in queue.rows)
        ):
            self.show_ticket(current.id)

    def _on_filter_value(self, value: str) -> None:
        # A watcher, not Input.Changed: it runs while the key is handled, so the
        # typed character and the filtered queue go out in one frame (through the
        # message queue they would be two frames, 16-30 ms apart).
        self._try_filter(value, commit=False)

    @on(Input.Submitted, "#filter")
    def _on_filter_submitted(self, event: Input.Submitted) -> None:
        if not self._try_filter(event.value):
            return
        if not event.value.strip():
            event.input.display = False
        count = len(self.query_one(QueueView).rows)
        payload = {"filter": str(self.filter) if self.filter else "", "count": count}
        self.run_worker(record(self.app.helpdesk, events.VIEW_CHANGED, None, payload))
        self.query_one(QueueView).focus()

    def action_queue_next(self) -> None:
        self.query_one(QueueView).action_cursor_down()

    def action_queue_previous(self) -> None:
        self.query_one(QueueView).action_cursor_up()

    def action_skip(self) -> None:
        if self.requested_id is None:
            return
        ticket_id = self.requested_id
        self.app.notify(f"Skipped {ticket_id}", markup=False, timeout=2)
        self.run_worker(record(self.app.helpdesk, events.SKIPPED, ticket_id, {}))
        self._advance_from(ticket_id)

    def action_toggle_plan(self) -> None:
        view = self.desk.need("toggle_plan")
        if view is None:
            return
        from triage_tui.ui.widgets.ticket import TicketPane

        pane = self.query_one(TicketPane)
        self.showing_plan = not self.showing_plan
        if self.showing_plan:
            self.run_worker(pane.show_plan(self.plan_for(view), self.app.clock.now()))
        else:
            self.run_worker(pane.show(view, self.app.clock.now(), self.similar_rows(view)))

    def action_dismiss_rules(self) -> None:
        """The agent overrides the fired rules on this ticket: no escalation block on Send."""
        view = self.desk.need("dismiss_rules")
        if view is None or self.loader is None:
            return
        fired = [r.rule_id for r in view.fired_rules]
        ticket_id = view.detail.ticket.id
        if not fired:
            restored = self.loader.overrides.pop(ticket_id, set())
            message = (
                "Rules restored on this ticket." if restored else "No escalation rule fires here."
            )
            self.app.notify(message, markup=False, timeout=3)
            if restored:
                self.desk.log(events.RULES_RESTORED, ticket_id, {"rules": sorted(restored)})
                self.show_ticket(ticket_id)
            return
        self.loader.overrides.setdefault(ticket_id, set()).update(fired)
        self.desk.log(events.RULES_DISMISSED, ticket_id, {"rules": fired})
        self.app.notify(
            f"Dismissed on {ticket_id}: {', '.join(fired)} (d again restores)", markup=False
        )
        self.show_ticket(ticket_id)

    # -- go to a ticket, find in it (ui/screens/goto.py, ui/widgets/find_bar.py) --
    def action_goto(self) -> None:
        from triage_tui.ui.screens.goto import GoToScreen

        rows = self.all_rows
        numeric = bool(rows) and all(r.id.isascii() and r.id.isdigit() for r in rows)

        def chosen(ticket_id: str | None) -> None:
            if ticket_id is not None:
                self.go_to(ticket_id)

        self.app.push_screen(GoToScreen(numeric=numeric), chosen)

    def go_to(self, ticket_id: str) -> None:
        """Open ``ticket_id``: the cursor moves to it when the queue shows it; a ticket
        the filter or the queue leaves out opens anyway, if the helpdesk has it."""
        if not self.work_mounted:
            self.app.notify("The queue is still loading.", severity="warning", markup=False)
            return
        queue = self.query_one(QueueView)
        index = next((i for i, r in enumerate(queue.rows) if r.id == ticket_id), None)
        if index is not None:
            moved = queue.cursor != index
            if moved:
                # The cursor posts Highlighted even when it stays: moved only when it
                # must, or the detail that follows it would load the ticket again.
                queue.move_to(index)
            # Where the detail follows the cursor, the move opens the ticket itself.
            if self.requested_id != ticket_id and not (moved and self.follow_cursor):
                self.show_ticket(ticket_id)
            queue.focus()
            return
        if ticket_id in self.rows_by_id():
            self.show_ticket(ticket_id)
            self.app.notify(
                f"#{ticket_id} is not in the filtered queue: opened anyway.", markup=False
            )
            return
        self._go_to_elsewhere(ticket_id)

    @work(exclusive=True, group="goto")
    @ends_with_screen
    async def _go_to_elsewhere(self, ticket_id: str) -> None:
        from triage_tui.domain.errors import NotFound

        try:
            detail = await self.app.helpdesk.get_ticket(ticket_id)
        except NotFound:
            self.app.notify(
                f"No ticket #{ticket_id} in this helpdesk.", severity="warning", markup=False
            )
            return
        except TriageError as error:
            self.app.notify(f"#{ticket_id} not opened: {error}", severity="error", markup=False)
            return
        self.show_ticket(ticket_id)
        status = detail.ticket.status.value
        self.app.notify(f"#{ticket_id} is not in the queue ({status}): opened.", markup=False)

    # -- Send -------------------------------------------------------------
    def action_send(self) -> None:
        view = self.view
        changed = self.live.changed_before_send(view) if self.live and view else []
        self.desk.send(self._send_confirmed, changed=changed)

    # -- the live queue (ui/live.py) ----------------------------------------
    def merge_live(self, updates: Mapping[str, QueueRow | None]) -> None:
        """Merge re-read rows into the queue in place: the cursor stays on its
        ticket, that row on its screen line, marks and markers kept; the title
        counts what is shown."""
        from triage_tui.domain.live import merge_rows

        queue = self.query_one(QueueView)
        current = queue.current
        by_id = self.rows_by_id()
        rows = merge_rows(self.all_rows, updates, by_id, self.sort)
        for ticket_id, row in updates.items():
            if row is not None and row.status.is_active:
                by_id[ticket_id] = row
            else:
                by_id.pop(ticket_id, None)
        self.all_rows = rows
        self._by_id = (rows, by_id)
        shown = self.filter.apply(rows, self.app.clock.now()) if self.filter else rows
        index: int | None = None
        if current is not None and (now_row := by_id.get(current.id)) is not None:
            key = self.sort.key
            at = bisect.bisect_left(shown, key(now_row), key=key)
            if at < len(shown) and shown[at] is now_row:
                index = at
        queue.merge_rows(shown, index)
        self._update_title()
        if self.work_mounted and not shown:
            self._show_no_ticket(
                "No tickets match the filter." if self.filter else "The queue is empty."
            )

    @work(exclusive=True, group="live-open")
    @ends_with_screen
    async def refresh_open(self, ticket_id: str) -> None:
        """The open ticket changed on the helpdesk: show it again in place; the
        draft (edited or not) stays as it is."""
        from triage_tui.ui.widgets.draft import DraftPane

        if self.loader is None or not self.work_mounted:
            return
        try:
            view = await self.loader.load(ticket_id)
        except TriageError:
            return  # the next change, or opening it, says what is wrong
        if ticket_id != self.requested_id:
            return
        self.view = view
        now = self.app.clock.now()
        with self.app.batch_update():
            if not self.showing_plan:
                await self.query_one(TicketPane).show(view, now, self.similar_rows(view))
            self.query_one(DraftPane).view = view
            if self.live is not None:
                self.live.reread(view)
                self.live.show_notice(now)

    def _send_confirmed(
        self, view: TicketView, body: str, status: Status, blocking: list[Finding]
    ) -> None:
        if blocking:
            payload = events.override_payload(blocking)
            ticket_id = view.detail.ticket.id
            self.run_worker(record(self.app.helpdesk, events.SAFEGUARD_RAISED, ticket_id, payload))
        self.do_send(view, body, status)

    @work(group="write")
    async def do_send(self, view: TicketView, body: str, status: Status) -> None:
        from triage_tui.engine import actions

        ticket = view.detail.ticket
        try:
            line = await actions.send_reply(self.app.helpdesk, ticket, body, status)
        except TriageError as error:
            self.app.notify(f"Not sent: {error}", severity="error", markup=False)
            return
        self.drafts.pop(ticket.id, None)
        self.app.notify(
            line, severity="warning" if actions.waits(line) else "information", markup=False
        )
        await self._after_write(ticket.id)

    # -- Escalate ---------------------------------------------------------
    def action_escalate(self) -> None:
        self.desk.escalate(self.do_escalate)

    @work(group="write")
    async def do_escalate(self, view: TicketView, choice: EscalationChoice) -> None:
        from triage_tui.engine import actions

        ticket_id = view.detail.ticket.id
        try:
            line = await actions.escalate(
                self.app.helpdesk, ticket_id, choice.reason, choice.note, view.rules, choice.group
            )
        except TriageError as error:
            self.app.notify(f"Not escalated: {error}", severity="error", markup=False)
            return
        self.app.notify(
            line, severity="warning" if actions.waits(line) else "information", markup=False
        )
        await self._after_write(ticket_id)

    # -- moving on --------------------------------------------------------
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
            bisect.insort(rows, row, key=self.sort.key)
        self._set_rows(rows)
        if following is not None:
            queue.move_to(next((i for i, r in enumerate(queue.rows) if r.id == following), 0))
            self._open_after_move()
        queue.focus()

    def _advance_from(self, ticket_id: str) -> None:
        queue = self.query_one(QueueView)
        index = next((i for i, r in enumerate(queue.rows) if r.id == ticket_id), queue.cursor)
        if index + 1 < len(queue.rows):
            queue.move_to(index + 1)
            self._open_after_move()
        else:
            self.app.notify("That was the last ticket in the queue.", markup=False, timeout=3)
        queue.focus()

    def _open_after_move(self) -> None:
        """Moving on after an action opens the next ticket even when the
        detail pane does not follow the cursor (it does so by itself otherwise)."""
        current = self.query_one(QueueView).current
        if not self.follow_cursor and current is not None:
            self.show_ticket(current.id)

    # -- command palette --------------------------------------------------
    def palette_commands(self) -> Iterator[SystemCommand]:
        yield SystemCommand("Send reply", "Send the draft (s)", self.action_send)
        yield SystemCommand("Edit draft", "Focus the draft editor (e)", self.action_edit)
        yield SystemCommand("Escalate ticket", "Escalate with a reason (x)", self.action_escalate)
        yield SystemCommand("Skip ticket", "Next ticket, nothing written (n)", self.action_skip)
        yield SystemCommand(
            "Handling plan", "Show or hide the four-stage plan (p)", self.action_toggle_plan
        )
        yield SystemCommand(
            "Dismiss escalation rules",
            "Override the rules that fire here (d)",
            self.action_dismiss_rules,
        )
        yield SystemCommand(
            "Filter queue", "Filter language: priority:high sla:<90m … (/)", self.action_filter
        )
        yield SystemCommand("Refresh queue", "Reload from the helpdesk (r)", self.action_refresh)
        yield SystemCommand("Go to ticket", "Open a ticket by its number (:)", self.action_goto)
        yield SystemCommand(
            "Find in ticket", "Find text in the open ticket (ctrl+f)", self.action_find
        )
        yield SystemCommand(
            "Edit draft in $EDITOR", "The draft in $VISUAL / $EDITOR (E)", self.action_edit_external
        )
        yield SystemCommand(
            "Review proposals",
            "AI agents' proposals: send, edit, reject (A)",
            self.action_proposals,
        )

    def show_ticket(self, ticket_id: str) -> None:
        self.requested_id = ticket_id
        if self.live is not None:
            self.live.opening(ticket_id)
        now = time.monotonic()
        held, self._last_request = now - self._last_request < self.HELD_KEY_S, now
        self._load_ticket(ticket_id, held)

    @work(exclusive=True, group="detail")
    @ends_with_screen
    async def _load_ticket(self, ticket_id: str, held: bool = False) -> None:
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
        if ticket_id != self.requested_id:
            return  # the filter emptied the list (or another ticket was asked for) meanwhile
        self.view = view
        now = self.app.clock.now()
        if self.live is not None:
            self.live.shown(view)
            self.live.show_notice(now)
        # Detail, title and draft in one frame: painted apart, each would be its own
        # layout pass over the screen (two to three per ticket opened).
        with self.app.batch_update():
            if self.showing_plan:
                await pane.show_plan(self.plan_for(view), now)
            else:
                await pane.show(view, now, self.similar_rows(view))
            pane.border_title = Content.assemble("Ticket #", st.line(ticket_id))
            self.desk.load_draft(self.loader, view)
            if not self.follow_cursor:
                # The ▶ marker moves with the ticket, in the same frame: marked at
                # Enter, the queue's repaint would go out alone and the ticket wait
                # one or two more ticks of the screen's update timer (~30 ms).
                self.query_one(QueueView).show_open(ticket_id)
        row = self.rows_by_id().get(ticket_id)
        # The same ticket shown again (the KB index or the clustering finished,
        # a reload) is not another view by the agent: once per arrival.
        if row is not None and ticket_id != self._viewed_id:
            self._viewed_id = ticket_id
            # Logged once the ticket is painted: the write's thread would take the
            # GIL from the frame that shows the ticket (~5 ms of every ticket opened).
            payload = events.viewed_payload(row)
            helpdesk = self.app.helpdesk
            self.call_after_refresh(
                lambda: self.run_worker(
                    record(helpdesk, events.VIEWED, ticket_id, payload), group="viewed"
                )
            )
        if (action := self.desk.take_held(ticket_id)) is not None:
            await self.run_action(action)
        elif self.follow_cursor:
            queue = self.query_one(QueueView)
            at = queue.cursor
            self._read_ahead(
                *(queue.rows[i].id for i in (at + 1, at - 1) if 0 <= i < len(queue.rows))
            )

    def _read_ahead(self, *ticket_ids: str) -> None:
        """Read these tickets in the background once the keys rest: the ones the
        agent most likely opens next (``TicketLoader.read_ahead``)."""
        if self.loader is not None and self.loader.reads_ahead and ticket_ids:
            self._read_ahead_worker(ticket_ids)

    @work(exclusive=True, group="ahead")
    @ends_with_screen
    async def _read_ahead_worker(self, ticket_ids: tuple[str, ...]) -> None:
        assert self.loader is not None
        await asyncio.sleep(self.HELD_KEY_S)  # the next key cancels this worker
        for ticket_id in ticket_ids:
            try:
                view = await self.loader.read_ahead(ticket_id, self.app.profile)
            except TriageError:
                return  # opening the ticket will read it again and say what is wrong
            if view is not None and not self.showing_plan:
                self.similar_rows(view)
                self.query_one(TicketPane).predraw(view, self.app.clock.now())

    def plan_for(self, view: TicketView) -> HandlingPlan:
        from triage_tui.domain.handling_plan.plan import handling_plan

        return handling_plan(
            view.detail, view.history, view.rules, view.kb, self.clusters, now=self.app.clock.now()
        )

    def similar_rows(self, view: TicketView) -> list[QueueRow]:
        """Open tickets clustered with this one (same problem): the first
        ``SIMILAR_LISTED`` in queue order (the ones the pane lists), then the rest
        unordered — at 100 000 tickets a cluster holds thousands, sorted per
        ticket opened for nothing but a count."""
        ticket_id = view.detail.ticket.id
        known = self._similar.get(ticket_id)
        if known is not None and known[0] is self.clusters and known[1] is self.all_rows:
            return known[2]  # worked out when the ticket was read ahead
        by_id = self.rows_by_id()
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

    def rows_by_id(self) -> dict[str, QueueRow]:
        """``all_rows`` by id, rebuilt when the list is replaced: opening a ticket looked
        rows up by scanning 100 000 of them, twice (10-20 ms per ticket)."""
        if self._by_id[0] is not self.all_rows:
            self._by_id = (self.all_rows, {r.id: r for r in self.all_rows})
        return self._by_id[1]

    # -- sweeps -----------------------------------------------------------
    @work(group="sweep", exclusive=True)
    async def action_sweep(self) -> None:
        """Plan a sweep over what the queue shows now (the active filter's tickets)."""
        from triage_tui.engine.sweep import SweepSession
        from triage_tui.engine.sweep_plan import plan_sweep
        from triage_tui.ui.screens.sweep import SweepScreen
        from triage_tui.ui.screens.sweep_plan import SweepPlanScreen, measured_handle_time

        rows = list(self.query_one(QueueView).rows)
        if not rows:
            self.app.notify(
                "No tickets to sweep: change the filter (/).", severity="warning", markup=False
            )
            return
        now = self.app.clock.now()
        # The batch size uses this agent's measured pace from the event log, when there is one.
        handle = await measured_handle_time(self.app.helpdesk, now)
        plan = plan_sweep(rows, now, self.clusters, handle_time=handle)
        filter_text = str(self.filter) if self.filter else ""

        def start(accepted: bool | None) -> None:
            if accepted and self.loader is not None:
                session = SweepSession(plan, self.app.clock, filter_text=filter_text)
                self.app.push_screen(
                    SweepScreen(self.loader, session, report_dir=paths.data_dir() / "reports"),
                    reload,
                )

        def reload(_outcome: SweepOutcome | None) -> None:
            self.load_queue()  # the sweep's decisions show in the queue

        self.app.push_screen(SweepPlanScreen(plan, filter_text, now), start)

    def start_initial_sweep(self, filter_text: str) -> None:
        """``triage sweep FILTER``: apply the filter, then open its plan."""
        if self._try_filter(filter_text):
            self.action_sweep()
        else:
            self.action_filter()

    # -- bulk -------------------------------------------------------------
    def action_bulk(self) -> None:
        from triage_tui.ui.screens.bulk import BulkActionScreen

        queue = self.query_one(QueueView)
        rows = queue.marked_rows(self.all_rows)
        if not rows:
            self.app.notify(
                "Mark tickets first: space marks one, * all in view, shift+↓ a range.",
                severity="warning",
                markup=False,
            )
            return
        profile = self.app.profile

        def confirmed(choice: BulkChoice | None) -> None:
            if choice is not None:
                self.do_bulk(choice)

        self.app.push_screen(
            BulkActionScreen(rows, agent=profile.agent, team=profile.team), confirmed
        )

    @work(group="write")
    async def do_bulk(self, choice: BulkChoice) -> None:
        from triage_tui.engine.buffered import batch
        from triage_tui.ui.screens.bulk import applied_line, apply_choice

        try:
            # One outbox batch: while the undo banner counts down, u takes back all of it.
            with batch(self.app.helpdesk):
                result = await apply_choice(self.app.helpdesk, choice)
        except TriageError as error:
            self.app.notify(f"Batch not applied: {error}", severity="error", markup=False)
            return
        self.last_batch = result
        self.query_one(QueueView).clear_marks()
        self.app.notify(applied_line(result) + " · U undoes the batch", markup=False)
        self.load_queue()

    @work(group="write")
    async def action_undo_batch(self) -> None:
        from triage_tui.engine import bulk
        from triage_tui.ui.screens.bulk import undone_line

        result = self.last_batch
        if result is None:
            self.app.notify("No batch to undo in this session.", markup=False, timeout=3)
            return
        try:
            outcome = await bulk.undo(self.app.helpdesk, result)
        except TriageError as error:
            self.app.notify(f"Batch not undone: {error}", severity="error", markup=False)
            return
        self.last_batch = None
        self.app.notify(undone_line(outcome), markup=False)
        self.load_queue()

    # -- proposals from AI agents (``triage mcp``) -----------------------------
    def _proposed_tickets(self) -> set[str]:
        """Tickets with an agent's proposal waiting (their queue rows end in ◆AI)."""
        from triage_tui.engine import proposals
        from triage_tui.engine.buffered import BufferedHelpdesk

        helpdesk = self.app.helpdesk
        if not isinstance(helpdesk, BufferedHelpdesk):
            return set()
        try:
            return {p.ticket_id for p in proposals.pending(helpdesk)}
        except TriageError:
            return set()  # a broken outbox file says so elsewhere; no marker then

    def action_proposals(self) -> None:
        from triage_tui.engine.buffered import BufferedHelpdesk
        from triage_tui.ui.screens.proposals import ReviewScreen

        helpdesk = self.app.helpdesk
        if not isinstance(helpdesk, BufferedHelpdesk):
            self.app.notify("This helpdesk writes directly; agents' proposals need the outbox.")
            return

        def back(_: None) -> None:
            self.load_queue()  # approved and rejected proposals change the queue

        self.app.push_screen(ReviewScreen(helpdesk), back)

    # -- report -----------------------------------------------------------
    @work(group="report")
    async def action_report(self) -> None:
        from triage_tui.ui.screens.report import ReportScreen, load_report

        now = self.app.clock.now()
        helpdesk = self.app.helpdesk

        def again() -> Awaitable[Report]:
            return load_report(helpdesk, now - REPORT_WINDOW, now)

        self.app.push_screen(
            ReportScreen(
                await again(),
                directory=paths.data_dir() / "reports",
                title="Session report · last 8 h",
                again=again,
            )
        )
