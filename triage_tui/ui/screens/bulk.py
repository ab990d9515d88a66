"""Bulk actions on marked tickets: choose the action, preview every change, confirm.

``BulkActionScreen`` asks what to do to the N marked tickets, then the
action's parameter, then shows ``BulkPreviewScreen``: every planned change
(``engine.bulk_preview.preview``: before → after per ticket), the batch's
warnings (closing VIP tickets, more than 50 tickets, replies that cannot be
undone) and the confirmation with the count. Confirmed, the action screen is
dismissed with a ``BulkChoice``; the caller writes it with ``apply_choice``
(``engine.bulk.apply``) and can undo the whole batch with ``engine.bulk.undo``.
Nothing is written by these screens.

``BulkActionScreen`` keys:

| key | action |
| --- | --- |
| ``a`` | assign to an agent of the helpdesk (completion; ``me``: the profile's agent) |
| ``t`` | tags: ``word`` adds, ``-word`` removes |
| ``s`` | set status (then ``o`` open, ``p`` pending, ``h`` on hold, ``v`` solved, ``c`` closed) |
| ``p`` | set priority (then ``u`` urgent, ``h`` high, ``n`` normal, ``l`` low) |
| ``m`` | apply a macro (its reply rendered per ticket, tags, status, priority, note) |
| ``x`` | escalate with a reason |
| ``escape`` | cancel |

``BulkPreviewScreen`` keys: ``enter`` apply to the N tickets, ``escape`` back
(nothing written), ``↑``/``↓`` scroll. A macro reply with an unfilled
placeholder blocks the batch: the same reply would reach every customer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial

from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Label, Static
from textual.widgets.option_list import Option

from triage_tui.domain.enums import Priority, Status
from triage_tui.domain.errors import TriageError
from triage_tui.domain.models import Escalation
from triage_tui.domain.queue import QueueRow
from triage_tui.domain.replies.drafting import DraftContext, unfilled_placeholders
from triage_tui.domain.replies.macros import Macro
from triage_tui.domain.text import count
from triage_tui.engine import bulk, bulk_preview
from triage_tui.engine.bulk import BulkResult, UndoResult
from triage_tui.engine.bulk_preview import BulkAction, PlannedChange
from triage_tui.engine.directory import AGENT, Directory, directory_of
from triage_tui.ui import safe_text as st
from triage_tui.ui.console import ConsoleApp
from triage_tui.ui.keys import bindings, key_for
from triage_tui.ui.screens.ask import (
    AskScreen,
    ChoiceScreen,
    ListPickScreen,
    PickNameScreen,
    keys_line,
)

_PRIORITIES = [
    ("u", "urgent", "urgent"),
    ("h", "high", "high"),
    ("n", "normal", "normal"),
    ("l", "low", "low"),
]

_STATUSES = [
    ("o", "open", "open"),
    ("p", "pending", "pending"),
    ("h", "on_hold", "on hold"),
    ("v", "solved", "solved"),
    ("c", "closed", "closed"),
]


@dataclass(frozen=True)
class BulkChoice:
    """The agent's confirmed batch: what ``BulkActionScreen`` is dismissed with."""

    action: BulkAction
    changes: tuple[PlannedChange, ...]

    @property
    def count(self) -> int:
        return sum(1 for c in self.changes if not c.noop)


async def apply_choice(helpdesk: object, choice: BulkChoice) -> BulkResult:
    """Write the batch (``engine.bulk.apply``); raises ``TriageError`` before any write it
    cannot do.
    """
    return await bulk.apply(helpdesk, choice.changes, action=choice.action.label)  # type: ignore[arg-type]


def applied_line(result: BulkResult) -> str:
    """``Applied "status solved" to 12 tickets · 1 failed: 1042 (…)``."""
    n = len(result.applied)
    line = f'Applied "{result.action}" to {n} ticket{"s" if n != 1 else ""}'
    if result.failed:
        line += f" · {len(result.failed)} failed: " + "; ".join(
            f"{i} ({e})" for i, e in result.failed[:3]
        )
    return line


def undone_line(outcome: UndoResult) -> str:
    """``Undid the batch on 12 tickets · left alone: 1042 (status) · not undoable: …``."""
    restored = len(outcome.restored)
    line = f"Undid the batch on {count(restored, 'ticket')}"
    if outcome.left_alone:
        line += " · left alone (changed since): " + ", ".join(
            f"{i} ({', '.join(f)})" for i, f in outcome.left_alone
        )
    if outcome.irreversible:
        line += " · cannot be taken back: " + ", ".join(outcome.irreversible[:5])
    if outcome.failed:
        line += f" · {len(outcome.failed)} failed"
    return line


def parse_tags(text: str) -> tuple[list[str], list[str]]:
    """``api +sso -billing`` → (["api", "sso"], ["billing"])."""
    add: list[str] = []
    remove: list[str] = []
    for word in text.split():
        if word.startswith("-") and len(word) > 1:
            remove.append(word[1:])
        elif word.lstrip("+"):
            add.append(word.lstrip("+"))
    return add, remove


def macro_action(
    macro: Macro, rows: Sequence[QueueRow], *, agent: str, team: str
) -> tuple[BulkAction, list[str]]:
    """The macro as a batch (its reply rendered per requester) and the tickets whose reply is
    unfinished.
    """
    from triage_tui import paths

    templates = paths.user_templates_dir()
    replies: dict[str, str] = {}
    notes: set[str] = set()
    unfinished: list[str] = []
    for row in rows:
        words = row.requester.split()
        ctx = DraftContext(
            first_name=words[0] if words else "",
            agent=agent,
            team=team,
            ticket_id=row.id,
            subject=row.subject,
        )
        text, _cursor = macro.render(ctx, templates)
        replies[row.id] = text
        if unfilled_placeholders(text):
            unfinished.append(row.id)
        if macro.note.strip():
            notes.add(macro.render_note(ctx))
    note = (
        (notes.pop() if len(notes) == 1 else f"Macro applied in bulk: {macro.title}")
        if notes
        else None
    )
    action = BulkAction.macro(
        macro.name,
        tags=macro.tags,
        status=macro.status,
        priority=macro.priority,
        replies=replies,
        note=note,
    )
    return action, unfinished


def change_line(change: PlannedChange) -> Content:
    parts: list[Content | tuple[str, str] | str] = [
        ("• ", "$text-muted"),
        st.line(change.describe()),
        ("  " if change.subject else "", ""),
        st.line(change.subject[:50], "$text-muted"),
    ]
    if change.vip:
        parts.append((" ★", "$text-warning bold"))
    for warning in change.warnings:
        parts += ["  ", ("⚠ ", "$text-warning bold"), st.line(warning, "$text-warning")]
    return Content.assemble(*parts)


class BulkPreviewScreen(ModalScreen[bool]):
    """Every planned change and the confirmation; ``enter`` applies, ``escape`` goes back."""

    DEFAULT_CSS = """
    BulkPreviewScreen { align: center middle; }
    BulkPreviewScreen > #bulk-preview { width: 94%; max-width: 130; height: 90%;
        border: thick $primary; background: $surface; padding: 0 1; }
    BulkPreviewScreen #bulk-title {
        text-style: bold;
        background: $panel;
        width: 100%;
        padding: 0 1;
    }
    BulkPreviewScreen #bulk-warnings { margin: 1 0 0 0; }
    BulkPreviewScreen #bulk-changes { height: 1fr; margin-top: 1; }
    BulkPreviewScreen #bulk-keys {
        dock: bottom;
        height: 1;
        background: $panel;
        width: 100%;
        padding: 0 1;
    }
    """

    BINDINGS = bindings("bulk_preview")

    def __init__(
        self,
        action: BulkAction,
        changes: Sequence[PlannedChange],
        unfinished: Sequence[str] = (),
        directory: Directory | None = None,
    ) -> None:
        super().__init__()
        self.action = action
        self.changes = list(changes)
        self.unfinished = list(unfinished)
        self.count = sum(1 for c in self.changes if not c.noop)
        self.directory = directory
        #: An assignee or group the helpdesk does not list (read when shown).
        self.unknown: list[str] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="bulk-preview"):
            yield Label(
                st.line(bulk_preview.confirmation(self.action, self.changes)), id="bulk-title"
            )
            yield Static(self._warnings(), id="bulk-warnings")
            with VerticalScroll(id="bulk-changes"):
                yield Static(
                    Content("\n").join(change_line(c) for c in self.changes), id="bulk-list"
                )
            back = (key_for(self.app, "bulk_preview", "cancel"), "back: nothing is written")
            if self.unfinished or not self.count:
                keys = keys_line(back)
            else:
                apply = key_for(self.app, "bulk_preview", "bulk_apply")
                keys = keys_line((apply, f"apply to {count(self.count, 'ticket')}"), back)
            yield Label(keys, id="bulk-keys")

    def _warnings(self) -> Content:
        lines = [
            Content.assemble(("⚠ ", "$text-warning bold"), st.line(w, "$text-warning"))
            for w in bulk_preview.warnings(self.changes, self.unknown)
        ]
        if self.unfinished:
            ids = ", ".join(self.unfinished[:8]) + (" …" if len(self.unfinished) > 8 else "")
            lines.insert(
                0,
                Content.assemble(
                    ("✖ ", "$text-error bold"),
                    st.line(
                        f"{len(self.unfinished)} replies still have an unfilled placeholder "
                        f"({ids}): "
                        "fill the macro's template first; nothing can be applied",
                        "$text-error",
                    ),
                ),
            )
        if not lines:
            return Content.styled(
                "No warnings. Every change below can be undone as one batch.", "$text-success"
            )
        return Content("\n").join(lines)

    def on_mount(self) -> None:
        self.query_one("#bulk-changes", VerticalScroll).focus()
        if self.directory is not None:
            self.run_worker(self._check_names(self.directory), group="bulk-names")

    async def _check_names(self, directory: Directory) -> None:
        action = self.action
        try:
            agents = await directory.agents() if action.set_assignee else None
            moves = action.group or (action.escalation and action.escalation.group)
            groups = await directory.groups() if moves else None
        except TriageError as error:
            self.unknown = [f"the helpdesk's names could not be read to check them: {error}"]
        else:
            self.unknown = bulk_preview.unknown_names(action, agents, groups)
        if self.unknown:
            self.query_one("#bulk-warnings", Static).update(self._warnings())
            title = bulk_preview.confirmation(action, self.changes, self.unknown)
            self.query_one("#bulk-title", Label).update(st.line(title))

    def action_confirm(self) -> None:
        if self.unfinished:
            self.notify(
                "Unfilled placeholders: this batch cannot be applied.",
                severity="error",
                markup=False,
            )
        elif not self.count:
            self.notify("Nothing to change: every ticket is already as asked.", markup=False)
        else:
            self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)


class MacroPickScreen(ListPickScreen):
    """Pick a macro: ``↑``/``↓`` and ``enter``; ``escape`` cancels."""

    BINDINGS = bindings("macro_pick")
    QUESTION = "Apply which macro?"
    LIST_ID = "macro-list"
    SCOPE = "macro_pick"

    def __init__(self, macros: dict[str, Macro]) -> None:
        super().__init__()
        self.macros = macros

    def options(self) -> list[Option]:
        return [
            Option(
                Content.assemble(
                    st.line(m.title, "bold"), "  ", st.line(m.summary(), "$text-muted")
                ),
                id=name,
            )
            for name, m in self.macros.items()
        ]


class BulkActionScreen(ModalScreen[BulkChoice | None]):
    """Choose the action for the marked tickets; see the module docstring for the keys."""

    DEFAULT_CSS = "BulkActionScreen { align: center middle; }"
    BINDINGS = bindings("bulk_menu")

    def __init__(
        self,
        rows: Sequence[QueueRow],
        *,
        agent: str,
        team: str,
        macros: dict[str, Macro] | None = None,
    ) -> None:
        super().__init__()
        self.rows = list(rows)
        self.agent, self.team = agent, team
        self._macros = macros

    def compose(self) -> ComposeResult:
        n = len(self.rows)
        with Vertical(classes="dialog"):
            yield Label(Content.styled(f"Bulk action on {count(n, 'marked ticket')}", "bold"))
            yield Label(
                Content.styled(
                    "Every change is previewed before anything is written, "
                    "and the batch undoes as one.",
                    "$text-muted",
                )
            )
            key = partial(key_for, self.app, "bulk_menu")
            for binding_id, label in (
                ("bulk_assign", "assign"),
                ("bulk_tag", "tag / untag"),
                ("bulk_status", "set status"),
                ("bulk_priority", "set priority"),
                ("bulk_macro", "apply a macro"),
                ("bulk_escalate", "escalate"),
            ):
                yield Label(keys_line((key(binding_id), label)))
            yield Label(keys_line((key("cancel"), "cancel")), classes="keys")

    @property
    def n(self) -> str:
        return count(len(self.rows), "ticket")

    def _preview(self, action: BulkAction, unfinished: Sequence[str] = ()) -> None:
        changes = bulk_preview.preview(self.rows, action)

        def done(confirmed: bool | None) -> None:
            if confirmed:
                self.dismiss(BulkChoice(action, tuple(changes)))

        directory = directory_of(self.app.helpdesk) if isinstance(self.app, ConsoleApp) else None
        self.app.push_screen(BulkPreviewScreen(action, changes, unfinished, directory), done)

    def action_assign(self) -> None:
        def done(name: str | None) -> None:
            if name is not None:
                self._preview(BulkAction.assign(name or None))

        if not isinstance(self.app, ConsoleApp):
            return
        picker = PickNameScreen(
            Content(f"Assign {self.n} to"),
            directory_of(self.app.helpdesk),
            AGENT,
            me=self.agent,
            allow_empty=True,
        )
        self.app.push_screen(picker, done)

    def action_tag(self) -> None:
        def done(text: str | None) -> None:
            if text:
                add, remove = parse_tags(text)
                self._preview(BulkAction.tag(add, remove))

        hint = Content("words are added, -word removes: api -billing")
        self.app.push_screen(
            AskScreen(Content(f"Tags for {self.n}"), hint=hint, placeholder="api -billing"), done
        )

    def action_status(self) -> None:
        def done(value: str | None) -> None:
            if value is not None:
                self._preview(BulkAction.set_status(Status(value)))

        self.app.push_screen(
            ChoiceScreen(Content(f"Set the status of {self.n} to"), _STATUSES), done
        )

    def action_priority(self) -> None:
        def done(value: str | None) -> None:
            if value is not None:
                self._preview(BulkAction.set_priority(Priority(value)))

        self.app.push_screen(
            ChoiceScreen(Content(f"Set the priority of {self.n} to"), _PRIORITIES), done
        )

    def action_escalate(self) -> None:
        def done(reason: str | None) -> None:
            if reason:
                escalation = Escalation(reason=reason, tags=["escalated"])
                self._preview(BulkAction.escalate(escalation))

        self.app.push_screen(
            AskScreen(
                Content(f"Escalate {self.n}: the reason"), placeholder="why these need escalating"
            ),
            done,
        )

    def action_macro(self) -> None:
        try:
            macros = self._macros if self._macros is not None else _user_macros(self)
        except TriageError as error:
            self.notify(f"Macros unavailable: {error}", severity="error", markup=False)
            return

        def done(name: str | None) -> None:
            if name is not None and name in macros:
                action, unfinished = macro_action(
                    macros[name], self.rows, agent=self.agent, team=self.team
                )
                self._preview(action, unfinished)

        self.app.push_screen(MacroPickScreen(macros), done)

    def action_cancel(self) -> None:
        self.dismiss(None)


def _user_macros(screen: BulkActionScreen) -> dict[str, Macro]:
    """The built-in and user macros; a broken user file is reported and skipped."""
    from triage_tui.domain.replies.macros import user_macros

    errors: list[str] = []
    macros = user_macros(errors=errors)
    for error in errors:
        screen.notify(error, severity="warning", markup=False)
    return macros
