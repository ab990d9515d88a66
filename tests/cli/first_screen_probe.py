"""Run ``triage ARGS`` headless until its first queue rows; print what was imported then.

Used by ``test_start_up_imports.py`` in a fresh interpreter: hooks wrap
``MainScreen._set_rows`` (record ``sys.modules``, then quit) and ``App.run``
(headless, 120x40) as their modules are first imported, so the console's own
import order is unchanged.
"""

from __future__ import annotations

import importlib.machinery
import json
import sys
from typing import Any

SEEN: dict[str, Any] = {}


def _patch_main_screen(module: Any) -> None:
    original = module.MainScreen._set_rows

    def set_rows(self: Any, rows: Any, *args: Any, **kwargs: Any) -> None:
        original(self, rows, *args, **kwargs)
        if not SEEN:
            SEEN.update(
                rows=len(rows),
                modules=sorted(sys.modules),
                theme=self.app.theme,
                theme_warnings=list(self.app.theme_warnings),
            )
            self.app.exit()

    module.MainScreen._set_rows = set_rows


def _patch_app(module: Any) -> None:
    original = module.App.run

    def run(self: Any, *args: Any, **kwargs: Any) -> Any:
        return original(self, *args, **{**kwargs, "headless": True, "size": (120, 40)})

    module.App.run = run


HOOKS = {"triage_tui.ui.screens.main": _patch_main_screen, "textual.app": _patch_app}


class _Hook:
    def find_spec(self, name: str, path: Any = None, target: Any = None) -> Any:
        if name not in HOOKS:
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        assert spec is not None and spec.loader is not None
        exec_module = spec.loader.exec_module

        def patched(module: Any) -> None:
            exec_module(module)
            HOOKS[name](module)

        spec.loader.exec_module = patched  # type: ignore[method-assign]
        return spec


sys.meta_path.insert(0, _Hook())

from triage_tui.cli import main  # noqa: E402  (after the hooks)

code = main(sys.argv[1:])
print(json.dumps({"code": code, **SEEN}))
