"""The draft editor with live safeguards underneath.

Every edit re-runs ``domain.safeguards.check`` (about 0.1 ms for a typical
draft), and the findings show under the editor: blocking ones first, each with
its reason, the words it is about, and the fix ``f2`` applies when there is one.

Entering the editor with Edit selects the first placeholder still in the
draft (``[Describe the specific next step]``, ``{field}``: what
``drafting.unfilled_placeholders`` calls one), so typing replaces it.

Keys while the editor has focus (the footer shows these, not the screen's
letter keys, which type): ``ctrl+s`` send, ``esc`` leave the editor (the draft
is kept), ``ctrl+n`` select the next placeholder, ``ctrl+r`` reset the draft
to the template, ``f2`` apply the first available fix. A draft that differs
from its template is marked *edited draft* in the editor's title.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Static, TextArea
from textual.widgets.text_area import Edit, EditResult, Selection

from triage_tui.domain.text import sanitize
from triage_tui.ui import safe_text as st
from triage_tui.ui.keys import bindings
from triage_tui.ui.widgets.steady import SteadyScrollbars

# The safeguards (and the drafting and KB modules behind them) load with the
# first draft, not with the console's first screen.
if TYPE_CHECKING:
    from triage_tui.domain.safeguards.checks import Finding
    from triage_tui.engine.loader import TicketView

#: Findings listed under the editor; the rest are counted.
SHOWN_FINDINGS = 3


def findings_content(findings: list[Finding], text: str) -> Content:
    if not findings:
        return Content.styled("✓ no safeguard findings", "$text-success")
    from triage_tui.domain.safeguards import checks as safeguards

    parts: list[Content | tuple[str, str] | str] = [
        (f"Safeguards: {safeguards.summary(findings)}", "bold")
    ]
    fixable = next((f for f in findings if f.fix is not None), None)
    for finding in findings[:SHOWN_FINDINGS]:
        marker, style = ("✖ ", "$text-error bold") if finding.blocking else ("▲ ", "$text-warning")
        parts += ["\n", (marker, style), Content(finding.reason)]
        words = text[finding.start : finding.end]
        if words and finding.end - finding.start < 60:
            parts += [" — “", st.line(words), "”"]
        if finding is fixable and finding.fix is not None:
            parts += [("  f2 ", "$text-accent bold"), st.line(finding.fix.label)]
    if len(findings) > SHOWN_FINDINGS:
        parts.append((f"\n… {len(findings) - SHOWN_FINDINGS} more", "$text-muted"))
    return Content.assemble(*parts)


class DraftEditor(SteadyScrollbars, TextArea):
    """The reply's text area: shown from its top with the cursor in view
    whenever its size settles.

    A ``TextArea`` draws its document as is, so every way text gets in —
    ``load_text`` (a generated or saved draft), ``edit`` (typing, a paste, a
    safeguard fix, undo/redo) — goes through ``domain.text.sanitize`` first: a
    terminal control character shows as its visible escape (``␛``), never raw.

    Its own bindings are the keys that work while typing, so the footer shows
    them then (``ctrl+s`` is a priority binding on the screens too: the footer
    keeps the first priority binding it meets, this one).
    """

    # The footer shows the short descriptions (all fit in 80 columns), the help the tooltips.
    BINDINGS = bindings("draft")

    def load_text(self, text: str) -> None:
        super().load_text(sanitize(text))

    def edit(self, edit: Edit) -> EditResult:
        edit.text = sanitize(edit.text)
        return super().edit(edit)

    def reveal(self) -> None:
        self.scroll_to(y=0, animate=False, immediate=True)
        self.scroll_cursor_visible()

    def on_resize(self) -> None:
        # The findings under the editor change its height after a draft loads;
        # scrolled for a height that then changed, the draft stayed scrolled
        # past its first lines or not depending on timing.
        self.reveal()

    def select_placeholder(self, *, after_cursor: bool) -> bool:
        """Select the first placeholder (after the selection's end when ``after_cursor``,
        wrapping round to the top); False when the draft has none."""
        from triage_tui.domain.replies.drafting import unfilled_placeholders

        spans = unfilled_placeholders(self.text)
        if not spans:
            return False
        start, end, _ = spans[0]
        if after_cursor:
            row, column = max(self.selection)
            lines = self.text.split("\n")
            at = sum(len(line) + 1 for line in lines[:row]) + column
            start, end, _ = next((span for span in spans if span[0] >= at), spans[0])
        self.selection = Selection(_location(self.text, start), _location(self.text, end))
        self.scroll_cursor_visible()
        return True

    def action_next_placeholder(self) -> None:
        if not self.select_placeholder(after_cursor=True):
            self.app.notify("No placeholder left in the draft.", markup=False, timeout=3)


class DraftPane(Vertical):
    """The reply editor and its safeguard findings."""

    ALLOW_MAXIMIZE = True  # z zooms the editor with its findings

    BINDINGS = bindings("draft_pane")

    DEFAULT_CSS = """
    DraftPane { height: 15; }
    DraftPane > TextArea {
        height: 1fr;
        border: round $border-blurred;
        border-title-color: $text-muted;
    }
    DraftPane > TextArea:focus { border: round $border; border-title-color: $text; }
    DraftPane > #findings { height: auto; max-height: 5; padding: 0 1; }
    """

    class Changed(Message):
        """The agent edited the draft; handled by ``on_draft_pane_changed``."""

        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.view: TicketView | None = None
        #: The draft the template gives this ticket; the text differs from it: an edited draft.
        self.template: str | None = None
        self.findings: list[Finding] = []
        self.dismissed: set[str] = set()
        #: (text, view, dismissed) the findings on screen were computed for.
        self._checked: tuple[str, TicketView, frozenset[str]] | None = None

    def compose(self) -> ComposeResult:
        yield DraftEditor(id="draft", soft_wrap=True, show_line_numbers=False, tab_behavior="focus")
        yield Static(Content(""), id="findings")

    @property
    def editor(self) -> DraftEditor:
        return self.query_one("#draft", DraftEditor)

    @property
    def text(self) -> str:
        return self.editor.text

    @property
    def edited(self) -> bool:
        """The draft is not the template's (typed in, or kept from before)."""
        return self.template is not None and self.text != self.template

    def load(
        self, view: TicketView, text: str, cursor: int | None, template: str | None = None
    ) -> None:
        """Show ``text`` as the draft for ``view``; the cursor goes to ``cursor``.
        ``template`` is the generated draft (the text is an edited draft when it differs)."""
        self.view = view
        self.template = sanitize(template) if template is not None else None
        editor = self.editor
        editor.read_only = False
        editor.load_text(text)
        if cursor is not None:
            # The editor holds ``sanitize(text)``; an escape can be longer than
            # the character it stands for, so the cursor is counted in that text.
            before = sanitize(text[:cursor])
            editor.move_cursor((before.count("\n"), len(before) - (before.rfind("\n") + 1)))
        # Scrolled once laid out, and again if the findings below change the
        # editor's height (``DraftEditor.on_resize``).
        editor.call_after_refresh(editor.reveal)
        self._marked = self.edited
        self._show_title()
        self.recheck()

    #: Whether the title says "edited draft" (repainted only when that changes).
    _marked = False

    def _show_title(self) -> None:
        if self.view is None:
            self.editor.border_title = Content("Draft reply")
            return
        self.editor.border_title = Content.assemble(
            "Draft reply to ",
            st.line(self.view.detail.ticket.requester.name),
            (" · edited draft (ctrl+r: template)", "$text-warning") if self._marked else "",
        )

    def clear(self) -> None:
        """No ticket: an empty draft that takes no typing, and no findings."""
        self.view, self.template, self.findings, self._checked = None, None, [], None
        self._marked = False
        editor = self.editor
        editor.load_text("")
        editor.read_only = True
        self._show_title()
        self.query_one("#findings", Static).update(Content(""))

    def ready_to_send(self) -> tuple[str, list[Finding]] | None:
        """The draft's text and its blocking findings for the Send prompt, or
        None (with a notice) when there is nothing to send."""
        text = self.text
        if not text.strip():
            self.app.notify(
                "The draft is empty: press e to write a reply.", severity="warning", markup=False
            )
            return None
        return text, [f for f in self.recheck() if f.blocking]

    def recheck(self) -> list[Finding]:
        if self.view is None:
            return []
        from triage_tui.domain.safeguards import checks as safeguards

        view = self.view
        # Loading a draft checks it, then TextArea's Changed asks again for the
        # same text: repainting the findings anyway cost a layout pass per
        # ticket opened.
        text, dismissed = self.text, frozenset(self.dismissed)
        if (
            self._checked is not None
            and self._checked[1] is view
            and self._checked[::2] == (text, dismissed)
        ):
            return self.findings
        self._checked = (text, view, dismissed)
        self.findings = safeguards.check(
            self.text,
            detail=view.detail,
            kb=view.kb,
            rules=view.rules,
            dismissed=self.dismissed,
        )
        self.query_one("#findings", Static).update(findings_content(self.findings, self.text))
        return self.findings

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        # Not stopped: the app's safekeeping autosaves drafts from this event too.
        self.recheck()
        if self.edited != self._marked:
            self._marked = self.edited
            self._show_title()
        # A loaded text clears the undo history; only typing (or a fix, an undo
        # or a redo) leaves some.
        history = event.text_area.history
        if history.undo_stack or history.redo_stack:
            self.post_message(self.Changed(self.text))

    def reset_to_template(self) -> bool:
        """Replace the draft by its template, as an edit (``ctrl+z`` takes it back);
        False when there is no template or the draft is the template already."""
        if self.template is None or not self.edited:
            return False
        return self.replace_text(self.template)

    def replace_text(self, text: str) -> bool:
        """Make ``text`` the draft, as an edit: through the editor's gate (control
        characters shown as escapes), undoable with ``ctrl+z``, saved like typing.
        False when the draft is that text already."""
        if sanitize(text) == self.text:
            return False
        editor = self.editor
        editor.replace(text, (0, 0), editor.document.end)
        editor.move_cursor((0, 0))
        return True

    def action_apply_fix(self) -> None:
        finding = next((f for f in self.findings if f.fix is not None), None)
        if finding is None:
            self.app.notify("No safeguard finding has an automatic fix.", markup=False, timeout=3)
            return
        from triage_tui.domain.safeguards import checks as safeguards

        try:
            safeguards.apply_fix(self.text, finding)  # validates the span is current
        except ValueError as error:
            self.app.notify(str(error), severity="warning", markup=False)
            self.recheck()
            return
        fix = finding.fix
        assert fix is not None
        # An edit, not a reload: it can be undone and the draft is saved like typing.
        self.editor.replace(
            fix.replacement, _location(self.text, fix.start), _location(self.text, fix.end)
        )


def _location(text: str, offset: int) -> tuple[int, int]:
    """(row, column) of a character offset, as TextArea locations are given."""
    before = text[:offset]
    return before.count("\n"), len(before) - (before.rfind("\n") + 1)
