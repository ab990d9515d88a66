"""Marks in the queue and bulk actions: preview, cancel, confirm, undo — checked in the store."""

from __future__ import annotations

import json
from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import OptionList

from tests.ui.conftest import db_rows
from tests.ui.test_console import settle
from triage_tui.domain.queue import QueueRow
from triage_tui.engine import bulk
from triage_tui.ui.screens.ask import ChoiceScreen, PickNameScreen
from triage_tui.ui.screens.bulk import (
    BulkActionScreen,
    BulkChoice,
    BulkPreviewScreen,
    MacroPickScreen,
    applied_line,
    apply_choice,
    undone_line,
)
from triage_tui.ui.widgets.queue import QueueView


def statuses(db: Path, ids: list[str]) -> dict[str, str]:
    marks = ",".join("?" * len(ids))
    return dict(db_rows(db, f"SELECT id, status FROM tickets WHERE id IN ({marks})", *ids))


async def marked_queue(pilot: Pilot) -> QueueView:
    main = await settle(pilot)
    queue = main.query_one(QueueView)
    queue.focus()
    await pilot.pause()
    return queue


async def test_space_star_and_shift_ranges_mark_rows(demo_db: Path, make_app) -> None:
    app = make_app(demo_db)
    seen: list[int] = []
    async with app.run_test(size=(120, 40)) as pilot:
        queue = await marked_queue(pilot)
        rows = queue.rows
        await pilot.press("space", "space")
        assert queue.marked == {rows[0].id, rows[1].id} and queue.cursor == 2
        assert queue.render_line(0).text.startswith("●") and queue.render_line(2).text.startswith(
            " "
        )
        await pilot.press("k", "space")  # unmark the second
        assert queue.marked == {rows[0].id}
        await pilot.press("shift+down", "shift+down", "shift+down")  # rows 2..5
        assert queue.marked == {rows[0].id} | {r.id for r in rows[2:6]}
        await pilot.press("shift+up")  # shrinks back towards the anchor
        assert queue.marked == {rows[0].id} | {r.id for r in rows[2:5]}
        await pilot.press("asterisk")
        assert queue.marked == {r.id for r in rows}
        assert [r.id for r in queue.marked_rows()] == [r.id for r in rows]
        await pilot.press("asterisk")
        assert queue.marked == set()
        seen.append(len(queue.marked))
    assert seen == [0]


async def open_bulk(
    pilot: Pilot, rows: list[QueueRow], choices: list[BulkChoice | None]
) -> BulkActionScreen:
    screen = BulkActionScreen(rows, agent="Sam Agent", team="Polaris Support")
    await pilot.app.push_screen(screen, choices.append)
    await pilot.pause()
    return screen


def preview_text(app) -> str:  # type: ignore[no-untyped-def]
    screen = app.screen
    assert isinstance(screen, BulkPreviewScreen)
    return "\n".join(str(w.render()) for w in screen.query("Label, Static"))


async def mark(pilot: Pilot, queue: QueueView, n: int) -> list[QueueRow]:
    await pilot.press(*["space"] * n)
    rows = queue.marked_rows()
    assert len(rows) == n
    return rows


async def test_preview_lists_every_change_and_cancel_writes_nothing(
    demo_db: Path, make_app
) -> None:
    app = make_app(demo_db)
    choices: list[BulkChoice | None] = []
    async with app.run_test(size=(120, 40)) as pilot:
        queue = await marked_queue(pilot)
        rows = await mark(pilot, queue, 3)
        ids = [r.id for r in rows]
        before = statuses(demo_db, ids)
        events_before = db_rows(demo_db, "SELECT count(*) FROM events")[0][0]
        await open_bulk(pilot, rows, choices)
        await pilot.press("s")
        assert isinstance(app.screen, ChoiceScreen)
        await pilot.press("v")  # solved
        text = preview_text(app)
        assert 'Apply "status solved" to 3 tickets?' in text
        for row in rows:
            assert f"{row.id} status {row.status.value} → solved" in text
        await pilot.press("escape")  # back to the choice of action
        assert isinstance(app.screen, BulkActionScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert choices == [None]
    assert statuses(demo_db, ids) == before
    assert db_rows(demo_db, "SELECT count(*) FROM events")[0][0] == events_before


async def test_confirm_applies_the_batch_and_undo_restores_it(demo_db: Path, make_app) -> None:
    app = make_app(demo_db)
    choices: list[BulkChoice | None] = []
    async with app.run_test(size=(120, 40)) as pilot:
        queue = await marked_queue(pilot)
        rows = await mark(pilot, queue, 4)
        ids = [r.id for r in rows]
        before = statuses(demo_db, ids)
        tags_before = dict(
            db_rows(
                demo_db, f"SELECT id, tags FROM tickets WHERE id IN ({','.join('?' * 4)})", *ids
            )
        )
        await open_bulk(pilot, rows, choices)
        await pilot.press("s", "p")  # status pending
        assert 'Apply "status pending"' in preview_text(app)
        await pilot.press("enter")
        await pilot.pause()
        choice = choices[0]
        assert choice is not None and choice.count == sum(
            1 for r in rows if r.status.value != "pending"
        )
        result = await apply_choice(app.helpdesk, choice)
        assert applied_line(result).startswith(f'Applied "status pending" to {choice.count} ticket')
        assert set(statuses(demo_db, ids).values()) == {"pending"}
        applied = db_rows(demo_db, "SELECT payload FROM events WHERE name='bulk.applied'")
        assert len(applied) == 1 and json.loads(applied[0][0])["count"] == choice.count
        outcome = await bulk.undo(app.helpdesk, result)
        assert undone_line(outcome).startswith(f"Undid the batch on {choice.count} ticket")
    assert statuses(demo_db, ids) == before
    assert (
        dict(
            db_rows(
                demo_db, f"SELECT id, tags FROM tickets WHERE id IN ({','.join('?' * 4)})", *ids
            )
        )
        == tags_before
    )
    assert len(db_rows(demo_db, "SELECT id FROM events WHERE name='bulk.undone'")) == 1


async def test_closing_many_and_vip_tickets_warns_before_the_count(demo_db: Path, make_app) -> None:
    app = make_app(demo_db)
    choices: list[BulkChoice | None] = []
    async with app.run_test(size=(120, 40)) as pilot:
        queue = await marked_queue(pilot)
        await pilot.press("asterisk")
        rows = queue.marked_rows()
        vip = sum(1 for r in rows if r.vip)
        assert len(rows) > 50 and vip
        await open_bulk(pilot, rows, choices)
        await pilot.press("s", "c")  # closed
        text = preview_text(app)
        assert f"{len(rows)} tickets: more than 50 at once" in text
        assert f"closes {vip} VIP ticket(s)" in text
        assert text.count("closes a VIP ticket") == vip
        assert f"to {len(rows)} tickets? (2 warnings)" in text
        await pilot.press("escape", "escape")
        await pilot.pause()
    assert choices == [None]


async def test_assign_tag_and_escalate_ask_their_parameter(demo_db: Path, make_app) -> None:
    app = make_app(demo_db)
    choices: list[BulkChoice | None] = []
    async with app.run_test(size=(120, 40)) as pilot:
        queue = await marked_queue(pilot)
        rows = await mark(pilot, queue, 2)
        await open_bulk(pilot, rows, choices)
        await pilot.press("a")
        assert isinstance(app.screen, PickNameScreen)
        await pilot.press("enter")  # "me"
        assert 'Apply "assign to Sam Agent"' in preview_text(app)
        await pilot.press("escape", "t")
        await pilot.press(*"api -billing", "enter")
        text = preview_text(app)
        assert 'Apply "tag +api -billing"' in text and "+api" in text
        await pilot.press("escape", "x")
        await pilot.press(*"outage", "enter")
        text = preview_text(app)
        assert "escalate (outage)" in text and "internal note(s) that stay after an undo" in text
        await pilot.press("enter")
        await pilot.pause()
    choice = choices[0]
    assert choice is not None and choice.action.escalation is not None
    assert choice.action.escalation.reason == "outage"


async def test_a_macro_replies_to_each_requester_and_undo_keeps_the_replies(
    demo_db: Path, make_app
) -> None:
    app = make_app(demo_db)
    choices: list[BulkChoice | None] = []
    async with app.run_test(size=(120, 40)) as pilot:
        queue = await marked_queue(pilot)
        rows = await mark(pilot, queue, 2)
        ids = [r.id for r in rows]
        await open_bulk(pilot, rows, choices)

        async def pick(name: str) -> None:
            await pilot.press("m")
            picker = app.screen
            assert isinstance(picker, MacroPickScreen)
            picker.query_one(OptionList).highlighted = list(picker.macros).index(name)
            await pilot.press("enter")

        await pick("need_info")  # its reply has a [List the details …] to fill: refused
        assert "unfilled placeholder" in preview_text(app)
        await pilot.press("enter")
        assert isinstance(app.screen, BulkPreviewScreen)
        await pilot.press("escape")
        await pick("refund_issued")
        text = preview_text(app)
        assert (
            "sends 2 replies: replies cannot be undone" in text
            and "reply (cannot be undone)" in text
        )
        await pilot.press("enter")
        await pilot.pause()
        choice = choices[0]
        assert choice is not None
        result = await apply_choice(app.helpdesk, choice)
        for row in rows:
            (body,) = db_rows(
                demo_db,
                "SELECT body FROM messages WHERE ticket_id=? ORDER BY rowid DESC LIMIT 1",
                row.id,
            )[0]
            assert body.startswith(f"Hi {row.requester.split()[0]},") and "refund" in body
        assert all(
            "refund" in t
            for (t,) in db_rows(
                demo_db, f"SELECT tags FROM tickets WHERE id IN ({','.join('?' * 2)})", *ids
            )
        )
        outcome = await bulk.undo(app.helpdesk, result)
        assert sorted(outcome.irreversible) == sorted(f"{i}: reply sent" for i in ids)
        assert "cannot be taken back" in undone_line(outcome)
