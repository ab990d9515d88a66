"""The scriptable verbs and the console against the fake Gleap, configured only by env vars."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.adapters.remote_factories import gleap_options
from tests.adapters.seed import DEFAULT_SPEC
from tests.adapters.test_zendesk_cli import Out, Run
from tests.fakes.gleap import FakeGleap
from tests.fakes.seeding import seed_gleap
from triage_tui.cli import main
from triage_tui.domain.clock import FrozenClock


@pytest.fixture
def fake(clock: FrozenClock, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeGleap]:
    with FakeGleap(clock) as server:
        seed_gleap(server, DEFAULT_SPEC)
        monkeypatch.setenv("TRIAGE_ADAPTER", "gleap")
        monkeypatch.setenv("TRIAGE_GLEAP_BASE_URL", server.url)
        monkeypatch.setenv("TRIAGE_GLEAP_API_KEY", "gl-key-789")
        monkeypatch.setenv("TRIAGE_GLEAP_PROJECT", "proj-1")
        yield server


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str], clock: FrozenClock) -> Run:
    def runner(*argv: str) -> Out:
        code = main(list(argv), clock=clock)
        captured = capsys.readouterr()
        return Out(code, captured.out, captured.err)

    return runner


def ticket_id(fake: FakeGleap, subject_start: str) -> str:
    return next(t for t, v in fake.tickets.items() if v["title"].startswith(subject_start))


def test_reads_and_writes_through_the_verbs(fake: FakeGleap, run: Run) -> None:
    queue = run("queue", "--json").json()
    assert queue["total"] == len(DEFAULT_SPEC.active_keys())
    assert queue["tickets"][0]["subject"].startswith("API returns 429")
    sso = ticket_id(fake, "SSO login")
    detail = run("get-ticket", sso, "--json").json()
    assert [m["role"] for m in detail["messages"]] == ["customer", "agent", "agent", "customer"]
    assert run("get-user", "ben@globex.example", "--json").json()["person"]["name"] == "Ben Okafor"
    assert (
        run("search-kb", "export custom fields", "--json")
        .json()["articles"][0]["title"]
        .startswith("Export a project")
    )
    assert run("reply-ticket", sso, "Hi Ana,\nfixed.").code == 0
    assert fake.messages[-1]["type"] == "COMMENT" and fake.messages[-1]["user"] == fake.me
    result = run(
        "update-ticket", sso, "--status", "pending", "--assignee", "Priya Nair", "--add-tag", "vip"
    )
    assert result.code == 0, result.err
    stored = fake.tickets[sso]
    assert (stored["status"], stored["processingUser"], stored["tags"]) == (
        "INPROGRESS", "a" + "0" * 22 + "2", ["sso", "login", "vip"]
    )  # fmt: skip
    assert run("escalate-ticket", sso, "--reason", "legal", "--priority", "high").code == 0
    assert fake.messages[-1]["type"] == "NOTE" and stored["priority"] == "HIGH"
    assert run("close-ticket", sso, "--note", "Resolved: cert").code == 0
    assert stored["status"] == "DONE" and fake.messages[-1]["type"] == "NOTE"


def test_what_gleap_cannot_do_is_refused_before_writing(fake: FakeGleap, run: Run) -> None:
    sso = ticket_id(fake, "SSO login")
    for argv in (("--priority", "low"), ("--group", "Billing")):
        result = run("update-ticket", sso, *argv)
        assert result.code == 2 and result.err.startswith("triage: error: Gleap")
    assert fake.requests("PUT") == []


def test_doctor_and_a_wrong_project(
    fake: FakeGleap, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    ok = run("doctor")
    assert ok.code == 0, ok.out
    assert "✓ credentials  accepted: project proj-1: 6 tickets" in ok.out
    monkeypatch.setenv("TRIAGE_GLEAP_PROJECT", "proj-9")
    bad = run("doctor")
    assert bad.code == 1
    line = next(x for x in bad.out.splitlines() if "credentials" in x)
    assert line.startswith("✗ credentials  Gleap refused GET /tickets (403)")
    assert "fix: a 401 means the API key is wrong" in line


async def test_console_loads_the_queue_and_sends_a_reply(
    fake: FakeGleap, clock: FrozenClock
) -> None:
    from textual.widgets import TextArea

    from triage_tui.adapters.gleap import GleapHelpdesk
    from triage_tui.config import Profile
    from triage_tui.ui.app import TriageApp
    from triage_tui.ui.widgets.queue import QueueView

    helpdesk = GleapHelpdesk(gleap_options(fake), clock)
    profile = Profile(adapter="gleap", agent="Sam Rivera", send_status="solved", undo_seconds=0)
    app = TriageApp(helpdesk, profile=profile, clock=clock, tick_seconds=3600)
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(8):
            await app.workers.wait_for_complete()
            await pilot.pause()
        queue = app.screen.query_one(QueueView)
        current = queue.current
        assert current is not None and len(queue.rows) == len(DEFAULT_SPEC.active_keys())
        draft = app.screen.query_one("#draft", TextArea).text
        await pilot.press("s", "enter")
        for _ in range(4):
            await app.workers.wait_for_complete()
            await pilot.pause()
    assert fake.messages[-1]["ticket"] == current.id and fake.messages[-1]["type"] == "COMMENT"
    assert fake.tickets[current.id]["status"] == "DONE" and draft.startswith("Hi Ben")
