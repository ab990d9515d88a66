"""Issue 19 item 1: ``triage keys``, the [keymap] checks every command runs, the README table."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.conftest import Runner, fake_console
from triage_tui.cli.keys import markdown_keys
from triage_tui.domain.keys import IDS, KEYS

README = Path(__file__).resolve().parents[2] / "README.md"


def config(tmp_path: Path, text: str) -> str:
    path = tmp_path / "config.toml"
    path.write_text(text)
    return str(path)


def test_keys_json_lists_every_binding_id_with_its_keys_and_scope(
    run: Runner, tmp_path: Path
) -> None:
    """Issue 19 item 1: ``triage keys --json``: every id, its keys in force, scope, description."""
    result = run("--config", config(tmp_path, '[keymap]\nsend = "ctrl+y, S"\n'), "keys", "--json")
    assert result.code == 0, result.err
    data = result.json()
    assert {row["id"] for row in data["bindings"]} == IDS
    assert {(row["id"], row["scope"]) for row in data["bindings"]} == {
        (k.id, k.scope) for k in KEYS
    }
    assert data["keymap"] == {"send": "ctrl+y,S"}
    sends = [row for row in data["bindings"] if row["id"] == "send"]
    assert {row["scope"] for row in sends} == {"main", "sweep", "proposals"}
    for row in sends:
        assert row["keys"] == ["ctrl+y", "S"] and row["default"] == ["s"] and row["rebound"]
    zoom = next(row for row in data["bindings"] if row["id"] == "zoom")
    assert (zoom["keys"], zoom["where"], zoom["rebound"]) == (["z"], "everywhere", False)
    assert all(row["description"] for row in data["bindings"])


def test_keys_as_text_marks_the_rebound_ones(run: Runner, tmp_path: Path) -> None:
    """Issue 19 item 1: the text listing shows the keys in force, a rebound one starred."""
    result = run("--config", config(tmp_path, '[keymap]\nskip = "N"\n'), "keys")
    assert result.code == 0, result.err
    skip = [line.split() for line in result.out.splitlines() if line.startswith("skip ")]
    assert [words[:2] for words in skip] == [["skip", "N*"]] * 3  # main, sweep, proposals
    assert "rebound in [keymap]" in result.err


@pytest.mark.parametrize("verb", [["keys"], ["queue"], ["config", "show"]])
@pytest.mark.parametrize(
    ("keymap", "message"),
    [
        ('skip = "e"', "keymap: edit and skip both on e (main screen)"),
        ('send = "z"', "keymap: send and zoom both on z (main screen / everywhere)"),
        ('next_placeholder = "ctrl+s"', "keymap: next_placeholder and send_from_editor both on"),
        ('sendd = "y"', "keymap.sendd: no binding has this id (did you mean send?)"),
        ('send = "ctrl+"', "keymap.send: 'ctrl+' is not a key name"),
        ('send = "s,"', "keymap.send: an empty key"),
        ('send = "\\u001b"', "keymap.send: '\\x1b' is not a key name"),
    ],
)
def test_a_bad_keymap_is_one_line_exit_2_from_any_command(
    run: Runner, demo_db: Path, tmp_path: Path, verb: list[str], keymap: str, message: str
) -> None:
    """Issue 19 item 1: a clash names both ids; an unknown id or key is refused; exit 2."""
    result = run("--config", config(tmp_path, f"[keymap]\n{keymap}\n"), "--db", str(demo_db), *verb)
    assert result.code == 2
    assert result.out == ""
    [line] = result.err.strip().splitlines()
    assert line.startswith("triage: error: ") and message in line


def test_the_console_refuses_a_clash_before_it_starts_and_passes_the_keymap_on(
    run: Runner, demo_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 19 items 1 and 8: the console gets the checked [keymap] and the profile's mouse;
    a clash stops it (exit 2) before anything is drawn."""
    started: list[tuple[dict[str, str], bool]] = []

    def console(helpdesk, profile, config, theme=None, **_):  # type: ignore[no-untyped-def]
        started.append((config.keymap, profile.mouse))
        return 0

    fake_console(monkeypatch, console)
    clash = config(tmp_path, '[keymap]\nsend = "ctrl+y, ?"\n[profiles.default]\nmouse = false\n')
    refused = run("--config", clash, "--db", str(demo_db))
    assert refused.code == 2 and started == []
    assert refused.err.endswith("keymap: help and send both on ? (main screen / everywhere)\n")
    # ? moved to send and help moved off it: no clash.
    fixed = config(
        tmp_path,
        '[keymap]\nsend = "ctrl+y, ?"\nhelp = "f1"\n[profiles.default]\nmouse = false\n',
    )
    result = run("--config", fixed, "--db", str(demo_db))
    assert result.code == 0, result.err
    assert started == [({"send": "ctrl+y,question_mark", "help": "f1"}, False)]


def test_the_readme_key_table_is_generated_from_the_bindings() -> None:
    """Issue 19: the README's keys table is ``markdown_keys()`` (the bindings' declaration)."""
    text = README.read_text(encoding="utf-8")
    begin = text.index("-->\n", text.index("<!-- keys:")) + len("-->\n")
    listed = text[begin : text.index("<!-- /keys -->")].strip()
    assert listed == markdown_keys(), (
        "README.md's key table is out of date; replace it with the output of\n"
        "  python -c 'from triage_tui.cli.keys import markdown_keys as m; print(m())'"
    )
