"""Linear: a follow-up issue through the GraphQL API (``issueCreate``).

The hook's settings name the team (``{team_id = "..."}``); the key comes from
``TRIAGE_LINEAR_API_KEY`` and the endpoint from ``TRIAGE_LINEAR_API_URL``. A
personal API key is sent as the ``Authorization`` header as it is, without
``Bearer`` (Linear's convention for personal keys); an OAuth access token can
be used by putting ``Bearer <token>`` in the variable.

Idempotency. ``IssueCreateInput`` accepts the new issue's ``id`` ("in UUID v4
format; if none is provided, the backend will generate one"), so the id is
derived from the idempotency key: the same key always asks for the same
issue. The id is a SHA-256 digest of the key shaped as a version-4 UUID
(version and variant bits set), because the schema asks for the v4 format,
which a v5 UUID would not be. A retry after a lost answer asks to create an
issue that already exists; Linear refuses it, and the client then reads
``issue(id:)``: when it is there, the delivery succeeded the first time.

Errors arrive in the JSON body (``{"errors": [{"message", "extensions":
{"code" / "type", ...}}]}``), with a 200 or a 400: ``RATELIMITED`` is
retryable (``Retry-After`` or ``X-RateLimit-Requests-Reset``), authentication
and permission errors are not, internal errors and lock timeouts are, and
invalid input is not (after the look-up above).
"""

from __future__ import annotations

import hashlib
import time
import uuid
from collections.abc import Mapping
from typing import Any

import httpx

from triage_tui.integrations._base import (
    Answer,
    Call,
    Delivered,
    ServiceError,
    base_url,
    clamp_wait,
    env_value,
    number,
    retry_after_seconds,
    setting,
)
from triage_tui.integrations._text import follow_up, text, web_link

SERVICE = "Linear"
KEY_ENV = "TRIAGE_LINEAR_API_KEY"
API_URL_ENV = "TRIAGE_LINEAR_API_URL"
DEFAULT_API_URL = "https://api.linear.app/graphql"
TITLE_CHARS = 255
BODY_CHARS = 60000

CREATE = """mutation TriageIssueCreate($input: IssueCreateInput!) {
  issueCreate(input: $input) { success issue { id identifier url } }
}"""
LOOKUP = """query TriageIssue($id: String!) {
  issue(id: $id) { id identifier url }
}"""

_RATELIMITED = ("RATELIMITED", "ratelimited")
_AUTH = ("AUTHENTICATION_ERROR", "authentication error")
_FORBIDDEN = ("FORBIDDEN", "forbidden")
_TRANSIENT = (
    "INTERNAL_SERVER_ERROR",
    "INTERNAL_ERROR",
    "LOCK_TIMEOUT",
    "internal error",
    "network error",
    "lock timeout",
    "bootstrap error",
)


def issue_id(idempotency_key: str) -> str:
    """The issue's id for this key: deterministic, in the UUID v4 format Linear asks for."""
    digest = hashlib.sha256(f"triage-tui:{idempotency_key}".encode()).digest()
    return str(uuid.UUID(bytes=digest[:16], version=4))


async def deliver(
    settings: Mapping[str, Any],
    payload: Mapping[str, Any],
    idempotency_key: str,
    env: Mapping[str, str],
    client: httpx.AsyncClient,
) -> Delivered:
    team_id = setting(settings, "team_id", SERVICE)
    key = env_value(env, KEY_ENV, SERVICE)
    api = base_url(env, API_URL_ENV, DEFAULT_API_URL, SERVICE)
    call = Call(SERVICE, client, secrets=[key, key.removeprefix("Bearer ").strip()])
    issue = follow_up(payload, title_limit=TITLE_CHARS, body_limit=BODY_CHARS)
    wanted = issue_id(idempotency_key)
    variables = {
        "input": {
            "id": wanted,
            "teamId": team_id,
            "title": issue.title,
            "description": issue.body,
        }
    }
    data, errors, answer = await _graphql(call, api, key, CREATE, variables, "issueCreate")
    created = _node(data, "issueCreate", "issue")
    if not errors and isinstance(data, dict):
        payload_ok = _node(data, "issueCreate")
        if payload_ok.get("success") is True:
            return Delivered(url=web_link(created.get("url")))
        raise call.fail(f"issueCreate did not create the issue in team {team_id}", retryable=False)
    failure = _classify(call, answer, errors, "issueCreate")
    if failure is not None:
        raise failure
    # Refused as invalid input: maybe because an earlier attempt with this id
    # created it and only the answer was lost.
    data, lookup_errors, lookup = await _graphql(call, api, key, LOOKUP, {"id": wanted}, "issue")
    found = _node(data, "issue")
    if found.get("id") == wanted:
        return Delivered(url=web_link(found.get("url")))
    if lookup_errors:
        failure = _classify(call, lookup, lookup_errors, "issue")
        if failure is not None:
            raise failure
    raise call.fail(
        f"issueCreate was refused: {_said(call, errors) or 'invalid input'}", retryable=False
    )


async def _graphql(
    call: Call, api: str, key: str, query: str, variables: Mapping[str, Any], operation: str
) -> tuple[Any, list[Mapping[str, Any]], Answer]:
    """Send one GraphQL operation: ``(data, errors, answer)``; HTTP trouble raises."""
    answer = await call.send(
        "POST",
        api,
        operation,
        headers={"Authorization": key, "Content-Type": "application/json"},
        json_body={"query": query, "variables": dict(variables)},
    )
    body = answer.json()
    errors: list[Mapping[str, Any]] = []
    data: Any = None
    if isinstance(body, dict):
        data = body.get("data")
        raw = body.get("errors")
        if isinstance(raw, list):
            errors = [e if isinstance(e, dict) else {"message": text(e)} for e in raw]
    if answer.status == 200 or (answer.status == 400 and errors):
        if answer.status == 200 and body is None:
            raise call.fail(f"{operation} answered 200 without JSON", retryable=False)
        return data, errors, answer
    if answer.status == 429:
        raise call.fail(
            f"{operation} is rate limited (429)",
            retryable=True,
            retry_after=_wait(answer) or None,
        )
    if answer.status in (401, 403):
        raise call.fail(f"the key in {KEY_ENV} was refused ({answer.status})", retryable=False)
    if answer.status >= 500:
        raise call.fail(f"server error {answer.status} on {operation}", retryable=True)
    raise call.fail(f"{operation} answered {answer.status}", retryable=False)


def _node(data: Any, *path: str) -> Mapping[str, Any]:
    for key in path:
        data = data.get(key) if isinstance(data, dict) else None
    return data if isinstance(data, dict) else {}


def _kinds(error: Mapping[str, Any]) -> set[str]:
    extensions = error.get("extensions")
    if not isinstance(extensions, dict):
        return set()
    return {text(extensions.get("code")), text(extensions.get("type"))} - {""}


def _said(call: Call, errors: list[Mapping[str, Any]]) -> str:
    for error in errors:
        extensions = error.get("extensions")
        friendly = (
            text(extensions.get("userPresentableMessage")) if isinstance(extensions, dict) else ""
        )
        said = friendly or text(error.get("message"))
        if said:
            return call.detail(said)
    return ""


def _wait(answer: Answer) -> float:
    asked = retry_after_seconds(answer.headers)
    if asked is not None:
        return asked
    reset = number(answer.headers.get("x-ratelimit-requests-reset"))
    if reset is None:
        return 0.0
    if reset > 1e11:  # epoch milliseconds
        reset /= 1000
    return clamp_wait(reset - time.time())


def _classify(
    call: Call, answer: Answer, errors: list[Mapping[str, Any]], operation: str
) -> ServiceError | None:
    """The error for ``errors``; None when they are invalid input (worth a look-up)."""
    kinds = set().union(*(_kinds(e) for e in errors)) if errors else set()
    said = _said(call, errors)
    suffix = f": {said}" if said else ""
    if kinds & set(_RATELIMITED):
        wait = _wait(answer)
        return call.fail(
            f"{operation} is rate limited{suffix}", retryable=True, retry_after=wait or None
        )
    if kinds & set(_AUTH):
        return call.fail(f"the key in {KEY_ENV} was refused{suffix}", retryable=False)
    if kinds & set(_FORBIDDEN):
        return call.fail(f"{operation} is not allowed for this key{suffix}", retryable=False)
    if kinds & set(_TRANSIENT):
        return call.fail(f"{operation} failed on Linear's side{suffix}", retryable=True)
    if "GRAPHQL_VALIDATION_FAILED" in kinds or (answer.status == 400 and not kinds):
        return call.fail(f"{operation} was not understood (400){suffix}", retryable=False)
    return None
