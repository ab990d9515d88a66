"""Linear: issueCreate with an id derived from the idempotency key, and Linear's errors."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from tests.fakes.linear import FakeLinear
from triage_tui.integrations import Delivered, ServiceError, deliver
from triage_tui.integrations.linear import issue_id

KEY = "lin_api_fakeKey0123456789"
SETTINGS = {"team_id": "team-eng-0001"}


@pytest.fixture
def linear() -> Iterator[FakeLinear]:
    with FakeLinear(api_key=KEY) as fake:
        yield fake


def env_for(fake: FakeLinear, **extra: str) -> dict[str, str]:
    return {"TRIAGE_LINEAR_API_KEY": KEY, "TRIAGE_LINEAR_API_URL": fake.api_url, **extra}


async def test_issue_create_sends_the_key_without_bearer_and_returns_the_url(
    linear: FakeLinear, payload: dict[str, Any]
) -> None:
    """Issue 21, outbound integrations: one GraphQL `issueCreate(input: {id, teamId, title,
    description})` with the personal key as the whole Authorization header (no Bearer); the
    delivery returns the issue's url."""
    result = await deliver("linear", SETTINGS, payload, idempotency_key="k1", env=env_for(linear))
    (request,) = linear.log
    assert request.method == "POST" and request.path == "/graphql"
    assert request.headers["authorization"] == KEY
    assert request.headers["content-type"] == "application/json"
    assert re.search(r"issueCreate\(input: \$input\)", request.body["query"])
    sent = request.body["variables"]["input"]
    assert sent["teamId"] == "team-eng-0001"
    assert sent["title"] == "Checkout returns 502 for card payments"
    assert "- [ ] Card checkout succeeds" in sent["description"]
    assert "(https://helpdesk.example.com/tickets/4512?tab=thread&x=1)" in sent["description"]
    assert uuid.UUID(sent["id"]).version == 4
    assert result == Delivered(url=f"{linear.origin}/fake/issue/ENG-1")
    assert linear.issues[sent["id"]]["identifier"] == "ENG-1"


def test_the_issue_id_is_a_deterministic_v4_uuid_per_key() -> None:
    """Issue 21, outbound integrations: the same idempotency key always asks for the same
    issue id (in the UUID v4 format Linear's schema asks for); another key, another id."""
    assert issue_id("k1") == issue_id("k1")
    assert issue_id("k1") != issue_id("k2")
    parsed = uuid.UUID(issue_id("k1"))
    assert parsed.version == 4 and parsed.variant == uuid.RFC_4122


async def test_a_kill_mid_request_then_a_retry_files_one_issue(
    linear: FakeLinear, payload: dict[str, Any]
) -> None:
    """Issue 21, outbound integrations: Linear created the issue but the connection died
    before the answer; the retry asks for the same id, is refused (it exists), reads
    `issue(id:)` and returns that issue: one issue, not two."""
    linear.kill_next = 1
    with pytest.raises(ServiceError) as caught:
        await deliver("linear", SETTINGS, payload, idempotency_key="k1", env=env_for(linear))
    assert caught.value.retryable
    assert len(linear.issues) == 1
    result = await deliver("linear", SETTINGS, payload, idempotency_key="k1", env=env_for(linear))
    assert result.url == f"{linear.origin}/fake/issue/ENG-1"
    assert len(linear.issues) == 1
    assert [re.search(r"(issueCreate|issue)\(", r.body["query"])[1] for r in linear.log] == [
        "issueCreate",
        "issueCreate",
        "issue",
    ]


async def test_rate_limited_inside_a_400_is_retryable_with_the_reset(
    linear: FakeLinear, payload: dict[str, Any]
) -> None:
    """Issue 21, outbound integrations: Linear's RATELIMITED error (in a 400, with
    X-RateLimit-Requests-Reset in epoch milliseconds) is retryable with the wait until the
    reset."""
    linear.ratelimit(90)
    with pytest.raises(ServiceError) as caught:
        await deliver("linear", SETTINGS, payload, idempotency_key="k1", env=env_for(linear))
    error = caught.value
    assert error.retryable
    assert error.retry_after is not None and 80 <= error.retry_after <= 90
    assert "issueCreate is rate limited: Rate limit exceeded" in str(error)
    assert linear.issues == {}


@pytest.mark.parametrize(
    ("script", "retryable", "word"),
    [
        ("bad-key", False, "the key in TRIAGE_LINEAR_API_KEY was refused"),
        ("bad-team", False, "issueCreate was refused: Entity not found: Team"),
        ("forbidden", False, "not allowed for this key: You cannot create issues here"),
        ("internal", True, "failed on Linear's side"),
        ("validation", False, "was not understood (400)"),
        ("http-401", False, "refused (401)"),
        ("http-429", True, "rate limited (429)"),
        ("http-500", True, "server error 500"),
    ],
)
async def test_errors_are_classified(
    linear: FakeLinear,
    payload: dict[str, Any],
    logs: pytest.LogCaptureFixture,
    script: str,
    retryable: bool,
    word: str,
) -> None:
    """Issue 21, outbound integrations: errors inside the JSON body (authentication,
    invalid input, forbidden, internal, a query Linear cannot validate) and HTTP statuses are
    classified; the key is in no message and no log line."""
    settings = dict(SETTINGS)
    env = env_for(linear)

    def graphql_error(code: str, kind: str, message: str, status: int = 200) -> None:
        extensions = {"code": code, "type": kind, "userPresentableMessage": message}
        linear.fail(
            status, {"data": None, "errors": [{"message": message, "extensions": extensions}]}
        )

    if script == "bad-key":
        env["TRIAGE_LINEAR_API_KEY"] = "lin_api_someOtherKey42"
    elif script == "bad-team":
        settings["team_id"] = "team-none"
    elif script == "forbidden":
        graphql_error("FORBIDDEN", "forbidden", "You cannot create issues here")
    elif script == "internal":
        graphql_error("INTERNAL_SERVER_ERROR", "internal error", "Something went wrong")
    elif script == "validation":
        graphql_error("GRAPHQL_VALIDATION_FAILED", "graphql error", "Unknown field", status=400)
    elif script == "http-401":
        linear.fail(401, "Unauthorized")
    elif script == "http-429":
        linear.fail(429, "Too many", headers={"Retry-After": "12"})
    else:
        linear.fail(500, "oops")
    with pytest.raises(ServiceError) as caught:
        await deliver("linear", settings, payload, idempotency_key="k1", env=env)
    error = caught.value
    assert error.retryable is retryable
    assert word in str(error) and "\n" not in str(error)
    if script == "http-429":
        assert error.retry_after == 12
    for secret in (KEY, "lin_api_someOtherKey42"):
        assert secret not in str(error)
        assert all(secret not in r.getMessage() for r in logs.records)
    assert linear.issues == {}


async def test_an_oauth_token_is_sent_as_bearer(
    linear: FakeLinear, payload: dict[str, Any]
) -> None:
    """Issue 21, outbound integrations: an OAuth access token works by putting `Bearer
    <token>` in TRIAGE_LINEAR_API_KEY; it is sent as it is."""
    env = env_for(linear, TRIAGE_LINEAR_API_KEY="Bearer lin_oauth_fakeToken987")
    result = await deliver("linear", SETTINGS, payload, idempotency_key="k1", env=env)
    assert result.url == f"{linear.origin}/fake/issue/ENG-1"
    assert linear.log[0].headers["authorization"] == "Bearer lin_oauth_fakeToken987"


@pytest.mark.parametrize(
    ("settings", "env", "word"),
    [
        ({}, {"TRIAGE_LINEAR_API_KEY": KEY}, "'team_id' is missing"),
        ({"team_id": 7}, {"TRIAGE_LINEAR_API_KEY": KEY}, "'team_id' is missing or not text"),
        (SETTINGS, {}, "environment variable TRIAGE_LINEAR_API_KEY is not set"),
        (
            SETTINGS,
            {"TRIAGE_LINEAR_API_KEY": "lin_api_caf\u00e9\nX-Evil: 1"},
            "TRIAGE_LINEAR_API_KEY holds characters a credential cannot have",
        ),
    ],
)
async def test_bad_configuration_is_not_retryable(
    payload: dict[str, Any], settings: dict[str, Any], env: dict[str, str], word: str
) -> None:
    """Issue 21, outbound integrations: bad settings or a missing key is a non-retryable
    error naming what is wrong."""
    with pytest.raises(ServiceError) as caught:
        await deliver("linear", settings, payload, idempotency_key="k1", env=env)
    assert not caught.value.retryable
    assert word in str(caught.value)
    assert "caf" not in str(caught.value)


async def test_unknown_service_and_the_process_environment(
    linear: FakeLinear, payload: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 21, outbound integrations: an unknown service is a non-retryable error; without
    `env`, the variables are read from the process environment."""
    with pytest.raises(ServiceError) as caught:
        await deliver("jira", {}, payload, idempotency_key="k1")
    assert not caught.value.retryable and "unknown service 'jira'" in str(caught.value)
    monkeypatch.setenv("TRIAGE_LINEAR_API_KEY", KEY)
    monkeypatch.setenv("TRIAGE_LINEAR_API_URL", linear.api_url)
    result = await deliver("linear", SETTINGS, payload, idempotency_key="k1")
    assert result.url == f"{linear.origin}/fake/issue/ENG-1"
