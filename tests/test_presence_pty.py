"""Two real consoles on one host see each other (issue 18 item 5, the done-when).

Sam and Mei each run ``triage`` in a pseudo-terminal (screens emulated by pyte,
``benchmarks/pty_screen.py``) on one demo helpdesk, with one team directory
(group-shared, 2770). Mei opens a ticket and starts editing its draft (``e``);
Sam's console — at 80×24 in the 16-colour theme — shows ``Mei ✎`` on that row
and, once Sam opens it, ``Mei Chen is replying`` on the ticket. Mei quits: the
marker and the line go.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.fakes.presence import team_directory
from tests.test_live_queue_pty import ROOT, TICKET_TITLE, _env, queue_rows, triage

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pty")

#: Generous: two consoles start at once on a shared two-core machine.
WAIT = 90


def _open_id(text: str) -> str | None:
    match = TICKET_TITLE.search(text)
    return match.group(1) if match else None


def test_two_consoles_on_one_host_see_who_is_replying(tmp_path: Path) -> None:
    """Issue 18 item 5: presence tested with two consoles on one host."""
    from benchmarks.pty_screen import Terminal

    team = team_directory(tmp_path)
    db = tmp_path / "helpdesk.db"
    # The detail follows the cursor: moving to a row opens its ticket.
    sam = _env(tmp_path, "sam", "Sam Rivera", preview="follow")
    mei = _env(tmp_path, "mei", "Mei Chen", preview="follow")
    for env, theme in ((sam, "triage-ansi"), (mei, "triage-dark")):
        config = Path(env["TRIAGE_CONFIG_DIR"]) / "config.toml"
        with config.open("a") as handle:
            handle.write(f'team_dir = "{team}"\ntheme = "{theme}"\n')
    sam["TERM"] = "xterm-16color"
    triage(sam, "demo", "--db", str(db), "--tickets", "60")
    argv = [sys.executable, "-m", "triage_tui", "--db", str(db)]

    with (
        Terminal(argv, 120, 40, mei, cwd=str(ROOT)) as mei_term,
        Terminal(argv, 80, 24, sam, cwd=str(ROOT)) as sam_term,
    ):

        def both(condition: Callable[[Terminal], bool]) -> Callable[[Terminal], bool]:
            """``condition`` on one screen while the other console's output is
            drained too (a full pty would stall that console)."""

            def check(term: Terminal) -> bool:
                for other in (mei_term, sam_term):
                    if other is not term:
                        other.pump(0)
                return condition(term)

            return check

        assert mei_term.wait_for(both(lambda t: _open_id(t.text()) is not None), WAIT)
        assert sam_term.wait_for(both(lambda t: _open_id(t.text()) is not None), WAIT)
        # Mei moves to the fourth row (the detail follows the cursor) and edits.
        first = _open_id(mei_term.text())
        mei_term.send(b"jjj")
        assert mei_term.wait_for(both(lambda t: _open_id(t.text()) not in (None, first)), WAIT)
        mei_term.settle(0.5)
        ticket = _open_id(mei_term.text())
        assert ticket is not None
        mei_term.send(b"e")

        def marked(t: Terminal) -> bool:
            return any(
                ticket == tid and "Mei ✎" in t.lines()[y] for y, tid in queue_rows(t.lines(), 80)
            )

        assert sam_term.wait_for(both(marked), WAIT), sam_term.text()
        # Sam opens the same ticket: the fourth row of the same queue.
        sam_term.send(b"jjj")
        assert sam_term.wait_for(both(lambda t: _open_id(t.text()) == ticket), WAIT), (
            sam_term.text()
        )
        assert sam_term.wait_for(both(lambda t: "Mei Chen is replying" in t.text()), WAIT), (
            sam_term.text()
        )

        # Mei leaves the editor and quits: her record goes with her console.
        mei_term.send(b"\x1b")
        mei_term.settle(0.5)
        mei_term.send(b"q")
        mei_term.wait_for(lambda t: t.proc is not None and t.proc.poll() is not None, WAIT)
        assert mei_term.proc is not None and mei_term.proc.poll() == 0
        assert sam_term.wait_for(
            lambda t: "Mei Chen is replying" not in t.text() and "Mei ✎" not in t.text(), WAIT
        ), sam_term.text()
        assert _open_id(sam_term.text()) == ticket
