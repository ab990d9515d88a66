"""Small keyboard-first dialogs shared by the sweep, report and bulk screens.

* ``ConfirmScreen`` — yes or no. Keys: ``enter``/``y`` yes, ``escape``/``n`` no.
* ``AskScreen`` — one line of text. Keys: ``enter`` accept, ``escape`` cancel.
* ``ChoiceScreen`` — one key picks one of a few labelled choices; ``escape`` cancels.
* ``PickNameScreen`` — an agent or a group the helpdesk has, typed with completion.

Titles and hints are ``Content`` built by the caller (untrusted parts through
``safe_text``); an ``Input``'s value is plain text, never markup.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from functools import partial
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.events import Key
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from triage_tui.domain.errors import TriageError
from triage_tui.domain.names import LISTED, match_name, unknown_line
from triage_tui.domain.text import count
from triage_tui.ui import safe_text as st
from triage_tui.ui.keys import bindings, key_for
from triage_tui.ui.widgets.safe_input import SafeInput

if TYPE_CHECKING:
    from triage_tui.engine.directory import Directory

DIALOG_CSS = """
ConfirmScreen, AskScreen, ChoiceScreen, PickNameScreen { align: center middle; }
PickNameScreen #pick-list { height: auto; max-height: 8; }
"""


def keys_line(*pairs: tuple[str, str]) -> Content:
    """``enter send   esc cancel`` with the keys highlighted. A key that is a
    binding's is named as ``ui.keys.key_for`` gives it: a ``[keymap]`` rebinds it."""
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
    BINDINGS = bindings("confirm")

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
            key = partial(key_for, self.app, "confirm")
            yield Label(keys_line((key("yes"), self.yes), (key("no"), self.no)), classes="keys")

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
    BINDINGS = bindings("ask")

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
            cancel = key_for(self.app, "ask", "cancel")
            yield Label(keys_line(("enter", "accept"), (cancel, "cancel")), classes="keys")
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
    BINDINGS = bindings("ask")

    def __init__(self, title: Content, choices: Sequence[tuple[str, str, str]]) -> None:
        super().__init__()
        self.title_content = title
        self.choices = list(choices)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_content.stylize("bold"))
            for key, _value, label in self.choices:
                yield Label(keys_line((key, label)))
            yield Label(keys_line((key_for(self.app, "ask", "cancel"), "cancel")), classes="keys")

    def on_key(self, event: Key) -> None:
        for key, value, _label in self.choices:
            if event.key == key or event.character == key:
                event.stop()
                self.dismiss(value)
                return

    def action_cancel(self) -> None:
        self.dismiss(None)


class ListPickScreen(ModalScreen[str | None]):
    """Pick one entry of a list: ``↑``/``↓`` and ``enter`` dismiss with the entry's
    option id, ``escape`` with None. A picker says what it asks (``QUESTION``),
    what enter does (``ENTER``) and lists its entries (``options``)."""

    DEFAULT_CSS = (
        "ListPickScreen { align: center middle; } ListPickScreen OptionList { max-height: 16; }"
    )
    QUESTION = ""
    ENTER = "pick"
    LIST_ID = "pick-options"
    #: Where the picker's bindings are declared (``domain.keys``) and its cancel's id.
    SCOPE = "ask"
    CANCEL = "cancel"

    def options(self) -> list[Option]:
        raise NotImplementedError

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Content.styled(self.QUESTION, "bold"))
            yield OptionList(*self.options(), id=self.LIST_ID)
            cancel = key_for(self.app, self.SCOPE, self.CANCEL)
            yield Label(keys_line(("enter", self.ENTER), (cancel, "cancel")), classes="keys")

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)


class PickNameScreen(ModalScreen[str | None]):
    """An agent (or a group) the helpdesk has, typed with completion.

    The helpdesk's names are read when the dialog opens. Typing completes the
    name (``→`` or ``end`` takes the completion) and lists the names that match;
    ``↑``/``↓`` pick one of them. ``enter`` accepts the name picked, else the
    one the text resolves to — the full name, exactly, a unique prefix of it or
    of one of its words, or a close spelling ("Mei" is Mei Chen); anything else
    is refused with the names it could be. ``me`` is the agent's own name: with
    ``me`` given the field starts as ``me``, selected, and says that typing
    replaces it. With ``allow_empty`` an empty value unassigns. Returns the
    full name ("" for empty), None when cancelled. A helpdesk that cannot list
    its names takes any text.

    | key | action |
    | --- | --- |
    | ``enter`` | accept |
    | ``↑``/``↓`` | pick from the names that match |
    | ``escape`` | cancel, nothing is written |
    """

    DEFAULT_CSS = DIALOG_CSS
    BINDINGS = bindings("ask")

    def __init__(
        self,
        title: Content,
        directory: Directory,
        kind: str,
        *,
        me: str = "",
        allow_empty: bool = False,
    ) -> None:
        super().__init__()
        self.title_content = title
        self.directory = directory
        self.kind = kind
        self.me = me
        self.allow_empty = allow_empty
        #: The helpdesk's names once read; None: it lists none (any text goes).
        self.known: list[str] | None = None
        self._loaded = asyncio.Event()
        #: ↑/↓ chose a name in the list: enter takes it over what is typed.
        self._picked = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_content.stylize("bold"))
            yield Label(self._hint(f"reading the {self.kind}s…"), id="pick-hint")
            # "me" starts selected (the hint says typing replaces it): enter takes it.
            yield SafeInput(value="me" if self.me else "", id="pick-input", select_on_focus=True)
            yield OptionList(id="pick-list")
            cancel = key_for(self.app, "ask", "cancel")
            keys = (("enter", "accept"), ("→", "complete"), ("↑↓", "pick"), (cancel, "cancel"))
            yield Label(keys_line(*keys), classes="keys")
            yield Label(Content(""), id="pick-error", classes="error")

    def on_mount(self) -> None:
        self.query_one("#pick-input", Input).focus()
        self.query_one("#pick-list", OptionList).display = False
        self.run_worker(self._load(), exclusive=True, group="pick")

    async def _load(self) -> None:
        try:
            self.known = await self.directory.names(self.kind)
        except TriageError as error:
            status = f"{self.kind}s not read ({error}): any name goes"
        else:
            if self.known is None:
                status = f"the helpdesk does not list its {self.kind}s: any name goes"
            else:
                status = count(len(self.known), self.kind)
                names = [*self.known, "me"] if self.me else self.known
                self.query_one("#pick-input", Input).suggester = SuggestFromList(
                    names, case_sensitive=False
                )
        finally:
            self._loaded.set()
        self.query_one("#pick-hint", Label).update(self._hint(status))
        field = self.query_one("#pick-input", Input)
        if field.value != "me":
            self._refresh_list(field.value)

    def _hint(self, status: str) -> Content:
        parts = []
        if self.me:
            parts.append(Content.assemble("me = ", st.line(self.me), " (typing replaces it)"))
        if self.allow_empty:
            parts.append(Content("empty unassigns"))
        parts.append(st.line(status))  # may quote a helpdesk error
        return Content(" · ").join(parts).stylize("$text-muted")

    def _candidates(self, typed: str) -> list[str]:
        if not self.known:
            return []
        if not typed.strip():
            return self.known[:LISTED]
        return list(match_name(typed, self.known).candidates[:LISTED])

    def _refresh_list(self, typed: str) -> None:
        names = self._candidates(typed)
        options = self.query_one("#pick-list", OptionList)
        options.clear_options()
        options.add_options([Option(st.line(n), id=n) for n in names])
        options.display = bool(names)
        if names:
            options.highlighted = 0

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.query_one("#pick-error", Label).update(Content(""))
        self._picked = False
        if self._loaded.is_set():
            self._refresh_list(event.value)

    def key_up(self) -> None:
        self._move(-1)

    def key_down(self) -> None:
        self._move(1)

    def _move(self, step: int) -> None:
        options = self.query_one("#pick-list", OptionList)
        if options.has_focus or not options.option_count:
            return
        current = options.highlighted if options.highlighted is not None else -step
        options.highlighted = max(0, min(options.option_count - 1, current + step))
        self._picked = True

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id is not None:
            self.dismiss(event.option.id)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.run_worker(self._submit(event.value), group="pick-submit")

    async def _submit(self, typed: str) -> None:
        # Enter typed before the names arrived waits for them: the answer is checked.
        await self._loaded.wait()
        answer = self.answer(typed)
        if answer is not None:
            self.dismiss(answer)

    def answer(self, typed: str) -> str | None:
        """The name ``typed`` stands for, or None (the reason is shown in the dialog)."""
        text = typed.strip()
        error = self.query_one("#pick-error", Label)
        if not text:
            if self.allow_empty:
                return ""
            error.update(Content("Type a name, or esc to cancel."))
            return None
        options = self.query_one("#pick-list", OptionList)
        if self._picked and options.highlighted_option is not None:
            return options.highlighted_option.id
        if self.me and text.casefold() == "me":
            text = self.me
        if self.known is None:
            return text
        found = match_name(text, self.known)
        if found.name is not None:
            return found.name
        # Names come from the helpdesk: through the gate, like every text it sends.
        error.update(st.line(unknown_line(self.kind, text, found, self.known)))
        return None

    def action_cancel(self) -> None:
        self.dismiss(None)
