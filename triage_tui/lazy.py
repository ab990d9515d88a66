"""A module imported when one of its names is first used, not when it is named.

For modules that build pydantic models, named by code on the console's path
to its first screen (which imports no pydantic) but used only after it:
``writes = lazy_module("triage_tui.adapters.local.writes")`` and then
``writes.reply(...)`` as usual. Each use looks the module up in
``sys.modules`` (the import system's lock covers a first use from two
threads), so a test's ``monkeypatch`` of the real module is seen too.
"""

from __future__ import annotations

import importlib
from typing import Any


class LazyModule:
    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attr: str) -> Any:
        return getattr(importlib.import_module(self._name), attr)

    def __repr__(self) -> str:
        return f"<lazy module {self._name!r}>"


def lazy_module(name: str) -> Any:
    """``name``, imported on first attribute access (typed as the module under TYPE_CHECKING)."""
    return LazyModule(name)
