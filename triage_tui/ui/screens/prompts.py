"""The confirmation dialogs behind Send and Escalate.

Both are keyboard-first modals: Enter accepts the default, Escape cancels and
writes nothing. They return a plain result object (or None when cancelled) to
the main screen, which does the writing.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from triage_tui.domain.enums import Status
from triage_tui.domain.errors import TriageError
from triage_tui.domain.names import match_name
from triage_tui.ui import safe_text as st
from triage_tui.ui.keys import bindings, key_for
from triage_tui.ui.widgets.safe_input import SafeInput

if TYPE_CHECKING:
    from triage_tui.engine.directory import Directory


class SendScreen(ModalScreen[Status | None]):
    """Send the draft as a public reply, then set pending or solved.

    Keys: ``enter`` send with the default status, ``p`` send and set pending,
    ``s`` send and set solved, ``escape`` cancel.
    """

    BINDINGS = bindings("send")

    def __init__(
        self,
        ticket_id: str,
        requester: str,
        body: str,
        default: Status,
        blocking: list[str] | None = None,
        changed: list[str] | None = None,
    ) -> None:
        super().__init__()
        self.ticket_id = ticket_id
        #: What someone else changed on the ticket since it was opened (live queue).
        self.changed = changed or []
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
            # The keys in force: a [keymap] may have rebound the dialog's.
            key = partial(key_for, self.app, "send")
            if self.changed:
                changed: list[Content | tuple[str, str] | str] = [
                    ("⚠ Changed since you opened it:", "$text-warning bold")
                ]
                for line in self.changed:
                    changed += ["\n  • ", st.line(line)]
                yield Label(Content.assemble(*changed), classes="changed")
            if self.blocking:
                lines: list[Content | tuple[str, str] | str] = [
                    (f"✖ {len(self.blocking)} blocking safeguard finding(s):", "$text-error bold")
                ]
                for reason in self.blocking:
                    lines += ["\n  • ", Content(reason)]
                lines += [
                    "\n",
                    (key("send_anyway"), "$text-accent bold"),
                    f" send anyway (status {self.default.value})   ",
                    (key("cancel"), "$text-accent bold"),
                    " back to the draft",
                ]
                yield Label(Content.assemble(*lines), classes="blocking")
                return
            yield Label(
                Content.assemble(
                    (key("send_default"), "$text-accent bold"),
                    f" send and set {self.default.value}   ",
                    (key(f"send_{other.value}"), "$text-accent bold"),
                    f" send and set {other.value}   ",
                    (key("cancel"), "$text-accent bold"),
                    " cancel",
                ),
                classes="keys",
            )

    def action_send_default(self) -> None:
        if self.blocking:
            key = partial(key_for, self.app, "send")
            self.notify(
                f"Safeguards block this draft: {key('send_anyway')} sends anyway,"
                f" {key('cancel')} goes back.",
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
    #: Where the ticket moves; None keeps its group.
    group: str | None = None


#: The route list's entry that keeps the ticket in its group.
KEEP_GROUP = "keep-group"


class EscalateScreen(ModalScreen[EscalationChoice | None]):
    """Ask for the escalation reason, pre-filled from the rule that fired, and the route.

    The reason is kept as pre-filled with the cursor at its end: typing adds to
    it. Where the helpdesk lists its groups, the route is one of them, picked
    from a list: the rule's route preselected when it names a group (a close
    spelling counts: "billing queue" is Billing), else *keep the current group*.

    Keys: ``enter`` escalate, ``tab`` between reason, route and note,
    ``↑``/``↓`` pick the route, ``escape`` cancel.
    """

    DEFAULT_CSS = """
    EscalateScreen #route { height: auto; max-height: 8; margin-bottom: 1; }
    """
    BINDINGS = bindings("escalate")

    def __init__(
        self,
        ticket_id: str,
        reason: str,
        note: str,
        route: str | None,
        directory: Directory | None = None,
    ) -> None:
        super().__init__()
        self.ticket_id = ticket_id
        self.reason = reason
        self.note = note
        self.route = route
        self.directory = directory
        #: The helpdesk's groups once read (None: it lists none, the route goes as it is).
        self.groups: list[str] | None = None
        self._loaded = asyncio.Event()

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(
                Content.styled(f"Escalate #{st.clean(self.ticket_id, one_line=True)}", "bold")
            )
            yield Label(Content("Reason (typing adds to it)"))
            yield SafeInput(
                value=st.clean(self.reason, one_line=True),
                id="reason",
                placeholder="why this needs escalating",
                select_on_focus=False,
            )
            yield Label(self._route_label(), id="route-label")
            route_list = OptionList(id="route")
            route_list.display = False
            yield route_list
            yield Label(Content("Internal note (optional; the rules that fired are added)"))
            yield SafeInput(
                value=st.clean(self.note, one_line=True),
                id="note",
                placeholder="context for the next person",
                select_on_focus=False,
            )
            yield Label(
                Content.assemble(
                    ("enter", "$text-accent bold"),
                    " escalate   ",
                    ("tab", "$text-accent bold"),
                    " next field   ",
                    ("↑↓", "$text-accent bold"),
                    " route   ",
                    (key_for(self.app, "escalate", "cancel"), "$text-accent bold"),
                    " cancel",
                ),
                classes="keys",
            )
            yield Label(Content(""), id="escalate-error", classes="error")

    def _route_label(self) -> Content:
        if self.route:
            return Content.assemble("Route: ", st.line(self.route, "$text-accent"))
        return Content("Route: none suggested")

    def on_mount(self) -> None:
        reason = self.query_one("#reason", Input)
        reason.focus()
        reason.cursor_position = len(reason.value)
        self.run_worker(self._load_groups(), exclusive=True, group="route")

    async def _load_groups(self) -> None:
        try:
            if self.directory is not None and self.directory.lists_groups():
                self.groups = await self.directory.groups()
        except TriageError as error:
            self.query_one("#route-label", Label).update(
                Content.assemble(self._route_label(), st.line(f" (groups not read: {error})"))
            )
        finally:
            self._loaded.set()
        if self.groups:
            self._show_groups(self.groups)

    def _show_groups(self, groups: list[str]) -> None:
        suggested = match_name(self.route, groups).name if self.route else None
        options = [Option("keep the current group", id=KEEP_GROUP)]
        options += [Option(st.line(g), id=f"group:{g}") for g in groups]
        route_list = self.query_one("#route", OptionList)
        route_list.add_options(options)
        route_list.highlighted = 1 + groups.index(suggested) if suggested else 0
        route_list.display = True
        label = self.query_one("#route-label", Label)
        if suggested:
            label.update(
                Content.assemble(
                    "Route (the rule suggests ", st.line(self.route or ""), "): ↑↓ to change"
                )
            )
        elif self.route:
            label.update(
                Content.assemble(
                    "Route: the rule's ",
                    st.line(self.route, "$text-warning"),
                    " is not a group here; pick one or keep the group",
                )
            )
        else:
            label.update(Content("Route: pick a group or keep the current one"))

    def chosen_group(self) -> str | None:
        """The group the ticket moves to: the list's pick, or the rule's route as it is
        when the helpdesk lists no groups."""
        if not self.groups:
            return self.route
        option = self.query_one("#route", OptionList).highlighted_option
        if option is None or option.id is None or option.id == KEEP_GROUP:
            return None
        return option.id.removeprefix("group:")

    def key_up(self) -> None:
        self._move_route(-1)

    def key_down(self) -> None:
        self._move_route(1)

    def _move_route(self, step: int) -> None:
        """↑/↓ pick the route from the reason or the note too: no need to tab to the list."""
        route_list = self.query_one("#route", OptionList)
        if route_list.has_focus or not route_list.display or not route_list.option_count:
            return
        current = route_list.highlighted or 0
        route_list.highlighted = max(0, min(route_list.option_count - 1, current + step))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._submit()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._submit()

    def _submit(self) -> None:
        reason = self.query_one("#reason", Input).value.strip()
        if not reason:
            self.query_one("#escalate-error", Label).update(Content("A reason is required."))
            self.query_one("#reason", Input).focus()
            return
        note = self.query_one("#note", Input).value.strip()
        self.run_worker(self._dismiss_when_loaded(reason, note), group="submit")

    async def _dismiss_when_loaded(self, reason: str, note: str) -> None:
        # Enter pressed before the groups arrived waits for them: the route is then
        # the one the list would have preselected, never the rule's unchecked name.
        await self._loaded.wait()
        self.dismiss(EscalationChoice(reason, note, self.chosen_group()))

    def action_cancel(self) -> None:
        self.dismiss(None)
