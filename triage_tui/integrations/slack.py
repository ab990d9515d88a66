"""Slack: a context pack for the people an escalation goes to.

Two ways in, chosen by the hook's settings:

* ``{webhook_env = "NAME"}``: an incoming webhook, its URL read from the
  environment variable NAME. The URL is the credential, so no message ever
  shows it (only its host). The answer is plain text: ``ok`` with 200, else
  an error word (``invalid_payload``, ``channel_not_found``…) with a 4xx, or
  a 429 with ``Retry-After``.
* ``{token_env = "NAME", channel = "#x"}``: ``chat.postMessage`` with the bot
  token from NAME as a Bearer credential. Slack answers 200 with
  ``{"ok": false, "error": "..."}`` for most failures, and a 429 with
  ``Retry-After`` when rate limited. The message's permalink comes from
  ``chat.getPermalink`` (no extra scope; a failure there leaves the link out,
  the message being posted).

The message is Block Kit within Slack's documented limits (50 blocks, 150
characters in a header, 3 000 in a section, 10 fields of 2 000), with a
``text`` fallback for notifications. Customer text is escaped for mrkdwn
(``&``, ``<``, ``>``), so a subject cannot mention ``<!channel>`` or smuggle a
``<link|label>``.

Slack has no idempotency key for posting: a retry after an answer that was
lost (the message posted, the connection gone) can post the message twice.
For a notification this is the lesser harm than missing one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from triage_tui.integrations._base import (
    Answer,
    Call,
    Delivered,
    ServiceError,
    base_url,
    env_value,
    http_url,
    retry_after_seconds,
    setting,
)
from triage_tui.integrations._text import (
    clip,
    items,
    mapping,
    requester_line,
    sla_line,
    text,
    texts,
    ticket_label,
    web_link,
)

SERVICE = "Slack"
API_URL_ENV = "TRIAGE_SLACK_API_URL"
DEFAULT_API_URL = "https://slack.com/api"

#: Slack's documented Block Kit limits for a message.
MAX_BLOCKS = 50
HEADER_CHARS = 150
SECTION_CHARS = 3000
FIELD_CHARS = 2000
MAX_FIELDS = 10
#: The ``text`` fallback: Slack truncates at 40 000 and advises far less.
TEXT_CHARS = 3000
#: Evidence lines shown per rule before "…and N more".
EVIDENCE_LINES = 5

#: ``chat.postMessage`` errors worth trying again (the rest need a person).
RETRYABLE_ERRORS = frozenset(
    {
        "ratelimited",
        "rate_limited",
        "internal_error",
        "fatal_error",
        "service_unavailable",
        "request_timeout",
        "team_added_to_org",
    }
)
_AUTH_ERRORS = frozenset(
    {"invalid_auth", "not_authed", "token_revoked", "token_expired", "account_inactive"}
)
_CHANNEL_ERRORS = frozenset({"channel_not_found", "not_in_channel", "is_archived"})


def escape(value: str) -> str:
    """Text shown literally in mrkdwn: Slack's three control characters as entities."""
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _mrkdwn(value: str) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": value}


def _section(value: str) -> dict[str, Any]:
    return {"type": "section", "text": _mrkdwn(clip(value, SECTION_CHARS))}


def _rule_block(rule: Mapping[str, Any]) -> dict[str, Any] | None:
    name = text(rule.get("name"))
    if not name:
        return None
    route = text(rule.get("route"))
    lines = [f"*{escape(clip(name, 200))}*" + (f" → {escape(clip(route, 200))}" if route else "")]
    evidence = texts(rule.get("evidence"))
    lines += [f"• {escape(clip(item, 500))}" for item in evidence[:EVIDENCE_LINES]]
    if len(evidence) > EVIDENCE_LINES:
        lines.append(f"…and {len(evidence) - EVIDENCE_LINES} more")
    return _section("\n".join(lines))


def build_message(payload: Mapping[str, Any]) -> dict[str, Any]:
    """The Block Kit message (``text`` + ``blocks``) for a hook payload."""
    ticket = mapping(payload.get("ticket"))
    label = ticket_label(ticket)
    reason = text(payload.get("reason"))
    link = web_link(ticket.get("link"))

    blocks: list[dict[str, Any]] = [
        {
            "type": "header",
            # plain_text is never parsed for mentions or links: no escaping needed.
            "text": {"type": "plain_text", "text": clip(label or "Ticket", HEADER_CHARS)},
        }
    ]
    summary = []
    if link:
        shown = escape(clip(f"Open {label}" if label else "Open the ticket", 200))
        summary.append(f"*<{escape(link)}|{shown}>*")
    if reason:
        summary.append(f"*Reason:* {escape(clip(reason, 2000))}")
    if summary:
        blocks.append(_section("\n".join(summary)))

    requester = mapping(ticket.get("requester"))
    status = " / ".join(v for v in (text(ticket.get("status")), text(ticket.get("priority"))) if v)
    team = " / ".join(v for v in (text(ticket.get("group")), text(ticket.get("assignee"))) if v)
    fields = [
        _mrkdwn(clip(f"*{name}*\n{escape(clip(value, FIELD_CHARS - 40))}", FIELD_CHARS))
        for name, value in (
            ("Requester", requester_line(requester)),
            ("SLA", sla_line(mapping(ticket.get("sla")))),
            ("Status / priority", status),
            ("Group / assignee", team),
        )
        if value
    ][:MAX_FIELDS]
    if fields:
        blocks.append({"type": "section", "fields": fields})

    rules = [b for b in (_rule_block(mapping(r)) for r in items(payload.get("rules"))) if b]
    named = (("hook", text(payload.get("hook"))), ("event", text(payload.get("event"))))
    origin = " · ".join(f"{name} `{escape(clip(value, 100))}`" for name, value in named if value)
    footer = {"type": "context", "elements": [_mrkdwn(clip(f"triage-tui {origin}".strip(), 2000))]}
    room = MAX_BLOCKS - len(blocks) - 1
    if len(rules) > room:
        shown_rules = rules[: room - 1]
        hidden = len(rules) - len(shown_rules)
        blocks += shown_rules
        blocks.append(_section(f"…and {hidden} more rules"))
    else:
        blocks += rules
    blocks.append(footer)

    fallback = label or "Ticket"
    if reason:
        fallback = f"{fallback}: {reason}"
    return {
        "text": clip(escape(fallback), TEXT_CHARS),
        "blocks": blocks,
        "unfurl_links": False,
        "unfurl_media": False,
    }


async def deliver(
    settings: Mapping[str, Any],
    payload: Mapping[str, Any],
    env: Mapping[str, str],
    client: httpx.AsyncClient,
) -> Delivered:
    webhook_env = settings.get("webhook_env")
    token_env = settings.get("token_env")
    if (webhook_env is None) == (token_env is None):
        raise ServiceError(
            "Slack: the hook needs either webhook_env (an incoming webhook) or "
            "token_env and channel (chat.postMessage)",
            retryable=False,
        )
    message = build_message(payload)
    if webhook_env is not None:
        return await _webhook(setting(settings, "webhook_env", SERVICE), message, env, client)
    name = setting(settings, "token_env", SERVICE)
    channel = setting(settings, "channel", SERVICE)
    return await _post_message(name, channel, message, env, client)


async def _webhook(
    name: str, message: dict[str, Any], env: Mapping[str, str], client: httpx.AsyncClient
) -> Delivered:
    url = env_value(env, name, SERVICE)
    parts = http_url(url)
    if parts is None:
        raise ServiceError(f"Slack: {name} does not hold an http(s) URL", retryable=False)
    call = Call(SERVICE, client, secrets=[url, parts.path, parts.path.rsplit("/", 1)[-1]])
    where = f"the incoming webhook at {parts.hostname}"
    answer = await call.send("POST", url, where, json_body=message)
    if answer.status == 200:
        return Delivered(url=None)
    word = call.detail(answer.text()) or "no detail"
    call.raise_if_transient(answer, where, word)
    raise call.fail(
        f"{where} refused the message ({answer.status} {word}); check the webhook in {name}",
        retryable=False,
    )


async def _post_message(
    name: str,
    channel: str,
    message: dict[str, Any],
    env: Mapping[str, str],
    client: httpx.AsyncClient,
) -> Delivered:
    token = env_value(env, name, SERVICE)
    api = base_url(env, API_URL_ENV, DEFAULT_API_URL, SERVICE)
    call = Call(SERVICE, client, secrets=[token])
    headers = {
        "Authorization": f"Bearer {token}",
        # Slack warns (missing_charset) about a JSON body without a charset.
        "Content-Type": "application/json; charset=utf-8",
    }
    answer = await call.send(
        "POST",
        f"{api}/chat.postMessage",
        "chat.postMessage",
        headers=headers,
        json_body={"channel": channel, **message},
    )
    data = _api_answer(call, answer, "chat.postMessage")
    if data.get("ok") is not True:
        raise _api_error(call, answer, data, name, channel)
    posted_channel = data.get("channel")
    ts = data.get("ts")
    if not isinstance(posted_channel, str) or not isinstance(ts, str):
        return Delivered(url=None)
    return Delivered(url=await _permalink(call, api, headers, posted_channel, ts))


def _api_answer(call: Call, answer: Answer, method: str) -> Mapping[str, Any]:
    call.raise_if_transient(answer, method)
    data = answer.json()
    if answer.status != 200 or not isinstance(data, dict):
        raise call.fail(
            f"{method} answered {answer.status} without a Slack API answer; check {API_URL_ENV}",
            retryable=False,
        )
    return data


def _api_error(
    call: Call, answer: Answer, data: Mapping[str, Any], name: str, channel: str
) -> ServiceError:
    error = text(data.get("error")) or "unknown_error"
    code = call.detail(error)
    if error in RETRYABLE_ERRORS:
        return call.fail(
            f"chat.postMessage failed ({code}); try again",
            retryable=True,
            retry_after=retry_after_seconds(answer.headers),
        )
    if error in _AUTH_ERRORS:
        hint = f"the token in {name} was refused"
    elif error in _CHANNEL_ERRORS:
        hint = f"channel {channel} is not there, archived, or the app is not in it (invite it)"
    elif error == "missing_scope":
        hint = "the app needs the chat:write scope"
    else:
        hint = "the message was refused"
    return call.fail(f"chat.postMessage failed ({code}): {hint}", retryable=False)


async def _permalink(
    call: Call, api: str, headers: Mapping[str, str], channel: str, ts: str
) -> str | None:
    """The posted message's link, or None: the message is posted either way."""
    try:
        answer = await call.send(
            "GET",
            f"{api}/chat.getPermalink",
            "chat.getPermalink",
            headers=headers,
            params={"channel": channel, "message_ts": ts},
        )
    except ServiceError:
        return None
    data = answer.json()
    if answer.status != 200 or not isinstance(data, dict) or data.get("ok") is not True:
        return None
    return web_link(data.get("permalink"))
