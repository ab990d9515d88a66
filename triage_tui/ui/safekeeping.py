"""The console's side of "never lose an agent's work".

One ``Safekeeping`` per app, active when the helpdesk is a
``BufferedHelpdesk`` (the real console; Pilot tests of other features use a
bare adapter and see none of this). It

* saves the draft editor continuously (``DraftStore``, debounced) and puts
  unsent edited drafts back at the next start, after a crash or a clean quit
  alike, with a notice (the editor's title marks them *edited draft*); a draft
  typed back to its template, or reset to it (``ctrl+r``), is deleted;
* turns outbox events into what the agent needs to know: a reply held by a
  collision, a write the helpdesk refused, offline and back online (the queue
  is reloaded then);
* undoes the newest batch (``u``), opens the outbox (``o``), asks before
  quitting with work still on its way, and on SIGTERM/SIGHUP writes the
  drafts out and leaves cleanly (Textual restores the terminal on exit).

It finds the main screen with ``MainScreen.find`` and reaches it only through
what that screen already exposes (``drafts``, ``view``, ``show_ticket``,
``load_queue``, the queue widget), so the main screen needs no knowledge of
the outbox; it is typed against ``ConsoleApp``, not ``TriageApp`` (which owns it).
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from typing import TYPE_CHECKING, Any

from triage_tui.engine import outbox_model as om
from triage_tui.engine.buffered import BufferedHelpdesk
from triage_tui.engine.outbox_controls import waiting_reason
from triage_tui.ui.console import ConsoleApp
from triage_tui.ui.outbox_lines import describe
from triage_tui.ui.screens.desk import DeskScreen
from triage_tui.ui.screens.main import MainScreen

if TYPE_CHECKING:
    from textual.widgets import TextArea

#: Exit codes after a signal, as a shell reports them (128 + number).
SIGNALS = (signal.SIGTERM, signal.SIGHUP)


class Safekeeping:
    #: Seconds between looks at the shared outbox for what other consoles and
    #: scripts did there (a conflict that now holds up one of our writes).
    LOOK_SECONDS = 1.0

    def __init__(self, app: ConsoleApp) -> None:
        self.app = app
        helpdesk = app.helpdesk
        self.helpdesk = helpdesk if isinstance(helpdesk, BufferedHelpdesk) else None
        self.restored: dict[str, str] = {}
        #: Our entries already reported as waiting behind someone's decision.
        self._told_waiting: set[str] = set()

    @property
    def active(self) -> bool:
        return self.helpdesk is not None

    # -- start ------------------------------------------------------------
    def restore_drafts(self) -> dict[str, str]:
        """Unsent drafts from before, by ticket id (called before the main screen exists)."""
        if self.helpdesk is None or self.helpdesk.drafts is None:
            return {}
        outbox = self.helpdesk.outbox

        def state(entry_id: str) -> str | None:
            if outbox.read_only is not None:
                return "unknown"  # its reply may be on its way: not back in the editor
            entry = outbox.get(entry_id) if entry_id else None
            return entry.state if entry else None

        self.restored = self.helpdesk.drafts.restorable(state)
        return dict(self.restored)

    def start(self) -> None:
        if self.helpdesk is None:
            return
        self.helpdesk.listeners.append(self.on_event)
        if self.helpdesk.drafts is not None:
            self.helpdesk.drafts.on_trouble = self.on_draft_trouble
        read_only = self.helpdesk.outbox.read_only
        if read_only is not None:
            self.app.notify(
                f"Writes are disabled: {read_only}. The queue is shown; Send, Escalate and other "
                "changes are off until the folder is writable.",
                title="Writes disabled",
                severity="warning",
                markup=False,
                timeout=15,
            )
        self.show_notices()
        self.app.set_interval(self.LOOK_SECONDS, self.look)
        loop = asyncio.get_running_loop()
        for signum in SIGNALS:
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.add_signal_handler(signum, self.on_signal, signum)
        if self.restored:
            names = ", ".join(f"#{t}" for t in sorted(self.restored)[:5])
            more = len(self.restored) - 5
            self.app.notify(
                f"Restored {len(self.restored)} unsent draft(s): {names}"
                + (f" and {more} more" if more > 0 else "")
                + " — they were saved before the console stopped.",
                title="Drafts restored",
                markup=False,
                timeout=8,
            )

    async def stop(self) -> None:
        """Leave: drafts written, the deliverer stopped (a request in flight is re-checked)."""
        if self.helpdesk is None:
            return
        for signum in SIGNALS:
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                asyncio.get_running_loop().remove_signal_handler(signum)
        await self.helpdesk.close()

    def on_signal(self, signum: int) -> None:
        """SIGTERM/SIGHUP: drafts to disk now (the terminal may already be gone), then exit."""
        if self.helpdesk is not None and self.helpdesk.drafts is not None:
            self.helpdesk.drafts.flush_now()
        self.app.exit(return_code=128 + int(signum))

    def show_notices(self) -> None:
        """The disk's news (a corrupt file moved aside, files made private), once each."""
        from triage_tui import private_files

        for line in private_files.take_notices():
            self.app.notify(line, title="Files", severity="warning", markup=False, timeout=12)

    def on_draft_trouble(self, trouble: str | None) -> None:
        """A draft could not be saved (full or read-only disk), or can be again."""
        if trouble is None:
            self.app.notify("Drafts are saved again.", markup=False, timeout=4)
            return
        self.app.notify(
            f"Draft not saved: {trouble}. Your text stays in the editor and is saved "
            "as soon as the disk takes it.",
            severity="error",
            markup=False,
            timeout=12,
        )

    # -- drafts -----------------------------------------------------------
    def draft_changed(self, editor: TextArea) -> None:
        """The agent typed in the draft editor (a loaded text is not typing)."""
        if self.helpdesk is None or self.helpdesk.drafts is None:
            return
        if not (editor.history.undo_stack or editor.history.redo_stack):
            return
        # The ticket the editor's draft belongs to (its DraftPane's view), not the
        # main screen's: a sweep has its own editor, and a draft saved under the
        # main screen's ticket would come back on the wrong ticket after a crash.
        view = getattr(editor.parent, "view", None)
        if view is None:
            return
        ticket_id = view.detail.ticket.id
        helpdesk, drafts = self.helpdesk, self.helpdesk.drafts
        if editor.text == getattr(editor.parent, "template", None):
            drafts.discard(ticket_id)  # the template's text is no draft of the agent's
            return

        def began() -> dict[str, Any]:
            from triage_tui.engine.collision import Base  # pydantic: after the first screen

            seen = helpdesk.seen_base(ticket_id)
            return (seen or Base.of(view.detail)).model_dump(mode="json")

        drafts.changed(ticket_id, editor.text, began)

    def _put_draft(self, ticket_id: str, body: str) -> None:
        self.app.edited_drafts[ticket_id] = body
        main = MainScreen.find(self.app)
        if main is None:
            return
        if main.requested_id == ticket_id:
            main.show_ticket(ticket_id)

    # -- outbox events ----------------------------------------------------
    def on_event(self, event: str, entry: om.Entry | None) -> None:
        notify = self.app.notify
        if event == "conflict" and entry is not None:
            notify(
                f"{entry.label} held: the ticket changed — {'; '.join(entry.conflict or [])}. "
                "Press o to revise, send anyway or discard.",
                title="Collision",
                severity="warning",
                markup=False,
                timeout=10,
            )
        elif event == "failed" and entry is not None:
            notify(
                f"Not delivered: {entry.label}: {entry.last_error}. Press o to retry or cancel.",
                severity="error",
                markup=False,
                timeout=10,
            )
        elif event == "online":
            left = self.helpdesk.in_flight_count() if self.helpdesk else 0
            notify(
                "Back online" + (f": delivering {left} queued action(s)" if left else "."),
                markup=False,
            )
            main = MainScreen.find(self.app)
            if main is not None:
                main.action_refresh()
        elif event == "recovered":
            notify(
                "Checking actions interrupted last time before sending them again.", markup=False
            )
        self.show_notices()
        self.refresh_banners()

    def look(self) -> None:
        """Every ``LOOK_SECONDS``: take over what a killed console or script left, and
        show what other sessions did in the shared outbox. The banners tick on
        their own timers, so they are not refreshed a second time here."""
        if self.helpdesk is not None:
            self.helpdesk.look_around()
        self.follow_outbox()

    def refresh_banners(self) -> None:
        """At once, after an event or a key (the banners' own timers come later)."""
        from triage_tui.ui.widgets.offline_banner import OfflineBanner
        from triage_tui.ui.widgets.undo_banner import UndoBanner

        for banner in self.app.query(UndoBanner).results():
            banner.refresh_state()
        for other in self.app.query(OfflineBanner).results():
            other.refresh_state()
        self.follow_outbox()

    def follow_outbox(self) -> None:
        """The outbox screen, when shown, and the one-time "waiting" notices."""
        from triage_tui.ui.screens.outbox import OutboxScreen

        if isinstance(self.app.screen, OutboxScreen):
            self.app.screen.reload()
        self.tell_waiting()

    def tell_waiting(self) -> None:
        """Once per entry: one of ours became stuck behind a failed or conflicted write
        after it was recorded (the confirmation line could not have said so then)."""
        if self.helpdesk is None or not self.helpdesk.outbox_opened:
            return
        for entry, root in self.helpdesk.waiting():
            if entry.session != self.helpdesk.session or entry.id in self._told_waiting:
                continue
            self._told_waiting.add(entry.id)
            if root.updated_at <= entry.created_at:
                continue  # already stuck when recorded: its confirmation line said so
            self.app.notify(
                f"{entry.label} {waiting_reason(root, self.helpdesk.session)} — o to resolve",
                title="Waiting",
                severity="warning",
                markup=False,
                timeout=10,
            )

    # -- the agent's keys -------------------------------------------------
    def undo(self) -> None:
        if self.helpdesk is None:
            self.app.notify("Undo needs the outbox (this helpdesk writes directly).", markup=False)
            return
        cancelled = self.helpdesk.undo_last()
        if not cancelled:
            self.app.notify("Nothing to undo: every action has left.", markup=False, timeout=3)
            return
        self.app.notify(f"Undone: {describe(cancelled)}. Nothing was sent.", markup=False)
        screen = self.app.screen
        from triage_tui.ui.screens.report import ReportScreen

        if isinstance(screen, ReportScreen):  # the report on screen counted it: no longer
            screen.refigure()
        # A sweep goes back to the ticket itself (its decision no longer counts).
        if not (isinstance(screen, DeskScreen) and screen.took_back(cancelled)):
            reply = next((e for e in cancelled if e.kind == "reply"), None)
            if reply is not None:
                self._put_draft(reply.ticket_id, reply.payload["body"])
            self.app.run_worker(self._back_to(cancelled[0].ticket_id), group="safekeeping")
        self.refresh_banners()

    async def _back_to(self, ticket_id: str) -> None:
        """Reload the queue (the undone change no longer shows) and open the ticket again."""
        from triage_tui.ui.widgets.queue import QueueView

        main = MainScreen.find(self.app)
        if main is None:
            return
        await main.load_queue().wait()
        queue = main.query_one(QueueView)
        index = next((i for i, row in enumerate(queue.rows) if row.id == ticket_id), None)
        if index is not None:
            queue.move_to(index)
        else:
            main.show_ticket(ticket_id)

    def revise(self, entry: om.Entry) -> None:
        """Conflict: cancel the reply, its text back in the editor against the ticket as it is
        now.
        """
        assert self.helpdesk is not None
        self.helpdesk.cancel(entry.id, keep_draft=False)
        if self.helpdesk.drafts is not None:
            self.helpdesk.drafts.unsent(
                entry.ticket_id, entry.id, entry.payload["body"], None, keep_base=False
            )
        self._put_draft(entry.ticket_id, entry.payload["body"])
        self.app.run_worker(self._back_to(entry.ticket_id), group="safekeeping")

    def discard(self, entry: om.Entry) -> None:
        assert self.helpdesk is not None
        self.helpdesk.cancel(entry.id, keep_draft=False)
        self.app.edited_drafts.pop(entry.ticket_id, None)
        self.app.notify(f"Discarded: {entry.label}.", markup=False)

    def quit(self) -> None:
        if self.helpdesk is None or self.helpdesk.in_flight_count() == 0:
            self.app.exit()
            return
        from triage_tui.ui.screens.quit_confirm import QuitConfirmScreen

        if not isinstance(self.app.screen, QuitConfirmScreen):
            self.app.push_screen(QuitConfirmScreen(self.helpdesk))
