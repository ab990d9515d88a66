"""Adapter discovery through the ``triage_tui.adapters`` entry-point group.

Listing names never imports an adapter module (so ``triage --help`` stays fast
and a broken third-party adapter cannot break the others); only the adapter
that is used gets loaded.
"""

from __future__ import annotations

from importlib.metadata import EntryPoint, entry_points
from typing import TYPE_CHECKING

from triage_tui.domain.errors import ConfigError

if TYPE_CHECKING:
    from triage_tui.adapters.base import Helpdesk

GROUP = "triage_tui.adapters"
DEFAULT_ADAPTER = "local"

# Fallback for running from a source tree that was never installed (no
# entry-point metadata): the built-ins are still found.
_BUILTINS = {
    "local": "triage_tui.adapters.local.adapter:LocalHelpdesk",
    "zendesk": "triage_tui.adapters.zendesk.adapter:ZendeskHelpdesk",
    "gleap": "triage_tui.adapters.gleap.adapter:GleapHelpdesk",
    "rt": "triage_tui.adapters.rt.adapter:RtHelpdesk",
    "django_helpdesk": "triage_tui.adapters.django_helpdesk.adapter:DjangoHelpdesk",
}


def _entry_points() -> dict[str, EntryPoint]:
    found = {ep.name: ep for ep in entry_points(group=GROUP)}
    for name, value in _BUILTINS.items():
        found.setdefault(name, EntryPoint(name=name, value=value, group=GROUP))
    return found


def available() -> list[str]:
    """Installed adapter names, sorted, without importing them."""
    return sorted(_entry_points())


def load(name: str) -> type[Helpdesk]:
    """The adapter class registered as ``name``; ``ConfigError`` if unknown or broken."""
    eps = _entry_points()
    if name not in eps:
        choices = ", ".join(sorted(eps))
        raise ConfigError(f"unknown adapter {name!r}; installed adapters: {choices}")
    try:
        cls = eps[name].load()
    except Exception as exc:  # a broken plugin must not take the console down
        raise ConfigError(f"adapter {name!r} failed to load: {exc}") from exc
    return cls
