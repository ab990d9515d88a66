"""The console's lifecycle hooks: the events the agent's own writes log.

An escalation, a reply or a note made in the console is logged when its write
is delivered (after the undo window); the hooks on those events
(``ticket.escalated``, ``reply.sent``, ``note.added``) then run at once, from
here, so the Slack page goes out when the escalation lands, not when a
watcher next looks. Each run is recorded in the outbox under the same
(hook, event-log row) key ``triage watch`` uses, so a watcher reading the same
rows later runs nothing again; a failure waits in the outbox (``o``) for the
watcher's retries. The helpdesk's own events (a new ticket, a colleague's
change) are the watcher's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from triage_tui.engine import outbox_model as om
from triage_tui.engine.buffered import BufferedHelpdesk

if TYPE_CHECKING:
    from triage_tui.engine.hooks import HookRunner
    from triage_tui.ui.console import ConsoleApp


class ConsoleHooks:
    """Runs the hooks on the events of each write this console delivers."""

    def __init__(self, app: ConsoleApp) -> None:
        self.app = app
        helpdesk = app.helpdesk
        self.helpdesk: BufferedHelpdesk | None = None
        hooks = app.config_model.hooks
        if hooks and isinstance(helpdesk, BufferedHelpdesk):
            from triage_tui.domain.hooks import FROM_LOG

            if {event for hook in hooks for event in hook.events} & set(FROM_LOG):
                self.helpdesk = helpdesk
        self._runner: HookRunner | None = None

    @property
    def active(self) -> bool:
        return self.helpdesk is not None

    def start(self) -> None:
        if self.helpdesk is not None and self.helpdesk.outbox.read_only is None:
            self.helpdesk.listeners.append(self.on_event)

    @property
    def runner(self) -> HookRunner:
        if self._runner is None:
            from triage_tui.engine.hooks import HookRunner

            assert self.helpdesk is not None
            self._runner = HookRunner(
                self.helpdesk,
                self.helpdesk.outbox,
                self.app.config_model,
                self.app.profile,
                self.app.clock,
                owner=self.helpdesk.session,
            )
        return self._runner

    def on_event(self, event: str, entry: om.Entry | None) -> None:
        from triage_tui.engine.hooks import ORIGIN

        if event != "delivered" or entry is None or entry.origin == ORIGIN:
            return
        self.app.run_worker(self.run(entry), group="hooks", exit_on_error=False)

    async def run(self, entry: om.Entry) -> None:
        """The hooks on what ``entry`` logged on its ticket, each outcome a notice."""
        from triage_tui.domain.errors import TriageError
        from triage_tui.engine.hooks import run_own_events

        try:
            outcomes = await run_own_events(self.runner, entry.created_at, entry.ticket_id)
        except TriageError as error:  # the ticket could not be read: the watcher's log reader
            self.app.notify(f"Hooks not run yet: {error}", severity="warning", markup=False)
            return
        for ran in outcomes:
            self.app.notify(
                ran.line,
                title="Hook",
                severity="information" if ran.ok else "error",
                markup=False,
            )
