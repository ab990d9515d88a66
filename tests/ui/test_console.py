"""The console driven with keys, checked against what the store holds afterwards."""

from __future__ import annotations

import json
from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Input, TextArea

from tests.ui.conftest import db_rows
from tests.ui.settling import workers_done
from triage_tui.domain.sla import SlaState
from triage_tui.ui.screens.help import HelpScreen
from triage_tui.ui.screens.main import MainScreen
from triage_tui.ui.screens.prompts import EscalateScreen, SendScreen
from triage_tui.ui.widgets.queue import QueueView
from triage_tui.ui.widgets.ticket import TicketPane


async def settle(pilot: Pilot) -> MainScreen:
    """Wait until the queue, the KB index and the open ticket are loaded."""
    app = pilot.app
    for _ in range(3):
        await workers_done(app)
        await pilot.pause()
    screen = app.screen if isinstance(app.screen, MainScreen) else app.screen_stack[0]
    assert isinstance(screen, MainScreen)
    if screen.loader is not None:
        await screen.loader.kb_ready()
    for _ in range(3):
        await workers_done(app)
        await pilot.pause()
    # Some settling is a frame later (the draft editor scrolls its cursor into
    # view after a refresh): under load a fixed number of pauses snapshotted
    # half-scrolled panes. Wait until two frames in a row are the same.
    previous = None
    for _ in range(20):
        await pilot.pause()
        frame = app.export_screenshot()
        if frame == previous:
            break
        previous = frame
    return screen


async def move_to_sendable(pilot: Pilot, screen: MainScreen) -> str:
    """Move down to the first ticket whose draft no safeguard blocks; its id."""
    from triage_tui.ui.widgets.draft import DraftPane

    queue = screen.query_one(QueueView)
    for _ in range(len(queue.rows)):
        await settle(pilot)
        if not any(f.blocking for f in screen.query_one(DraftPane).findings):
            return queue.current.id
        await pilot.press("j")
    raise AssertionError("no ticket without blocking safeguard findings")


def refund_ticket(db: Path) -> str:
    """An open ticket whose customer asks for a refund (the billing rule fires on it)."""
    return db_rows(
        db,
        "SELECT t.id FROM tickets t JOIN messages m ON m.ticket_id=t.id WHERE t.status NOT IN "
        "('solved','closed') "
        "AND m.role='customer' AND lower(m.body) LIKE '%refund%' LIMIT 1",
    )[0][0]


async def move_to_ticket(pilot: Pilot, screen: MainScreen, ticket_id: str) -> None:
    """Put the queue cursor on ``ticket_id`` and wait until it is open."""
    queue = screen.query_one(QueueView)
    queue.move_to(next(i for i, r in enumerate(queue.rows) if r.id == ticket_id))
    await settle(pilot)


def pane_text(screen: MainScreen) -> str:
    """The detail pane's text as drawn: its text lines, then the titles below them."""
    from textual.widgets import Static

    pane = screen.query_one(TicketPane)
    return "\n".join([pane.text.plain, *(str(s.render()) for s in pane.query(Static))])


def line_text(queue: QueueView, y: int) -> str:
    return queue.render_line(y).text


async def test_queue_is_in_sla_order_breached_first(demo_db: Path, make_app, clock) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await settle(pilot)
        rows = screen.query_one(QueueView).rows
        assert len(rows) == len(
            db_rows(demo_db, "SELECT id FROM tickets WHERE status NOT IN ('solved','closed')")
        )
        keys = [r.sort_key() for r in rows]
        assert keys == sorted(keys)
        now = clock.now()
        states = [r.state(now) for r in rows]
        assert states[0] is SlaState.BREACHED
        # breached on top, then under 1 h, then the rest
        first_ok = states.index(SlaState.OK)
        assert SlaState.BREACHED not in states[first_ok:]
        assert SlaState.AT_RISK in states[:first_ok]


async def test_countdown_ticks_and_markers_are_text_not_only_colour(
    demo_db: Path, make_app, clock
) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await settle(pilot)
        queue = screen.query_one(QueueView)
        first = line_text(queue, 0)
        assert first.startswith(" !!") and "-" in first.split()[1]  # breached: marker + negative
        at_risk = next(
            i for i, r in enumerate(queue.rows) if r.state(clock.now()) is SlaState.AT_RISK
        )
        assert line_text(queue, at_risk).startswith(" ! ")
        before = line_text(queue, at_risk)
        clock.advance(11 * 60)
        screen.tick()
        await pilot.pause()
        assert line_text(queue, at_risk) != before


async def test_detail_shows_requester_org_rules_kb_and_conversation(
    demo_db: Path, make_app
) -> None:
    # A returning requester whose ticket mentions a refund.
    (ticket_id,) = db_rows(
        demo_db,
        "SELECT t.id FROM tickets t JOIN messages m ON m.ticket_id = t.id "
        "WHERE t.status NOT IN ('solved','closed') AND m.role='customer' AND lower(m.body) LIKE "
        "'%refund%' "
        "AND (SELECT count(*) FROM tickets o WHERE o.requester_id = t.requester_id) > 1 LIMIT 1",
    )[0:1][0]
    app = make_app(demo_db)
    async with app.run_test(size=(160, 60)) as pilot:
        screen = await settle(pilot)
        await move_to_ticket(pilot, screen, ticket_id)
        text = pane_text(screen)
        assert f"#{ticket_id}" in text
        assert "returning (" in text and "earlier ticket" in text
        assert "Billing or refund" in text or "billing" in text.lower()
        assert "“refund" in text.lower() or "refund”" in text.lower()
        assert "Knowledge base" in text and "\n 1. " in text
        assert screen.view is not None and screen.view.kb and len(screen.view.kb) == 5
        assert "Customer · " in text
        assert "Other tickets from this requester" in text


async def test_send_replies_with_the_draft_and_sets_the_default_status(
    demo_db: Path, make_app
) -> None:
    app = make_app(demo_db, send_status="pending")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await settle(pilot)
        ticket_id = await move_to_sendable(pilot, screen)
        draft = screen.query_one("#draft", TextArea).text
        assert draft.startswith("Hi ")
        await pilot.press("s")
        assert isinstance(app.screen, SendScreen)
        await pilot.press("enter")
        await settle(pilot)
        body, role, public = db_rows(
            demo_db,
            "SELECT body, role, public FROM messages WHERE ticket_id=? ORDER BY rowid DESC LIMIT 1",
            ticket_id,
        )[0]
        assert (body, role, public) == (draft, "agent", 1)
        assert (
            db_rows(demo_db, "SELECT status FROM tickets WHERE id=?", ticket_id)[0][0] == "pending"
        )
        events = [
            r[0] for r in db_rows(demo_db, "SELECT name FROM events WHERE ticket_id=?", ticket_id)
        ]
        assert "reply.sent" in events and "ticket.status_changed" in events
        # moved on to the next ticket
        assert screen.query_one(QueueView).current.id != ticket_id


async def test_edit_then_send_solved_from_the_editor(demo_db: Path, make_app) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await settle(pilot)
        ticket_id = await move_to_sendable(pilot, screen)
        await pilot.press("e")
        editor = screen.query_one("#draft", TextArea)
        assert editor.has_focus
        editor.select_all()
        await pilot.press(*"Fixed it")
        await pilot.press("ctrl+s")
        assert isinstance(app.screen, SendScreen)
        await pilot.press("s")  # send and set solved
        await settle(pilot)
        assert (
            db_rows(
                demo_db,
                "SELECT body FROM messages WHERE ticket_id=? ORDER BY rowid DESC LIMIT 1",
                ticket_id,
            )[0][0]
            == "Fixed it"
        )
        assert (
            db_rows(demo_db, "SELECT status FROM tickets WHERE id=?", ticket_id)[0][0] == "solved"
        )
        assert ticket_id not in [r.id for r in screen.query_one(QueueView).rows]


async def test_cancelled_send_writes_nothing(demo_db: Path, make_app) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        before = db_rows(demo_db, "SELECT count(*) FROM messages")[0][0]
        await pilot.press("s", "escape")
        await settle(pilot)
        assert db_rows(demo_db, "SELECT count(*) FROM messages")[0][0] == before


async def test_escalate_records_note_reason_and_event(demo_db: Path, make_app) -> None:
    ticket_id = refund_ticket(demo_db)
    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await settle(pilot)
        await move_to_ticket(pilot, screen, ticket_id)
        await pilot.press("x")
        assert isinstance(app.screen, EscalateScreen)
        reason = app.screen.query_one("#reason", Input).value
        assert reason  # pre-filled from the rule that fired
        await pilot.press("enter")
        await settle(pilot)
        note, public = db_rows(
            demo_db,
            "SELECT body, public FROM messages WHERE ticket_id=? ORDER BY rowid DESC LIMIT 1",
            ticket_id,
        )[0]
        assert public == 0 and reason in note
        payload = db_rows(
            demo_db,
            "SELECT payload FROM events WHERE ticket_id=? AND name='ticket.escalated'",
            ticket_id,
        )
        assert payload and reason in json.loads(payload[0][0]).get("reason", "")


async def test_skip_moves_on_and_writes_nothing(demo_db: Path, make_app) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await settle(pilot)
        helpdesk_state = lambda: db_rows(  # noqa: E731
            demo_db,
            "SELECT (SELECT count(*) FROM messages), (SELECT group_concat(status || priority) "
            "FROM tickets)",
        )[0]
        before = helpdesk_state()
        last_event = db_rows(demo_db, "SELECT max(id) FROM events")[0][0]
        first = screen.query_one(QueueView).current.id
        await pilot.press("n")
        await settle(pilot)
        assert screen.query_one(QueueView).current.id != first
        assert screen.view is not None and screen.view.detail.ticket.id != first
        assert helpdesk_state() == before
        # Only the local log learns of it: the skip, and the next ticket being viewed.
        new = db_rows(demo_db, "SELECT name, ticket_id FROM events WHERE id > ?", last_event)
        assert ("ticket.skipped", first) in new
        assert {name for name, _ in new} <= {"ticket.skipped", "ticket.viewed"}


async def test_edited_draft_survives_moving_away_and_back(demo_db: Path, make_app) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await settle(pilot)
        await pilot.press("e")
        await pilot.press(*"XYZ")
        text = screen.query_one("#draft", TextArea).text
        await pilot.press("escape", "j")
        await settle(pilot)
        await pilot.press("k")
        await settle(pilot)
        assert screen.query_one("#draft", TextArea).text == text


async def test_filter_narrows_the_queue_and_escape_clears_it(demo_db: Path, make_app) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await settle(pilot)
        total = len(screen.query_one(QueueView).rows)
        await pilot.press("slash", *"refund")
        await settle(pilot)
        rows = screen.query_one(QueueView).rows
        assert 0 < len(rows) < total
        assert all("refund" in r.haystack() for r in rows)
        await pilot.press("escape")
        await pilot.press("slash", "escape")
        await settle(pilot)
        assert len(screen.query_one(QueueView).rows) == total


async def test_help_lists_every_action_key(demo_db: Path, make_app) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = "\n".join(str(s.render()) for s in app.screen.query("Static"))
        for expected in ("Send", "Edit", "Escalate", "Skip", "ctrl+s", "ctrl+p", "Filter"):
            assert expected in text
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)


async def test_tab_moves_between_panes(demo_db: Path, make_app) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await settle(pilot)
        assert screen.query_one(QueueView).has_focus
        await pilot.press("tab")
        assert screen.query_one(TicketPane).has_focus
        seen = []
        for _ in range(6):
            await pilot.press("tab")
            seen.append(app.focused)
        assert any(isinstance(widget, TextArea) for widget in seen)  # the draft editor


async def test_narrow_terminal_stacks_the_panes(demo_db: Path, make_app) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await settle(pilot)
        assert screen.has_class("-narrow")
        queue = screen.query_one(QueueView)
        detail = screen.query_one(TicketPane)
        assert queue.region.bottom <= detail.region.y
        assert queue.size.height >= 5


async def test_empty_draft_is_not_sent(demo_db: Path, make_app) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await settle(pilot)
        screen.query_one("#draft", TextArea).load_text("   ")
        before = db_rows(demo_db, "SELECT count(*) FROM messages")[0][0]
        await pilot.press("s")
        assert isinstance(app.screen, MainScreen)
        assert db_rows(demo_db, "SELECT count(*) FROM messages")[0][0] == before


async def test_keys_typed_ahead_act_on_the_ticket_under_the_cursor(demo_db: Path, make_app) -> None:
    """ "j j x" before the detail loads must escalate the third ticket, not the first."""
    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await settle(pilot)
        third = screen.query_one(QueueView).rows[2].id
        await pilot.press("j", "j", "x")
        await settle(pilot)
        assert isinstance(app.screen, EscalateScreen)
        assert app.screen.ticket_id == third
        await pilot.press("escape")
        await pilot.press("k", "n")  # skip acts on the requested ticket too
        await settle(pilot)
        assert screen.query_one(QueueView).current.id == third


async def test_command_palette_reaches_the_actions(demo_db: Path, make_app) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Escalate ticket")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, EscalateScreen)


async def test_theme_comes_from_config_and_an_unknown_one_is_reported(
    demo_db: Path, make_app
) -> None:
    app = make_app(demo_db, theme="triage-light")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.theme == "triage-light"
    app = make_app(demo_db, theme="no-such-theme")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.theme == "triage-dark"
        assert any("no-such-theme" in n.message for n in app._notifications)


async def test_blocking_safeguard_needs_an_explicit_send_anyway(demo_db: Path, make_app) -> None:
    """A fired escalation rule blocks Send: enter does nothing, y sends and the override is
    logged.
    """
    from triage_tui.ui.widgets.draft import DraftPane

    ticket_id = refund_ticket(demo_db)
    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await settle(pilot)
        await move_to_ticket(pilot, screen, ticket_id)
        assert any(
            f.blocking and f.kind.value == "escalation"
            for f in screen.query_one(DraftPane).findings
        )
        before = db_rows(demo_db, "SELECT count(*) FROM messages WHERE ticket_id=?", ticket_id)[0][
            0
        ]
        await pilot.press("s", "enter")
        await settle(pilot)
        assert isinstance(app.screen, SendScreen)  # still asking
        assert (
            db_rows(demo_db, "SELECT count(*) FROM messages WHERE ticket_id=?", ticket_id)[0][0]
            == before
        )
        await pilot.press("y")
        await settle(pilot)
        assert (
            db_rows(demo_db, "SELECT count(*) FROM messages WHERE ticket_id=?", ticket_id)[0][0]
            == before + 1
        )
        names = [
            r[0] for r in db_rows(demo_db, "SELECT name FROM events WHERE ticket_id=?", ticket_id)
        ]
        assert "safeguard.raised" in names


async def test_dismissing_the_rules_lifts_the_escalation_block(demo_db: Path, make_app) -> None:
    from triage_tui.ui.widgets.draft import DraftPane

    ticket_id = refund_ticket(demo_db)
    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await settle(pilot)
        await move_to_ticket(pilot, screen, ticket_id)
        await pilot.press("d")
        await settle(pilot)
        kinds = {f.kind.value for f in screen.query_one(DraftPane).findings}
        assert "escalation" not in kinds
        assert "no rule fires" in pane_text(screen)


async def test_safeguard_fix_key_rewrites_the_phrase(demo_db: Path, make_app) -> None:
    from triage_tui.ui.widgets.draft import DraftPane

    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await settle(pilot)
        await move_to_sendable(pilot, screen)
        draft = screen.query_one(DraftPane)
        await pilot.press("e", "ctrl+end")
        await pilot.press(*" We apologize for any inconvenience.")
        await settle(pilot)
        assert any("apologize" in draft.text[f.start : f.end].lower() for f in draft.findings)
        await pilot.press("f2")
        await settle(pilot)
        assert "apologize for any inconvenience" not in draft.text.lower()
        assert (
            screen.drafts[screen.view.detail.ticket.id] == draft.text
        )  # a fix is saved like typing


async def test_plan_key_shows_the_four_stages(demo_db: Path, make_app) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await settle(pilot)
        await pilot.press("p")
        await settle(pilot)
        text = pane_text(screen)
        for stage in (
            "Support Specialist",
            "Operations Lead",
            "Analyst",
            "Product Manager",
            "Follow-ups",
        ):
            assert stage in text
        await pilot.press("p")
        await settle(pilot)
        assert "Conversation (" in pane_text(screen)


async def test_filter_language_with_an_error_pointing_at_the_token(
    demo_db: Path, make_app, clock
) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await settle(pilot)
        total = len(screen.query_one(QueueView).rows)
        await pilot.press("slash", *"priority:high sla:<90m")
        await settle(pilot)
        rows = screen.query_one(QueueView).rows
        assert rows and len(rows) < total
        now = clock.now().timestamp()
        assert all(r.priority.value == "high" and r.due - now < 90 * 60 for r in rows)
        # Pasted in one go: typed letter by letter, "p", "pr"… are valid free words.
        screen.query_one("#filter", Input).value = "priority:high sla:<90m prio:x"
        await settle(pilot)
        error = str(screen.query_one("#filter-error").render())
        assert "prio" in error and "column" in error
        assert screen.query_one(QueueView).rows == rows  # the last good filter stays
        await pilot.press("escape")
        await settle(pilot)
        assert len(screen.query_one(QueueView).rows) == total


async def test_similar_incidents_show_in_queue_and_detail(demo_db: Path, make_app) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=(160, 50)) as pilot:
        screen = await settle(pilot)
        queue = screen.query_one(QueueView)
        index = next(i for i, r in enumerate(queue.rows) if screen.clusters.size_of(r.id) > 1)
        others = screen.clusters.size_of(queue.rows[index].id) - 1
        queue.move_to(index)
        await settle(pilot)
        y = index - int(queue.scroll_y)
        assert f"+{others}" in queue.render_line(y).text
        assert f"Similar open tickets ({others})" in pane_text(screen)


async def test_header_badge_says_what_the_helpdesk_needs(demo_db: Path, clock) -> None:  # type: ignore[no-untyped-def]
    """A helpdesk that opens but refuses the queue shows "Local: needs auth", as triage doctor
    would.
    """
    from textual.widgets import Static

    from triage_tui.adapters.local.adapter import LocalHelpdesk, LocalOptions
    from triage_tui.config import Profile
    from triage_tui.domain.errors import AuthError
    from triage_tui.ui.app import TriageApp

    class Revoked(LocalHelpdesk):
        async def iter_queue(self, query=None):  # type: ignore[no-untyped-def]
            raise AuthError("the API token was revoked")
            yield  # pragma: no cover

        async def iter_queue_rows(self, query=None, batch=500):  # type: ignore[no-untyped-def]
            raise AuthError("the API token was revoked")
            yield  # pragma: no cover

    app = TriageApp(
        Revoked(LocalOptions(db=demo_db), clock=clock),
        profile=Profile(),
        clock=clock,
        tick_seconds=3600,
    )
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await settle(pilot)
        assert "Local: needs auth" in str(screen.query_one("#topbar", Static).render())
        assert any("revoked" in n.message for n in app._notifications)


async def test_view_filter_applies_at_start(demo_db: Path, clock) -> None:  # type: ignore[no-untyped-def]
    """`triage --view NAME` hands the view's filter to the console: the queue opens filtered."""
    from triage_tui.adapters.local.adapter import LocalHelpdesk, LocalOptions
    from triage_tui.config import Profile
    from triage_tui.ui.app import TriageApp

    app = TriageApp(
        LocalHelpdesk(LocalOptions(db=demo_db), clock=clock),
        profile=Profile(),
        clock=clock,
        tick_seconds=3600,
        initial_filter="priority:urgent",
    )
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await settle(pilot)
        rows = screen.query_one(QueueView).rows
        assert rows and all(r.priority.value == "urgent" for r in rows)
        assert "priority" in str(screen.query_one("#queue-title").render())


async def test_sweep_key_plans_then_walks_the_filtered_tickets(demo_db: Path, make_app) -> None:
    from triage_tui.ui.screens.sweep import SweepScreen
    from triage_tui.ui.screens.sweep_plan import SweepPlanScreen

    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await settle(pilot)
        screen.query_one("#filter", Input).value = "priority:urgent"
        await settle(pilot)
        urgent = [r.id for r in screen.query_one(QueueView).rows]
        await pilot.press("escape", "w")
        await settle(pilot)
        assert isinstance(app.screen, SweepPlanScreen)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, SweepScreen)
        assert [r.id for r in app.screen.session.rows] == urgent
        await pilot.press("n")  # one key, one decision
        await settle(pilot)
        assert (
            db_rows(demo_db, "SELECT ticket_id FROM events WHERE name='ticket.skipped'")[0][0]
            == urgent[0]
        )


async def test_bulk_key_marks_previews_applies_and_undoes(demo_db: Path, make_app) -> None:
    from triage_tui.ui.screens.bulk import BulkActionScreen, BulkPreviewScreen

    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await settle(pilot)
        queue = screen.query_one(QueueView)
        ids = [r.id for r in queue.rows[:2]]
        before = {i: db_rows(demo_db, "SELECT tags FROM tickets WHERE id=?", i)[0][0] for i in ids}
        await pilot.press("space", "space", "b")
        await settle(pilot)
        assert isinstance(app.screen, BulkActionScreen)
        await pilot.press("t", *"sweep-check", "enter")
        await settle(pilot)
        assert isinstance(app.screen, BulkPreviewScreen)
        await pilot.press("enter")
        await settle(pilot)
        for ticket_id in ids:
            assert (
                "sweep-check"
                in db_rows(demo_db, "SELECT tags FROM tickets WHERE id=?", ticket_id)[0][0]
            )
        await pilot.press("U")
        await settle(pilot)
        for ticket_id in ids:
            assert (
                db_rows(demo_db, "SELECT tags FROM tickets WHERE id=?", ticket_id)[0][0]
                == before[ticket_id]
            )


async def test_report_key_shows_the_session_report(demo_db: Path, make_app) -> None:
    from triage_tui.ui.screens.report import ReportScreen

    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("n", "R")
        await settle(pilot)
        assert isinstance(app.screen, ReportScreen)
        assert len(app.screen.report.to_json()["skipped"]) >= 1


async def test_the_filter_index_outlives_esc_but_not_a_reload(
    demo_db: Path, make_app, monkeypatch
) -> None:
    """Esc keeps the queue's row index (the next `/` is as quick as the first);
    a reload lets the old queue go with it: only the new queue's index is kept."""
    from triage_tui.domain.filters import row_index

    monkeypatch.setattr(row_index, "KEEP_FROM_ROWS", 1)  # the demo queue is small
    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await settle(pilot)
        await pilot.press("slash", *"refund")
        await settle(pilot)
        assert screen.filter is not None and row_index._kept
        index = row_index._kept[0]
        await pilot.press("escape")
        await settle(pilot)
        assert screen.filter is None and row_index._kept == [index]
        old_rows = screen.all_rows
        await pilot.press("r")  # reload the queue
        await settle(pilot)
        assert screen.all_rows is not old_rows
        assert all(kept.rows is screen.all_rows for kept in row_index._kept)


async def test_queue_rows_drawn_from_the_cache_follow_marks_and_the_cursor(
    demo_db: Path, make_app
) -> None:
    """Rows are drawn once per look; a mark or the cursor arriving draws them anew."""
    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await settle(pilot)
        queue = screen.query_one(QueueView)
        before = line_text(queue, 1)
        assert line_text(queue, 1) == before  # the cached drawing
        await pilot.press("j")
        await settle(pilot)
        cursor_style = queue.render_line(1)._segments[0].style
        assert cursor_style != queue.render_line(0)._segments[0].style
        await pilot.press("space")  # mark the second row, move on
        await settle(pilot)
        assert line_text(queue, 1).startswith("●") and not before.startswith("●")
