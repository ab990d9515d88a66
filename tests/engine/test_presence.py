"""The presence board in a team directory (issue 18 item 5), without a console.

Records are written and read through ``PresenceBoard`` as two consoles would
(another agent, another pid); the hostile cases are files a colleague could
plant in the shared directory.
"""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fakes.presence import (
    colleague_process,
    gone_pid,
    plant,
    record_json,
    team_directory,
)
from triage_tui.domain.presence import Presence, labels, parse, replying_lines, ticket_line
from triage_tui.domain.presence import by_ticket as on_tickets
from triage_tui.engine.presence import (
    RECORD_MAX,
    STALE_SECONDS,
    PresenceBoard,
    PresenceError,
    helpdesk_key,
    problem,
    team_dir,
)

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX modes and pids")

KEY = "local-abc"
NOW = 1_800_000_000.0


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return team_directory(tmp_path)


@pytest.fixture
def colleague_pid() -> Iterator[int]:
    with colleague_process() as pid:
        yield pid


def board(root: Path, agent: str, pid: int, now: float = NOW, key: str = KEY) -> PresenceBoard:
    return PresenceBoard(root, key, agent, host="jump1", pid=pid, now=lambda: now)


def test_two_consoles_see_each_other_and_not_themselves(root: Path, colleague_pid: int) -> None:
    """Issue 18 item 5: each console's record reaches the other; its own is not listed."""
    sam = board(root, "Sam Rivera", os.getpid())
    mei = board(root, "Mei Chen", colleague_pid)
    sam.publish("1042", replying=False)
    mei.publish("1042", replying=True)
    seen = sam.others()
    assert [(r.agent, r.ticket, r.replying) for r in seen] == [("Mei Chen", "1042", True)]
    assert [r.agent for r in mei.others()] == ["Sam Rivera"]
    # Mei moves to another ticket: the record is replaced, not added to.
    mei.publish("7", replying=False)
    assert [(r.ticket, r.replying) for r in sam.others()] == [("7", False)]
    assert len([p for p in (root / KEY).iterdir() if p.suffix == ".json"]) == 2


def test_records_are_the_groups_and_nobody_elses(root: Path) -> None:
    """Issue 18 item 5: whatever the umask (the command line sets 077), the
    helpdesk's folder is 0770 keeping the team directory's setgid bit, a record 0660."""
    old = os.umask(0o077)
    try:
        sam = board(root, "Sam Rivera", os.getpid())
        sam.publish("1", replying=False)
    finally:
        os.umask(old)
    folder_mode = os.stat(root / KEY).st_mode
    assert stat.S_IMODE(folder_mode) & 0o777 == 0o770
    assert folder_mode & stat.S_ISGID
    assert stat.S_IMODE(os.stat(sam.path).st_mode) == 0o660
    assert not list((root / KEY).glob(".*"))  # no temporary file left


def test_a_clean_quit_removes_the_record(root: Path, colleague_pid: int) -> None:
    """Issue 18 item 5: ``leave`` removes the record; leaving twice is fine."""
    sam = board(root, "Sam Rivera", os.getpid())
    mei = board(root, "Mei Chen", colleague_pid)
    mei.publish("5", replying=True)
    assert sam.others()
    mei.leave()
    mei.leave()
    assert sam.others() == []
    assert not mei.path.exists()


def test_stale_and_dead_records_are_ignored(root: Path, colleague_pid: int) -> None:
    """Issue 18 item 5: a record whose heartbeat is older than ``STALE_SECONDS``
    is ignored, and so is one whose process on this host is gone (kill -9)."""
    old = board(root, "Old Timer", colleague_pid, now=NOW - STALE_SECONDS - 1, key=KEY)
    old.publish("3", replying=False)
    sam = board(root, "Sam Rivera", os.getpid())
    assert sam.others() == []
    dead = gone_pid()
    board(root, "Ghost", dead).publish("4", replying=True)
    assert sam.others() == []
    # A console on another host is judged by its heartbeat alone.
    other_host = PresenceBoard(root, KEY, "Ana Ortiz", host="jump2", pid=dead, now=lambda: NOW)
    other_host.publish("4", replying=False)
    assert [r.agent for r in sam.others()] == ["Ana Ortiz"]


def record(pid: int, /, **fields: object) -> str:
    return record_json(pid, "jump1", NOW, **fields)


def test_malformed_oversized_and_odd_files_are_skipped(root: Path, colleague_pid: int) -> None:
    """Issue 18 item 5: a colleague's file is untrusted: malformed JSON, wrong types,
    a file over ``RECORD_MAX``, a FIFO (which would block a reader) and a symlink
    are skipped; the one good record is still read."""
    plant(root / KEY, "good.json", record(colleague_pid))
    plant(root / KEY, "garbage.json", b"\xff{not json")
    plant(root / KEY, "list.json", "[1, 2]")
    plant(root / KEY, "wrong.json", record(colleague_pid, pid="12", agent="X"))
    plant(root / KEY, "state.json", record(colleague_pid, state="typing", agent="Y"))
    plant(root / KEY, "nan.json", record(colleague_pid, agent="Z").replace(str(NOW), "NaN"))
    plant(root / KEY, "deep.json", "[" * 4000)
    plant(root / KEY, "big.json", record(colleague_pid, agent="B" * 50) + " " * RECORD_MAX)
    os.mkfifo(root / KEY / "fifo.json")
    secret = root.parent / "secret.json"
    secret.write_text(record(colleague_pid, agent="Linked"))
    (root / KEY / "link.json").symlink_to(secret)
    sam = board(root, "Sam Rivera", os.getpid())
    assert [r.agent for r in sam.others()] == ["Mei Chen"]


def test_hostile_names_stay_text(root: Path, colleague_pid: int) -> None:
    """Issue 18 item 5: escapes and markup in a planted agent name are kept as data
    here (the screen's gate neutralises them, tests/ui/test_presence.py), and a
    name or ticket over its bound is refused outright."""
    hostile = "\x1b]0;pwned\x07Mei\x1b[2J [@click=app.quit]"
    plant(root / KEY, "a.json", record(colleague_pid, agent=hostile))
    plant(root / KEY, "b.json", record(colleague_pid, agent="N" * 81))
    plant(root / KEY, "c.json", record(colleague_pid, ticket="1" * 65))
    found = board(root, "Sam Rivera", os.getpid()).others()
    assert [r.agent for r in found] == [hostile]


def test_two_helpdesks_on_one_host_do_not_mix(
    root: Path, colleague_pid: int, tmp_path: Path
) -> None:
    """Issue 18 item 5: consoles on two helpdesks keep their records apart; the key
    names where the helpdesk is (its db, its URL), not an agent's own options."""
    first = helpdesk_key("local", {"db": str(tmp_path / "a.db")})
    second = helpdesk_key("local", {"db": str(tmp_path / "b.db")})
    assert first != second
    # The same file named two ways is the same helpdesk.
    assert helpdesk_key("local", {"db": str(tmp_path / "x" / ".." / "a.db")}) == first
    # Two agents of one Zendesk (their own email) meet; another subdomain does not.
    acme = helpdesk_key("zendesk", {"subdomain": "acme", "email": "sam@acme.example"})
    assert acme == helpdesk_key("zendesk", {"subdomain": "acme", "email": "mei@acme.example"})
    assert acme != helpdesk_key("zendesk", {"subdomain": "other", "email": "sam@acme.example"})
    board(root, "Mei Chen", colleague_pid, key=first).publish("1", replying=True)
    assert board(root, "Sam Rivera", os.getpid(), key=second).others() == []
    assert len(board(root, "Sam Rivera", os.getpid(), key=first).others()) == 1


def test_an_unusable_team_dir_is_one_line(tmp_path: Path) -> None:
    """Issue 18 item 5: a missing directory, a file, one open to every user: one
    line each naming the fix; publishing there raises ``PresenceError`` with it."""
    missing = tmp_path / "nope"
    assert "install -d -m 2770" in (problem(missing) or "")
    afile = tmp_path / "file"
    afile.write_text("x")
    assert "not a directory" in (problem(afile) or "")
    open_dir = tmp_path / "open"
    open_dir.mkdir()
    os.chmod(open_dir, 0o777)
    said = problem(open_dir) or ""
    assert "open to every user" in said and "chmod o-rwx" in said
    with pytest.raises(PresenceError) as caught:
        board(open_dir, "Sam Rivera", os.getpid()).publish("1", replying=False)
    assert "\n" not in str(caught.value)
    assert not (open_dir / KEY).exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes anywhere")
def test_a_read_only_team_dir_is_one_line(root: Path) -> None:
    """Issue 18 item 5: a team directory the agent cannot write to says so."""
    os.chmod(root, 0o2550)
    try:
        said = problem(root) or ""
        assert "not writable by you" in said
        with pytest.raises(PresenceError):
            board(root, "Sam Rivera", os.getpid()).publish("1", replying=False)
    finally:
        os.chmod(root, 0o2770)


def test_the_setting_and_its_variable() -> None:
    """Issue 18 item 5: ``TRIAGE_TEAM_DIR`` wins over ``team_dir``; neither: off."""
    assert team_dir(None, {}) is None
    assert team_dir(Path("/srv/t"), {}) == Path("/srv/t")
    assert team_dir(Path("/srv/t"), {"TRIAGE_TEAM_DIR": "/srv/u"}) == Path("/srv/u")
    assert team_dir(None, {"TRIAGE_TEAM_DIR": " "}) is None


def test_the_words_on_screen() -> None:
    """Issue 18 item 5: row markers and the ticket's line, replying first."""
    mei = Presence("Mei Chen", "h", 1, "9", True, NOW)
    ana = Presence("Ana Ortiz", "h", 2, "9", False, NOW)
    bo = Presence("Bo Li", "h", 3, "8", False, NOW)
    assert labels([ana, mei, bo]) == {"9": "Mei ✎+1", "8": "Bo ◎"}
    on = on_tickets([ana, mei])
    assert ticket_line(on["9"]) == "Mei Chen is replying, Ana Ortiz has it open"
    assert replying_lines(on, "9") == ["Mei Chen is replying to this ticket right now"]
    assert replying_lines(on, "8") == []
    assert parse(mei.to_json().encode()) == mei
