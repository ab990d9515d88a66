"""The console's ``BINDINGS``, built from the one declaration in ``domain.keys``.

Each screen and widget asks for its scope's bindings (``bindings("main")``);
every one carries its stable id, so ``App.set_keymap`` (the ``[keymap]`` table)
can rebind it.
"""

from __future__ import annotations

from collections.abc import Mapping

from textual.binding import Binding, BindingType

from triage_tui.domain.keys import KEYS, Key, display, keys_in_force


def binding(key: Key) -> Binding:
    return Binding(
        key.keys,
        key.action,
        key.description,
        show=key.show,
        key_display=key.key_display,
        priority=key.priority,
        tooltip=key.tooltip,
        id=key.id,
    )


def bindings(scope: str) -> list[BindingType]:
    """The bindings declared for ``scope`` (see ``domain.keys.SCOPES``), in their order."""
    return [binding(k) for k in KEYS if k.scope == scope]


def rebound(item: Binding, keymap: Mapping[str, str]) -> Binding:
    """``item`` with the keys ``keymap`` gives its id (what Textual does per key press)."""
    if item.id is None or item.id not in keymap:
        return item
    keys = ",".join(keys_in_force(Key(item.id, "", item.key, "", ""), keymap))
    return Binding(
        keys,
        item.action,
        item.description,
        show=item.show,
        key_display=None,
        priority=item.priority,
        tooltip=item.tooltip,
        id=item.id,
    )


def key_for(app: object, scope: str, binding_id: str) -> str:
    """The key a dialog's hint line names for the binding ``binding_id`` of ``scope``:
    the first one in force (a ``[keymap]`` entry replaces the declared keys), as the
    help shows it (``esc``, ``?``)."""
    keymap: Mapping[str, str] = getattr(app, "keymap", None) or {}
    if binding_id in keymap:
        return display(keymap[binding_id].split(",")[0])
    declared = next(k for k in KEYS if k.scope == scope and k.id == binding_id)
    return declared.key_display or display(declared.keys.split(",")[0])


def shown_key(app: object, binding_id: str, default: str) -> str:
    """Like ``key_for``, with the default key given rather than looked up by scope
    (for a hint whose binding id is shared by several scopes)."""
    keymap: Mapping[str, str] = getattr(app, "keymap", None) or {}
    if binding_id not in keymap:
        return default
    return display(keymap[binding_id].split(",")[0])
