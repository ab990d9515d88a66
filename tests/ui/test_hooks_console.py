"""Issue 21 done-when: the escalate key in the console, with a slack hook, posts one pack."""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.fakes.fake_time import FakeTime, until
from tests.fakes.slack import FakeSlack
from tests.ui.conftest import db_rows
from tests.ui.test_console import move_to_ticket, refund_ticket, settle
from tests.ui.test_report_screen import text_of
from triage_tui.adapters.local.adapter import LocalHelpdesk, LocalOptions
from triage_tui.config import AppConfig, Hook, Profile, check_hooks
from triage_tui.domain.clock import FrozenClock
from triage_tui.engine import outbox_model as om
from triage_tui.engine.buffered import BufferedHelpdesk
from triage_tui.engine.changes import CursorFile
from triage_tui.engine.hooks import ORIGIN, HookRunner, LogReader
from triage_tui.ui.app import TriageApp
from triage_tui.ui.screens.prompts import EscalateScreen

HOLD = 5.0
SECRET = "hook-secret-abc123"


@pytest.fixture
def slack(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        monkeypatch.setenv("TRIAGE_TEST_SLACK_WEBHOOK", fake.webhook_url(SECRET))
        yield fake


def console(db: Path, clock: FrozenClock, fake: FakeTime, data: Path) -> TriageApp:
    config = AppConfig(
        hooks=[
            Hook(
                name="page-oncall",
                on=["ticket.escalated"],
                slack={"webhook_env": "TRIAGE_TEST_SLACK_WEBHOOK"},
            )
        ]
    )
    check_hooks(config)
    link = "https://help.example.com/t/{id}"
    profile = Profile(agent="Sam Agent", undo_seconds=HOLD, ticket_url=link)
    # As session.build_helpdesk builds it from the profile.
    inner = LocalHelpdesk(LocalOptions(db=db), clock=clock).act_as("Sam Agent").link_tickets(link)
    helpdesk = BufferedHelpdesk(
        inner, "ui.local.0", hold_seconds=HOLD, data_dir=data, sleep=fake.sleep,
        rng=random.Random(3),
    )  # fmt: skip
    return TriageApp(helpdesk, profile=profile, config=config, clock=clock, tick_seconds=3600)


def hook_entries(helpdesk: BufferedHelpdesk) -> list[om.Entry]:
    return [e for e in helpdesk.outbox.entries(limit=100) if e.origin == ORIGIN]


async def test_escalate_key_posts_one_context_pack_to_slack(
    demo_db: Path, clock: FrozenClock, tmp_path: Path, slack: FakeSlack
) -> None:
    """Issue 21 done-when: pressing x (escalate) in the console with a slack webhook hook on
    ticket.escalated posts exactly one context pack to the fake Slack once the escalation is
    delivered (after the undo window): the ticket's subject and link, the reason, the rule
    that fired. The event log has one hook.ran, the outbox one delivered hook entry, and a
    watcher reading the same event-log rows afterwards posts nothing more."""
    ticket_id = refund_ticket(demo_db)
    subject = db_rows(demo_db, "SELECT subject FROM tickets WHERE id=?", ticket_id)[0][0]
    fake = FakeTime(clock, auto=False)
    app = console(demo_db, clock, fake, tmp_path / "data")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await settle(pilot)
        await move_to_ticket(pilot, screen, ticket_id)
        await pilot.press("x")
        assert isinstance(app.screen, EscalateScreen)
        reason = app.screen.query_one("#reason").value  # type: ignore[attr-defined]
        await pilot.press("enter")
        await settle(pilot)
        assert slack.messages == []  # held for the undo window: nothing sent yet
        fake.advance(HOLD + 1)
        helpdesk = app.helpdesk
        assert isinstance(helpdesk, BufferedHelpdesk)
        await until(
            lambda: [e.state for e in hook_entries(helpdesk)] == [om.DELIVERED],
            what="the hook delivered",
        )
        await settle(pilot)

        # A watcher reading the event log from before the escalation records nothing new.
        runner = HookRunner(
            helpdesk, helpdesk.outbox, app.config_model, app.profile, clock,
            owner=helpdesk.session,
        )  # fmt: skip
        cursor = CursorFile(tmp_path / "log-cursor")
        cursor.save(f"0|{clock.now().replace(year=2000).isoformat()}")
        await LogReader(runner, cursor).read()
        assert await runner.run_due() == []
        [entry] = hook_entries(helpdesk)
        assert entry.payload["event"] == "ticket.escalated"

    [message] = slack.messages
    assert message["via"] == "webhook"
    text = json.dumps(message)
    assert f"#{ticket_id}" in text and subject[:40] in text
    assert f"https://help.example.com/t/{ticket_id}" in text
    assert reason and reason in text
    ran = db_rows(demo_db, "SELECT ticket_id, payload FROM events WHERE name='hook.ran'")
    assert [(t, json.loads(p)["hook"]) for t, p in ran] == [(ticket_id, "page-oncall")]


async def test_the_console_report_shows_csat_once_a_score_is_known(
    demo_db: Path, make_app: Callable[..., TriageApp], clock: FrozenClock
) -> None:
    """Issue 21 done-when: the console's report (R) shows no satisfaction figure while no
    score is known, and the average of the scores recorded (`triage csat`'s event) once
    they are."""
    from triage_tui.cli import hooks as cli_hooks
    from triage_tui.cli.verbs import View
    from triage_tui.ui.screens.report import ReportScreen

    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("R")
        await settle(pilot)
        assert isinstance(app.screen, ReportScreen)
        assert "Satisfaction" not in text_of(app.screen)
        await pilot.press("escape")
        for ticket_id, score in (("1001", 4), ("1002", 5)):
            await cli_hooks.csat(app.helpdesk, View(clock.now()), ticket_id, score, None)
        await pilot.press("R")
        await settle(pilot)
        assert isinstance(app.screen, ReportScreen)
        text = text_of(app.screen)
        assert "Satisfaction (CSAT, 1-5)" in text and "4.5 avg · 2 scores" in text
