"""The report screen: figures, escalations with reasons, follow-ups, w writes, esc closes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from textual.widgets import Static

from tests.conftest import FROZEN_NOW
from tests.ui.test_console import settle
from triage_tui.domain import events as ev
from triage_tui.domain.errors import Unsupported
from triage_tui.engine.report import Report, build
from triage_tui.ui.screens.report import ReportScreen, load_report, with_pending

T0 = FROZEN_NOW - timedelta(hours=1)
HOSTILE = "refund [@click=app.quit] \x1b[31mred\x1b[0m"


@dataclass
class E:
    name: str
    minute: float
    ticket_id: str | None = None
    payload: dict[str, Any] = field(default_factory=dict)

    @property
    def at(self) -> datetime:
        return T0 + timedelta(minutes=self.minute)


def due(minute: float) -> str:
    return (T0 + timedelta(minutes=minute)).isoformat()


LOG = [
    E(ev.SWEEP_STARTED, 0, payload={"sweep_id": "s1"}),
    E(ev.VIEWED, 1, "1042", {"sla_due_at": due(60)}),
    E(ev.REPLY_SENT, 4, "1042", {"sla_due_at": due(60)}),
    E(ev.VIEWED, 5, "1043", {"sla_due_at": due(30)}),
    E(ev.SKIPPED, 7, "1043"),
    E(ev.VIEWED, 8, "1044", {"sla_due_at": due(240)}),
    E(ev.ESCALATED, 12, "1044", {"reason": HOSTILE}),
    E(ev.NOTE_ADDED, 13, "1044"),
    E(
        ev.FOLLOW_UP,
        20,
        None,
        {"tasks": ["Write a KB article on SSO loops", "Tell billing about refunds"]},
    ),
]


def report() -> Report:
    return build(LOG, T0, FROZEN_NOW)


def text_of(screen: ReportScreen) -> str:
    return "\n".join(str(s.render()) for s in screen.query(Static))


async def test_report_screen_shows_figures_escalations_and_follow_ups(
    demo_db: Path, make_app
) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = ReportScreen(report())
        await app.push_screen(screen)
        await pilot.pause()
        text = text_of(screen)
        assert (
            "3 tickets triaged · 1 reply · 1 escalation · 1 SLA breach · 1 breach avoided" in text
        )
        assert "Median handle time per ticket" in text and "3m00s (3 tickets)" in text
        assert (
            "#1044 — refund [@click=app.quit] ␛[31mred␛[0m" in text
        )  # shown as typed, ESC visible
        assert "\x1b" not in text
        assert (
            "☐ Write a KB article on SSO loops" in text and "☐ Tell billing about refunds" in text
        )
        assert "#1043" in text  # the breach (skipped, due inside the window)
        await pilot.press("escape")
        assert type(app.screen).__name__ == "MainScreen"


async def test_w_writes_the_markdown_in_the_data_dir_and_says_where(
    demo_db: Path, make_app, isolated_dirs: Path
) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = ReportScreen(report())
        await app.push_screen(screen)
        await pilot.pause()
        await pilot.press("w", "w")
        await pilot.pause()
        first = isolated_dirs / "data" / "reports" / "report-20261122-0930.md"
        assert screen.written == first.with_name("report-20261122-0930-2.md")
        markdown = first.read_text(encoding="utf-8")
        assert markdown == report().to_markdown()
        assert "## Escalations" in markdown and "## Follow-up tasks" in markdown
        assert "\x1b" not in markdown
        assert any(str(first.parent) in n.message for n in app._notifications)


async def test_load_report_falls_back_to_the_events_the_console_kept() -> None:
    class NoLog:
        async def list_events(self, since: datetime) -> list[E]:
            raise Unsupported("no event log")  # as Helpdesk.list_events does by default

    built = await load_report(NoLog(), T0, FROZEN_NOW, LOG)
    assert built.to_json() == report().to_json()


async def test_writes_still_in_the_outbox_count_once_and_only_once() -> None:
    class Log:
        async def list_events(self, since: datetime) -> list[E]:
            return [e for e in LOG if e.name != ev.ESCALATED]  # the escalation is still held

    kept = [e for e in LOG if e.name in (ev.REPLY_SENT, ev.ESCALATED, ev.VIEWED)]
    built = await load_report(Log(), T0, FROZEN_NOW, kept)
    assert built.to_json() == report().to_json()
    assert len(with_pending(list(LOG), kept)) == len(LOG)  # everything logged: nothing added
