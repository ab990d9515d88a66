"""Theme files: the shipped ones load, a user's file overrides or adds one, a broken one is skipped
with why.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from triage_tui.ui import themes


def test_the_shipped_themes_load_without_warnings() -> None:
    loaded = themes.load_all()
    assert {"triage-dark", "triage-light", "triage-ansi"} <= set(loaded.names)
    assert loaded.warnings == []
    dark = next(t for t in loaded.themes if t.name == "triage-dark")
    assert dark.primary == "#3B82F6" and dark.dark is True
    assert dark.variables["footer-key-foreground"] == "#22D3EE"


def test_a_user_theme_overrides_the_shipped_one_of_its_name_and_adds_its_own(
    tmp_path: Path,
) -> None:
    (tmp_path / "mine.toml").write_text(
        'name = "triage-dark"\nprimary = "#FF0000"\n', encoding="utf-8"
    )
    (tmp_path / "sea.toml").write_text(
        'name = "sea"\nprimary = "ansi_blue"\ndark = false\n'
        '[variables]\n"border-blurred" = "#123456"\n',
        encoding="utf-8",
    )
    loaded = themes.load_all([tmp_path])
    assert loaded.names.count("triage-dark") == 1
    assert next(t for t in loaded.themes if t.name == "triage-dark").primary == "#FF0000"
    sea = next(t for t in loaded.themes if t.name == "sea")
    assert (sea.primary, sea.dark, sea.variables) == (
        "ansi_blue",
        False,
        {"border-blurred": "#123456"},
    )


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ('name = "x"\nprimay = "#fff"\n', "primay: unknown key"),
        ('name = "x"\n', "primary: missing"),
        ('primary = "#fff"\n', "name: missing"),
        ('name = "x"\nprimary = 3\n', "primary: should be a string, not int"),
        ('name = "x"\nprimary = "blurple"\n', "primary: not a colour: 'blurple'"),
        ('name = "x"\nprimary = "#fff"\ndark = "yes"\n', "dark: should be true or false"),
        (
            'name = "x"\nprimary = "#fff"\nvariables = 3\n',
            "variables: should be a table of strings",
        ),
        ('name = "x\nprimary = "#fff"\n', "invalid TOML"),
    ],
)
def test_a_broken_theme_file_is_skipped_with_a_one_line_reason(
    tmp_path: Path, text: str, reason: str
) -> None:
    (tmp_path / "broken.toml").write_text(text, encoding="utf-8")
    loaded = themes.load_all([tmp_path])
    [warning] = loaded.warnings
    assert warning.startswith("theme broken.toml skipped: ")
    assert reason in warning and "\n" not in warning
    assert "triage-dark" in loaded.names  # the others still load


def test_reading_the_themes_starts_neither_pydantic_nor_package_metadata() -> None:
    """They are read before the first screen: a pydantic model here built its
    validator and started pydantic's plugin discovery (~30 ms of every start)."""
    import subprocess
    import sys

    code = (
        "import sys; from triage_tui.ui import themes; themes.load_all(); "
        "print(sorted(m for m in ('pydantic', 'importlib.metadata') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.strip() == "[]"
