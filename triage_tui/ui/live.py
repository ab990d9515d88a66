"""The live queue in the console: follow the change feed without a keypress.

``LiveQueue`` belongs to the main screen. Once the first rows are painted it
takes the feed's cursor; once the whole queue is in it polls
(``engine.changes.ChangePoller``, every ``poll_seconds``) in a worker. Each
batch: the changed tickets' rows are re-read (off the UI thread), merged into
the queue in place (``MainScreen.merge_live``: cursor, scroll and marks kept),
rows changed by someone else get a marker, the open ticket is re-read with a
one-line notice (its draft kept), and new or soon-due tickets alert. What is
decided here is decided in ``domain.live``; this module only shows it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

from triage_tui.domain.changes import Change, ChangeBatch, ChangeKind
from triage_tui.domain.enums import Priority
from triage_tui.domain.errors import TriageError, Unsupported
from triage_tui.domain.live import (
    Alert,
    AlertRule,
    AlertTracker,
    headline,
    is_own,
    marker_for,
    notice_line,
    stronger,
)
from triage_tui.domain.queue import QueueRow
from triage_tui.domain.text import sanitize
from triage_tui.ui.screens.closing import quiet_when_taken_down

if TYPE_CHECKING:
    from datetime import datetime

    from triage_tui.engine.changes import ChangePoller
    from triage_tui.engine.collision import Base
    from triage_tui.engine.loader import TicketView
    from triage_tui.ui.screens.main import MainScreen

log = logging.getLogger(__name__)

#: Alerts listed by name in one notice; more are counted.
ALERTS_LISTED = 3


def desktop_escape(kind: str, title: str, body: str) -> str:
    """The terminal's desktop-notification escape: OSC 9 (``osc9``) or OSC 777
    (``osc777``). Text from the helpdesk goes through the safe-text gate and
    loses what could end or split the sequence (control characters, ``;``)."""

    def flat(text: str) -> str:
        clean = sanitize(text, keep_newlines=False)
        # ``sanitize`` shows control characters as visible escapes; none may stay raw.
        return "".join(c for c in clean if c.isprintable()).replace(";", ",")[:200]

    if kind == "osc9":
        return f"\x1b]9;{flat(title)}: {flat(body)}\x07"
    if kind == "osc777":
        return f"\x1b]777;notify;{flat(title)};{flat(body)}\x07"
    return ""


class LiveQueue:
    def __init__(self, screen: MainScreen) -> None:
        from datetime import timedelta

        self.screen = screen
        app = screen.app
        self.helpdesk = app.helpdesk
        settings = app.profile.alerts
        self.alerts_on = settings.enabled
        self.tracker = AlertTracker(
            AlertRule(
                priorities=frozenset(Priority(p) for p in settings.priorities),
                vip=settings.vip,
                within=timedelta(minutes=settings.within_minutes),
            )
        )
        self._seeded = False
        self._primed: asyncio.Task[str | None] | None = None
        self.poller: ChangePoller | None = None
        #: The open ticket as the agent first saw it, and whether someone else changed it since.
        self._base: tuple[str, Base] | None = None
        self._others_changed = False
        #: The notice on the open ticket: its id, the change, the row after it.
        self.notice: tuple[str, Change, QueueRow | None] | None = None
        #: The start of the message a "replied" notice names, once the ticket is re-read.
        self.notice_quote = ""
        #: Desktop escapes written (kept for the console's own tests and the log).
        self.escapes_sent = 0
        #: The ticket pane's notice line as last set.
        self._subtitle = ""
        from triage_tui.ui.presence import TeamPresence

        #: Colleagues on this host (``ui/presence.py``); None: no team directory.
        self.presence = TeamPresence.start(screen)

    @property
    def supported(self) -> bool:
        return self.helpdesk.capabilities.change_feed

    # -- following the feed ------------------------------------------------------
    def prime(self) -> None:
        """Take the feed's cursor now, so changes made while the queue streams in
        are merged once it is in (a change merged twice is merged the same)."""
        if self.supported and self._primed is None and self.poller is None:
            self._primed = asyncio.ensure_future(self._first_cursor())

    async def _first_cursor(self) -> str | None:
        try:
            return (await self.helpdesk.changes_since(None, 1)).cursor
        except TriageError as error:
            log.info("change feed: no cursor yet (%s); starting from the first poll", error)
            return None

    def follow(self, rows: Sequence[QueueRow], now: datetime) -> None:
        """The whole queue is in: seed the alerts, then poll (once per console)."""
        if not self._seeded:
            self._seeded = True
            self.tracker.seed(rows, now)
        if self.supported and self.poller is None:
            self.prime()
            self.screen.run_worker(self._start(), group="live", exclusive=True)

    async def _start(self) -> None:
        from triage_tui.engine.changes import ChangePoller, PollPolicy

        assert self._primed is not None
        cursor = await self._primed
        # The profile's poll_seconds, else the helpdesk's budget (idle back-off included).
        policy = PollPolicy.for_helpdesk(self.helpdesk, self.screen.app.profile.poll_seconds)
        self.poller = ChangePoller(
            self.helpdesk, self._on_batch, policy=policy, cursor=cursor, on_error=self._error
        )
        self._schedule(policy.interval)

    # One short worker per poll, started by a timer, rather than one worker
    # that never ends: waiting for the console's workers (tests, screenshots,
    # a clean quit) still means waiting for work, and the timer goes with the
    # screen. The poller's own ``poll_once``/``next_wait`` keep its cursor
    # and back-off.
    def _schedule(self, wait: float) -> None:
        if self.poller is not None and not self.poller.stopped:
            self.screen.set_timer(wait, self._poll, name="live-poll")

    def _poll(self) -> None:
        self.screen.run_worker(self._poll_once(), group="live", exclusive=True)

    async def _poll_once(self) -> None:
        poller = self.poller
        assert poller is not None
        try:
            # The console closing meanwhile: the batch finds no queue, and the poll ends.
            with quiet_when_taken_down(self.screen):
                batches = await poller.poll_once()
                changed = any(batch.changes or batch.resync for batch in batches)
                self._schedule(poller.policy.after_poll(changed))
        except Unsupported:
            return  # no feed to follow: the queue stays a snapshot (r reloads)
        except TriageError as exc:
            self._error(exc)
            self._schedule(poller.policy.after_error(exc))

    def stop(self) -> None:
        if self.poller is not None:
            self.poller.stop()
        if self.presence is not None:
            self.presence.stop()

    def _error(self, error: TriageError) -> None:
        # The offline banner and the outbox say when the helpdesk is away; the
        # poller backs off on its own. One line in the log, not a notice a poll.
        log.info("change feed: %s", error)

    async def _on_batch(self, batch: ChangeBatch) -> None:
        if batch.resync:
            self.screen.load_queue()  # the feed lost its place: read the queue again
            return
        loader = self.screen.loader
        if loader is None:
            return
        ids = list(dict.fromkeys(change.ticket_id for change in batch.changes))
        loader.forget(ids)
        rows = await loader.rows(ids)
        self.apply(batch.changes, rows)

    # -- one batch on screen ---------------------------------------------------
    def apply(self, changes: Sequence[Change], rows: Mapping[str, QueueRow | None]) -> None:
        """Merge a batch whose rows were re-read (``rows``; a ticket not re-read is
        left as shown). The UI thread's whole share of a batch
        (``benchmarks/live_merge.py`` times it)."""
        from triage_tui.ui.widgets.queue import QueueView

        screen = self.screen
        now = screen.app.clock.now()
        agent = self.helpdesk.agent
        queue = screen.query_one(QueueView)
        open_id = screen.requested_id
        created: list[QueueRow] = []
        about_open: list[Change] = []
        held = screen.rows_by_id()
        for change in changes:
            ticket_id = change.ticket_id
            if ticket_id not in rows:
                continue
            row = rows[ticket_id]
            if change.repeat and row is not None and row == held.get(ticket_id):
                # The feed could not tell whether it changed again; as re-read it
                # is the row shown: no marker, no notice (the open ticket is
                # still re-read below).
                continue
            own = is_own(change, agent)
            if ticket_id == open_id:
                if not own:
                    about_open.append(change)
                continue  # the agent is looking at it: a notice, not a marker
            marker = marker_for(change, agent, row)
            if marker is not None and row is not None and row.status.is_active:
                queue.markers[ticket_id] = stronger(queue.markers.get(ticket_id), marker) or marker
            if change.kind is ChangeKind.CREATED and not own and row is not None:
                created.append(row)
        for ticket_id, row in rows.items():
            if row is None or not row.status.is_active:
                queue.markers.pop(ticket_id, None)
        screen.merge_live(rows)
        notice = headline(about_open)
        if open_id is not None and open_id in rows:
            if notice is not None:
                self._others_changed = True
                self.notice = (open_id, notice, rows[open_id])
                self.notice_quote = ""
            if rows[open_id] is not None:
                screen.refresh_open(open_id)
        if self.alerts_on:
            fresh = {row.id for row in created}
            moved = [row for row in rows.values() if row is not None and row.id not in fresh]
            self.raise_alerts(
                [*self.tracker.created(created, now), *self.tracker.moved(moved, now)]
            )

    def tick(self, rows: Sequence[QueueRow], now: datetime) -> None:
        """Every second: tickets entering their last minutes alert; the notice's age moves."""
        if self.alerts_on and self._seeded and self.tracker.rule.within.total_seconds() > 0:
            self.raise_alerts(self.tracker.due(rows, now))
        if self.presence is not None:
            self.presence.tick()
        self.show_notice(now)

    # -- the open ticket --------------------------------------------------------
    def opening(self, ticket_id: str) -> None:
        """The agent opens ``ticket_id``: its marker goes; another ticket's notice goes."""
        from triage_tui.ui.widgets.queue import QueueView

        self.screen.query_one(QueueView).set_marker(ticket_id, None)
        if self.presence is not None:
            self.presence.tick()  # colleagues see the ticket change now, not at the next tick
        if self.notice is not None and self.notice[0] != ticket_id:
            self.notice = None
            self.show_notice(self.screen.app.clock.now())

    def shown(self, view: TicketView) -> None:
        """A ticket is on screen: the first time, what the agent saw is kept."""
        from triage_tui.engine.collision import Base

        ticket_id = view.detail.ticket.id
        if self._base is None or self._base[0] != ticket_id:
            self._base = (ticket_id, Base.of(view.detail))
            self._others_changed = False

    def changed_before_send(self, view: TicketView) -> list[str]:
        """What someone else changed on the open ticket since the agent opened it
        (the collision check's lines), shown in the Send prompt; empty: nothing."""
        from triage_tui.engine.collision import changes_since

        others = self.presence.before_send(view.detail.ticket.id) if self.presence else []
        if not self._others_changed or self._base is None:
            return others
        ticket_id, base = self._base
        if ticket_id != view.detail.ticket.id:
            return others
        agent = self.helpdesk.agent.casefold()
        return others + [
            line
            for line in changes_since(base, view.detail, [])
            if not (agent and line.casefold().startswith(agent + " "))
        ]

    def reread(self, view: TicketView) -> None:
        """The open ticket was re-read after a change: a reply's notice quotes it
        (the conversation itself may be below the fold)."""
        notice = self.notice
        if notice is None or notice[0] != view.detail.ticket.id:
            return
        if notice[1].kind is ChangeKind.MESSAGE_ADDED and view.detail.messages:
            words = " ".join(view.detail.messages[-1].body.split())
            self.notice_quote = words if len(words) <= 40 else words[:39] + "…"

    def show_notice(self, now: datetime) -> None:
        from triage_tui.ui import safe_text as st
        from triage_tui.ui.widgets.ticket import TicketPane

        if not self.screen.work_mounted:
            return
        pane = self.screen.query_one(TicketPane)
        text = ""
        open_id = self.screen.requested_id
        if self.notice is not None and self.notice[0] == open_id:
            _, change, row = self.notice
            text = "⟳ " + notice_line(change, row, now)
            if self.notice_quote:
                text += f": “{self.notice_quote}”"
        here = self.presence.line(open_id) if self.presence is not None else ""
        if here:
            text = f"{text} · {here}" if text else here
        if text != self._subtitle:
            self._subtitle = text
            # Content, not a str: a border title parses markup, and names are untrusted.
            pane.border_subtitle = st.line(text)

    # -- alerts ------------------------------------------------------------------
    def raise_alerts(self, alerts: Iterable[Alert]) -> None:
        found = list(alerts)
        if not found:
            return
        app = self.screen.app
        now = app.clock.now()
        settings = app.profile.alerts
        lines = [alert.line(now) for alert in found]
        if len(lines) == 1:
            message = lines[0]
        else:
            more = len(lines) - ALERTS_LISTED
            message = "\n".join(lines[:ALERTS_LISTED]) + (
                f"\n… and {more} more" if more > 0 else ""
            )
        title = "Alert" if len(found) == 1 else f"{len(found)} alerts"
        app.notify(message, title=title, severity="warning", timeout=10, markup=False)
        if settings.bell:
            app.bell()
        if settings.desktop != "off":
            escape = desktop_escape(settings.desktop, f"triage: {title}", lines[0])
            driver = app._driver  # what ``App.bell`` writes to; None when headless
            if escape and driver is not None and not app.is_headless:
                driver.write(escape)
                self.escapes_sent += 1
