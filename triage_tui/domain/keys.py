"""Every key binding of the console, once: its id, where it works, its default keys.

The console's screens and widgets build their ``BINDINGS`` from ``KEYS``
(``ui.keys.bindings``); the ``[keymap]`` table of the config rebinds an id
(``send = "ctrl+y,s"``), and ``triage keys``, ``?`` and the README's key table
read the same entries. Nothing here imports Textual, so every verb can check a
``[keymap]`` before it runs (a bad one is exit 2, like any config error).

Key names are Textual's: ``ctrl+y``, ``shift+down``, ``f2``, ``question_mark``
(``?`` is accepted and normalised the way Textual does).

An id may be declared in several scopes (``send`` on the main screen and in a
sweep): a ``[keymap]`` entry replaces its keys in all of them, which is how
Textual's ``App.set_keymap`` works. Defaults keep clear of tmux's (ctrl+b) and
screen's (ctrl+a) prefixes; ctrl+s and ctrl+q reach the console because
Textual turns the terminal's flow control off (raw mode clears IXON; see
docs/configuration.md#keys).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from triage_tui.domain.errors import ConfigError


@dataclass(frozen=True)
class Key:
    """One binding: ``id`` is what ``[keymap]`` names; ``keys`` are Textual key names."""

    id: str
    scope: str
    keys: str
    action: str
    #: The footer's short label.
    description: str
    #: The help screen's long description (``description`` when empty).
    tooltip: str = ""
    show: bool = True
    priority: bool = False
    key_display: str | None = None
    #: What the README's key table and ``triage keys`` say (``tooltip`` when empty).
    doc: str = ""

    @property
    def help(self) -> str:
        return self.doc or self.tooltip or self.description


#: Where a binding works, as ``triage keys`` and the README name it.
SCOPES: dict[str, str] = {
    "app": "everywhere",
    "main": "main screen",
    "queue": "queue",
    "desk": "main screen and sweep",
    "draft": "draft editor",
    "draft_pane": "draft pane (editor and findings)",
    "sweep": "sweep",
    "sweep_plan": "sweep plan",
    "send": "send dialog",
    "escalate": "escalate dialog",
    "bulk_menu": "bulk action menu",
    "bulk_preview": "bulk preview",
    "macro_pick": "macro picker",
    "confirm": "yes/no question",
    "ask": "text and choice dialogs",
    "conflict": "collision dialog",
    "outbox": "outbox",
    "proposals": "AI proposals review",
    "report": "session report",
    "views": "views picker",
    "copy_menu": "copy menu",
    "help": "help",
    "quit": "quit dialog",
    "find": "find box",
}

_SCREEN_LAYER = frozenset({"app", "main", "desk", "queue", "draft", "draft_pane"})
_SWEEP_LAYER = frozenset({"app", "sweep", "desk", "draft", "draft_pane"})
#: Scopes whose keys are in force at the same time: one key in two of them is a
#: clash (a dialog is modal: only its own keys work while it is open).
LAYERS: dict[str, frozenset[str]] = {
    "app": _SCREEN_LAYER | _SWEEP_LAYER,
    "main": _SCREEN_LAYER,
    "queue": _SCREEN_LAYER,
    "desk": _SCREEN_LAYER | _SWEEP_LAYER,
    "draft": _SCREEN_LAYER | _SWEEP_LAYER,
    "draft_pane": _SCREEN_LAYER | _SWEEP_LAYER,
    "sweep": _SWEEP_LAYER,
}

_DRAFT_SEND = "Send the draft (asks pending or solved)"

KEYS: tuple[Key, ...] = (
    # -- everywhere (the app) ------------------------------------------------
    Key("help", "app", "question_mark", "help", "Help", key_display="?", doc="Help: every key"),
    Key(
        "zoom",
        "app",
        "z",
        "zoom",
        "Zoom",
        tooltip="Zoom: the focused pane fills the screen (z again or esc: back)",
    ),
    Key("quit", "app", "ctrl+q", "quit", "Quit", show=False, priority=True),
    Key(
        "undo", "app", "u", "undo", "Undo the last action (while its undo window lasts)", show=False
    ),
    Key("outbox", "app", "o", "outbox", "Outbox: queued, failed and held actions", show=False),
    Key(
        "mouse",
        "app",
        "M",
        "toggle_mouse",
        "Mouse on / off (off: the terminal selects text)",
        show=False,
        key_display="M",
    ),
    # -- the main screen ---------------------------------------------------------
    Key(
        "send",
        "main",
        "s",
        "send",
        "Send",
        doc="Send: asks send and set pending (enter, the profile's default) or solved (s);"
        " esc cancels. While a safeguard blocks the draft only y (send anyway) sends",
    ),
    Key(
        "edit",
        "main",
        "e",
        "edit",
        "Edit",
        doc="Edit: focus the draft editor (esc leaves it, ctrl+s sends from it, f2 applies"
        " the first safeguard fix)",
    ),
    Key(
        "escalate",
        "main",
        "x",
        "escalate",
        "Escalate",
        doc="Escalate: the reason (pre-filled from the rule that fired) and the route;"
        " records an internal note and moves the ticket",
    ),
    Key(
        "skip",
        "main",
        "n",
        "skip",
        "Skip",
        doc="Skip: next ticket, nothing written to the helpdesk (ticket.skipped in the log)",
    ),
    Key(
        "plan",
        "main",
        "p",
        "toggle_plan",
        "Plan",
        doc="The ticket's handling plan (again: back to the conversation)",
    ),
    Key(
        "dismiss_rules",
        "main",
        "d",
        "dismiss_rules",
        "Dismiss rules",
        show=False,
        doc="Dismiss the escalation rules that fire on this ticket (again: restore them)",
    ),
    Key(
        "filter",
        "main",
        "slash",
        "filter",
        "Filter",
        key_display="/",
        doc="Filter the queue (priority:high sla:<90m -vip refund); enter keeps it, esc clears",
    ),
    Key(
        "views",
        "main",
        "v",
        "views",
        "Views",
        tooltip="Views: pick a saved view (its filter)",
    ),
    Key(
        "sort",
        "main",
        "O",
        "sort",
        "Sort",
        show=False,
        key_display="O",
        doc="Order the queue: by SLA (the default), priority, age, last update, in turn;"
        " the cursor stays on its ticket",
    ),
    Key(
        "sweep",
        "main",
        "w",
        "sweep",
        "Sweep",
        doc="Sweep the tickets the filter shows: a plan, then one key per decision",
    ),
    Key(
        "bulk",
        "main",
        "b",
        "bulk",
        "Bulk",
        doc="Bulk action on the marked tickets: a preview of every change, then a confirmation",
    ),
    Key(
        "undo_batch",
        "main",
        "U",
        "undo_batch",
        "Undo the last bulk batch",
        show=False,
        key_display="U",
    ),
    Key(
        "report",
        "main",
        "R",
        "report",
        "Session report",
        show=False,
        key_display="R",
        doc="The session report (last 8 h)",
    ),
    Key(
        "proposals",
        "main",
        "A",
        "proposals",
        "Review AI agents' proposals",
        show=False,
        key_display="A",
        doc="Review AI agents' proposals (triage mcp): Send, Edit, Escalate instead, Skip, Reject",
    ),
    Key("refresh", "main", "r", "refresh", "Refresh", show=False, doc="Reload the queue"),
    Key("quit", "main", "q", "app.quit", "Quit"),
    Key(
        "next",
        "main",
        "j",
        "queue_next",
        "Next ticket",
        show=False,
        doc="Next ticket (from any pane but the editor)",
    ),
    Key(
        "previous",
        "main",
        "k",
        "queue_previous",
        "Previous ticket",
        show=False,
        doc="Previous ticket (from any pane but the editor)",
    ),
    Key(
        "send_from_editor",
        "main",
        "ctrl+s",
        "send",
        "Send (from the editor)",
        show=False,
        priority=True,
    ),
    Key("leave", "main", "escape", "leave", "Leave the editor / filter", show=False),
    Key(
        "reset_draft",
        "desk",
        "ctrl+r",
        "reset_draft",
        "Reset the draft to the template",
        show=False,
    ),
    Key(
        "copy",
        "desk",
        "y",
        "copy",
        "Copy",
        show=False,
        doc="Copy the ticket's id, link, requester's e-mail, draft or top KB link"
        " to the clipboard (OSC 52: over SSH and in tmux too)",
    ),
    Key(
        "open_link",
        "desk",
        "l",
        "open_link",
        "Link",
        show=False,
        doc="The ticket's link in the helpdesk's web UI: copied and shown in a notice"
        " (no browser is started)",
    ),
    Key(
        "edit_external",
        "desk",
        "E",
        "edit_external",
        "Edit in $EDITOR",
        show=False,
        key_display="E",
        tooltip="Edit the draft in $VISUAL / $EDITOR; the console comes back with the text"
        " saved there, safeguards checked",
    ),
    Key(
        "goto",
        "main",
        "colon,number_sign",
        "goto",
        "Go to ticket",
        show=False,
        key_display=": #",
        tooltip="Go to a ticket by its number (opened even when the queue or filter leaves it out)",
    ),
    Key(
        "find",
        "desk",
        "ctrl+f",
        "find",
        "Find in ticket",
        show=False,
        tooltip="Find text in the open ticket (conversation and fields): enter or down next,"
        " up previous, esc closes",
    ),
    Key("find_next", "desk", "f3", "find_next", "Next match", show=False),
    # xterm and the Linux console send shift+f3 as the key Textual calls f15.
    Key(
        "find_previous",
        "desk",
        "shift+f3,f15",
        "find_previous",
        "Previous match",
        show=False,
        key_display="shift+f3",
        doc="Previous match (shift+f3; xterm and the Linux console send it as f15)",
    ),
    # -- the queue -----------------------------------------------------------------
    Key("next", "queue", "j,down", "cursor_down", "Next", show=False),
    Key("previous", "queue", "k,up", "cursor_up", "Previous", show=False),
    Key("first", "queue", "g,home", "first", "First", show=False, doc="First ticket in the queue"),
    Key("last", "queue", "G,end", "last", "Last", show=False, doc="Last ticket in the queue"),
    Key("page_down", "queue", "pagedown", "page_down_rows", "Page down", show=False),
    Key("page_up", "queue", "pageup", "page_up_rows", "Page up", show=False),
    # Where j/k only move the cursor (over SSH) Enter opens, and the footer
    # says so; elsewhere the next binding, unlisted, takes the key.
    Key(
        "open",
        "queue",
        "enter",
        "open",
        "Open",
        doc="Open the ticket under the cursor (again: focus its detail)",
    ),
    Key(
        "open",
        "queue",
        "enter",
        "select",
        "Open the ticket under the cursor (again: its detail)",
        show=False,
    ),
    Key("mark", "queue", "space", "toggle_mark", "Mark / unmark for a bulk action", show=False),
    Key(
        "mark_all",
        "queue",
        "asterisk",
        "mark_all",
        "Mark every row in view (again: unmark)",
        show=False,
    ),
    Key("extend_down", "queue", "shift+down", "extend_marks(1)", "Extend marks down", show=False),
    Key("extend_up", "queue", "shift+up", "extend_marks(-1)", "Extend marks up", show=False),
    # -- the draft editor (``ctrl+s`` is a priority binding on the screens too:
    # the footer keeps the first priority binding it meets, this one) -------------
    Key(
        "send_from_editor",
        "draft",
        "ctrl+s",
        "screen.send",
        "Send",
        priority=True,
        tooltip=_DRAFT_SEND,
    ),
    Key(
        "leave",
        "draft",
        "escape",
        "screen.leave",
        "Leave",
        tooltip="Leave the editor (the draft is kept)",
    ),
    Key(
        "next_placeholder",
        "draft",
        "ctrl+n",
        "next_placeholder",
        "Next placeholder",
        tooltip="Select the next placeholder ([Describe …], {field}) to type over it",
    ),
    Key(
        "reset_draft",
        "draft",
        "ctrl+r",
        "screen.reset_draft",
        "Template",
        tooltip="Reset the draft to the template (ctrl+z takes it back)",
    ),
    Key(
        "apply_fix", "draft_pane", "f2", "apply_fix", "Fix", tooltip="Apply the first safeguard fix"
    ),
    # -- a sweep -----------------------------------------------------------------------
    Key("send", "sweep", "s", "send", "Send"),
    Key("edit", "sweep", "e", "edit", "Edit"),
    Key("escalate", "sweep", "x", "escalate", "Escalate"),
    Key("skip", "sweep", "n", "skip", "Skip"),
    Key("note", "sweep", "o", "note", "Note"),
    Key("assign", "sweep", "a", "assign", "Assign"),
    Key("jump", "sweep", "J", "jump", "Jump to alert", key_display="J"),
    Key("end_sweep", "sweep", "q", "end", "End sweep"),
    Key(
        "send_from_editor",
        "sweep",
        "ctrl+s",
        "send",
        "Send (from the editor)",
        show=False,
        priority=True,
    ),
    Key("leave", "sweep", "escape", "leave", "Leave the editor / end the sweep", show=False),
    Key("start_sweep", "sweep_plan", "enter", "start", "Start the sweep", priority=True),
    Key("cancel", "sweep_plan", "escape", "cancel", "Cancel"),
    Key("alternatives", "sweep_plan", "a", "toggle_all", "Alternatives"),
    *(
        Key(f"alternative_{n}", "sweep_plan", str(n), f"alternative({n - 1})", f"Alternative {n}")
        for n in range(1, 7)
    ),
    # -- dialogs ---------------------------------------------------------------------------
    Key("send_default", "send", "enter", "send_default", "Send", priority=True),
    Key("send_pending", "send", "p", "send('pending')", "Send + pending"),
    Key("send_solved", "send", "s", "send('solved')", "Send + solved"),
    Key("send_anyway", "send", "y", "send_anyway", "Send despite safeguards"),
    Key("cancel", "send", "escape", "cancel", "Cancel"),
    Key("cancel", "escalate", "escape", "cancel", "Cancel"),
    Key("bulk_apply", "bulk_preview", "enter", "confirm", "Apply", priority=True),
    Key("cancel", "bulk_preview", "escape", "cancel", "Back"),
    Key("cancel", "macro_pick", "escape", "cancel", "Cancel"),
    Key("bulk_assign", "bulk_menu", "a", "assign", "Assign"),
    Key("bulk_tag", "bulk_menu", "t", "tag", "Tag"),
    Key("bulk_status", "bulk_menu", "s", "status", "Set status"),
    Key("bulk_priority", "bulk_menu", "p", "priority", "Set priority"),
    Key("bulk_macro", "bulk_menu", "m", "macro", "Macro"),
    Key("bulk_escalate", "bulk_menu", "x", "escalate", "Escalate"),
    Key("cancel", "bulk_menu", "escape", "cancel", "Cancel"),
    Key("yes", "confirm", "enter,y", "answer(True)", "Yes", priority=True),
    Key("no", "confirm", "escape,n", "answer(False)", "No"),
    Key("cancel", "ask", "escape", "cancel", "Cancel"),
    Key("revise", "conflict", "r", "choose('revise')", "Revise"),
    Key("conflict_send", "conflict", "s", "choose('send')", "Send anyway"),
    Key("discard", "conflict", "d", "choose('discard')", "Discard"),
    Key("decide_later", "conflict", "escape", "choose('')", "Decide later"),
    Key("retry", "outbox", "r", "retry", "Retry"),
    Key("outbox_send_anyway", "outbox", "s", "send_anyway", "Send anyway"),
    Key("cancel_entry", "outbox", "c", "cancel_entry", "Cancel"),
    Key("details", "outbox", "enter", "details", "Details"),
    Key("close", "outbox", "escape,o,q", "close", "Close"),
    # The review screen shares the desk's ids, so a rebound Send sends here too.
    Key("send", "proposals", "s", "send", "Send"),
    Key("proposal_send_anyway", "proposals", "y", "send_anyway", "Send anyway", show=False),
    Key("edit", "proposals", "e", "edit", "Edit"),
    Key(
        "send_from_editor",
        "proposals",
        "ctrl+s",
        "send_edited",
        "Send the edited reply",
        show=False,
        priority=True,
    ),
    Key("escalate", "proposals", "x", "escalate_instead", "Escalate instead"),
    Key("skip", "proposals", "n", "skip", "Skip"),
    Key("reject", "proposals", "r", "reject", "Reject"),
    Key("close", "proposals", "escape", "close", "Close"),
    Key("close", "report", "escape,q", "close", "Close"),
    Key("write_report", "report", "w", "write", "Write Markdown"),
    # A modal screen hides the app's keys: the undo window may still be open
    # (a sweep's last reply), and the report is built again after it.
    Key("undo", "report", "u", "app.undo", "Undo the last action", show=False),
    Key("close", "views", "escape,v", "cancel", "Cancel"),
    Key("copy_id", "copy_menu", "i", "copy('id')", "Id"),
    Key("copy_link", "copy_menu", "l", "copy('link')", "Link"),
    Key("copy_email", "copy_menu", "e", "copy('email')", "E-mail"),
    Key("copy_draft", "copy_menu", "d", "copy('draft')", "Draft"),
    Key("copy_kb_link", "copy_menu", "k", "copy('kb')", "KB link"),
    Key("cancel", "copy_menu", "escape,y", "cancel", "Cancel"),
    Key("close", "help", "escape,q,question_mark", "close", "Close help"),
    Key("find_next", "find", "down", "next", "Next match"),
    Key("find_previous", "find", "up", "previous", "Previous match"),
    Key("close_find", "find", "escape", "close", "Close"),
    Key("quit_wait", "quit", "w", "wait", "Wait, then quit"),
    Key("quit_leave", "quit", "l", "leave", "Leave for next start"),
    Key("cancel", "quit", "escape", "stay", "Back"),
)

#: Every id a ``[keymap]`` may name.
IDS: frozenset[str] = frozenset(k.id for k in KEYS)

#: Textual's names for characters that are not letters or digits (``_character_to_key``).
_RENAMED = {
    "solidus": "slash",
    "reverse_solidus": "backslash",
    "commercial_at": "at",
    "hyphen_minus": "minus",
    "plus_sign": "plus",
    "low_line": "underscore",
}
_MODIFIERS = frozenset({"ctrl", "shift", "alt", "meta", "super", "hyper"})


def normalise_key(key: str) -> str:
    """One key as Textual names it: ``?`` is ``question_mark``, ``ctrl+y`` stays."""
    if len(key) == 1 and not key.isalnum():
        try:
            name = unicodedata.name(key).lower().replace("-", "_").replace(" ", "_")
        except ValueError:
            return key
        return _RENAMED.get(name, name)
    return key


def split_keys(text: str) -> list[str]:
    """``"ctrl+y, s"`` as ``["ctrl+y", "s"]``; a stray comma is an empty key (refused)."""
    return [normalise_key(part.strip()) for part in text.split(",")]


def _check_key(binding_id: str, key: str) -> None:
    if not key:
        raise ConfigError(f"keymap.{binding_id}: an empty key (keys are separated by commas)")
    if any(ch.isspace() or not ch.isprintable() for ch in key):
        raise ConfigError(
            f"keymap.{binding_id}: {key!r} is not a key name (no spaces or control characters)"
        )
    *modifiers, base = key.split("+") if len(key) > 1 else [key]
    unknown = [m for m in modifiers if m not in _MODIFIERS]
    if unknown or not base:
        raise ConfigError(
            f"keymap.{binding_id}: {key!r} is not a key name"
            f" (modifiers are {', '.join(sorted(_MODIFIERS))})"
        )


def _suggest(name: str) -> str:
    import difflib

    close = difflib.get_close_matches(name, sorted(IDS), n=1)
    return f" (did you mean {close[0]}?)" if close else ""


def check_keymap(keymap: Mapping[str, str]) -> dict[str, str]:
    """The ``[keymap]`` table, normalised, or a one-line ``ConfigError``.

    Refused: an id no binding has, a malformed key, and a clash — a key that
    two ids would share where both are in force (same scope, or scopes active
    together such as the main screen and the queue), named as
    ``keymap: send and zoom both on z (main screen / everywhere)``.
    """
    normalised: dict[str, str] = {}
    for binding_id, text in keymap.items():
        if binding_id not in IDS:
            raise ConfigError(f"keymap.{binding_id}: no binding has this id{_suggest(binding_id)}")
        keys = split_keys(text)
        for key in keys:
            _check_key(binding_id, key)
        normalised[binding_id] = ",".join(keys)
    _check_clashes(normalised)
    return normalised


def keys_in_force(key: Key, keymap: Mapping[str, str]) -> list[str]:
    """The keys of one binding once ``keymap`` (normalised) is applied."""
    return keymap.get(key.id, key.keys).split(",")


def _check_clashes(keymap: Mapping[str, str]) -> None:
    if not keymap:
        return
    for rebound in (k for k in KEYS if k.id in keymap):
        mine = set(keys_in_force(rebound, keymap))
        layered = LAYERS.get(rebound.scope, frozenset()) | {rebound.scope}
        for other in KEYS:
            if other.id == rebound.id or other.scope not in layered:
                continue
            shared = mine.intersection(keys_in_force(other, keymap))
            if shared:
                where = SCOPES[rebound.scope]
                if other.scope != rebound.scope:
                    where += f" / {SCOPES[other.scope]}"
                first, second = sorted((rebound.id, other.id))
                raise ConfigError(
                    f"keymap: {first} and {second} both on {display(min(shared))} ({where})"
                )


_DISPLAY = {
    "question_mark": "?",
    "slash": "/",
    "asterisk": "*",
    "colon": ":",
    "number_sign": "#",
    "escape": "esc",
    "pagedown": "pgdn",
    "pageup": "pgup",
}


def display(key: str) -> str:
    """A key as the help and ``triage keys`` show it (``?`` for ``question_mark``)."""
    return _DISPLAY.get(key, key)


def in_scopes(scopes: Iterable[str]) -> list[Key]:
    wanted = set(scopes)
    return [k for k in KEYS if k.scope in wanted]
