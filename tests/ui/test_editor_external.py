"""Issue 19 item 4: ``E`` edits the draft in ``$VISUAL`` / ``$EDITOR``, driven with Pilot.

Pilot's headless driver cannot hand the terminal over (``App.suspend`` raises
``SuspendNotSupported``): the first test shows the console says so. The others
stand in a terminal that can be suspended (``suspend`` yields, as the real one
does once the terminal is handed over) and run real editors — small Python
scripts as ``$VISUAL`` — on the real file. The real suspend round trip, in a
pseudo-terminal, is the last test here.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from textual.pilot import Pilot

from tests.ui.conftest import db_rows
from tests.ui.test_console import move_to_sendable, settle
from triage_tui.ui.app import TriageApp
from triage_tui.ui.external_editor import MAX_BYTES
from triage_tui.ui.screens.main import MainScreen
from triage_tui.ui.screens.prompts import SendScreen
from triage_tui.ui.widgets.draft import DraftPane

#: What the editing script appends to the draft.
ADDED = "\n\nP.S. The fix is live on your account now."


@pytest.fixture
def temp_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Where the draft's private folder is made (to see it removed afterwards)."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


@pytest.fixture
def can_suspend(monkeypatch: pytest.MonkeyPatch) -> None:
    """A terminal the console can hand over: ``suspend`` yields (the editor then runs)."""

    @contextmanager
    def suspend(self: TriageApp) -> Iterator[None]:
        yield

    monkeypatch.setattr(TriageApp, "suspend", suspend)


def editor(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, body: str) -> Path:
    """``$VISUAL`` set to a Python script running ``body`` with ``path`` the draft's file;
    the script logs the file's and its folder's modes to the returned path."""
    log = tmp_path / "editor-log.json"
    script = tmp_path / "editor.py"
    script.write_text(
        "import json, os, stat, sys\n"
        "path = sys.argv[-1]\n"
        "modes = {'file': stat.S_IMODE(os.stat(path).st_mode),\n"
        "         'dir': stat.S_IMODE(os.stat(os.path.dirname(path)).st_mode), 'path': path}\n"
        f"open({str(log)!r}, 'w').write(json.dumps(modes))\n" + body,
        encoding="utf-8",
    )
    monkeypatch.setenv("VISUAL", f"{shlex.quote(sys.executable)} {shlex.quote(str(script))}")
    monkeypatch.delenv("EDITOR", raising=False)
    return log


def last_notice(pilot: Pilot) -> str:
    return list(pilot.app._notifications)[-1].message


def draft_text(screen: MainScreen) -> str:
    return screen.query_one(DraftPane).text


async def send_and_read_body(pilot: Pilot, db: Path, ticket_id: str) -> str:
    await pilot.press("s")
    assert isinstance(pilot.app.screen, SendScreen)
    await pilot.press("enter")
    await settle(pilot)
    return db_rows(
        db, "SELECT body FROM messages WHERE ticket_id=? ORDER BY rowid DESC LIMIT 1", ticket_id
    )[0][0]


async def test_without_a_terminal_to_hand_over_one_notice_and_the_draft_stays(
    demo_db: Path, make_app, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, temp_dir: Path
) -> None:
    """Issue 19 item 4: under Pilot (headless) ``App.suspend`` is not supported: one notice
    says so, the draft is unchanged and the private folder is gone."""
    log = editor(tmp_path, monkeypatch, "open(path, 'a').write('never')\n")
    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await settle(pilot)
        before = draft_text(screen)
        await pilot.press("E")
        await settle(pilot)
        assert "cannot hand the terminal to an editor here" in last_notice(pilot)
        assert "the draft is unchanged" in last_notice(pilot)
        assert draft_text(screen) == before
        assert not log.exists()  # the editor never ran
        assert list(temp_dir.iterdir()) == []


async def test_the_edited_text_becomes_the_draft_and_is_what_send_sends(
    demo_db: Path,
    make_app,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    temp_dir: Path,
    can_suspend: None,
) -> None:
    """Issue 19 item 4: the editor gets the draft in a 0600 file in a 0700 folder; what it
    saves is the draft (marked edited, safeguards re-run and said), the folder is removed,
    and Send sends that text."""
    log = editor(tmp_path, monkeypatch, f"open(path, 'a').write({ADDED!r} + '\\n')\n")
    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await settle(pilot)
        ticket_id = await move_to_sendable(pilot, screen)
        before = draft_text(screen)
        await pilot.press("E")
        await settle(pilot)
        modes = json.loads(log.read_text())
        assert (modes["file"], modes["dir"]) == (0o600, 0o700)
        assert Path(modes["path"]).parent.parent == temp_dir
        assert list(temp_dir.iterdir()) == []  # removed afterwards
        # The trailing newline the editor added is not part of the draft.
        assert draft_text(screen) == before + ADDED
        assert last_notice(pilot).startswith("Draft from the editor · ")
        assert screen.query_one(DraftPane).edited
        assert screen.drafts[ticket_id] == before + ADDED  # kept like typing
        assert await send_and_read_body(pilot, demo_db, ticket_id) == before + ADDED


async def test_escape_bytes_from_the_editor_are_shown_not_sent_to_the_terminal(
    demo_db: Path, make_app, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, can_suspend: None
) -> None:
    """Issue 19 item 4: text with ESC sequences goes through the draft's one gate: the
    editor widget and the reply hold visible escapes (␛), never a raw ESC."""
    editor(
        tmp_path,
        monkeypatch,
        "open(path, 'w', encoding='utf-8').write('Hello \\x1b[2J\\x1b]0;pwned\\x07 done\\x9b1m')\n",
    )
    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await settle(pilot)
        ticket_id = await move_to_sendable(pilot, screen)
        await pilot.press("E")
        await settle(pilot)
        text = draft_text(screen)
        assert text == "Hello ␛[2J␛]0;pwned␇ done\\x9b1m"
        assert "\x1b" not in text and "\x07" not in text
        body = await send_and_read_body(pilot, demo_db, ticket_id)
        assert body == text


@pytest.mark.parametrize(
    ("body", "said"),
    [
        ("sys.exit(1)\n", "exited with status 1: the draft is unchanged."),
        (
            "import signal; os.kill(os.getpid(), signal.SIGKILL)\n",
            "was stopped by SIGKILL: the draft is unchanged.",
        ),
        ("os.remove(path)\n", "could not be read (No such file or directory)"),
        ("open(path, 'wb').write(b'caf\\xe9 ok')\n", "is not UTF-8 text (byte 4)"),
        (
            f"open(path, 'wb').write(b'x' * {MAX_BYTES + 1})\n",
            "is over 1024 KB, too long for a reply",
        ),
        ("os.remove(path); os.mkfifo(path)\n", "is not a regular file"),
    ],
    ids=["exit-1", "killed", "removed", "not-utf8", "too-big", "fifo"],
)
async def test_a_failed_edit_is_one_notice_and_the_draft_stays(
    demo_db: Path,
    make_app,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    temp_dir: Path,
    can_suspend: None,
    body: str,
    said: str,
) -> None:
    """Issue 19 item 4: non-zero exit, killed, file removed, not UTF-8, too large, a FIFO
    in its place: one clear notice, the draft as it was, the private folder removed."""
    log = editor(tmp_path, monkeypatch, "open(path, 'a').write('changed')\n" + body)
    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await settle(pilot)
        before = draft_text(screen)
        count = len(app._notifications)
        await pilot.press("E")
        await settle(pilot)
        assert log.exists()  # the editor ran
        assert len(app._notifications) == count + 1
        assert said in last_notice(pilot)
        assert draft_text(screen) == before
        assert not screen.query_one(DraftPane).edited
        assert list(temp_dir.iterdir()) == []


@pytest.mark.parametrize(
    ("visual", "said"),
    [
        ("", "Set $VISUAL or $EDITOR to edit the draft in your own editor."),
        ("no-such-editor-zz --wait", "The editor 'no-such-editor-zz' was not found"),
        ("vim 'unclosed", "$VISUAL is not a command line"),
    ],
    ids=["unset", "missing", "unparsable"],
)
async def test_no_usable_editor_is_one_notice(
    demo_db: Path,
    make_app,
    monkeypatch: pytest.MonkeyPatch,
    can_suspend: None,
    visual: str,
    said: str,
) -> None:
    """Issue 19 item 4: no editor set, one not installed, an unparsable $VISUAL: one line each."""
    monkeypatch.setenv("VISUAL", visual)
    monkeypatch.delenv("EDITOR", raising=False)
    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await settle(pilot)
        before = draft_text(screen)
        await pilot.press("E")
        await settle(pilot)
        assert said in last_notice(pilot)
        assert draft_text(screen) == before


async def test_a_blocking_finding_in_the_edited_draft_is_said_and_blocks_send(
    demo_db: Path, make_app, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, can_suspend: None
) -> None:
    """Issue 19 item 4: the safeguards Send runs run on the editor's text: a placeholder left
    in it is said in the notice and in the draft pane, and Send asks before sending."""
    editor(
        tmp_path,
        monkeypatch,
        "open(path, 'w').write('Hi,\\n\\n[Describe the specific next step]\\n\\nBest')\n",
    )
    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await settle(pilot)
        await move_to_sendable(pilot, screen)
        await pilot.press("E")
        await settle(pilot)
        pane = screen.query_one(DraftPane)
        blocking = [f for f in pane.findings if f.blocking]
        assert blocking
        assert "blocking" in last_notice(pilot)
        await pilot.press("s")
        assert isinstance(app.screen, SendScreen)
        assert app.screen.blocking == [f.reason for f in blocking]


async def test_in_a_sweep_the_edited_text_is_the_sweeps_draft_and_is_sent(
    demo_db: Path, make_app, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, can_suspend: None
) -> None:
    """Issue 19 item 4: ``E`` works in a sweep too (one draft per ticket): the sweep's
    draft is the editor's text and Send sends it."""
    from tests.ui.sweep_helpers import confirm_send, start_sweep

    editor(tmp_path, monkeypatch, f"open(path, 'a').write({ADDED!r})\n")
    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        sweep = await start_sweep(pilot, "priority:urgent", [])
        pane = sweep.query_one(DraftPane)
        ticket_id = sweep.view.detail.ticket.id
        before = pane.text
        await pilot.press("E")
        await settle(pilot)
        assert pane.text == before + ADDED
        await pilot.press("s")
        await confirm_send(pilot)
        await settle(pilot)
        body = db_rows(
            demo_db,
            "SELECT body FROM messages WHERE ticket_id=? ORDER BY rowid DESC LIMIT 1",
            ticket_id,
        )[0][0]
        assert body == before + ADDED


def test_the_private_folder_is_made_0700_whatever_the_umask(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 19 item 4: the draft's file and folder are private even under umask 022."""
    from triage_tui.ui.external_editor import draft_file

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    old = os.umask(0o022)
    try:
        with draft_file("secret reply", "1042") as path:
            assert stat.S_IMODE(path.stat().st_mode) == 0o600
            assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
            assert path.read_text() == "secret reply"
    finally:
        os.umask(old)
    assert not path.parent.exists()


# -- the real console in a pseudo-terminal ------------------------------------------------

ROOT = Path(__file__).resolve().parents[2]
TICKET_TITLE = re.compile(r"Ticket #(\d+)")
TYPED = "PTYTYPED-5150"
#: The editor: says it has the terminal, reads a line typed there, saves a reply with it.
PTY_EDITOR = """\
import sys
path = sys.argv[-1]
print("FAKE-EDITOR has the terminal: type a line", flush=True)
line = sys.stdin.readline().strip()
with open(path, "w", encoding="utf-8") as handle:
    handle.write("Hi,\\n\\nThanks for waiting: " + line + "\\n\\nBest regards,\\nSupport\\n")
"""


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pty")
def test_the_real_console_hands_the_terminal_to_the_editor_and_sends_its_text(
    tmp_path: Path, demo_db: Path
) -> None:
    """Issue 19 item 4, the round trip in a real terminal: E suspends the console, the
    editor gets the terminal (it reads a line typed there), the console comes back with
    the saved text in the draft, and after Send ``triage get-ticket ID --json`` has it."""
    from benchmarks.pty_screen import Terminal

    script = tmp_path / "pty_editor.py"
    script.write_text(PTY_EDITOR, encoding="utf-8")
    config = tmp_path / "config"
    config.mkdir()
    (config / "config.toml").write_text(
        '[profiles.default]\nagent = "Sam Agent"\nundo_seconds = 0\npreview = "follow"\n'
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("TRIAGE_", "SSH_", "EDITOR"))}
    env = {
        **clean,
        "PYTHONPATH": str(ROOT),
        "TRIAGE_CONFIG_DIR": str(config),
        "TRIAGE_DATA_DIR": str(tmp_path / "data"),
        "TERM": "xterm-256color",
        "VISUAL": f"{shlex.quote(sys.executable)} {shlex.quote(str(script))}",
    }
    argv = [sys.executable, "-m", "triage_tui", "--db", str(demo_db)]
    expected = f"Hi,\n\nThanks for waiting: {TYPED}\n\nBest regards,\nSupport"
    with Terminal(argv, 120, 40, env, cwd=str(ROOT)) as term:
        assert term.wait_for(lambda t: "Draft reply to" in t.text(), 60), term.text()
        term.settle(0.5)
        found = TICKET_TITLE.search(term.text())
        assert found is not None, term.text()
        ticket_id = found.group(1)

        term.send(b"E")
        assert term.wait_for(lambda t: "FAKE-EDITOR has the terminal" in t.text(), 30), term.text()
        term.send(f"{TYPED}\r".encode())
        # The console is back (its panes repainted) with the editor's text in the draft.
        assert term.wait_for(
            lambda t: "Thanks for waiting: " + TYPED in t.text() and "Draft reply to" in t.text(),
            30,
        ), term.text()
        term.settle(0.5)
        assert "FAKE-EDITOR" not in term.text()  # the editor's screen is gone
        assert "Draft from the editor" in term.text()

        term.send(b"s")
        assert term.wait_for(
            lambda t: "send and set" in t.text() or "send anyway" in t.text(), 20
        ), term.text()
        term.send(b"y" if "send anyway" in term.text() else b"\r")
        term.settle(1.0)

    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "triage_tui",
            "--db",
            str(demo_db),
            "get-ticket",
            ticket_id,
            "--json",
        ],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    bodies = [m["body"] for m in json.loads(done.stdout)["messages"] if m["role"] == "agent"]
    assert bodies and bodies[-1] == expected
