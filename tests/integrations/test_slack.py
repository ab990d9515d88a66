"""Slack: the context pack over an incoming webhook and chat.postMessage, against a fake Slack."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from tests.fakes.slack import FakeSlack, block_problem
from triage_tui.integrations import Delivered, ServiceError, deliver
from triage_tui.integrations._text import clip

TOKEN = "xoxb-fake-bot-token-1"
WEBHOOK = {"webhook_env": "SLACK_WEBHOOK"}
BOT = {"token_env": "SLACK_BOT_TOKEN", "channel": "#escalations"}


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with FakeSlack(token=TOKEN) as fake:
        yield fake


def env_for(fake: FakeSlack, **extra: str) -> dict[str, str]:
    return {
        "SLACK_WEBHOOK": fake.webhook_url(),
        "SLACK_BOT_TOKEN": TOKEN,
        "TRIAGE_SLACK_API_URL": fake.api_url,
        **extra,
    }


def all_text(message: dict[str, Any]) -> list[str]:
    """Every piece of text Slack would parse in a posted message."""
    found = [message["text"]]

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("text"), str):
                found.append(node["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(message["blocks"])
    return found


async def test_webhook_posts_the_context_pack(slack: FakeSlack, payload: dict[str, Any]) -> None:
    """Issue 21, outbound integrations: a Slack incoming webhook receives the context pack
    (ticket id, subject and link, requester with tier and VIP, the rules with their evidence,
    the reason, the SLA) as Block Kit plus a text fallback; no credential header is sent."""
    result = await deliver("slack", WEBHOOK, payload, idempotency_key="k1", env=env_for(slack))
    assert result == Delivered(url=None)
    (request,) = slack.requests("POST", "/services/")
    assert request.headers["content-type"].startswith("application/json")
    assert "authorization" not in request.headers
    (message,) = slack.messages
    assert message["via"] == "webhook" and message["channel"] == "C0ESCAL"
    assert block_problem(message["blocks"]) is None
    body = "\n".join(all_text(message))
    assert message["blocks"][0]["text"]["text"] == (
        "#4512 Checkout fails with error 502 for every card"
    )
    for expected in (
        "<https://helpdesk.example.com/tickets/4512?tab=thread&amp;x=1|Open #4512",
        "Mei Chen (mei@bigcorp.example), tier enterprise, VIP",
        "*payment-outage* → billing-oncall",
        "• subject mentions 'error 502'",
        "*vip-requester* → account-manager",
        "*Reason:* Payments are down for an enterprise customer",
        "at_risk, due 2026-12-07T10:00:00Z, 42 min left",
        "open / urgent",
        "Billing / Sam Ortiz",
        "hook `page-oncall` · event `escalated`",
    ):
        assert expected in body
    assert message["text"] == (
        "#4512 Checkout fails with error 502 for every card: "
        "Payments are down for an enterprise customer"
    )
    assert request.body["unfurl_links"] is False


async def test_chat_post_message_sends_the_bearer_token_and_returns_the_permalink(
    slack: FakeSlack, payload: dict[str, Any]
) -> None:
    """Issue 21, outbound integrations: chat.postMessage carries `Authorization: Bearer`, the
    channel and the blocks; the delivery returns the message's permalink (chat.getPermalink)."""
    result = await deliver("slack", BOT, payload, idempotency_key="k1", env=env_for(slack))
    (post,) = slack.requests("POST", "chat.postMessage")
    assert post.headers["authorization"] == f"Bearer {TOKEN}"
    assert post.body["channel"] == "#escalations"
    assert block_problem(post.body["blocks"]) is None
    (message,) = slack.messages
    (link,) = slack.requests("GET", "chat.getPermalink")
    assert link.query == {"channel": "C0ESCAL", "message_ts": message["ts"]}
    assert result.url == (
        f"https://fake.slack.example/archives/C0ESCAL/p{message['ts'].replace('.', '')}"
    )


async def test_a_permalink_failure_still_delivers(
    slack: FakeSlack, payload: dict[str, Any]
) -> None:
    """Issue 21, outbound integrations: the message is posted even when chat.getPermalink
    fails, so the delivery succeeds without a link (a retry would post it twice)."""
    slack.fail(500, "oops", path="getPermalink")
    result = await deliver("slack", BOT, payload, idempotency_key="k1", env=env_for(slack))
    assert result == Delivered(url=None)
    assert len(slack.messages) == 1


async def test_customer_text_cannot_mention_channel_or_inject_links(
    slack: FakeSlack, payload: dict[str, Any]
) -> None:
    """Issue 21, outbound integrations: customer text is escaped for mrkdwn (&, <, >), so a
    subject, name, evidence or reason cannot notify @channel or add a link of its own."""
    hostile = "<!channel> pay now <https://evil.example/x|your invoice> & <@U123>"
    payload["ticket"]["subject"] = hostile
    payload["ticket"]["requester"]["name"] = "<!here>"
    payload["rules"][0]["evidence"] = [hostile]
    payload["rules"][0]["name"] = "<!everyone>"
    payload["reason"] = hostile
    payload["hook"] = "<!channel>"
    await deliver("slack", BOT, payload, idempotency_key="k1", env=env_for(slack))
    (message,) = slack.messages
    mrkdwn = [t for t in all_text(message) if t is not message["blocks"][0]["text"]["text"]]
    for piece in mrkdwn:
        # The only control sequence left is the ticket link this client wrote.
        tokens = re.findall(r"<[^>]*>", piece)
        assert all(t.startswith("<https://helpdesk.example.com/tickets/4512") for t in tokens)
    joined = "\n".join(mrkdwn)
    assert "&lt;!channel&gt; pay now &lt;https://evil.example/x|your invoice&gt; &amp;" in joined
    assert "&lt;!here&gt;" in joined and "&lt;!everyone&gt;" in joined


async def test_oversized_content_fits_slack_limits_without_splitting_a_url(
    slack: FakeSlack, payload: dict[str, Any]
) -> None:
    """Issue 21, outbound integrations: a 10 000-character subject and reason, 200 rules with
    long evidence: the message stays within Slack's limits (50 blocks, 150-character header,
    3 000-character sections, text fallback), cut with an ellipsis, and the ticket link and a
    URL at a cut are never split."""
    url = "https://status.example.com/incidents/" + "a" * 80
    payload["ticket"]["subject"] = "word " * 2000
    payload["reason"] = ("& < > " * 600) + url
    payload["rules"] = [
        {"name": f"rule-{n}", "route": "r", "evidence": ["e" * 400 + " " + url] * 9}
        for n in range(200)
    ]
    await deliver("slack", BOT, payload, idempotency_key="k1", env=env_for(slack))
    (message,) = slack.messages
    blocks = message["blocks"]
    assert block_problem(blocks) is None
    assert len(blocks) == 50
    assert len(blocks[0]["text"]["text"]) <= 150 and blocks[0]["text"]["text"].endswith("…")
    assert "more rules" in blocks[-2]["text"]["text"]
    assert len(message["text"]) <= 3000 and message["text"].endswith("…")
    texts = all_text(message)
    assert any("<https://helpdesk.example.com/tickets/4512?tab=thread&amp;x=1|" in t for t in texts)
    for piece in texts:
        # A URL is whole or absent: never "https://status.example.com/inci…".
        for found in re.findall(r"https://status\.example\.com/\S*", piece):
            assert found.rstrip("…") == url or found == url
        assert not re.search(r"&[a-z]*…", piece)  # no cut entity either


def test_clip_moves_a_cut_back_to_before_a_url_or_link() -> None:
    """Issue 21, outbound integrations: the cut never lands inside a URL, a <…|…> link or an
    &…; entity."""
    text = "see https://example.com/a/very/long/path/that/goes/on for details"
    assert clip(text, 30) == "see…"
    assert clip("ab <https://x.example/y|label here> tail", 20) == "ab…"
    assert clip("x &amp; y", 6) == "x…"
    assert clip("short", 10) == "short"


@pytest.mark.parametrize(
    ("script", "retryable", "retry_after", "word"),
    [
        ("archived", False, None, "410 channel_is_archived"),
        ("prohibited", False, None, "403 action_prohibited"),
        ("unknown", False, None, "404 no_service"),
        ("429", True, 17.0, "rate limited (429)"),
        ("500", True, None, "500 rollup_error"),
    ],
)
async def test_webhook_errors_are_classified(
    slack: FakeSlack,
    payload: dict[str, Any],
    logs: pytest.LogCaptureFixture,
    script: str,
    retryable: bool,
    retry_after: float | None,
    word: str,
) -> None:
    """Issue 21, outbound integrations: webhook answers (4xx words, 429 with Retry-After, 5xx)
    become one-line ServiceErrors, retryable only for 429 and 5xx; the webhook URL (its
    credential) is in no message and no log line."""
    env = env_for(slack)
    if script == "archived":
        slack.archived.add("#escalations")
    elif script == "prohibited":
        slack.prohibited.add("#escalations")
    elif script == "unknown":
        env["SLACK_WEBHOOK"] = slack.webhook_url("revoked-secret-999")
    elif script == "429":
        slack.fail(429, "rate_limited", headers={"Retry-After": "17"})
    else:
        slack.fail(500, "rollup_error")
    with pytest.raises(ServiceError) as caught:
        await deliver("slack", WEBHOOK, payload, idempotency_key="k1", env=env)
    error = caught.value
    assert (error.retryable, error.retry_after) == (retryable, retry_after)
    assert word in str(error) and "\n" not in str(error)
    secret = env["SLACK_WEBHOOK"].rsplit("/", 1)[-1]
    assert secret not in str(error) and "/services/" not in str(error)
    assert logs.records and all(secret not in r.getMessage() for r in logs.records)
    assert slack.messages == []


@pytest.mark.parametrize(
    ("script", "retryable", "retry_after", "word"),
    [
        ("ok-false-ratelimited", True, None, "(ratelimited)"),
        ("http-429", True, 30.0, "rate limited (429)"),
        ("internal_error", True, None, "(internal_error)"),
        ("bad-token", False, None, "(invalid_auth): the token in SLACK_BOT_TOKEN was refused"),
        ("no-channel", False, None, "(channel_not_found): channel #nowhere is not there"),
        ("missing_scope", False, None, "needs the chat:write scope"),
        ("http-503", True, None, "failed (503)"),
    ],
)
async def test_chat_post_message_errors_are_classified(
    slack: FakeSlack,
    payload: dict[str, Any],
    logs: pytest.LogCaptureFixture,
    script: str,
    retryable: bool,
    retry_after: float | None,
    word: str,
) -> None:
    """Issue 21, outbound integrations: `{"ok": false, "error"}` in a 200 (ratelimited and
    internal errors retryable; invalid_auth, channel_not_found, missing_scope not) and HTTP
    429/5xx are classified; the token is in no message and no log line."""
    env = env_for(slack)
    settings = dict(BOT)
    if script == "ok-false-ratelimited":
        slack.api_errors.append("ratelimited")
    elif script == "http-429":
        slack.fail(429, {"ok": False, "error": "ratelimited"}, headers={"Retry-After": "30"})
    elif script in ("internal_error", "missing_scope"):
        slack.api_errors.append(script)
    elif script == "bad-token":
        env["SLACK_BOT_TOKEN"] = "xoxb-some-other-token-77"
    elif script == "no-channel":
        settings["channel"] = "#nowhere"
    else:
        slack.fail(503, "upstream down")
    with pytest.raises(ServiceError) as caught:
        await deliver("slack", settings, payload, idempotency_key="k1", env=env)
    error = caught.value
    assert (error.retryable, error.retry_after) == (retryable, retry_after)
    assert word in str(error)
    for secret in (TOKEN, "xoxb-some-other-token-77"):
        assert secret not in str(error)
        assert all(secret not in r.getMessage() for r in logs.records)


async def test_a_kill_mid_request_is_retryable(slack: FakeSlack, payload: dict[str, Any]) -> None:
    """Issue 21, outbound integrations: Slack posted the message but the connection died
    before the answer: retryable (Slack has no idempotency key, so the documented behaviour
    is at least once: the retry posts a second message)."""
    slack.kill_next = 1
    with pytest.raises(ServiceError) as caught:
        await deliver("slack", BOT, payload, idempotency_key="k1", env=env_for(slack))
    assert caught.value.retryable
    assert "closed before an answer" in str(caught.value)
    await deliver("slack", BOT, payload, idempotency_key="k1", env=env_for(slack))
    assert len(slack.messages) == 2


@pytest.mark.parametrize(
    ("settings", "env_drop", "word"),
    [
        (WEBHOOK, "SLACK_WEBHOOK", "environment variable SLACK_WEBHOOK is not set"),
        (BOT, "SLACK_BOT_TOKEN", "environment variable SLACK_BOT_TOKEN is not set"),
        ({"token_env": "SLACK_BOT_TOKEN"}, None, "'channel' is missing"),
        ({**WEBHOOK, **BOT}, None, "either webhook_env"),
        ({}, None, "either webhook_env"),
    ],
)
async def test_missing_configuration_is_not_retryable(
    slack: FakeSlack,
    payload: dict[str, Any],
    settings: dict[str, str],
    env_drop: str | None,
    word: str,
) -> None:
    """Issue 21, outbound integrations: a missing variable or bad settings is a
    non-retryable error naming the variable, and nothing is sent."""
    env = env_for(slack)
    if env_drop:
        del env[env_drop]
    with pytest.raises(ServiceError) as caught:
        await deliver("slack", settings, payload, idempotency_key="k1", env=env)
    assert not caught.value.retryable
    assert word in str(caught.value)
    assert slack.log == []


async def test_a_webhook_url_that_is_not_http_is_named_not_shown(payload: dict[str, Any]) -> None:
    """Issue 21, outbound integrations: a webhook variable holding something else is an
    error naming the variable, never echoing its value."""
    with pytest.raises(ServiceError) as caught:
        await deliver(
            "slack",
            WEBHOOK,
            payload,
            idempotency_key="k1",
            env={"SLACK_WEBHOOK": "hooks.slack.com/services/T1/B2/sekrit-value-1"},
        )
    assert "SLACK_WEBHOOK does not hold an http(s) URL" in str(caught.value)
    assert "sekrit" not in str(caught.value)


async def test_a_sparse_payload_still_delivers(slack: FakeSlack) -> None:
    """Issue 21, outbound integrations: any field may be null or missing; the message is
    built from what there is."""
    sparse = {"event": None, "ticket": {"id": 7, "requester": None, "sla": "?"}, "rules": 5}
    await deliver("slack", WEBHOOK, sparse, idempotency_key="k1", env=env_for(slack))
    (message,) = slack.messages
    assert message["blocks"][0]["text"]["text"] == "#7"
    assert block_problem(message["blocks"]) is None
