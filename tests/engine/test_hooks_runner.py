"""Issue 21: ``engine.hooks.HookRunner`` on the local helpdesk through the verb-mode outbox.

The service integrations (``triage_tui.integrations``) are another engineer's
module: here a stand-in with the agreed contract is put in ``sys.modules``.
"""

from __future__ import annotations

import sys
import types
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.adapters.contract import seed_local_db
from tests.adapters.seed import DEFAULT_SPEC
from triage_tui import config as cfg
from triage_tui.adapters.local.adapter import LocalHelpdesk, LocalOptions
from triage_tui.domain import hooks as dh
from triage_tui.domain.clock import FrozenClock
from triage_tui.domain.enums import Status
from triage_tui.engine import outbox_model as om
from triage_tui.engine.buffered import VERB_MODE, BufferedHelpdesk
from triage_tui.engine.hooks import INTERRUPTED, MAX_ATTEMPTS, ORIGIN, HookLease, HookRunner


@pytest.fixture
async def desk(tmp_path: Path, clock: FrozenClock) -> AsyncIterator[BufferedHelpdesk]:
    db = tmp_path / "helpdesk.db"
    seed_local_db(db, DEFAULT_SPEC)
    inner = LocalHelpdesk(LocalOptions(db=db), clock).act_as("Sam Rivera")
    helpdesk = BufferedHelpdesk(inner, "test.local.0", mode=VERB_MODE, data_dir=tmp_path / "data")
    async with helpdesk:
        yield helpdesk


def runner_for(
    desk: BufferedHelpdesk, clock: FrozenClock, *hooks: cfg.Hook, **kw: Any
) -> HookRunner:
    config = cfg.AppConfig(hooks=list(hooks))
    cfg.check_hooks(config)
    profile = kw.pop("profile", cfg.Profile())
    return HookRunner(desk, desk.outbox, config, profile, clock, owner=desk.session, **kw)


async def fire(runner: HookRunner, event: str, ticket_id: str, occurrence: str = "1") -> list[Any]:
    runner.record(await runner.plan(event, ticket_id, occurrence))
    return await runner.run_due()


async def events(desk: BufferedHelpdesk, name: str) -> list[Any]:
    return [e for e in await desk.list_events(None) if e.name == name]


@dataclass(frozen=True)
class Delivered:
    url: str | None


class ServiceError(Exception):
    def __init__(self, message: str, retryable: bool, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retryable, self.retry_after = retryable, retry_after


@pytest.fixture
def service(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """``triage_tui.integrations`` as agreed: ``deliver`` records its calls."""
    calls: list[dict[str, Any]] = []
    module = types.ModuleType("triage_tui.integrations")

    async def deliver(
        service: str,
        settings: Mapping[str, Any],
        payload: Mapping[str, Any],
        *,
        idempotency_key: str,
        env: Mapping[str, str] | None = None,
    ) -> Delivered:
        calls.append(
            {"service": service, "settings": dict(settings), "payload": dict(payload),
             "key": idempotency_key}
        )  # fmt: skip
        failure = settings.get("fail")
        if failure == "retry":
            raise ServiceError("Slack answered 503", retryable=True, retry_after=30)
        if failure == "final":
            raise ServiceError("GitHub refused the token (401)", retryable=False)
        return Delivered(f"https://github.com/acme/app/issues/{len(calls)}")

    module.deliver = deliver  # type: ignore[attr-defined]
    module.ServiceError = ServiceError  # type: ignore[attr-defined]
    module.Delivered = Delivered  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "triage_tui.integrations", module)
    return calls


async def test_a_github_hook_delivers_the_payload_once_and_notes_the_issue_url(
    desk: BufferedHelpdesk, clock: FrozenClock, service: list[dict[str, Any]]
) -> None:
    """Issue 21 items 1-2: the payload has the agreed shape, the idempotency key is per
    (hook, event), the same event seen twice delivers once, and the issue URL is written
    back as an internal note; ``hook.ran`` is in the event log."""
    hook = cfg.Hook(on=["ticket.escalated"], name="to-github", github={"repo": "acme/app"})
    runner = runner_for(desk, clock, hook)
    await fire(runner, "ticket.escalated", "101", "101|escalated|t1")
    await fire(runner, "ticket.escalated", "101", "101|escalated|t1")  # read again
    [call] = service
    assert call["service"] == "github" and call["settings"] == {"repo": "acme/app"}
    assert call["key"] == dh.idempotency_key("to-github", "ticket.escalated", "101|escalated|t1")
    payload = call["payload"]
    assert set(payload) == {"event", "hook", "ticket", "rules", "reason", "follow_up"}
    assert payload["ticket"]["id"] == "101"
    assert payload["ticket"]["requester"] == {
        "name": "Ana Lopez", "email": payload["ticket"]["requester"]["email"],
        "tier": payload["ticket"]["requester"]["tier"], "vip": True,
    }  # fmt: skip
    assert set(payload["ticket"]["sla"]) == {"state", "due_at", "minutes_left"}
    assert payload["follow_up"]["title"]
    notes = [m.body for m in (await desk.get_ticket("101")).messages if not m.public]
    assert notes.count("Follow-up: https://github.com/acme/app/issues/1") == 1
    [ran] = await events(desk, dh.HOOK_RAN)
    assert ran.payload["url"] == "https://github.com/acme/app/issues/1"
    [entry] = [e for e in desk.outbox.entries() if e.origin == ORIGIN]
    assert entry.state == om.DELIVERED and entry.ticket_id == "hook:101:to-github"


async def test_service_failures_retry_with_back_off_or_fail_visibly(
    desk: BufferedHelpdesk, clock: FrozenClock, service: list[dict[str, Any]]
) -> None:
    """Issue 21 item 2: a retryable service error waits its retry_after in the outbox;
    a final one fails at once with the service's one-line message and hook.failed."""
    slow = cfg.Hook(
        on=["ticket.created"], name="slack", slack={"webhook_env": "W", "fail": "retry"}
    )
    bad = cfg.Hook(on=["ticket.created"], name="gh", github={"repo": "a/b", "fail": "final"})
    runner = HookRunner(
        desk, desk.outbox, cfg.AppConfig(hooks=[slow, bad]), cfg.Profile(), clock,
        owner=desk.session,
    )  # fmt: skip
    outcomes = await fire(runner, "ticket.created", "102")
    assert [o.ok for o in outcomes] == [False, False]
    by_hook = {e.payload["hook"]: e for e in desk.outbox.entries() if e.origin == ORIGIN}
    assert by_hook["slack"].state == om.PENDING and by_hook["slack"].last_error == (
        "Slack answered 503"
    )
    assert by_hook["gh"].state == om.FAILED
    assert by_hook["gh"].last_error == "GitHub refused the token (401)"
    assert await runner.run_due() == []  # not due before its retry_after
    clock.advance(31)
    [again] = await runner.run_due()
    assert again.entry.payload["hook"] == "slack" and len(service) == 3
    failed = await events(desk, dh.HOOK_FAILED)
    assert [(e.payload["hook"], e.payload["final"]) for e in failed] == [
        ("slack", False), ("gh", True), ("slack", False),
    ]  # fmt: skip


async def test_an_exec_hook_gets_the_payload_on_stdin_and_its_environment(
    desk: BufferedHelpdesk, clock: FrozenClock, tmp_path: Path
) -> None:
    """Issue 21 item 1: the command reads the JSON payload on stdin with TRIAGE_EVENT and
    TRIAGE_TICKET_ID set; exit 0 and the tail of stderr are logged."""
    out = tmp_path / "got.json"
    command = f'cat > "{out}"; echo "$TRIAGE_EVENT $TRIAGE_TICKET_ID" >&2'
    runner = runner_for(desk, clock, cfg.Hook(on=["ticket.created"], name="log", exec=command))
    [ran] = await fire(runner, "ticket.created", "102")
    assert ran.ok
    import json

    got = json.loads(out.read_text())
    assert (got["event"], got["hook"], got["ticket"]["id"]) == ("ticket.created", "log", "102")
    [logged] = await events(desk, dh.HOOK_RAN)
    assert logged.payload["exit"] == 0
    assert logged.payload["stderr_tail"].strip() == "ticket.created 102"


async def test_a_failing_command_retries_then_fails_and_a_slow_one_is_killed(
    desk: BufferedHelpdesk, clock: FrozenClock, tmp_path: Path
) -> None:
    """Issue 21 items 1-2: exit 3 retries with the outbox's back-off until MAX_ATTEMPTS,
    then stays failed; a command past its time limit is killed and failed."""
    tries = tmp_path / "tries"
    failing = cfg.Hook(
        on=["ticket.created"], name="flaky", exec=f'echo x >> "{tries}"; echo boom >&2; exit 3'
    )
    runner = runner_for(desk, clock, failing)
    [first] = await fire(runner, "ticket.created", "102")
    assert not first.ok and "exited 3: boom" in first.line
    for _ in range(MAX_ATTEMPTS + 2):
        clock.advance(3600)
        await runner.run_due()
    [entry] = [e for e in desk.outbox.entries() if e.origin == ORIGIN]
    assert entry.state == om.FAILED and entry.attempts == MAX_ATTEMPTS
    assert len(tries.read_text().splitlines()) == MAX_ATTEMPTS

    slow = cfg.Hook(on=["ticket.assigned"], name="slow", exec="sleep 30", timeout_seconds=0.2)
    runner = runner_for(desk, clock, slow)
    [ran] = await fire(runner, "ticket.assigned", "102")
    assert not ran.ok and "timed out after 0.2 s (killed)" in ran.line


async def test_an_exec_hook_interrupted_mid_run_is_not_run_again(
    desk: BufferedHelpdesk, clock: FrozenClock, tmp_path: Path
) -> None:
    """Issue 21 item 2: an entry left ``delivering`` by a process that died (a kill -9
    mid-command) is failed with the reason, never run again behind anyone's back; a
    retry by hand runs it."""
    marker = tmp_path / "ran"
    hook = cfg.Hook(on=["ticket.created"], name="once", exec=f'echo run >> "{marker}"')
    runner = runner_for(desk, clock, hook)
    [entry] = runner.record(await runner.plan("ticket.created", "102", "x"))
    assert desk.outbox.claim(entry.id, "999999999:dead") is not None  # a dead process ran it
    [outcome] = await runner.run_due()
    assert not outcome.ok and not marker.exists()
    assert desk.outbox.get(entry.id).last_error == INTERRUPTED  # type: ignore[union-attr]
    # Recorded again (the feed read again after the crash): the key is taken.
    assert runner.record(await runner.plan("ticket.created", "102", "x")) == []
    desk.outbox.retry(entry.id)
    [again] = await runner.run_due()
    assert again.ok and marker.read_text() == "run\n"


async def test_when_selects_the_tickets_a_hook_runs_on(
    desk: BufferedHelpdesk, clock: FrozenClock
) -> None:
    """Issue 21 item 1: ``when`` is the console's filter language, on the ticket as it is."""
    hook = cfg.Hook(on=["ticket.created"], name="urgent-only", when="priority:urgent", exec="true")
    runner = runner_for(desk, clock, hook)
    assert [p.ticket_id for p in await runner.plan("ticket.created", "102", "a")] == ["102"]
    assert await runner.plan("ticket.created", "104", "b") == []  # low priority


async def test_assign_least_busy_skips_agents_away_and_leaves_assigned_tickets(
    desk: BufferedHelpdesk, clock: FrozenClock
) -> None:
    """Issue 21 item 1: least busy counts open tickets with a running SLA per agent;
    an agent in the profile's ``away`` list is never picked; an assigned ticket stays."""
    agents = ["Sam Rivera", "Mei Chen", "Priya Nair"]
    hook = cfg.Hook(
        on=["ticket.created"], name="auto", assign=cfg.AssignAction("least_busy", agents)
    )
    # Sam holds 101 (running SLA); Mei 103 (pending: paused); Priya 106 (closed).
    runner = runner_for(desk, clock, hook, profile=cfg.Profile(away=["Mei Chen"]))
    [ran] = await fire(runner, "ticket.created", "102")
    assert ran.ok and (await desk.get_ticket("102")).ticket.assignee == "Priya Nair"
    [left] = await fire(runner, "ticket.created", "101", "other")
    assert left.data["detail"] == "already assigned to Sam Rivera; left alone"
    assert (await desk.get_ticket("101")).ticket.assignee == "Sam Rivera"


async def test_round_robin_takes_turns(desk: BufferedHelpdesk, clock: FrozenClock) -> None:
    """Issue 21 item 1: round robin continues after the last agent it assigned."""
    hook = cfg.Hook(
        on=["ticket.created"],
        name="rr",
        assign=cfg.AssignAction("round_robin", ["Mei Chen", "Priya Nair"]),
    )
    runner = runner_for(desk, clock, hook)
    await fire(runner, "ticket.created", "102", "a")
    await fire(runner, "ticket.created", "104", "b")
    assert (await desk.get_ticket("102")).ticket.assignee == "Mei Chen"
    assert (await desk.get_ticket("104")).ticket.assignee == "Priya Nair"


async def test_a_survey_after_solve_is_a_reply_an_activity_and_a_health_check(
    desk: BufferedHelpdesk, clock: FrozenClock
) -> None:
    """Issue 21 item 1: a solved ticket gets the templated satisfaction request as a
    public reply, recorded as ``survey.sent``, then the organisation's health-check note."""
    hook = cfg.Hook(
        on=["ticket.solved"],
        name="csat",
        survey=cfg.SurveyAction(
            template="Hi {first_name}, rate #{ticket_id} 1-5.", health_check=True
        ),
    )
    runner = runner_for(desk, clock, hook)
    await desk.set_status("101", Status.SOLVED)
    [ran] = await fire(runner, "ticket.solved", "101")
    assert ran.ok
    messages = (await desk.get_ticket("101")).messages
    assert [m.body for m in messages if m.public][-1] == "Hi Ana, rate #101 1-5."
    assert any(m.body.startswith("Health check for Acme Corp") for m in messages if not m.public)
    [sent] = await events(desk, dh.SURVEY_SENT)
    assert sent.ticket_id == "101" and sent.payload["requester"] == "Ana Lopez"
    assert len(await events(desk, dh.HEALTH_CHECK)) == 1


def test_the_lease_is_held_by_one_holder_at_a_time(tmp_path: Path) -> None:
    """Issue 21 item 3: two watchers on one profile: the second gets no lease until the
    first lets go (a process that dies lets go with it)."""
    first, second = HookLease(tmp_path / "l.lock"), HookLease(tmp_path / "l.lock")
    assert first.acquire()
    assert not second.acquire()
    first.release()
    assert second.acquire()
    second.release()
