"""Presence in the console: colleagues on the same host, on the same helpdesk.

With a team directory (``Profile.team_dir`` or ``TRIAGE_TEAM_DIR``) the console
keeps its record on the board (``engine.presence.PresenceBoard``) and shows the
others': a row someone has open carries ``Mei ◎`` (``Mei ✎`` while they reply),
the open ticket's pane says ``Mei Chen is replying``, and Send on a ticket a
colleague is replying to says so in its prompt before anything goes.

The live queue's tick (every second) drives it: the record is rewritten when the
open ticket or the replying state changes, and every ``HEARTBEAT_SECONDS``
otherwise; the others' records are read on the same tick. The file work runs in
a thread (a team directory may sit on a slow mount); a tick that finds the last
one still running skips. "Replying" is the draft editor having focus, or the
open ticket having a draft the agent edited. A team directory that cannot be
used is one notice, then presence stays off for the session.
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING

from triage_tui.domain.presence import (
    REPLYING_MARK,
    VIEWING_MARK,
    Presence,
    by_ticket,
    labels,
    replying_lines,
    ticket_line,
)

if TYPE_CHECKING:
    from triage_tui.engine.presence import PresenceBoard
    from triage_tui.ui.screens.main import MainScreen


class TeamPresence:
    def __init__(self, screen: MainScreen, board: PresenceBoard) -> None:
        self.screen = screen
        self.board = board
        #: What the record says now: (open ticket, replying); None before the first write.
        self.published: tuple[str | None, bool] | None = None
        self._published_at = 0.0
        #: The other consoles' records by ticket, as last read.
        self.on: dict[str, list[Presence]] = {}
        #: A look at the board is running (in a thread); a tick meanwhile skips.
        self.busy = False
        #: Looks at the board finished (the tests wait on it).
        self.looks = 0
        self.stopped = False

    @classmethod
    def start(cls, screen: MainScreen) -> TeamPresence | None:
        """Presence for this console, or None: no team directory, or one that cannot
        be used (then one notice says why)."""
        from triage_tui.config import to_json
        from triage_tui.engine.presence import PresenceBoard, helpdesk_key, problem, team_dir

        app = screen.app
        root = team_dir(app.profile.team_dir)
        if root is None:
            return None
        found = problem(root)
        if found is not None:
            app.notify(f"Presence off: {found}", severity="warning", markup=False, timeout=10)
            return None
        options = app.helpdesk.options
        key = helpdesk_key(app.helpdesk.name, to_json(options) if options is not None else {})
        return cls(screen, PresenceBoard(root, key, app.profile.agent))

    # -- this console ---------------------------------------------------------------
    def wanted(self) -> tuple[str | None, bool]:
        """(the open ticket, whether the agent is replying to it)."""
        screen = self.screen
        ticket = screen.requested_id
        if ticket is None:
            return None, False
        focused = screen.focused
        editing = focused is not None and focused.id == "draft"  # the draft editor
        return ticket, editing or ticket in screen.app.edited_drafts

    def tick(self) -> None:
        """Write the record if it changed (or its heartbeat is due), read the others'."""
        from triage_tui.engine.presence import HEARTBEAT_SECONDS

        if self.stopped or self.busy:
            return
        state = self.wanted()
        due = time.monotonic() - self._published_at >= HEARTBEAT_SECONDS
        write = state if (state != self.published or due) else None
        self.busy = True
        self.screen.run_worker(self._sync(write), group="presence")

    async def _sync(self, write: tuple[str | None, bool] | None) -> None:
        from triage_tui.engine.presence import PresenceError

        board = self.board

        def work() -> list[Presence]:
            if write is not None:
                board.publish(*write)
            return board.others()

        try:
            others = await asyncio.to_thread(work)
        except PresenceError as error:
            self.stop()
            self.screen.app.notify(
                f"Presence off: {error}", severity="warning", markup=False, timeout=10
            )
            return
        finally:
            self.busy = False
        if write is not None:
            self.published, self._published_at = write, time.monotonic()
        self.show(others)

    def show(self, others: list[Presence]) -> None:
        """Others' records on screen: row markers, the open ticket's line."""
        from triage_tui.ui.widgets.queue import QueueView

        if self.stopped:
            return
        self.on = by_ticket(others)
        self.looks += 1
        self.screen.query_one(QueueView).set_presence(labels(others))
        live = self.screen.live
        if live is not None:
            live.show_notice(self.screen.app.clock.now())

    def stop(self) -> None:
        """Leave the board (a clean quit removes the record); nothing more is written."""
        self.stopped = True
        self.board.leave()

    # -- what the screen shows --------------------------------------------------------
    def line(self, ticket_id: str | None) -> str:
        """``✎ Mei Chen is replying`` when colleagues are on ``ticket_id``; else empty."""
        on_ticket = self.on.get(ticket_id, []) if ticket_id is not None else []
        if not on_ticket or self.stopped:
            return ""
        mark = REPLYING_MARK if any(r.replying for r in on_ticket) else VIEWING_MARK
        return f"{mark} {ticket_line(on_ticket)}"

    def before_send(self, ticket_id: str) -> list[str]:
        """The Send prompt's warning lines: colleagues replying to this ticket now."""
        return [] if self.stopped else replying_lines(self.on, ticket_id)
