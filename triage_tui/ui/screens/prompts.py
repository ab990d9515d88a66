"""The confirmation dialogs behind Send and Escalate.

Both are keyboard-first modals: Enter accepts the default, Escape cancels and
writes nothing. They return a plain result object (or None when cancelled) to
the main screen, which does the writing.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from triage_tui.domain.enums import Status
from triage_tui.ui import safe_text as st
from triage_tui.ui.widgets.safe_input import SafeInput


class SendScreen(ModalScreen[Status | None]):
    """Send the draft as a public reply, then set pending or solved.

    Keys: ``enter`` send with the default status, ``p`` send and set pending,
    ``s`` send and set solved, ``escape`` cancel.
    """

    BINDINGS = [
        Binding("enter", "send_default", "Send", priority=True),
        Binding("p", "send('pending')", "Send + pending"),
        Binding("s", "send('solved')", "Send + solved"),
        Binding("y", "send_anyway", "Send despite safeguards"),
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(
        self,
        ticket_id: str,
        requester: str,
        body: str,
        default: Status,
        blocking: list[str] | None = None,
    ) -> None:
        super().__init__()
        self.ticket_id = ticket_id
        self.requester = requester
        self.body = body
        self.default = default
        #: Reasons of blocking safeguard findings: then only ``y`` sends.
        self.blocking = blocking or []

    def compose(self) -> ComposeResult:
        preview = self.body if len(self.body) < 600 else self.body[:600] + "…"
        other = Status.SOLVED if self.default is Status.PENDING else Status.PENDING
        with Vertical(classes="dialog"):
            yield Label(
                Content.assemble(
                    (f"Send reply on #{st.clean(self.ticket_id, one_line=True)} to ", "bold"),
                    st.line(self.requester, "bold"),
                    ("?", "bold"),
                )
            )
            yield Static(st.literal(preview), classes="preview")
            if self.blocking:
                lines: list[Content | tuple[str, str] | str] = [
                    (f"✖ {len(self.blocking)} blocking safeguard finding(s):", "$text-error bold")
                ]
                for reason in self.blocking:
                    lines += ["\n  • ", Content(reason)]
                lines += [
                    "\n",
                    ("y", "$text-accent bold"),
                    f" send anyway (status {self.default.value})   ",
                    ("esc", "$text-accent bold"),
                    " back to the draft",
                ]
                yield Label(Content.assemble(*lines), classes="blocking")
                return
            yield Label(
                Content.assemble(
                    ("enter", "$text-accent bold"),
                    f" send and set {self.default.value}   ",
                    (other.value[0], "$text-accent bold"),
                    f" send and set {other.value}   ",
                    ("esc", "$text-accent bold"),
                    " cancel",
                ),
                classes="keys",
            )

    def action_send_default(self) -> None:
        if self.blocking:
            self.notify(
                "Safeguards block this draft: y sends anyway, esc goes back.",
                severity="warning",
                markup=False,
            )
            return
        self.dismiss(self.default)

    def action_send(self, status: str) -> None:
        if self.blocking:
            self.action_send_default()
            return
        self.dismiss(Status(status))

    def action_send_anyway(self) -> None:
        if self.blocking:
            self.dismiss(self.default)

    def action_cancel(self) -> None:
        self.dismiss(None)


@dataclass(frozen=True)
class EscalationChoice:
    reason: str
    note: str


class EscalateScreen(ModalScreen[EscalationChoice | None]):
    """Ask for the escalation reason, pre-filled from the rule that fired.

    Keys: ``enter`` escalate, ``tab`` between reason and note, ``escape`` cancel.
    """

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, ticket_id: str, reason: str, note: str, route: str | None) -> None:
        super().__init__()
        self.ticket_id = ticket_id
        self.reason = reason
        self.note = note
        self.route = route

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(
                Content.styled(f"Escalate #{st.clean(self.ticket_id, one_line=True)}", "bold")
            )
            if self.route:
                yield Label(Content.assemble("Route: ", st.line(self.route, "$text-accent")))
            yield Label(Content("Reason"))
            yield SafeInput(
                value=st.clean(self.reason, one_line=True),
                id="reason",
                placeholder="why this needs escalating",
            )
            yield Label(Content("Internal note (optional)"))
            yield SafeInput(
                value=st.clean(self.note, one_line=True),
                id="note",
                placeholder="context for the next person",
            )
            yield Label(
                Content.assemble(
                    ("enter", "$text-accent bold"),
                    " escalate   ",
                    ("tab", "$text-accent bold"),
                    " next field   ",
                    ("esc", "$text-accent bold"),
                    " cancel",
                ),
                classes="keys",
            )
            yield Label(Content(""), id="escalate-error", classes="error")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        reason = self.query_one("#reason", Input).value.strip()
        if not reason:
            self.query_one("#escalate-error", Label).update(Content("A reason is required."))
            self.query_one("#reason", Input).focus()
            return
        self.dismiss(EscalationChoice(reason, self.query_one("#note", Input).value.strip()))

    def action_cancel(self) -> None:
        self.dismiss(None)
