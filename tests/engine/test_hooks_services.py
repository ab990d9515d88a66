"""Issue 21: hooks delivered to fake Slack, GitHub and Linear servers on loopback.

The real ``triage_tui.integrations`` through ``HookRunner`` and the outbox, against
the fakes written from each service's public documentation (tests/fakes/).
"""

from __future__ import annotations

import json
import logging
import random
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from tests.engine.test_hooks_runner import desk, events, runner_for
from tests.fakes.github import FakeGitHub
from tests.fakes.linear import FakeLinear
from tests.fakes.slack import FakeSlack
from triage_tui import config as cfg
from triage_tui.domain import hooks as dh
from triage_tui.domain.clock import FrozenClock
from triage_tui.engine import outbox_model as om
from triage_tui.engine.buffered import BufferedHelpdesk
from triage_tui.engine.delivery_policy import RetryPolicy
from triage_tui.engine.hooks import INTERRUPTED_POST, ORIGIN, HookRunner, Ran
from triage_tui.integrations import deliver

__all__ = ["desk"]  # the fixture, shared with the runner's tests

SLACK_TOKEN = "xoxb-fake-bot-token-1"
WEBHOOK_SECRET = "hook-secret-abc123"
GITHUB_TOKEN = "ghp_fakeTokenFor1Test"
LINEAR_KEY = "lin_api_fakeKey0123456789"
SECRETS = (SLACK_TOKEN, WEBHOOK_SECRET, GITHUB_TOKEN, LINEAR_KEY)
PLAN = {"tasks": ["Fix the refund form's double charge", "A refund charges once"]}


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with FakeSlack(token=SLACK_TOKEN) as fake:
        yield fake


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    with FakeGitHub(token=GITHUB_TOKEN) as fake:
        yield fake


@pytest.fixture
def linear() -> Iterator[FakeLinear]:
    with FakeLinear(api_key=LINEAR_KEY) as fake:
        yield fake


@pytest.fixture
def env(slack: FakeSlack, github: FakeGitHub, linear: FakeLinear) -> dict[str, str]:
    return {
        "SLACK_WEBHOOK": slack.webhook_url(WEBHOOK_SECRET),
        "SLACK_BOT_TOKEN": SLACK_TOKEN,
        "TRIAGE_SLACK_API_URL": slack.api_url,
        "TRIAGE_GITHUB_TOKEN": GITHUB_TOKEN,
        "TRIAGE_GITHUB_API_URL": github.url,
        "TRIAGE_LINEAR_API_KEY": LINEAR_KEY,
        "TRIAGE_LINEAR_API_URL": linear.api_url,
    }


WEBHOOK = cfg.Hook(name="page", on=["ticket.escalated"], slack={"webhook_env": "SLACK_WEBHOOK"})
BOT = cfg.Hook(
    name="page-bot",
    on=["ticket.escalated"],
    slack={"token_env": "SLACK_BOT_TOKEN", "channel": "#escalations"},
)
GITHUB = cfg.Hook(name="backlog", on=["plan.follow_up"], github={"repo": "acme/support"})
LINEAR = cfg.Hook(name="linear", on=["plan.follow_up"], linear={"team_id": "team-eng-0001"})


def runner(
    desk: BufferedHelpdesk, clock: FrozenClock, env: dict[str, str], *hooks: cfg.Hook
) -> HookRunner:
    # The profile's ticket_url, as session.build_helpdesk gives it to the helpdesk.
    desk.link_tickets("https://help.example.com/t/{id}")
    return runner_for(
        desk, clock, *hooks, environ=env, policy=RetryPolicy(), rng=random.Random(7),
    )  # fmt: skip


async def fire(
    run: HookRunner,
    event: str,
    ticket_id: str,
    occurrence: str,
    extra: dict[str, Any] | None = None,
) -> list[Ran]:
    run.record(await run.plan(event, ticket_id, occurrence, extra))
    return await run.run_due()


def hook_entries(desk: BufferedHelpdesk) -> list[om.Entry]:
    return [e for e in desk.outbox.entries(limit=100) if e.origin == ORIGIN]


async def notes(desk: BufferedHelpdesk, ticket_id: str) -> list[str]:
    return [m.body for m in (await desk.get_ticket(ticket_id)).messages if not m.public]


async def assert_no_secret(desk: BufferedHelpdesk, *texts: str) -> None:
    stored = json.dumps(
        [(e.payload, e.result, e.last_error, e.label) for e in desk.outbox.entries(limit=100)]
    ) + json.dumps([(e.name, e.payload) for e in await desk.list_events(None)], default=str)
    for secret in SECRETS:
        assert secret not in stored
        assert all(secret not in text for text in texts)


def die_mid_request(desk: BufferedHelpdesk, entry: om.Entry) -> None:
    """A watcher that was killed while its request was in flight left the entry
    ``delivering`` under its (now dead) session."""
    assert desk.outbox.claim(entry.id, "999999999:dead") is not None


async def test_a_slack_webhook_hook_posts_one_context_pack_per_event(
    desk: BufferedHelpdesk, clock: FrozenClock, env: dict[str, str], slack: FakeSlack,
    caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    """Issue 21 done-when (Slack webhook): an escalation posts the context pack (ticket id,
    subject and link, requester, reason, SLA) to the incoming webhook once, even when the event
    is read twice; hook.ran is in the event log; the webhook URL (the secret) is in no log."""
    caplog.set_level(logging.DEBUG)
    run = runner(desk, clock, env, WEBHOOK)
    extra = {"reason": "billing/refund"}
    [ran] = await fire(run, "ticket.escalated", "101", "event:7", extra)
    assert await fire(run, "ticket.escalated", "101", "event:7", extra) == []  # read again
    assert ran.ok and ran.line == "hook page (slack) on #101: delivered to slack"
    [message] = slack.messages
    text = json.dumps(message)
    assert message["via"] == "webhook" and "#101" in text
    assert "https://help.example.com/t/101" in text and "billing/refund" in text
    assert "Ana Lopez" in text
    [logged] = await events(desk, dh.HOOK_RAN)
    assert logged.payload["hook"] == "page" and logged.ticket_id == "101"
    [entry] = hook_entries(desk)
    assert entry.state == om.DELIVERED
    await assert_no_secret(desk, caplog.text, ran.line)


async def test_chat_post_message_with_a_rate_limit_waits_retry_after_then_posts_once(
    desk: BufferedHelpdesk, clock: FrozenClock, env: dict[str, str], slack: FakeSlack
) -> None:
    """Issue 21 done-when (Slack chat.postMessage): `ratelimited` with Retry-After leaves the
    entry pending until then (retry_after honoured, nothing retried before); then one message
    is posted with the bot token to the channel, its permalink is the delivery's url."""
    slack.fail(429, "", headers={"Retry-After": "120"})
    run = runner(desk, clock, env, BOT)
    [first] = await fire(run, "ticket.escalated", "101", "event:8")
    assert not first.ok and first.retry_in == 120 and "retry in 120 s" in first.line
    [entry] = hook_entries(desk)
    assert entry.state == om.PENDING and entry.next_attempt == clock.now() + timedelta(seconds=120)
    clock.advance(119)
    assert await run.run_due() == [] and slack.messages == []
    clock.advance(2)
    [second] = await run.run_due()
    assert second.ok
    [message] = slack.messages
    assert message["via"] == "chat.postMessage" and message["channel"] == "C0ESCAL"
    limited, post = slack.requests("POST", "chat.postMessage")  # the 429, then the post
    assert post.headers["authorization"] == f"Bearer {SLACK_TOKEN}"
    [ran] = await events(desk, dh.HOOK_RAN)
    assert str(ran.payload["url"]).startswith("https://fake.slack.example/archives/C0ESCAL/")
    [failed] = await events(desk, dh.HOOK_FAILED)
    assert failed.payload["final"] is False


async def test_slack_refusals_fail_at_once_and_show_in_the_outbox(
    desk: BufferedHelpdesk, clock: FrozenClock, env: dict[str, str], slack: FakeSlack,
    caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    """Issue 21 item 2: Slack's `ok: false` `invalid_auth` (a 200) is not retried: the entry
    is failed with Slack's word, hook.failed is final, and no token is in any log."""
    caplog.set_level(logging.DEBUG)
    slack.api_errors.append("invalid_auth")
    run = runner(desk, clock, env, BOT)
    [ran] = await fire(run, "ticket.escalated", "101", "event:9")
    assert not ran.ok and ran.line.endswith("(failed)") and "invalid_auth" in ran.line
    [entry] = hook_entries(desk)
    assert entry.state == om.FAILED and "invalid_auth" in (entry.last_error or "")
    clock.advance(3600)
    assert await run.run_due() == [] and slack.messages == []
    [failed] = await events(desk, dh.HOOK_FAILED)
    assert failed.payload["final"] is True
    await assert_no_secret(desk, caplog.text, ran.line)


async def test_a_slack_post_interrupted_by_a_kill_is_not_posted_again(
    desk: BufferedHelpdesk, clock: FrozenClock, env: dict[str, str], slack: FakeSlack
) -> None:
    """Issue 21 done-when: the watcher was killed while Slack was posting (the message is in
    the channel, the answer never came back). Slack takes no idempotency key, so the next run
    does not post it again: the entry is failed with the reason, visible in the outbox; a
    retry by hand posts it."""
    run = runner(desk, clock, env, WEBHOOK)
    [entry] = run.record(await run.plan("ticket.escalated", "101", "event:10"))
    slack.kill_next = 1
    with pytest.raises(Exception, match="connection"):  # the dead watcher's request
        await deliver("slack", WEBHOOK.slack or {}, entry.payload["payload"],
                      idempotency_key=entry.idem_key, env=env)  # fmt: skip
    die_mid_request(desk, entry)
    [ran] = await run.run_due()
    assert not ran.ok and INTERRUPTED_POST in ran.line
    assert len(slack.messages) == 1
    assert desk.outbox.get(entry.id).state == om.FAILED  # type: ignore[union-attr]
    desk.outbox.retry(entry.id)
    [again] = await run.run_due()
    assert again.ok and len(slack.messages) == 2


async def test_a_github_hook_files_one_issue_per_follow_up_and_notes_its_url(
    desk: BufferedHelpdesk, clock: FrozenClock, env: dict[str, str], github: FakeGitHub,
    caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    """Issue 21 done-when (GitHub): a plan follow-up files `POST /repos/acme/support/issues`
    with the task as title, the acceptance criteria and the ticket link; the issue's URL is
    written back to the ticket as one internal note; the event read twice files nothing more."""
    caplog.set_level(logging.DEBUG)
    run = runner(desk, clock, env, GITHUB)
    [ran] = await fire(run, "plan.follow_up", "101", "event:11", PLAN)
    assert await fire(run, "plan.follow_up", "101", "event:11", PLAN) == []
    assert ran.ok
    [issue] = github.issues["acme/support"]
    assert issue["title"] == "Fix the refund form's double charge"
    assert "- [ ] A refund charges once" in issue["body"]
    assert "https://help.example.com/t/101" in issue["body"]
    [post] = github.requests("POST")
    assert post.headers["authorization"] == f"Bearer {GITHUB_TOKEN}"
    url = f"{github.origin}/acme/support/issues/1"
    assert (await notes(desk, "101")).count(f"Follow-up: {url}") == 1
    [logged] = await events(desk, dh.HOOK_RAN)
    assert logged.payload["url"] == url
    await assert_no_secret(desk, caplog.text, ran.line)


async def test_github_kills_limits_and_410_through_the_outbox(
    desk: BufferedHelpdesk, clock: FrozenClock, env: dict[str, str], github: FakeGitHub
) -> None:
    """Issue 21 done-when (GitHub): the connection dies after GitHub filed the issue, and the
    watcher is killed on the retry: the next run resends with the same key and finds the
    issue (one issue, one note). A secondary rate limit waits its Retry-After; a 410 (issues
    disabled) fails at once."""
    run = runner(desk, clock, env, GITHUB)
    github.kill_next = 1
    [lost] = await fire(run, "plan.follow_up", "101", "event:12", PLAN)
    assert not lost.ok and lost.retry_in is not None
    [entry] = hook_entries(desk)
    clock.advance(lost.retry_in + 1)
    die_mid_request(desk, entry)  # killed while retrying
    [found] = await run.run_due()
    assert found.ok and len(github.issues["acme/support"]) == 1
    assert len(github.requests("POST")) == 1
    url = f"{github.origin}/acme/support/issues/1"
    assert (await notes(desk, "101")).count(f"Follow-up: {url}") == 1

    github.secondary_limit(60)
    [limited] = await fire(run, "plan.follow_up", "102", "event:13", PLAN)
    assert not limited.ok and limited.retry_in == 60
    clock.advance(61)
    [later] = await run.run_due()
    assert later.ok and len(github.issues["acme/support"]) == 2

    github.repos["acme/support"]["has_issues"] = False
    [gone] = await fire(run, "plan.follow_up", "102", "event:14", PLAN)
    assert not gone.ok and gone.line.endswith("(failed)")
    assert [e.state for e in hook_entries(desk)].count(om.FAILED) == 1


async def test_a_linear_hook_creates_one_issue_even_when_killed_mid_request(
    desk: BufferedHelpdesk, clock: FrozenClock, env: dict[str, str], linear: FakeLinear,
    caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    """Issue 21 done-when (Linear): `issueCreate` with the key as Authorization; the watcher
    killed after Linear created the issue resends with the same id (from the idempotency key)
    and takes the existing issue: one issue, one note with its URL. An error inside a 200
    fails the hook at once."""
    caplog.set_level(logging.DEBUG)
    run = runner(desk, clock, env, LINEAR)
    [entry] = run.record(await run.plan("plan.follow_up", "101", "event:15", PLAN))
    linear.kill_next = 1
    with pytest.raises(Exception, match="connection"):  # the dead watcher's request
        await deliver("linear", LINEAR.linear or {}, entry.payload["payload"],
                      idempotency_key=entry.idem_key, env=env)  # fmt: skip
    die_mid_request(desk, entry)
    [ran] = await run.run_due()
    assert ran.ok
    [issue] = linear.issues.values()
    assert issue["title"] == "Fix the refund form's double charge"
    assert linear.log[0].headers["authorization"] == LINEAR_KEY
    assert (await notes(desk, "101")).count(f"Follow-up: {issue['url']}") == 1

    linear.teams.clear()  # "Entity not found: Team" inside a 200
    [refused] = await fire(run, "plan.follow_up", "102", "event:16", PLAN)
    assert not refused.ok and refused.line.endswith("(failed)")
    await assert_no_secret(desk, caplog.text, ran.line, refused.line)
