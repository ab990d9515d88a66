"""Adapter discovery through the ``triage_tui.adapters`` entry-point group.

Listing names never imports an adapter module (so ``triage --help`` stays fast
and a broken third-party adapter cannot break the others); only the adapter
that is used gets loaded.

Precedence: a built-in name (``local``, ``zendesk``, ``gleap``, ``rt``,
``django_helpdesk``) always means the built-in adapter, loaded straight from
its module without reading any package metadata. Only another name is looked
up among the installed entry points. Why: finding out whether some installed
package also registers ``local`` takes the very scan this avoids —
``importlib.metadata`` reading every distribution on ``sys.path``, ~20 ms on
every start of the console for the default helpdesk — and a package that
silently replaced a built-in helpdesk would not be wanted anyway. A
third-party entry point reusing a built-in name is therefore ignored.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

from triage_tui.domain.errors import ConfigError

if TYPE_CHECKING:
    from importlib.metadata import EntryPoint

    from triage_tui.adapters.base import Helpdesk

GROUP = "triage_tui.adapters"
DEFAULT_ADAPTER = "local"

# The built-ins (also registered in ``pyproject.toml``, so a plain entry-point
# listing shows them too); found here without any metadata, even from a source
# tree that was never installed.
_BUILTINS = {
    "local": "triage_tui.adapters.local.adapter:LocalHelpdesk",
    "zendesk": "triage_tui.adapters.zendesk.adapter:ZendeskHelpdesk",
    "gleap": "triage_tui.adapters.gleap.adapter:GleapHelpdesk",
    "rt": "triage_tui.adapters.rt.adapter:RtHelpdesk",
    "django_helpdesk": "triage_tui.adapters.django_helpdesk.adapter:DjangoHelpdesk",
}


def _plugins() -> dict[str, EntryPoint]:
    """Third-party adapters: the group's entry points whose names are not built in."""
    from importlib.metadata import entry_points  # the scan: only when a plugin may be meant

    return {ep.name: ep for ep in entry_points(group=GROUP) if ep.name not in _BUILTINS}


def available() -> list[str]:
    """Installed adapter names, sorted, without importing them."""
    return sorted({*_BUILTINS, *_plugins()})


def load(name: str) -> type[Helpdesk]:
    """The adapter class registered as ``name``; ``ConfigError`` if unknown or broken."""
    plugin: EntryPoint | None = None
    if name not in _BUILTINS:
        plugins = _plugins()
        if name not in plugins:
            choices = ", ".join(sorted({*_BUILTINS, *plugins}))
            raise ConfigError(f"unknown adapter {name!r}; installed adapters: {choices}")
        plugin = plugins[name]
    try:
        cls = plugin.load() if plugin is not None else _load_builtin(_BUILTINS[name])
    except Exception as exc:  # a broken plugin must not take the console down
        raise ConfigError(f"adapter {name!r} failed to load: {exc}") from exc
    return cls


def _load_builtin(target: str) -> type[Helpdesk]:
    """``module:Class`` imported as ``EntryPoint.load`` would, without building one."""
    module_name, _, attr = target.partition(":")
    return getattr(import_module(module_name), attr)  # type: ignore[no-any-return]
