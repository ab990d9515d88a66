"""The queue verb at size: it reads in full only the tickets it prints, and prints what
reading every ticket printed (issue 20 item 2).

The oracle is the verb itself with ``--limit 0``: that path reads every active
ticket in full and sorts them all (``_whole_queue``), as the verb always did;
``--limit N`` must print its first N tickets, the same counts and the same
summary figures.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from tests.cli.conftest import Runner
from tests.conftest import FROZEN_NOW
from triage_tui.adapters.local import queries, row_queries
from triage_tui.adapters.local.store import SCHEMA_VERSION, to_db

FILTERS = [
    None,
    "priority:urgent",
    "priority:>=high -status:pending",
    "status:new,open",
    "-priority:urgent,high",
    "priority:low",
    "refund",
    "sla:<90m -vip",
    "vip priority:high,urgent",
    "breached",
]


def _queue(run: Runner, db: Path, limit: int, expr: str | None, *extra: str) -> Any:
    args = ["queue", "--limit", str(limit), "--json", "--db", str(db), *extra]
    if expr is not None:
        args.append(f"--filter={expr}")
    result = run(*args)
    assert result.code == 0, result.err
    return result.json()


def _assert_head_of_whole(head: Any, whole: Any, limit: int) -> None:
    assert {k: head[k] for k in ("filter", "view", "active", "total")} == {
        k: whole[k] for k in ("filter", "view", "active", "total")
    }
    assert head["tickets"] == whole["tickets"][:limit]
    assert head["count"] == len(whole["tickets"][:limit])


@pytest.mark.parametrize("expr", FILTERS)
@pytest.mark.parametrize("limit", [1, 10, 400])
def test_limited_queue_is_the_head_of_the_whole_queue(
    run: Runner, demo_db: Path, expr: str | None, limit: int
) -> None:
    """Issue 20 item 2: `queue --limit N [--filter EXPR]` prints the first N tickets of the
    whole sorted queue, with the same active and matching counts (400 > every filter's
    total: tickets without SLA, sorted last, are included)."""
    whole = _queue(run, demo_db, 0, expr)
    assert whole["total"] > 0 or expr is not None
    _assert_head_of_whole(_queue(run, demo_db, limit, expr), whole, limit)


@pytest.mark.parametrize("expr", [None, "priority:urgent", "account"])
def test_the_human_summary_counts_every_matching_ticket(
    run: Runner, demo_db: Path, expr: str | None
) -> None:
    """Issue 20 item 2: the text queue's last line (breached, under 1 h) counts every
    matching ticket, as when every ticket was read; the rows are the first five."""
    args = ["queue", "--db", str(demo_db), *([f"--filter={expr}"] if expr else [])]
    whole = run(*args, "--limit", "0").out.splitlines()
    head = run(*args, "--limit", "5").out.splitlines()
    # The header and the first five rows, cell by cell (column widths follow the rows shown).
    assert [line.split() for line in head[:6]] == [line.split() for line in whole[:6]]
    shown, total = whole[-1].split(" of ", 1)
    assert int(shown) > 5
    assert head[-1] == "5 of " + total


def test_ties_on_the_due_time_are_broken_as_the_whole_queue_breaks_them(
    run: Runner, demo_db: Path
) -> None:
    """Issue 20 item 2: tickets due at the same instant around the limit are ordered by
    priority, age and id, as in the whole queue (the head is not cut at the 10th target)."""
    conn = sqlite3.connect(demo_db)
    with conn:
        ids = [
            r[0]
            for r in conn.execute(
                "SELECT id FROM tickets WHERE status IN ('new', 'open') ORDER BY rowid LIMIT 25"
            )
        ]
        conn.executemany(
            "UPDATE sla_targets SET due_at = ? WHERE ticket_id = ? AND stage = 'active'",
            # Before any other ticket's target: these 25 head the queue, all tied.
            [("2000-01-01T00:00:00.000000Z", i) for i in ids],
        )
    conn.close()
    whole = _queue(run, demo_db, 0, None)
    assert {t["id"] for t in whole["tickets"][:25]} == set(ids)
    for limit in (3, 10, 24):
        _assert_head_of_whole(_queue(run, demo_db, limit, None), whole, limit)


def test_a_saved_view_with_a_filter_prints_the_head_of_the_whole_queue(
    run: Runner, demo_db: Path, isolated_dirs: Path
) -> None:
    """Issue 20 item 2: `queue --view NAME` (with and without `--filter`) agrees with the
    whole queue."""
    config = isolated_dirs / "config" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(
        '[views]\nhot = "priority:high,urgent"\nwords = "account -vip"\n', encoding="utf-8"
    )
    for name, expr in [("hot", None), ("hot", "status:open"), ("words", None)]:
        extra = ("--view", name)
        whole = _queue(run, demo_db, 0, expr, *extra)
        assert whole["view"] == name
        _assert_head_of_whole(_queue(run, demo_db, 10, expr, *extra), whole, 10)


@pytest.fixture(scope="module")
def larger_demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from triage_tui.demo import generator as demo

    path = tmp_path_factory.mktemp("larger") / "helpdesk.db"
    demo.generate(path, tickets=3000, seed=11, now=FROZEN_NOW)
    return path


@pytest.mark.parametrize("expr", [None, "priority:urgent", "refund -vip"])
def test_queue_limit_10_builds_only_the_tickets_it_prints(
    run: Runner, larger_demo: Path, expr: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 20 item 2: at 3 000 tickets (~1 900 active), `queue --limit 10` builds ten
    full tickets (plus any tied at the tenth's due time), not one per active ticket."""
    built: list[str] = []
    real = queries._ticket_from_row

    def counting(row: Any, sla: Any) -> Any:
        built.append(row[1])
        return real(row, sla)

    monkeypatch.setattr(queries, "_ticket_from_row", counting)
    data = _queue(run, larger_demo, 10, expr)
    assert data["active"] > 1500 and data["count"] == 10
    assert 10 <= len(built) <= 15, len(built)
    assert {t["id"] for t in data["tickets"]} <= set(built)


def test_the_head_of_the_queue_is_read_along_the_indexes(larger_demo: Path) -> None:
    """Issue 20 item 2: the verb's queries walk the (stage, due_at) index and count on the
    (status, priority) index, with no sort of the whole queue (EXPLAIN QUERY PLAN)."""
    from triage_tui.adapters.local.store import connect

    conn = connect(larger_demo)  # the schema is brought up to date on open
    try:
        plans: list[str] = []
        real_execute = conn.execute

        class Explaining:
            def execute(self, sql: str, params: Any = ()) -> Any:
                plan = real_execute("EXPLAIN QUERY PLAN " + sql, params).fetchall()
                plans.append(" / ".join(str(step[-1]) for step in plan))
                return real_execute(sql, params)

        active = ["new", "open", "pending", "on_hold"]
        spy: Any = Explaining()
        assert len(row_queries.queue_top_ids(spy, active, ["urgent"], 10)) >= 10
        row_queries.queue_count(spy, active, ["urgent"])
        row_queries.due_counts(spy, active, None, to_db(FROZEN_NOW), to_db(FROZEN_NOW))
    finally:
        conn.close()
    walk, ties, count, due = plans
    assert "USING INDEX sla_targets_due (stage=?)" in walk and "TEMP B-TREE" not in walk
    assert "sla_targets_due (stage=? AND due_at=?)" in ties
    assert "COVERING INDEX tickets_status_priority" in count
    assert "sla_targets_due (stage=? AND due_at<?)" in due


def test_an_older_helpdesk_gains_the_index_and_keeps_its_data(run: Runner, demo_db: Path) -> None:
    """Issue 20 item 2: a schema-3 helpdesk (before the index) opens, gains the
    (status, priority) index and keeps its tickets and its change feed."""
    conn = sqlite3.connect(demo_db)
    with conn:
        conn.execute("DROP INDEX IF EXISTS tickets_status_priority")
        conn.execute("INSERT INTO changes (ticket_id, kind, at) VALUES ('1', 'x', 'y')")
        conn.execute("PRAGMA user_version = 3")
    tickets = conn.execute("SELECT COUNT(*) FROM tickets").fetchone()[0]
    conn.close()
    data = _queue(run, demo_db, 5, "priority:urgent")
    assert data["count"] == 5
    conn = sqlite3.connect(demo_db)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        assert {"tickets_status_priority", "changes"} <= names
        assert conn.execute("SELECT COUNT(*) FROM tickets").fetchone()[0] == tickets
        assert conn.execute("SELECT kind FROM changes").fetchall() == [("x",)]
    finally:
        conn.close()


async def test_writes_still_in_the_outbox_show_in_the_head_of_the_queue(
    demo_db: Path, tmp_path: Path
) -> None:
    """Issue 20 item 2: a priority change held in the outbox (not yet on the helpdesk)
    shows in `queue --filter priority:urgent --limit N` as when every ticket is read."""
    from triage_tui.adapters.local.adapter import LocalHelpdesk, LocalOptions
    from triage_tui.cli import verbs
    from triage_tui.domain.clock import FrozenClock
    from triage_tui.domain.enums import Priority
    from triage_tui.domain.filters.language import parse
    from triage_tui.engine.buffered import CONSOLE_MODE, BufferedHelpdesk

    clock = FrozenClock(FROZEN_NOW)
    inner = LocalHelpdesk(LocalOptions(db=demo_db), clock)
    helpdesk = BufferedHelpdesk(
        inner, "p.local.0", mode=CONSOLE_MODE, hold_seconds=600, data_dir=tmp_path / "data"
    )
    view = verbs.View(now=FROZEN_NOW, json=True)
    urgent = parse("priority:urgent", me="")
    async with helpdesk:
        everything = (await verbs.queue(helpdesk, view, 0)).data["tickets"]
        low = next(t["id"] for t in everything if t["priority"] == "low")
        await helpdesk.set_priority(low, Priority.URGENT)  # held for 600 s: in the outbox
        whole = (await verbs.queue(helpdesk, view, 0, chosen=urgent)).data
        assert low in [t["id"] for t in whole["tickets"]]
        for limit in (1, 10, 400):
            head = (await verbs.queue(helpdesk, view, limit, chosen=urgent)).data
            _assert_head_of_whole(head, whole, limit)
