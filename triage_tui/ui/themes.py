"""Theme files (TOML) turned into Textual themes.

Themes ship in the top-level ``themes/`` folder (``triage_tui/themes`` in a
wheel) and may be added in the user's
config directory (``<config>/themes/*.toml``). A broken file is reported and
skipped; it never stops the console.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from textual.color import Color, ColorParseError
from textual.theme import Theme

from triage_tui import paths

DEFAULT_THEME = "triage-dark"
_PACKAGE = Path(__file__).resolve().parents[1]
#: The shipped themes. The repository keeps them in its top-level ``themes/``
#: (a checkout or an editable install reads them there); a wheel packages that
#: folder as ``triage_tui/themes`` (``package-dir`` in pyproject.toml), so an
#: installed console finds them inside the package. The package's own folder is
#: looked at first: beside an installed package, ``site-packages/themes`` could
#: belong to anything.
BUILTIN_DIR = next(
    (folder for folder in (_PACKAGE / "themes", _PACKAGE.parent / "themes") if folder.is_dir()),
    _PACKAGE.parent / "themes",
)


#: A theme file's keys: the colours (``name`` and ``primary`` required), two
#: flags and a table of extra CSS variables. Checked by hand, not by a pydantic
#: model: the files are read before the first screen, and building a model's
#: validator there also started pydantic's plugin discovery (importlib.metadata,
#: a scan of every installed package: ~30 ms of every start of the console).
COLOURS = (
    "primary",
    "secondary",
    "accent",
    "warning",
    "error",
    "success",
    "foreground",
    "background",
    "surface",
    "panel",
    "boost",
)
FLAGS = ("dark", "ansi")


def theme_values(raw: dict[str, Any]) -> dict[str, Any]:
    """A theme file's table as ``Theme`` arguments; ``ValueError`` naming the first bad key."""
    for key in raw:
        if key not in ("name", *COLOURS, *FLAGS, "variables"):
            raise ValueError(
                f"{key}: unknown key (known: name, {', '.join(COLOURS)}, dark, ansi, variables)"
            )
    values: dict[str, Any] = {"dark": True, "ansi": False, "variables": {}}
    for key in ("name", *COLOURS):
        value = raw.get(key)
        if value is None:
            if key in ("name", "primary"):
                raise ValueError(f"{key}: missing")
            continue
        if not isinstance(value, str):
            raise ValueError(f"{key}: should be a string, not {type(value).__name__}")
        if key != "name" and not value.startswith("ansi_"):
            try:
                Color.parse(value)
            except ColorParseError:
                raise ValueError(f"{key}: not a colour: {value!r}") from None
        values[key] = value
    for key in FLAGS:
        if key in raw:
            if not isinstance(raw[key], bool):
                raise ValueError(f"{key}: should be true or false")
            values[key] = raw[key]
    variables = raw.get("variables", {})
    if not isinstance(variables, dict) or not all(isinstance(v, str) for v in variables.values()):
        raise ValueError("variables: should be a table of strings")
    values["variables"] = dict(variables)
    return values


@dataclass
class LoadedThemes:
    themes: list[Theme] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def names(self) -> list[str]:
        return [t.name for t in self.themes]


def load_file(path: Path) -> Theme:
    """One theme file; ``ValueError`` with a one-line reason when it is invalid."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"invalid TOML: {exc}") from None
    return Theme(**theme_values(raw))


def load_all(extra_dirs: Iterable[Path] = ()) -> LoadedThemes:
    loaded = LoadedThemes()
    seen: dict[str, int] = {}
    for folder in (BUILTIN_DIR, paths.user_themes_dir(), *extra_dirs):
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.toml")):
            try:
                theme = load_file(path)
            except (ValueError, OSError) as exc:
                loaded.warnings.append(f"theme {path.name} skipped: {exc}")
                continue
            if theme.name in seen:  # a user file overrides a built-in of the same name
                loaded.themes[seen[theme.name]] = theme
            else:
                seen[theme.name] = len(loaded.themes)
                loaded.themes.append(theme)
    return loaded
