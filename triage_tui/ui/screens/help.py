"""The `?` screen: every key of the console, read from the bindings themselves.

Built from the ``BINDINGS`` of each screen and widget so it can never drift
from what the keys actually do.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from triage_tui.ui.keys import bindings, rebound

_KEY_NAMES = {
    "question_mark": "?",
    "slash": "/",
    "asterisk": "*",
    "space": "space",
    "escape": "esc",
    "shift+tab": "shift+tab",
}


def _keys(binding: Binding) -> str:
    if binding.key_display:
        return binding.key_display
    keys = [k.strip() for k in binding.key.split(",")]
    return " ".join(_KEY_NAMES.get(k, k) for k in keys)


def _section(title: str, bindings: list[Binding], extra: Sequence[tuple[str, str]] = ()) -> Content:
    lines: list[Content | tuple[str, str] | str] = [(title, "bold underline")]
    seen: set[str] = set()
    # A binding's tooltip is its long description (the footer shows the short one).
    rows = [(_keys(b), b.tooltip or b.description or b.action) for b in bindings] + list(extra)
    for keys, description in rows:
        if keys in seen:
            continue
        seen.add(keys)
        lines += ["\n", (f"  {keys:<16}", "$text-accent bold"), description]
    return Content.assemble(*lines)


def help_sections(
    everywhere: Sequence[BindingType], keymap: Mapping[str, str] | None = None
) -> list[Content]:
    """The sections of the help screen; ``everywhere`` are the app's own keys, and
    ``keymap`` the ``[keymap]`` in force (its keys replace the defaults shown)."""
    from triage_tui.ui.screens.desk import DeskScreen
    from triage_tui.ui.screens.main import MainScreen
    from triage_tui.ui.screens.prompts import SendScreen
    from triage_tui.ui.widgets.draft import DraftEditor, DraftPane
    from triage_tui.ui.widgets.find_bar import FindBar
    from triage_tui.ui.widgets.queue import QueueView

    def as_bindings(items: Iterable[BindingType]) -> list[Binding]:
        found = [b if isinstance(b, Binding) else Binding(*b) for b in items]
        return [rebound(b, keymap or {}) for b in found]

    return [
        _section(
            "Actions on the current ticket",
            as_bindings([*MainScreen.BINDINGS, *DeskScreen.BINDINGS]),
        ),
        # "open" is the footer's short name for the enter binding listed after it.
        _section("Queue", [b for b in as_bindings(QueueView.BINDINGS) if b.action != "open"]),
        _section(
            "Draft editor",
            as_bindings([*DraftEditor.BINDINGS, *DraftPane.BINDINGS]),
            [
                ("tab", "Next pane"),
                ("ctrl+z ctrl+y", "Undo / redo typing"),
            ],
        ),
        _section("Find box (ctrl+f)", as_bindings(FindBar.BINDINGS), [("enter", "Next match")]),
        _section("Send dialog", as_bindings(SendScreen.BINDINGS)),
        _section(
            "Everywhere",
            as_bindings(everywhere),
            [
                ("ctrl+p", "Command palette: actions, themes, keys"),
                ("tab shift+tab", "Move between panes"),
            ],
        ),
    ]


class HelpScreen(ModalScreen[None]):
    """Every key, grouped by where it works. Any of esc, q or ? closes it."""

    BINDINGS = bindings("help")

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog help"):
            yield Static(Content.styled("triage — keys", "bold"), classes="help-title")
            for section in help_sections(self.app.BINDINGS, getattr(self.app, "keymap", None)):
                yield Static(section, classes="help-section")
            yield Static(
                Content.styled("esc, q or ? closes this screen", "$text-muted"),
                classes="help-footer",
            )

    def action_close(self) -> None:
        self.dismiss(None)
