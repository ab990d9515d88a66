"""A broken disk under the engine's files: corrupt files are moved aside, a full or
read-only disk costs no typed text and no crash, and every file is created private."""

from __future__ import annotations

import errno
import json
import os
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fakes.disk import (
    body_of,
    fill,
    refuse_writes_under,
    remount_read_only,
    remount_writable,
    small_tmpfs,
)
from triage_tui import private_files
from triage_tui.domain.clock import FrozenClock
from triage_tui.engine import outbox as ob
from triage_tui.engine import outbox_model as om
from triage_tui.engine.cache import ReadCache
from triage_tui.engine.drafts import DraftStore
from triage_tui.engine.event_log import EventLog

GARBAGE = b"this is not an SQLite file, it was cut off by a crash" * 40


@pytest.fixture(autouse=True)
def no_leftover_notices() -> Iterator[None]:
    private_files.take_notices()
    yield
    private_files.take_notices()


@pytest.fixture
def loose_umask() -> Iterator[None]:
    """The usual umask of a shared host: files 0644, folders 0755 unless we say otherwise."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def corrupt(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(GARBAGE)
    return path


def aside(path: Path) -> list[Path]:
    return sorted(path.parent.glob(path.name + ".corrupt-*"))


def modes(root: Path) -> dict[str, str]:
    """Every path under ``root`` whose mode lets others in, with that mode."""
    found = {}
    for folder, dirs, files in os.walk(root):
        for name in [*dirs, *files]:
            path = Path(folder, name)
            mode = stat.S_IMODE(path.lstat().st_mode)
            if mode & 0o077:
                found[str(path.relative_to(root))] = oct(mode)
    return found


# -- corrupt files --------------------------------------------------------------


def test_a_corrupt_outbox_is_moved_aside_with_a_notice_and_a_fresh_one_works(
    tmp_path: Path, clock: FrozenClock
) -> None:
    path = corrupt(tmp_path / "outbox" / "p.local.0.sqlite3")
    box = ob.Outbox(path, clock)
    (moved,) = aside(path)
    assert moved.read_bytes() == GARBAGE  # kept for a person to look at
    (line,) = private_files.take_notices()
    assert str(path) in line and moved.name in line and "fresh one started" in line
    (entry,) = box.add([om.NewEntry("7", "reply", {"body": "Hello"}, "Reply to #7")])
    assert [e.id for e in box.entries()] == [entry.id]
    box.close()


def test_a_corrupt_cache_and_event_log_are_moved_aside_and_work_again(
    tmp_path: Path, clock: FrozenClock
) -> None:
    cache_path = corrupt(tmp_path / "cache" / "k.sqlite3")
    log_path = corrupt(tmp_path / "events" / "k.sqlite3")
    cache = ReadCache(cache_path, clock)
    log = EventLog(log_path, clock, actor="Sam")
    assert aside(cache_path) and aside(log_path)
    lines = private_files.take_notices()
    assert any("offline cache" in line and str(cache_path) in line for line in lines)
    assert any("event log" in line and str(log_path) in line for line in lines)
    cache.save_rows([])
    assert cache.queue_at() == clock.now()
    assert log.record("ticket.viewed", "7") > 0 and len(log.list()) == 1
    cache.close()
    log.close()


def test_a_damaged_draft_file_is_moved_aside_and_the_others_load(
    tmp_path: Path, clock: FrozenClock
) -> None:
    folder = tmp_path / "drafts"
    store = DraftStore(folder, clock)
    store.changed("7", "Hi Ada, the fix is live.")
    store.flush_now()
    bad = folder / "half-written.json"
    bad.write_text('{"ticket_id": "8", "bo', encoding="utf-8")
    again = DraftStore(folder, clock)
    assert body_of(again, "7") == "Hi Ada, the fix is live."
    assert not bad.exists() and len(aside(bad)) == 1
    (line,) = private_files.take_notices()
    assert str(bad) in line and "moved aside" in line


# -- a full disk ------------------------------------------------------------------


def test_drafts_on_a_full_disk_stay_in_memory_and_are_written_when_space_returns(
    tmp_path: Path, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "drafts"
    store = DraftStore(folder, clock)
    troubles: list[str | None] = []
    store.on_trouble = troubles.append
    typed = "Hi Ada,\n\nI have reset the SSO link; it works again now."
    with refuse_writes_under(monkeypatch, tmp_path):
        store.changed("7", typed)  # no event loop: written at once, and refused
        assert body_of(store, "7") == typed
        assert troubles and troubles[-1] and "No space left on device" in troubles[-1]
        assert not folder.exists()  # nothing half-made on the full disk
    store.flush_now()  # the next save: space is back
    (written,) = folder.glob("*.json")
    assert json.loads(written.read_text(encoding="utf-8"))["body"] == typed
    assert troubles[-1] is None and store.trouble is None


def test_a_write_cut_short_by_a_full_disk_leaves_no_empty_temporary_file(
    tmp_path: Path, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "drafts"
    store = DraftStore(folder, clock)
    store.changed("7", "first version")
    real_fsync = os.fsync

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    store.changed("7", "second version, typed on a full disk")
    assert sorted(p.name for p in folder.iterdir()) == [next(folder.glob("*.json")).name]
    assert "first version" in next(folder.glob("*.json")).read_text(encoding="utf-8")
    monkeypatch.setattr(os, "fsync", real_fsync)
    store.changed("7", "second version, typed on a full disk.")
    assert "full disk." in next(folder.glob("*.json")).read_text(encoding="utf-8")


def test_a_real_full_tmpfs_loses_no_draft(tmp_path: Path, clock: FrozenClock) -> None:
    with small_tmpfs(tmp_path / "disk") as disk:
        store = DraftStore(disk / "drafts", clock)
        store.changed("1", "written while there was room")
        filler = fill(disk)
        typed = "Typed while the disk was full. " * 20
        store.changed("2", typed)
        assert store.trouble is not None and "No space left" in store.trouble
        assert body_of(store, "2") == typed
        assert not [p for p in (disk / "drafts").iterdir() if ".tmp" in p.name]
        filler.unlink()
        store.flush_now()
        again = DraftStore(disk / "drafts", clock)
        assert body_of(again, "2") == typed


def test_an_outbox_on_a_real_full_disk_refuses_the_write_in_one_line(
    tmp_path: Path, clock: FrozenClock
) -> None:
    from triage_tui.adapters.local.adapter import LocalHelpdesk, LocalOptions
    from triage_tui.domain.errors import Unreachable
    from triage_tui.engine.buffered import BufferedHelpdesk

    with small_tmpfs(tmp_path / "disk", size="512k") as disk:
        inner = LocalHelpdesk(LocalOptions(db=tmp_path / "helpdesk.db"), clock=clock)
        helpdesk = BufferedHelpdesk(inner, "p.local.0", data_dir=disk, hold_seconds=10)
        _ = helpdesk.outbox  # opened while there is room
        filler = fill(disk)
        with pytest.raises(Unreachable) as raised:
            for n in range(200):  # until the WAL needs a page the disk cannot give
                await_reply(helpdesk, str(n), "x" * 2000)
        assert "not recorded" in str(raised.value) and "\n" not in str(raised.value)
        filler.unlink()
        await_reply(helpdesk, "1", "after the disk was emptied")  # the outbox still works
        helpdesk.outbox.close()


def await_reply(helpdesk: object, ticket_id: str, body: str) -> None:
    import asyncio

    asyncio.run(helpdesk.reply(ticket_id, body))  # type: ignore[attr-defined]


# -- a read-only disk -------------------------------------------------------------


def test_an_outbox_in_a_read_only_folder_refuses_writes_but_reads(
    tmp_path: Path, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    with refuse_writes_under(monkeypatch, tmp_path / "data", errno.EROFS):
        box = ob.Outbox(tmp_path / "data" / "outbox" / "p.sqlite3", clock)
    assert box.read_only is not None
    assert str(tmp_path / "data") in box.read_only and "Read-only file system" in box.read_only
    assert box.entries() == [] and box.counts() == {}


def test_a_real_read_only_mount(tmp_path: Path, clock: FrozenClock) -> None:
    with small_tmpfs(tmp_path / "disk") as disk:
        (disk / "outbox").mkdir()
        remount_read_only(disk)
        try:
            box = ob.Outbox(disk / "outbox" / "p.sqlite3", clock)
            assert box.read_only == f"{disk / 'outbox'} is not writable (Read-only file system)"
            store = DraftStore(disk / "drafts", clock)
            store.changed("7", "kept in memory")
            assert store.trouble is not None and store.get("7") is not None
        finally:
            remount_writable(disk)


# -- private files ----------------------------------------------------------------


def test_every_engine_file_is_private_under_umask_022(
    tmp_path: Path, clock: FrozenClock, loose_umask: None
) -> None:
    root = tmp_path / "data"
    box = ob.Outbox(root / "outbox" / "k.sqlite3", clock)
    box.add([om.NewEntry("7", "reply", {"body": "Hello"}, "Reply to #7")])
    cache = ReadCache(root / "cache" / "k.sqlite3", clock)
    cache.save_rows([])
    log = EventLog(root / "events" / "k.sqlite3", clock)
    log.record("ticket.viewed", "7")
    drafts = DraftStore(root / "drafts" / "k", clock)
    drafts.changed("7", "Hi")
    # Open connections: the -wal and -shm files exist now, made by SQLite itself.
    assert (root / "outbox" / "k.sqlite3-wal").exists()
    assert modes(tmp_path) == {}
    assert stat.S_IMODE(root.stat().st_mode) == 0o700
    for closing in (box, cache, log):
        closing.close()


def test_tighten_makes_loose_files_private_and_loose_lists_them(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    (folder / "drafts").mkdir(parents=True)
    (folder / "drafts").chmod(0o755)
    leaked = folder / "drafts" / "7.json"
    leaked.write_text("{}")
    leaked.chmod(0o644)
    link = folder / "elsewhere"
    outside = tmp_path / "not-ours.txt"
    outside.write_text("x")
    outside.chmod(0o644)
    link.symlink_to(outside)
    assert set(private_files.loose([folder])) >= {folder / "drafts", leaked}
    changed = private_files.tighten([folder])
    assert leaked in changed and private_files.loose([folder]) == []
    assert stat.S_IMODE(leaked.stat().st_mode) == 0o600
    assert stat.S_IMODE((folder / "drafts").stat().st_mode) == 0o700
    assert stat.S_IMODE(outside.stat().st_mode) == 0o644  # a symlink is not followed


def test_an_sqlite_connection_made_by_the_helper_keeps_its_journals_private(
    tmp_path: Path, loose_umask: None
) -> None:
    conn = private_files.connect(tmp_path / "deep" / "x.sqlite3")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("CREATE TABLE t (x)")
    conn.execute("INSERT INTO t VALUES (1)")
    conn.commit()
    assert modes(tmp_path) == {}
    assert isinstance(conn, sqlite3.Connection)
    conn.close()
