"""GitHub: a follow-up issue through the REST API (``POST /repos/{owner}/{repo}/issues``).

The hook's settings name the repository (``{repo = "owner/name"}``); the token
comes from ``TRIAGE_GITHUB_TOKEN`` and the API root from
``TRIAGE_GITHUB_API_URL`` (``https://HOST/api/v3`` for GitHub Enterprise
Server). The token needs the Issues permission with write access (a
fine-grained token) or the ``repo`` scope (a classic one).

Idempotency. GitHub takes no idempotency key, so a kill mid-request (the issue
created, the answer lost) followed by a retry would file the issue twice. The
body therefore ends with a hidden marker derived from the idempotency key
(``<!-- triage-hook-<digest> -->``), and before creating, the client looks for
an issue that carries it:

1. the repository's 100 most recently created issues (``GET
   /repos/{owner}/{repo}/issues?state=all&sort=created&direction=desc``),
   read from the database, so an issue created a second ago is there: this
   covers the usual retry, moments after the loss;
2. the search API (``GET /search/issues?q=repo:owner/name is:issue "marker"
   in:body``)
   for an older one: search is indexed with a delay, which is why it is not
   the only check.

Customer text is escaped in the body (no HTML, so no forged marker, no
links, no @mentions that would notify someone).

Errors: 401, 404, 410 (issues disabled) and 422 (validation) are not
retryable; a 403 or 429 from a rate limit (``retry-after``, or
``x-ratelimit-remaining: 0`` with ``x-ratelimit-reset``, or the secondary-limit
message) is, with the wait GitHub asks for (a minute when it names none); any
other 403 is a permission problem; 5xx is retryable.
"""

from __future__ import annotations

import re
import time
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
from triage_tui.integrations._text import follow_up, marker, text, web_link

SERVICE = "GitHub"
TOKEN_ENV = "TRIAGE_GITHUB_TOKEN"
API_URL_ENV = "TRIAGE_GITHUB_API_URL"
DEFAULT_API_URL = "https://api.github.com"
API_VERSION = "2022-11-28"
#: GitHub's limits on an issue's title and body.
TITLE_CHARS = 256
BODY_CHARS = 65536
#: How many recent issues are read for a marker before the search.
RECENT = 100
#: The wait when a rate limit names none ("wait at least one minute").
DEFAULT_WAIT = 60.0

_REPO = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")


def repository(settings: Mapping[str, Any]) -> str:
    repo = setting(settings, "repo", SERVICE)
    if not _REPO.match(repo):
        raise ServiceError(f'GitHub: repo must be "owner/name", not {repo!r}', retryable=False)
    return repo


def hidden_marker(idempotency_key: str) -> str:
    return f"<!-- {marker(idempotency_key)} -->"


async def deliver(
    settings: Mapping[str, Any],
    payload: Mapping[str, Any],
    idempotency_key: str,
    env: Mapping[str, str],
    client: httpx.AsyncClient,
) -> Delivered:
    repo = repository(settings)
    token = env_value(env, TOKEN_ENV, SERVICE)
    api = base_url(env, API_URL_ENV, DEFAULT_API_URL, SERVICE)
    call = Call(SERVICE, client, secrets=[token])
    headers = {
        "Authorization": f"Bearer {token}",
        "Accept": "application/vnd.github+json",
        "X-GitHub-Api-Version": API_VERSION,
        "User-Agent": "triage-tui",
    }
    found = await _existing(call, api, headers, repo, hidden_marker(idempotency_key))
    if found is not None:
        return Delivered(url=found)
    issue = follow_up(
        payload, title_limit=TITLE_CHARS, body_limit=BODY_CHARS, mark=marker(idempotency_key)
    )
    where = f"POST /repos/{repo}/issues"
    answer = await call.send(
        "POST",
        f"{api}/repos/{repo}/issues",
        where,
        headers=headers,
        json_body={"title": issue.title, "body": issue.body},
    )
    if answer.status in (200, 201):
        data = answer.json()
        url = web_link(data.get("html_url")) if isinstance(data, dict) else None
        return Delivered(url=url)
    raise _error(call, answer, where, repo)


async def _existing(
    call: Call, api: str, headers: Mapping[str, str], repo: str, hidden: str
) -> str | None:
    """The html URL of an issue whose body carries ``hidden``, if one exists."""
    where = f"GET /repos/{repo}/issues"
    answer = await call.send(
        "GET",
        f"{api}/repos/{repo}/issues",
        where,
        headers=headers,
        params={"state": "all", "sort": "created", "direction": "desc", "per_page": str(RECENT)},
    )
    if answer.status != 200:
        raise _error(call, answer, where, repo)
    found = _carrying(answer.json(), hidden)
    if found is not None:
        return found
    token = hidden.removeprefix("<!-- ").removesuffix(" -->")
    where = "GET /search/issues"
    answer = await call.send(
        "GET",
        f"{api}/search/issues",
        where,
        headers=headers,
        # is:issue: a GitHub App's user token may not search issues and pull requests at once.
        params={"q": f'repo:{repo} is:issue "{token}" in:body', "per_page": "10"},
    )
    if answer.status != 200:
        raise _error(call, answer, where, repo)
    data = answer.json()
    return _carrying(data.get("items") if isinstance(data, dict) else None, hidden)


def _carrying(items: Any, hidden: str) -> str | None:
    if not isinstance(items, list):
        return None
    for item in items:
        if not isinstance(item, dict) or "pull_request" in item:
            continue
        body = item.get("body")
        if isinstance(body, str) and hidden in body:
            return web_link(item.get("html_url"))
    return None


def _message(answer: Answer) -> str:
    data = answer.json()
    if not isinstance(data, dict):
        return ""
    message = text(data.get("message"))
    details = []
    for error in data.get("errors") or []:
        if isinstance(error, dict):
            field = text(error.get("field"))
            code = text(error.get("code"))
            said = text(error.get("message"))
            details.append(" ".join(v for v in (field, code) if v) or said)
        elif isinstance(error, str):
            details.append(error)
    if details:
        message = f"{message}: {', '.join(d for d in details if d)}"
    return message


def rate_limit_wait(answer: Answer) -> float | None:
    """The wait a 403/429 asks for when it is a rate limit; None when it is not one."""
    asked = retry_after_seconds(answer.headers)
    if asked is not None:
        return asked
    if answer.headers.get("x-ratelimit-remaining", "").strip() == "0":
        reset = number(answer.headers.get("x-ratelimit-reset"))
        return clamp_wait(reset - time.time()) if reset is not None else DEFAULT_WAIT
    if "rate limit" in _message(answer).lower() or answer.status == 429:
        return DEFAULT_WAIT
    return None


def _error(call: Call, answer: Answer, where: str, repo: str) -> ServiceError:
    status = answer.status
    said = call.detail(_message(answer))
    suffix = f": {said}" if said else ""
    if status in (403, 429):
        wait = rate_limit_wait(answer)
        if wait is not None:
            return call.fail(
                f"rate limited on {where} ({status}){suffix}", retryable=True, retry_after=wait
            )
        return call.fail(
            f"{where} was refused (403){suffix}; the token in {TOKEN_ENV} needs "
            f"Issues: write on {repo}",
            retryable=False,
        )
    if status == 401:
        return call.fail(f"the token in {TOKEN_ENV} was refused (401){suffix}", retryable=False)
    if status == 404:
        return call.fail(
            f"repository {repo} not found, or the token cannot see it (404 on {where})",
            retryable=False,
        )
    if status == 410:
        return call.fail(f"issues are disabled in {repo} (410)", retryable=False)
    if status == 422:
        return call.fail(f"the issue was refused (422){suffix}", retryable=False)
    if status >= 500:
        return call.fail(f"server error {status} on {where}", retryable=True)
    return call.fail(f"{where} answered {status}{suffix}", retryable=False)
