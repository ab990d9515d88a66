"""The scriptable verbs and the console against the fake Zendesk, configured only by env vars.

``TRIAGE_ADAPTER=zendesk`` plus ``TRIAGE_ZENDESK_BASE_URL/EMAIL/TOKEN`` is all
a user sets; every check below then reads what the fake server holds.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from tests.adapters.remote_factories import zendesk_options
from tests.adapters.seed import DEFAULT_SPEC
from tests.fakes.seeding import seed_zendesk
from tests.fakes.zendesk import FakeZendesk
from triage_tui.cli import main
from triage_tui.domain.clock import FrozenClock


@dataclass
class Out:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


Run = Callable[..., Out]


@pytest.fixture
def fake(clock: FrozenClock, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeZendesk]:
    with FakeZendesk(clock) as server:
        seed_zendesk(server, DEFAULT_SPEC)
        monkeypatch.setenv("TRIAGE_ADAPTER", "zendesk")
        monkeypatch.setenv("TRIAGE_ZENDESK_BASE_URL", server.origin)
        monkeypatch.setenv("TRIAGE_ZENDESK_EMAIL", "sam@triage.example")
        monkeypatch.setenv("TRIAGE_ZENDESK_TOKEN", "zd-token-123")
        yield server


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str], clock: FrozenClock) -> Run:
    def runner(*argv: str) -> Out:
        code = main(list(argv), clock=clock)
        captured = capsys.readouterr()
        return Out(code, captured.out, captured.err)

    return runner


def test_queue_get_ticket_get_user_and_search_kb(fake: FakeZendesk, run: Run) -> None:
    queue = run("queue", "--json").json()
    assert queue["total"] == len(DEFAULT_SPEC.active_keys())
    assert queue["tickets"][0]["id"] == "102" and queue["tickets"][0]["sla_state"] == "breached"
    detail = run("get-ticket", "101", "--json").json()
    assert [m["public"] for m in detail["messages"]] == [True, True, False, True]
    assert detail["ticket"]["organization"]["vip"] is True
    user = run("get-user", "ana@acme.example", "--tickets", "--json").json()
    assert [t["id"] for t in user["tickets"]] == ["101", "103", "105"]
    kb = run("search-kb", "SSO sign-in loop", "--json").json()
    assert kb["articles"][0]["title"].startswith("Set up SAML")
    human = run("queue")
    assert human.code == 0 and "API returns 429" in human.out


def test_reply_close_update_and_escalate_write_to_zendesk(fake: FakeZendesk, run: Run) -> None:
    assert run("reply-ticket", "102", "Hi Ben, use the batch endpoint.").code == 0
    last = fake.comments[102][-1]
    assert (last["body"], last["public"]) == ("Hi Ben, use the batch endpoint.", True)
    assert run("close-ticket", "102", "--note", "Resolved: batch endpoint").code == 0
    assert (fake.comments[102][-1]["public"], fake.tickets[102]["status"]) == (False, "solved")
    result = run(
        "update-ticket", "101", "--status", "pending", "--priority", "urgent",
        "--assignee", "Mei Chen", "--group", "Billing", "--add-tag", "vip", "--remove-tag", "login",
    )  # fmt: skip
    assert result.code == 0, result.err
    ticket = fake.tickets[101]
    assert (ticket["status"], ticket["priority"], ticket["assignee_id"], ticket["group_id"]) == (
        "pending", "urgent", 901, 12
    )  # fmt: skip
    assert ticket["tags"] == ["sso", "vip"]
    result = run("escalate-ticket", "103", "--reason", "billing/refund", "--group", "Billing")
    assert result.code == 0, result.err
    assert fake.comments[103][-1]["body"].startswith("Escalated: billing/refund")
    assert fake.tickets[103]["group_id"] == 12 and "escalated" in fake.tickets[103]["tags"]


def test_errors_are_one_line_with_the_documented_exit_codes(
    fake: FakeZendesk, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = run("get-ticket", "424242")
    assert (missing.code, missing.err) == (3, "triage: error: Zendesk ticket 424242 not found\n")
    unsupported = run("create-ticket", "--subject", "x", "--body", "y", "--requester", "a@b.c")
    assert unsupported.code == 2 and unsupported.err.count("\n") == 1
    fake.fail(429, "busy", headers={"Retry-After": "900"})
    limited = run("queue")
    assert limited.code == 5 and "try again in 900 s" in limited.err
    monkeypatch.setenv("TRIAGE_ZENDESK_TOKEN", "zd-wrong-secret")
    denied = run("queue")
    assert denied.code == 4 and "rejected the credentials" in denied.err
    assert "zd-wrong-secret" not in denied.err + denied.out


def test_doctor_passes_against_the_fake(fake: FakeZendesk, run: Run) -> None:
    result = run("doctor")
    assert result.code == 0, result.out
    assert (
        result.out.splitlines()[3]
        == "✓ credentials  accepted: Sam Rivera <sam@triage.example> (agent)"
    )
    lines = result.out.splitlines()
    # The built-in routes "tier 2" and "legal" are none of the fake's groups: a warning.
    assert all(line[0] in "✓–" for line in lines if line[2:15].strip() != "routes")
    assert any(line.startswith("! routes") and "'tier 2'" in line for line in lines)


async def test_console_loads_the_queue_and_sends_a_reply(
    fake: FakeZendesk, clock: FrozenClock
) -> None:
    from textual.widgets import TextArea

    from triage_tui.adapters.zendesk import ZendeskHelpdesk
    from triage_tui.config import Profile
    from triage_tui.ui.app import TriageApp
    from triage_tui.ui.screens.main import MainScreen
    from triage_tui.ui.screens.prompts import SendScreen
    from triage_tui.ui.widgets.queue import QueueView

    helpdesk = ZendeskHelpdesk(zendesk_options(fake), clock)
    profile = Profile(adapter="zendesk", agent="Sam Rivera", send_status="pending", undo_seconds=0)
    app = TriageApp(helpdesk, profile=profile, clock=clock, tick_seconds=3600)
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(4):
            await app.workers.wait_for_complete()
            await pilot.pause()
        screen = app.screen
        assert isinstance(screen, MainScreen)
        queue = screen.query_one(QueueView)
        assert len(queue.rows) == len(DEFAULT_SPEC.active_keys())
        assert queue.current is not None and queue.current.id == "102"  # breached first
        for _ in range(4):
            await app.workers.wait_for_complete()
            await pilot.pause()
        draft = screen.query_one("#draft", TextArea).text
        assert draft.startswith("Hi Ben")
        await pilot.press("s")
        assert isinstance(app.screen, SendScreen)
        await pilot.press("enter")
        for _ in range(4):
            await app.workers.wait_for_complete()
            await pilot.pause()
    last = fake.comments[102][-1]
    assert (last["body"], last["public"], last["author_id"]) == (draft, True, 900)
    assert fake.tickets[102]["status"] == "pending"
    assert all(r.headers["authorization"].startswith("Basic ") for r in fake.requests())
