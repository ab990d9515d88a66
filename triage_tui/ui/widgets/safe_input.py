"""An ``Input`` whose value can never hold a terminal control character.

An ``Input`` draws its value as typed, so a value pre-filled from a ticket (the
escalation reason), a paste or an assignment from code would otherwise write
ESC, OSC or a bidi override straight to the terminal. Textual calls
``validate_value`` on every assignment of ``value`` — typing, paste, pre-fill —
so this is the one place the gate is needed. Input values are single lines:
a newline becomes ``␤`` and a tab a space; spacing is otherwise kept as typed.
"""

from __future__ import annotations

from textual.widgets import Input

from triage_tui.domain.text import sanitize


class SafeInput(Input):
    """``Input`` with every value passed through ``domain.text.sanitize`` (one line)."""

    def validate_value(self, value: str) -> str:
        return sanitize(value, keep_newlines=False)
