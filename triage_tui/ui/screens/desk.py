"""The ticket desk: the open ticket, its draft, keys typed ahead of it, Send / Edit / Escalate.

The main screen and the sweep each own one (``DeskScreen.desk``). The agent
asks for a ticket (``requested_id``); ``view`` is the one loaded. An action
needs the requested ticket loaded (``need``): a key typed while it loads, or
while a write is on its way (``busy``), is held and run once the ticket is on
screen (``take_held``), never on the view still showing. On the main screen a
held key belongs to the ticket it was typed on and a newer one replaces it; in
a sweep (``keys_move_on``) each decision moves on by itself, so the keys are
kept in order and each acts on the ticket shown next. After a key that opens a
dialog the rest are dropped: they were meant for the dialog.

Send and Escalate ask here (the prompts are the same on both screens); what
follows (the write, moving on) is the screen's, through the ``then`` callback.

Drafts: one per ticket, wherever it is edited. Every desk reads and writes the
app's ``edited_drafts`` (the main screen's and a sweep's are the same), which
holds only drafts that differ from the template: a draft typed back to the
template, or reset to it (``ctrl+r``), is no longer an edited draft; one sent
is gone. The app's safekeeping keeps the same drafts on disk.

While a text field has focus (the draft editor, the filter box) the footer
shows only the keys that still act: a letter types, so the screen's letter
keys are left out (``active_bindings``).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from textual.binding import ActiveBinding
from textual.keys import _character_to_key
from textual.widget import Widget
from textual.widgets import Input

from triage_tui.domain import events
from triage_tui.ui.console import ConsoleScreen
from triage_tui.ui.keys import bindings, shown_key

# The prompts, the draft pane and the models are imported when an action needs
# them: the console's first screen (the queue) never pays for them.
if TYPE_CHECKING:
    from triage_tui.domain.enums import Status
    from triage_tui.domain.safeguards.checks import Finding
    from triage_tui.engine.loader import TicketLoader, TicketView
    from triage_tui.engine.outbox_model import Entry
    from triage_tui.ui.screens.prompts import EscalationChoice
    from triage_tui.ui.widgets.draft import DraftPane
    from triage_tui.ui.widgets.find_bar import FindBar

ResultType = TypeVar("ResultType")

#: Actions that open a dialog: keys typed after them were meant for the dialog.
DIALOGS = frozenset({"send", "escalate", "note", "assign", "copy", "edit_external"})

#: Generated drafts kept (to tell an edited draft from the generated one).
GENERATED_KEPT = 64

#: Binding keys of the printable ASCII characters ("s", "slash", "question_mark"…).
PRINTABLE_KEYS = frozenset(_character_to_key(chr(code)) for code in range(32, 127))


def takes_typing(widget: Widget | None) -> bool:
    """A text field that types printable keys has focus (they do not reach the screen)."""
    if isinstance(widget, Input):
        return True
    # TextArea is looked up, not imported: the console's first screen does not load it,
    # and until it is loaded nothing on screen can be one.
    text_area = sys.modules.get("textual.widgets._text_area")
    return text_area is not None and isinstance(widget, text_area.TextArea) and not widget.read_only


class TicketDesk:
    def __init__(
        self,
        screen: ConsoleScreen[Any],
        *,
        keys_move_on: bool = False,
        on_hold: Callable[[], None] | None = None,
        log: Callable[[str, str, dict[str, Any]], None] | None = None,
    ) -> None:
        self.screen = screen
        self.keys_move_on = keys_move_on
        #: Where the desk's own events go (the sweep keeps its log in order); by
        #: default straight to the helpdesk's event log.
        self.log = log or self._record
        #: Tickets whose generated draft the agent edited this session (``draft.edited``).
        self.edited: set[str] = set()
        #: Called when a key is held (the sweep shows how many wait).
        self.on_hold = on_hold
        # The ticket the agent last asked for; actions apply to it, never to a
        # stale view still on screen while it loads.
        self.requested_id: str | None = None
        self.view: TicketView | None = None
        #: The draft as generated, by ticket id (the newest ``GENERATED_KEPT``).
        self.generated: dict[str, str] = {}
        #: Keys typed ahead: (action, the ticket requested when it was typed).
        self.held: list[tuple[str, str]] = []
        #: A write is on its way: keys wait for it.
        self.busy = False
        #: No more actions (the sweep is ending).
        self.closed = False

    @property
    def drafts(self) -> dict[str, str]:
        """Edited drafts by ticket id, shared by every desk of the app (see the module doc)."""
        return self.screen.app.edited_drafts

    @property
    def waiting(self) -> list[str]:
        """The actions of the keys held, in order."""
        return [action for action, _ticket in self.held]

    # -- keys typed ahead ------------------------------------------------------
    def need(self, action: str) -> TicketView | None:
        """The loaded view of the requested ticket, or None (``action`` is held while it loads)."""
        if self.closed:
            return None
        if self.requested_id is None:
            self.screen.app.notify("No ticket is open.", severity="warning", markup=False)
            return None
        if self.busy or self.view is None or self.view.detail.ticket.id != self.requested_id:
            if self.keys_move_on:
                self.held.append((action, self.requested_id))
            else:
                self.held = [(action, self.requested_id)]
            if self.on_hold is not None:
                self.on_hold()
            return None
        return self.view

    def next_held(self) -> str | None:
        return self.held[0][0] if self.held else None

    def take_held(self, ticket_id: str) -> str | None:
        """The held key to run now that ``ticket_id`` is on screen, if any."""
        if not self.held or (not self.keys_move_on and self.held[0][1] != ticket_id):
            return None
        action = self.held.pop(0)[0]
        if action in DIALOGS:
            self.held.clear()
        return action

    def drop_held(self) -> None:
        self.held.clear()

    def close(self) -> None:
        """No more actions: the held keys go, new ones are ignored."""
        self.closed = True
        self.held.clear()

    # -- the draft -------------------------------------------------------------
    def load_draft(self, loader: TicketLoader, view: TicketView) -> None:
        """The draft pane shows the agent's draft of this ticket, or a generated one."""
        ticket_id = view.detail.ticket.id
        template, cursor = loader.draft(view, self.screen.app.profile)
        if (problem := loader.untold_template_problem()) is not None:
            self.screen.app.notify(problem, severity="warning", markup=False, timeout=10)
        self.generated.pop(ticket_id, None)
        self.generated[ticket_id] = template
        while len(self.generated) > GENERATED_KEPT:
            del self.generated[next(iter(self.generated))]  # the oldest
        text = self.drafts.get(ticket_id)
        from triage_tui.ui.widgets.draft import DraftPane

        pane = self.screen.query_one(DraftPane)
        if text is None:
            pane.load(view, template, cursor, template)
        else:
            pane.load(view, text, None, template)

    def draft_changed(self, text: str) -> None:
        if self.view is None:
            return
        from triage_tui.ui.widgets.draft import DraftPane

        ticket_id = self.view.detail.ticket.id
        if text == self.screen.query_one(DraftPane).template:
            self.drafts.pop(ticket_id, None)  # back to the template: nothing of the agent's
        else:
            self.drafts[ticket_id] = text
        # The first edit of a ticket's draft makes it one the agent prepared: the
        # report's "Drafts prepared" counts these, from the log.
        if ticket_id not in self.edited and text != self.generated.get(ticket_id):
            self.edited.add(ticket_id)
            source = "sweep" if self.keys_move_on else "queue"
            self.log(events.DRAFT_EDITED, ticket_id, {"source": source, "chars": len(text)})

    def _record(self, name: str, ticket_id: str, payload: dict[str, Any]) -> None:
        from triage_tui.engine.recording import record

        self.screen.run_worker(
            record(self.screen.app.helpdesk, name, ticket_id, payload), group="desk-events"
        )

    # -- the actions -------------------------------------------------------------
    def edit(self) -> None:
        from triage_tui.ui.widgets.draft import DraftPane

        if self.need("edit"):
            editor = self.screen.query_one(DraftPane).editor
            editor.focus()
            editor.select_placeholder(after_cursor=False)  # typing replaces it

    def edit_external(self) -> None:
        """The draft in the agent's ``$VISUAL`` / ``$EDITOR`` (``ui/external_editor``); the
        text saved there becomes the draft, and its safeguard findings are said."""
        view = self.need("edit_external")
        if view is None:
            return
        from triage_tui.domain.safeguards import checks as safeguards
        from triage_tui.ui import external_editor
        from triage_tui.ui.widgets.draft import DraftPane

        app = self.screen.app
        pane = self.screen.query_one(DraftPane)
        try:
            text = external_editor.edit(pane.text, view.detail.ticket.id, app.suspend)
        except external_editor.EditorFailed as error:
            app.notify(str(error), severity="warning", markup=False, timeout=8)
            return
        if not pane.replace_text(text):
            app.notify("The draft came back from the editor unchanged.", markup=False, timeout=4)
            return
        findings = pane.recheck()
        found = "no safeguard findings"
        if findings:
            found = f"safeguards: {safeguards.summary(findings)}"
        blocking = any(f.blocking for f in findings)
        app.notify(
            f"Draft from the editor · {found}",
            severity="warning" if blocking else "information",
            markup=False,
            timeout=6,
        )

    def reset_draft(self) -> None:
        """The template's draft instead of the agent's (an edit: ``ctrl+z`` takes it back)."""
        from triage_tui.ui.widgets.draft import DraftPane

        if self.need("reset_draft") is None:
            return
        if self.screen.query_one(DraftPane).reset_to_template():
            self.screen.app.notify(
                "Draft reset to the template (ctrl+z in the editor takes it back).",
                markup=False,
                timeout=4,
            )
        else:
            self.screen.app.notify("The draft is the template's already.", markup=False, timeout=3)

    def send(
        self,
        then: Callable[[TicketView, str, Status, list[Finding]], object],
        *,
        changed: list[str] | None = None,
    ) -> None:
        """Ask how to send the draft (pending or solved; past blocking safeguards), then
        ``then(view, body, status, blocking findings)``. ``changed``: what someone
        else changed on the ticket since it was opened, shown in the prompt."""
        view = self.need("send")
        if view is None:
            return
        from triage_tui.domain.enums import Status
        from triage_tui.ui.screens.prompts import SendScreen
        from triage_tui.ui.widgets.draft import DraftPane

        ready = self.screen.query_one(DraftPane).ready_to_send()
        if ready is None:
            return
        body, blocking = ready
        ticket = view.detail.ticket
        default = Status(self.screen.app.profile.send_status)

        def done(status: Status | None) -> None:
            if status is not None:
                then(view, body, status, blocking)

        screen = SendScreen(
            ticket.id,
            ticket.requester.name,
            body,
            default,
            blocking=[f.reason for f in blocking],
            changed=changed,
        )
        self.screen.app.push_screen(screen, done)

    def escalate(self, then: Callable[[TicketView, EscalationChoice], object]) -> None:
        """Ask for the reason (pre-filled from the rule that fired), then ``then(view, choice)``."""
        view = self.need("escalate")
        if view is None:
            return
        from triage_tui.engine.directory import directory_of
        from triage_tui.ui.screens.prompts import EscalateScreen

        fired = view.fired_rules
        reason = fired[0].label if fired else ""
        route = fired[0].route if fired else None
        # The note starts empty: the rules that fired and their words are added to it.
        directory = directory_of(self.screen.app.helpdesk)

        def done(choice: EscalationChoice | None) -> None:
            if choice is not None:
                then(view, choice)

        self.screen.app.push_screen(
            EscalateScreen(view.detail.ticket.id, reason, "", route, directory), done
        )


class DeskScreen(ConsoleScreen[ResultType]):
    """A screen with a ticket desk; ``view``, ``requested_id`` and ``drafts`` are the desk's."""

    desk: TicketDesk

    BINDINGS = bindings("desk")

    @property
    def active_bindings(self) -> dict[str, ActiveBinding]:
        """Textual's, without the screen's and app's printable keys while a text field has
        focus: those keys type there (``s`` is a letter in the draft, not Send)."""
        bindings = super().active_bindings
        focused = self.focused
        if not takes_typing(focused):
            return bindings
        return {
            key: active
            for key, active in bindings.items()
            if key not in PRINTABLE_KEYS or active.node is focused or active.binding.priority
        }

    @property
    def view(self) -> TicketView | None:
        return self.desk.view

    @view.setter
    def view(self, value: TicketView | None) -> None:
        self.desk.view = value

    @property
    def requested_id(self) -> str | None:
        return self.desk.requested_id

    @requested_id.setter
    def requested_id(self, value: str | None) -> None:
        self.desk.requested_id = value

    @property
    def drafts(self) -> dict[str, str]:
        return self.desk.drafts

    def action_edit(self) -> None:
        self.desk.edit()

    def took_back(self, entries: list[Entry]) -> bool:
        """``u`` undid ``entries`` (one batch, one ticket): whether this screen went back
        to the ticket itself. The main screen leaves it to the console's safekeeping."""
        return False

    def action_reset_draft(self) -> None:
        self.desk.reset_draft()

    def action_copy(self) -> None:
        """``y``: the copy menu for the open ticket (``ui.screens.copy_menu``)."""
        view = self.desk.need("copy")
        if view is None:
            return
        from triage_tui.ui.screens.copy_menu import CopyMenuScreen, copy_item, copy_items
        from triage_tui.ui.widgets.draft import DraftPane

        ticket_id = view.detail.ticket.id
        # The draft pane of this ticket (the sweep's, or the main screen's).
        shown = [
            p.text for p in self.query(DraftPane) if p.view and p.view.detail.ticket.id == ticket_id
        ]
        items = copy_items(view, shown[0] if shown else "")

        def chosen(kind: str | None) -> None:
            for item in items:
                if item.kind == kind:
                    copy_item(self.app, item, ticket_id)

        self.app.push_screen(CopyMenuScreen(ticket_id, items), chosen)

    def action_open_link(self) -> None:
        """``l``: the ticket's link, copied and shown; no browser (see ``copy_menu``)."""
        view = self.desk.need("open_link")
        if view is None:
            return
        from triage_tui.ui.screens.copy_menu import copied_notice, copy_items

        ticket_id = view.detail.ticket.id
        link = next((i for i in copy_items(view, "") if i.kind == "link"), None)
        if link is None:
            name, key = self.app.helpdesk.display_name, shown_key(self.app, "copy", "y")
            self.app.notify(
                f"No link: this helpdesk ({name}) has no web page for tickets"
                f" ({key} copies the id).",
                markup=False,
            )
            return
        self.app.copy_to_clipboard(link.text)
        self.app.notify(f"{copied_notice(link, ticket_id)}: {link.text}", markup=False)

    def action_edit_external(self) -> None:
        self.desk.edit_external()

    # -- find in the open ticket (ui/widgets/find_bar.py) ------------------------
    async def mount_find_bar(self, bar: FindBar) -> None:
        """Put the find box on screen: under the ticket detail, in its column."""
        from triage_tui.ui.widgets.ticket import TicketPane

        pane = self.query_one(TicketPane)
        column = pane.parent
        assert isinstance(column, Widget)
        await column.mount(bar, after=pane)

    async def _find_bar(self) -> FindBar | None:
        """The find box, mounted the first time it is asked for; None while there is
        no ticket pane to search (the main screen mounts it once the queue is in)."""
        from triage_tui.ui.widgets.find_bar import FindBar
        from triage_tui.ui.widgets.ticket import TicketPane

        found = self.query(FindBar)
        if found:
            return found.first()
        if not self.query(TicketPane):
            return None
        bar = FindBar()
        await self.mount_find_bar(bar)
        return bar

    async def action_find(self) -> None:
        if (bar := await self._find_bar()) is not None:
            bar.open()

    async def action_find_next(self) -> None:
        if (bar := await self._find_bar()) is not None:
            bar.step(1)

    async def action_find_previous(self) -> None:
        if (bar := await self._find_bar()) is not None:
            bar.step(-1)

    def on_draft_pane_changed(self, event: DraftPane.Changed) -> None:  # by name: imported late
        self.desk.draft_changed(event.text)
