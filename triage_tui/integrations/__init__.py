"""Outbound integrations of the lifecycle hooks: Slack, GitHub and Linear.

``deliver(service, settings, payload, idempotency_key=...)`` makes one
attempt to carry a hook's payload to a service and returns ``Delivered`` (with
the created issue's or the message's URL when known) or raises
``ServiceError`` (one line, no secret, ``retryable`` and the service's
``retry_after``). Retries, their timing and their bookkeeping belong to the
hook engine; what this package guarantees is that a retry with the same
``idempotency_key`` does not file a second GitHub or Linear issue (see each
module for how), and that every request is bounded in time and size.

Base URLs come from the environment (``TRIAGE_SLACK_API_URL``,
``TRIAGE_GITHUB_API_URL``, ``TRIAGE_LINEAR_API_URL``), which is also how the
tests point the clients at their fakes. docs/integrations.md is the user's
account of what is sent and needed.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import httpx

from triage_tui.integrations import github, linear, slack
from triage_tui.integrations._base import (
    CONNECT_TIMEOUT,
    READ_TIMEOUT,
    Delivered,
    ServiceError,
)

__all__ = ["SERVICES", "Delivered", "ServiceError", "deliver"]

SERVICES = ("slack", "github", "linear")


async def deliver(
    service: str,
    settings: Mapping[str, Any],
    payload: Mapping[str, Any],
    *,
    idempotency_key: str,
    env: Mapping[str, str] | None = None,
    client: httpx.AsyncClient | None = None,
) -> Delivered:
    """Carry ``payload`` to ``service`` once; see the module docstring for the contract."""
    if service not in SERVICES:
        raise ServiceError(
            f"unknown service {service!r} (expected one of: {', '.join(SERVICES)})",
            retryable=False,
        )
    if not isinstance(settings, Mapping):
        raise ServiceError(f"{service}: the hook's settings are not a table", retryable=False)
    environ: Mapping[str, str] = os.environ if env is None else env
    payload = payload if isinstance(payload, Mapping) else {}
    if client is not None:
        return await _dispatch(service, settings, payload, idempotency_key, environ, client)
    async with httpx.AsyncClient(
        timeout=httpx.Timeout(READ_TIMEOUT, connect=CONNECT_TIMEOUT),
        follow_redirects=False,
        limits=httpx.Limits(max_connections=4, max_keepalive_connections=2),
    ) as own:
        return await _dispatch(service, settings, payload, idempotency_key, environ, own)


async def _dispatch(
    service: str,
    settings: Mapping[str, Any],
    payload: Mapping[str, Any],
    idempotency_key: str,
    env: Mapping[str, str],
    client: httpx.AsyncClient,
) -> Delivered:
    if service == "slack":
        return await slack.deliver(settings, payload, env, client)
    if service == "github":
        return await github.deliver(settings, payload, idempotency_key, env, client)
    return await linear.deliver(settings, payload, idempotency_key, env, client)
