"""Quitting with actions still on their way: wait for them, or leave them for later.

``w`` ends every undo window now and waits (the dialog counts down what is
left and quits when nothing is); ``l`` quits at once — the entries are safe
in the outbox and the next start delivers them (with the collision check);
``esc`` goes back to work. Entries that wait for the agent (a collision, a
refused write) do not hold up quitting: they are listed on the outbox screen
next time.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from triage_tui.engine import outbox_model as om
from triage_tui.engine.buffered import BufferedHelpdesk
from triage_tui.ui import safe_text as st
from triage_tui.ui.keys import bindings, key_for


class QuitConfirmScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    QuitConfirmScreen {
        align: center middle;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = bindings("quit")

    def __init__(self, helpdesk: BufferedHelpdesk) -> None:
        super().__init__()
        self.helpdesk = helpdesk
        self.waiting = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Content.styled("Actions not delivered yet", "bold"))
            yield Static(self._status(), id="quit-status")
            yield Label(
                Content.assemble(
                    (key_for(self.app, "quit", "quit_wait"), "$text-accent bold"),
                    " wait for them, then quit   ",
                    (key_for(self.app, "quit", "quit_leave"), "$text-accent bold"),
                    " leave them for the next start   ",
                    (key_for(self.app, "quit", "cancel"), "$text-accent bold"),
                    " back",
                ),
                classes="keys",
            )

    def on_mount(self) -> None:
        self.set_interval(0.2, self._tick)

    def _status(self) -> Content:
        counts = self.helpdesk.outbox.counts()
        held, pending = counts.get(om.HELD, 0), counts.get(om.PENDING, 0)
        delivering = counts.get(om.DELIVERING, 0)
        total = held + pending + delivering
        line = (
            f"{total} action(s) not delivered: {held} in the undo window, "
            f"{pending + delivering} waiting for the helpdesk."
        )
        parts: list[Content | tuple[str, str] | str] = [line]
        if not self.helpdesk.connectivity.online:
            parts += ["\n", ("Offline: ", "bold"), st.line(self.helpdesk.connectivity.error)]
        attention = sum(counts.get(s, 0) for s in om.ATTENTION)
        if attention:
            parts.append(f"\n{attention} more need you (collision or refused): see o next time.")
        if self.waiting:
            leave = key_for(self.app, "quit", "quit_leave")
            parts.append(f"\nDelivering… ({leave} quits now and keeps the rest for the next start)")
        return Content.assemble(*parts)

    def _tick(self) -> None:
        if self.waiting and self.helpdesk.in_flight_count() == 0:
            self.app.exit()
            return
        self.query_one("#quit-status", Static).update(self._status())

    def action_wait(self) -> None:
        self.waiting = True
        self.helpdesk.release_all()
        self._tick()

    def action_leave(self) -> None:
        self.app.exit()

    def action_stay(self) -> None:
        self.dismiss(None)
