"""Theme files (TOML) turned into Textual themes.

Themes ship in the top-level ``themes/`` folder and may be added in the user's
config directory (``<config>/themes/*.toml``). A broken file is reported and
skipped; it never stops the console.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError
from textual.color import Color, ColorParseError
from textual.theme import Theme

from triage_tui import paths

DEFAULT_THEME = "triage-dark"
#: The repository's themes folder (present for source and editable installs).
BUILTIN_DIR = Path(__file__).resolve().parents[2] / "themes"


class ThemeFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    primary: str
    secondary: str | None = None
    accent: str | None = None
    warning: str | None = None
    error: str | None = None
    success: str | None = None
    foreground: str | None = None
    background: str | None = None
    surface: str | None = None
    panel: str | None = None
    boost: str | None = None
    dark: bool = True
    ansi: bool = False
    variables: dict[str, str] = {}


@dataclass
class LoadedThemes:
    themes: list[Theme] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def names(self) -> list[str]:
        return [t.name for t in self.themes]


def _check_colours(spec: ThemeFile) -> None:
    for key in ("primary", "secondary", "accent", "warning", "error", "success",
                "foreground", "background", "surface", "panel", "boost"):
        value = getattr(spec, key)
        if value is None or value.startswith("ansi_"):
            continue
        try:
            Color.parse(value)
        except ColorParseError:
            raise ValueError(f"{key}: not a colour: {value!r}") from None


def load_file(path: Path) -> Theme:
    """One theme file; ``ValueError`` with a one-line reason when it is invalid."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        spec = ThemeFile.model_validate(raw)
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"invalid TOML: {exc}") from None
    except ValidationError as exc:
        first = exc.errors()[0]
        raise ValueError(f"{'.'.join(map(str, first['loc']))}: {first['msg']}") from None
    _check_colours(spec)
    return Theme(**spec.model_dump())


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
