"""Small keyboard-first dialogs shared by the sweep, report and bulk screens.

* ``ConfirmScreen`` — yes or no. Keys: ``enter``/``y`` yes, ``escape``/``n`` no.
* ``AskScreen`` — one line of text. Keys: ``enter`` accept, ``escape`` cancel.
* ``ChoiceScreen`` — one key picks one of a few labelled choices; ``escape`` cancels.

Titles and hints are ``Content`` built by the caller (untrusted parts through
``safe_text``); an ``Input``'s value is plain text, never markup.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.events import Key
from textual.screen import ModalScreen
from textual.widgets import Input, Label

from triage_tui.ui.widgets.safe_input import SafeInput

DIALOG_CSS = """
ConfirmScreen, AskScreen, ChoiceScreen { align: center middle; }
"""


def keys_line(*pairs: tuple[str, str]) -> Content:
    """``enter send   esc cancel`` with the keys highlighted."""
    parts: list[Content | tuple[str, str] | str] = []
    for i, (key, label) in enumerate(pairs):
        if i:
            parts.append("   ")
        parts += [(key, "$text-accent bold"), f" {label}"]
    return Content.assemble(*parts)


class ConfirmScreen(ModalScreen[bool]):
    """A yes/no question.

    | key | action |
    | --- | --- |
    | ``enter``, ``y`` | yes |
    | ``escape``, ``n`` | no |
    """

    DEFAULT_CSS = DIALOG_CSS
    BINDINGS = [
        Binding("enter,y", "answer(True)", "Yes", priority=True),
        Binding("escape,n", "answer(False)", "No"),
    ]

    def __init__(
        self, title: Content, detail: Content | None = None, *, yes: str = "yes", no: str = "no"
    ) -> None:
        super().__init__()
        self.title_content = title
        self.detail = detail
        self.yes, self.no = yes, no

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_content.stylize("bold"))
            if self.detail is not None:
                yield Label(self.detail, classes="preview")
            yield Label(keys_line(("enter", self.yes), ("esc", self.no)), classes="keys")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


class AskScreen(ModalScreen[str | None]):
    """One line of text, e.g. an internal note or an assignee.

    | key | action |
    | --- | --- |
    | ``enter`` | accept (refused when empty unless ``allow_empty``) |
    | ``escape`` | cancel, nothing is written |
    """

    DEFAULT_CSS = DIALOG_CSS
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(
        self,
        title: Content,
        *,
        value: str = "",
        placeholder: str = "",
        hint: Content | None = None,
        allow_empty: bool = False,
    ) -> None:
        super().__init__()
        self.title_content = title
        self.value = value
        self.placeholder = placeholder
        self.hint = hint
        self.allow_empty = allow_empty

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_content.stylize("bold"))
            if self.hint is not None:
                yield Label(self.hint.stylize("$text-muted"))
            yield SafeInput(value=self.value, placeholder=self.placeholder, id="ask-input")
            yield Label(keys_line(("enter", "accept"), ("esc", "cancel")), classes="keys")
            yield Label(Content(""), id="ask-error", classes="error")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        text = event.value.strip()
        if not text and not self.allow_empty:
            self.query_one("#ask-error", Label).update(Content("Type something, or esc to cancel."))
            return
        self.dismiss(text)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ChoiceScreen(ModalScreen[str | None]):
    """Pick one of a few choices with its key.

    ``choices`` are ``(key, value, label)``; the key returns ``value``.
    ``escape`` cancels (returns None).
    """

    DEFAULT_CSS = DIALOG_CSS
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: Content, choices: Sequence[tuple[str, str, str]]) -> None:
        super().__init__()
        self.title_content = title
        self.choices = list(choices)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_content.stylize("bold"))
            for key, _value, label in self.choices:
                yield Label(keys_line((key, label)))
            yield Label(keys_line(("esc", "cancel")), classes="keys")

    def on_key(self, event: Key) -> None:
        for key, value, _label in self.choices:
            if event.key == key or event.character == key:
                event.stop()
                self.dismiss(value)
                return

    def action_cancel(self) -> None:
        self.dismiss(None)
