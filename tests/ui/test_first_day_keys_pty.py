"""Issue 19 items 1 and 8 in a real pseudo-terminal: a rebound send, flow-control keys, the mouse.

The console runs as ``python -m triage_tui`` on a copy of the demo helpdesk
with its own config file; what it writes to the terminal is read back raw
(mouse reporting is the escape sequence ``ESC [ ? 1000 h``).
"""

from __future__ import annotations

import os
import sys
import termios
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fakes.pty_console import PtyConsole, wait_for
from tests.ui.conftest import db_rows

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pty")

ROOT = Path(__file__).resolve().parents[2]
MOUSE_ON = b"\x1b[?1000h"
MOUSE_OFF = b"\x1b[?1000l"
CTRL_S = "\x13"
CTRL_Y = "\x19"


def start(tmp_path: Path, db: Path, config: str) -> PtyConsole:
    folder = tmp_path / "config"
    folder.mkdir()
    (folder / "config.toml").write_text(
        f'[profiles.default]\nagent = "Sam Agent"\nundo_seconds = 0\n{config}\n'
        f'[profiles.default.options]\ndb = "{db}"\n'
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith("TRIAGE_")}
    env = {
        **clean,
        "PYTHONPATH": str(ROOT),
        "TRIAGE_CONFIG_DIR": str(folder),
        "TRIAGE_DATA_DIR": str(tmp_path / "data"),
        "TERM": "xterm-256color",
    }
    return PtyConsole(env, tmp_path)


@pytest.fixture
def consoles() -> Iterator[list[PtyConsole]]:
    started: list[PtyConsole] = []
    yield started
    for console in started:
        console.close()


def agent_replies(db: Path) -> int:
    return int(db_rows(db, "SELECT count(*) FROM messages WHERE role='agent' AND public=1")[0][0])


def send_dialog_after(console: PtyConsole, mark: int) -> str | None:
    """Which send dialog opened since text position ``mark``: plain, blocked or none."""
    text = console.text()[mark:]
    if "send anyway (status" in text:
        return "blocked"
    if "send and set" in text:
        return "plain"
    return None


def test_a_rebound_send_in_a_real_terminal_old_key_idle_new_key_sends(
    tmp_path: Path, demo_db: Path, consoles: list[PtyConsole]
) -> None:
    """Issue 19 item 1: [keymap] send = "ctrl+y": s opens nothing, ctrl+y sends a reply."""
    console = start(tmp_path, demo_db, '[keymap]\nsend = "ctrl+y"')
    consoles.append(console)
    wait_for(lambda: "^y Send" in console.text(), 30, "the footer's rebound Send", console.text)
    before = agent_replies(demo_db)

    mark = len(console.text())
    # Keys act in order: once the help (typed after s) is drawn, s has been handled.
    console.send("s?")
    wait_for(lambda: "triage — keys" in console.text(), 15, "the help screen", console.text)
    assert send_dialog_after(console, mark) is None
    console.send("q")  # closes the help

    mark = len(console.text())
    console.send(CTRL_Y)
    wait_for(lambda: send_dialog_after(console, mark) is not None, 15, "the send dialog")
    console.send("y" if send_dialog_after(console, mark) == "blocked" else "\r")
    wait_for(lambda: agent_replies(demo_db) == before + 1, 30, "the reply in the helpdesk")


def test_flow_control_is_off_so_ctrl_s_sends_from_the_editor(
    tmp_path: Path, demo_db: Path, consoles: list[PtyConsole]
) -> None:
    """Issue 19 item 1: ctrl+s (XOFF) reaches the console: raw mode clears IXON."""
    console = start(tmp_path, demo_db, "")
    consoles.append(console)
    wait_for(lambda: "Send" in console.text() and MOUSE_ON in console.raw(), 30, "the console")
    assert console.fd is not None
    assert not termios.tcgetattr(console.fd)[0] & termios.IXON
    console.send("e")
    mark = len(console.text())
    console.send(CTRL_S)
    wait_for(lambda: send_dialog_after(console, mark) is not None, 15, "the send dialog")


def test_mouse_false_in_the_profile_and_m_toggles_reporting(
    tmp_path: Path, demo_db: Path, consoles: list[PtyConsole]
) -> None:
    """Issue 19 item 8: mouse = false: no mouse reporting; M turns it on, M again off."""
    console = start(tmp_path, demo_db, "mouse = false")
    consoles.append(console)
    wait_for(lambda: "Send" in console.text(), 30, "the console", console.text)
    console.send("?")  # a drawn help screen: start-up (and its escape sequences) is over
    wait_for(lambda: "triage — keys" in console.text(), 15, "the help screen", console.text)
    console.send("q")
    assert MOUSE_ON not in console.raw()

    console.send("M")
    wait_for(lambda: MOUSE_ON in console.raw(), 15, "mouse reporting on")
    mark = len(console.raw())
    console.send("M")
    wait_for(lambda: MOUSE_OFF in console.raw()[mark:], 15, "mouse reporting off")
