"""The offline cache keeps the queue in pages, and reads caches written before it did."""

from __future__ import annotations

import json
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest

from tests.domain.row_factories import row
from triage_tui.domain.clock import FrozenClock
from triage_tui.domain.enums import Priority, Status
from triage_tui.engine import cache as cache_module
from triage_tui.engine.cache import ReadCache
from triage_tui.engine.outbox_model import to_text


def stored_pages(path: Path) -> list[int]:
    with sqlite3.connect(path) as conn:
        return [
            len(json.loads(data)["rows"])
            for (data,) in conn.execute("SELECT data FROM queue_pages ORDER BY page")
        ]


def test_the_queue_is_stored_in_pages_and_read_back_in_order(
    tmp_path: Path, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cache_module, "QUEUE_PAGE_ROWS", 3)
    rows = [
        row(str(n), subject=f"Subject {n}", priority=Priority.URGENT if n % 2 else Priority.LOW)
        for n in range(7)
    ]
    rows[4] = row("4", due_in=None, tags=("vip", "billing"), status=Status.PENDING)
    path = tmp_path / "cache.sqlite3"
    cache = ReadCache(path, clock)
    cache.save_rows(rows)
    assert cache.rows() == rows
    assert stored_pages(path) == [3, 3, 1]
    # A shorter queue later replaces every page (a minute on: saving is not skipped).
    clock.advance(timedelta(minutes=2))
    cache.save_rows(rows[:2])
    assert cache.rows() == rows[:2] and stored_pages(path) == [2]
    cache.close()


def test_a_queue_cached_as_one_document_by_an_older_version_is_read_then_replaced(
    tmp_path: Path, clock: FrozenClock
) -> None:
    path = tmp_path / "cache.sqlite3"
    ReadCache(path, clock).close()  # the tables
    old = [row("11"), row("12", priority=Priority.HIGH)]
    fields = ["id", "subject", "status", "priority", "requester", "requester_id",
              "organization", "vip", "due", "paused", "created", "tags", "assignee",
              "channel", "excerpt"]  # fmt: skip
    document = {"fields": fields, "rows": [[getattr(r, f) for f in fields] for r in old]}
    with sqlite3.connect(path) as conn:
        conn.execute("INSERT INTO meta VALUES ('queue', ?)", (json.dumps(document),))
        conn.execute("INSERT INTO meta VALUES ('queue_at', ?)", (to_text(clock.now()),))
    cache = ReadCache(path, clock)
    assert [r.id for r in cache.rows()] == ["11", "12"]
    clock.advance(120)
    cache.save_rows([row("13")])
    assert [r.id for r in cache.rows()] == ["13"]
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT count(*) FROM meta WHERE key = 'queue'").fetchone() == (0,)
    cache.close()
