"""The outbox file: order, holds, claims, recovery after a crash, drafts on disk."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

from triage_tui.domain.clock import FrozenClock
from triage_tui.engine import outbox as ob
from triage_tui.engine import outbox_model as om
from triage_tui.engine.drafts import DraftStore


def new(ticket: str, kind: str = "status", **payload: object) -> om.NewEntry:
    return om.NewEntry(ticket, kind, payload or {"status": "pending"})


def test_entries_of_a_ticket_go_out_in_order_and_a_batch_waits_for_its_failures(
    tmp_path: Path, clock: FrozenClock
) -> None:
    box = ob.Outbox(tmp_path / "o.sqlite3", clock)
    reply, status = box.add([new("1", "reply", body="hi"), new("1")])
    other = box.add([new("2")])[0]
    assert [e.id for e in box.due()] == [reply.id, other.id]  # status waits behind its reply
    assert box.claim(reply.id, "me") is not None
    assert box.claim(reply.id, "someone else") is None  # claims are exclusive
    box.failed(reply.id, "422: closed")
    assert status.id not in [e.id for e in box.due()]  # same batch: waits for the failed reply
    assert [e.state for e in box.cancel(reply.id)] == [om.CANCELLED, om.CANCELLED]


def test_held_entries_are_released_when_the_window_ends(tmp_path: Path, clock: FrozenClock) -> None:
    box = ob.Outbox(tmp_path / "o.sqlite3", clock)
    (entry,) = box.add([new("1")], hold_seconds=10)
    assert entry.state == om.HELD and box.due() == []
    assert box.next_wake() == entry.hold_until
    clock.advance(9.9)
    assert box.release_holds() == 0
    clock.advance(0.2)
    assert box.release_holds() == 1 and box.due()[0].id == entry.id


def test_recovery_takes_over_only_entries_of_dead_processes(
    tmp_path: Path, clock: FrozenClock
) -> None:
    box = ob.Outbox(tmp_path / "o.sqlite3", clock)
    mine, theirs, dead = box.add([new("1"), new("2"), new("3")])
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        gone = subprocess.run(
            [sys.executable, "-c", "import os; print(os.getpid())"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        me = om.owner_token()
        box.claim(mine.id, me)
        box.claim(theirs.id, f"{live.pid}:abc")
        box.claim(dead.id, f"{gone}:def")
        recovered = box.recover(me)
        assert [e.id for e in recovered] == [dead.id]
        after = box.get(dead.id)
        assert after is not None and after.state == om.PENDING and after.needs_check
    finally:
        live.kill()
        live.wait()


def test_the_outbox_survives_the_process(tmp_path: Path, clock: FrozenClock) -> None:
    """What ``add`` returned is on disk: another connection (the next start) sees it."""
    path = tmp_path / "o.sqlite3"
    box = ob.Outbox(path, clock)
    (entry,) = box.add([new("7", "reply", body="Kept.")])
    again = ob.Outbox(path, clock)
    assert again.get(entry.id).payload == {"body": "Kept."}  # type: ignore[union-attr]


async def test_drafts_are_written_atomically_and_debounced(
    tmp_path: Path, clock: FrozenClock
) -> None:
    folder = tmp_path / "drafts"
    store = DraftStore(folder, clock, delay=0.05)
    store.changed("42", "Hel", lambda: {"status": "open", "message_ids": ["1"]})
    store.changed("42", "Hello", lambda: {"status": "solved"})  # the base is where it began
    assert not folder.exists()  # not on every keystroke…
    await asyncio.sleep(0.2)  # …but within the debounce delay
    (path,) = folder.glob("*.json")
    record = json.loads(path.read_text())
    assert record["body"] == "Hello" and record["base"] == {"status": "open", "message_ids": ["1"]}
    assert not [p for p in os.listdir(folder) if ".tmp" in p]
    again = DraftStore(folder, clock)
    assert again.restorable(lambda _: None) == {"42": "Hello"}


def test_a_sent_draft_is_dropped_on_delivery_and_restored_when_undone(
    tmp_path: Path, clock: FrozenClock
) -> None:
    store = DraftStore(tmp_path / "d", clock)
    store.changed("1", "Reply one", lambda: None)
    store.changed("2", "Reply two", lambda: None)
    store.flush_now()
    store.sending("1", "e1", "Reply one")
    store.sending("2", "e2", "Reply two")
    store.delivered("1", "e1")
    assert store.get("1") is None and not store._path("1").exists()
    fresh = DraftStore(tmp_path / "d", clock)
    # e2 still on its way: not put back in the editor (it would be sent twice).
    assert fresh.restorable(lambda entry: "pending") == {}
    assert fresh.restorable(lambda entry: "cancelled") == {"2": "Reply two"}
    fresh.unsent("2", "e2", "Reply two", None)
    assert fresh.get("2")["state"] == "editing"  # type: ignore[index]


def test_an_older_outbox_file_gets_the_session_columns(tmp_path: Path, clock: FrozenClock) -> None:
    import sqlite3

    path = tmp_path / "o.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute(
        "CREATE TABLE entries (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE,"
        " batch TEXT NOT NULL, origin TEXT NOT NULL, ticket_id TEXT NOT NULL, kind TEXT NOT NULL,"
        " payload TEXT NOT NULL, base TEXT, label TEXT NOT NULL DEFAULT '', state TEXT NOT NULL,"
        " attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT,"
        " needs_check INTEGER NOT NULL DEFAULT 0, force INTEGER NOT NULL DEFAULT 0,"
        " conflict TEXT, result TEXT, idem_key TEXT NOT NULL, owner TEXT,"
        " created_at TEXT NOT NULL, hold_until TEXT, next_attempt TEXT,"
        " updated_at TEXT NOT NULL, delivered_at TEXT)"
    )
    conn.close()
    box = ob.Outbox(path, clock)
    (entry,) = box.add([new("1")], owner="123:abc")
    assert (entry.session, entry.jump) == ("123:abc", False)


def test_a_write_stuck_behind_another_batchs_conflict_is_found_and_can_jump(
    tmp_path: Path, clock: FrozenClock
) -> None:
    box = ob.Outbox(tmp_path / "o.sqlite3", clock)
    reply, status = box.add([new("1", "reply", body="a"), new("1")], owner="1:a")
    (later,) = box.add([new("1", "reply", body="b")], owner="2:b")
    box.claim(reply.id, "1:a")
    box.conflicted(reply.id, ["Alex Kim replied"])
    assert box.due() == []  # the later reply waits behind the stuck status
    assert [(e.id, root.id) for e, root in box.waiting()] == [(later.id, reply.id)]
    assert box.jump(later.id)
    assert [e.id for e in box.due()] == [later.id]  # goes without waiting
    assert box.waiting() == [] and box.waits_behind(status.id).id == reply.id  # type: ignore[union-attr]
