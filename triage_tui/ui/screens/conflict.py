"""A reply held because the ticket changed since the draft began.

Shows what changed (who wrote what, a status change, who took the ticket)
above the reply that was about to go, and lets the agent choose: ``r``
revise (the reply goes back to the editor, now against the ticket as it is),
``s`` send anyway, ``d`` discard the reply, ``esc`` decide later (it stays
held in the outbox).
"""

from __future__ import annotations

from functools import partial
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from triage_tui.engine.outbox_model import Entry
from triage_tui.ui import safe_text as st
from triage_tui.ui.keys import bindings, key_for


class ConflictScreen(ModalScreen[str | None]):
    DEFAULT_CSS = """
    ConflictScreen {
        align: center middle;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = bindings("conflict")

    def __init__(
        self,
        entry: Entry,
        *,
        heading: str | None = None,
        changes: list[str] | None = None,
        revisable: bool = True,
    ) -> None:
        super().__init__()
        self.entry = entry
        #: Another heading and reasons: an entry waiting behind another one's decision.
        self.heading = heading
        self.changes = changes
        self.revisable = revisable

    def compose(self) -> ComposeResult:
        entry = self.entry
        with Vertical(classes="dialog"):
            yield Label(
                Content.assemble(
                    (
                        st.clean(self.heading, one_line=True)
                        if self.heading
                        else f"#{st.clean(entry.ticket_id, one_line=True)} changed since your"
                        " draft began",
                        "bold",
                    )
                )
            )
            reasons = self.changes if self.changes is not None else entry.conflict or []
            changes = [st.line(line) for line in reasons] or [Content("(unknown)")]
            yield Static(
                Content("\n").join(Content.assemble("• ", c) for c in changes), id="changes"
            )
            yield Label(Content.styled("Your reply" if self.revisable else "It", "$text-muted"))
            body = entry.payload.get("body", "") or entry.label
            yield Static(
                st.literal(body if len(body) < 800 else body[:800] + "…"), classes="preview"
            )
            key = partial(key_for, self.app, "conflict")
            yield Label(
                Content.assemble(
                    *(
                        ((key("revise"), "$text-accent bold"), " revise   ")
                        if self.revisable
                        else ()
                    ),
                    (key("conflict_send"), "$text-accent bold"),
                    " send anyway   ",
                    (key("discard"), "$text-accent bold"),
                    " discard   ",
                    (key("decide_later"), "$text-accent bold"),
                    " later",
                ),
                classes="keys",
            )

    def action_choose(self, choice: str) -> None:
        if choice == "revise" and not self.revisable:
            return
        self.dismiss(choice or None)
