"""A fake Slack: incoming webhooks and the Web API's chat.postMessage / chat.getPermalink.

Written from Slack's public documentation, not from the client:

* Incoming webhooks (docs.slack.dev "Sending messages using incoming
  webhooks"; changelog 2016-05-17 "Improving error conditions for Incoming
  Webhooks"): JSON POST to the webhook's secret URL; 200 ``ok`` on success,
  else a plain-text error word: 400 ``invalid_payload`` (not JSON, or neither
  ``text`` nor ``blocks``), 400 ``invalid_blocks`` (blocks past the limits),
  403 ``action_prohibited``, 404 ``channel_not_found``, 404 ``no_service``
  (an unknown or revoked webhook), 410 ``channel_is_archived``, 500
  ``rollup_error``; a 429 with ``Retry-After`` when rate limited (Rate
  limits: "HTTP 429 Too Many Requests … and a Retry-After header").
* ``chat.postMessage``: Bearer token; every answer is 200 with
  ``{"ok": true, "channel", "ts", "message"}`` or ``{"ok": false, "error"}``
  (``not_authed``, ``invalid_auth``, ``channel_not_found``,
  ``invalid_blocks``, ``no_text``…); ``text`` past 40 000 characters is
  truncated with a ``message_truncated`` warning.
* ``chat.getPermalink``: GET with ``channel`` and ``message_ts``; ``{"ok":
  true, "channel", "permalink"}`` or ``message_not_found``.
* Block Kit limits: 50 blocks; header text 150 characters; section text 3 000;
  at most 10 fields of 2 000; context at most 10 elements.

Scripting: ``fail(...)`` (the base server) for HTTP-level answers (429 with
``Retry-After``, 500), ``api_errors`` for ``ok: false`` answers in a 200,
``archived``/``prohibited`` webhooks, and ``kill_next`` to post the message
and then drop the connection without answering.
"""

from __future__ import annotations

import itertools
from typing import Any

from tests.fakes.server import JSON, FakeServer, Request, Response

WEBHOOK_PATH = "/services/T0FAKE/B0FAKE/"


def block_problem(blocks: Any) -> str | None:
    """Why ``blocks`` break Slack's documented limits, or None."""
    if not isinstance(blocks, list):
        return "blocks must be a list"
    if len(blocks) > 50:
        return "no more than 50 blocks"
    for block in blocks:
        if not isinstance(block, dict):
            return "a block must be an object"
        kind = block.get("type")
        text = block.get("text") if isinstance(block.get("text"), dict) else {}
        if kind == "header":
            if text.get("type") != "plain_text" or len(text.get("text", "")) > 150:
                return "header text must be plain_text of at most 150 characters"
        elif kind == "section":
            fields = block.get("fields") or []
            if not text and not fields:
                return "a section needs text or fields"
            if len(text.get("text", "")) > 3000:
                return "section text must be less than 3001 characters"
            if len(fields) > 10 or any(len(f.get("text", "")) > 2000 for f in fields):
                return "at most 10 fields of 2000 characters"
        elif kind == "context":
            elements = block.get("elements") or []
            if not elements or len(elements) > 10:
                return "context needs 1 to 10 elements"
        elif kind not in ("divider", "image", "actions", "rich_text"):
            return f"unknown block type {kind!r}"
    return None


class FakeSlack(FakeServer):
    def __init__(self, *, token: str = "xoxb-fake-bot-token-1") -> None:
        super().__init__()
        self.tokens = {token}
        self.webhooks = {"hook-secret-abc123": "#escalations"}
        #: channel name or id -> id; the app is a member of these.
        self.channels = {"#escalations": "C0ESCAL", "C0ESCAL": "C0ESCAL"}
        self.archived: set[str] = set()
        self.prohibited: set[str] = set()
        #: Every posted message, as Slack keeps it.
        self.messages: list[JSON] = []
        #: ``ok: false`` errors the next chat.postMessage calls answer with.
        self.api_errors: list[str] = []
        #: Post the next N messages, then drop the connection without an answer.
        self.kill_next = 0
        self._ts = itertools.count(1)
        self.route("POST", WEBHOOK_PATH + r"([^/]+)", self._webhook)
        self.route("POST", r"/api/chat\.postMessage", self._post_message)
        self.route("GET", r"/api/chat\.getPermalink", self._permalink)

    @property
    def api_url(self) -> str:
        return self.origin + "/api"

    def webhook_url(self, secret: str = "hook-secret-abc123") -> str:
        return self.origin + WEBHOOK_PATH + secret

    # -- incoming webhooks ---------------------------------------------------
    def _webhook(self, request: Request, secret: str) -> Response:
        channel = self.webhooks.get(secret)
        if channel is None:
            return Response(404, "no_service")
        if channel in self.prohibited:
            return Response(403, "action_prohibited")
        if channel not in self.channels:
            return Response(404, "channel_not_found")
        if channel in self.archived:
            return Response(410, "channel_is_archived")
        body = request.body
        if not isinstance(body, dict) or not (body.get("text") or body.get("blocks")):
            return Response(400, "invalid_payload")
        if "blocks" in body and block_problem(body["blocks"]) is not None:
            return Response(400, "invalid_blocks")
        self._keep(channel, body, via="webhook")
        return self._maybe_kill(Response(200, "ok"))

    # -- the Web API -----------------------------------------------------------
    def _token(self, request: Request) -> str | None:
        auth = request.headers.get("authorization", "")
        return auth[7:] if auth.lower().startswith("bearer ") else None

    def _auth_error(self, request: Request) -> Response | None:
        token = self._token(request)
        if token is None:
            return Response(200, {"ok": False, "error": "not_authed"})
        if token not in self.tokens:
            return Response(200, {"ok": False, "error": "invalid_auth"})
        return None

    def _post_message(self, request: Request) -> Response:
        refused = self._auth_error(request)
        if refused is not None:
            return refused
        if self.api_errors:
            return Response(200, {"ok": False, "error": self.api_errors.pop(0)})
        body = request.body if isinstance(request.body, dict) else {}
        channel = self.channels.get(str(body.get("channel", "")))
        if channel is None:
            return Response(200, {"ok": False, "error": "channel_not_found"})
        if channel in self.archived:
            return Response(200, {"ok": False, "error": "is_archived"})
        if not body.get("text") and not body.get("blocks"):
            return Response(200, {"ok": False, "error": "no_text"})
        if "blocks" in body:
            problem = block_problem(body["blocks"])
            if problem is not None:
                return Response(
                    200,
                    {
                        "ok": False,
                        "error": "invalid_blocks",
                        "response_metadata": {"messages": [f"[ERROR] {problem}"]},
                    },
                )
        answer: JSON = {"ok": True, "channel": channel}
        if len(str(body.get("text", ""))) > 40000:
            body = {**body, "text": str(body["text"])[:40000]}
            answer["response_metadata"] = {"warnings": ["message_truncated"]}
        message = self._keep(channel, body, via="chat.postMessage")
        answer.update(ts=message["ts"], message=message)
        return self._maybe_kill(Response(200, answer))

    def _permalink(self, request: Request) -> Response:
        refused = self._auth_error(request)
        if refused is not None:
            return refused
        channel = request.q("channel")
        ts = request.q("message_ts")
        if channel not in self.channels.values():
            return Response(200, {"ok": False, "error": "channel_not_found"})
        if not any(m["channel"] == channel and m["ts"] == ts for m in self.messages):
            return Response(200, {"ok": False, "error": "message_not_found"})
        link = f"https://fake.slack.example/archives/{channel}/p{str(ts).replace('.', '')}"
        return Response(200, {"ok": True, "channel": channel, "permalink": link})

    # -- helpers -----------------------------------------------------------------
    def _keep(self, channel: str, body: JSON, *, via: str) -> JSON:
        message = {
            "channel": self.channels[channel],
            "ts": f"1700000000.{next(self._ts):06d}",
            "text": body.get("text", ""),
            "blocks": body.get("blocks", []),
            "via": via,
        }
        self.messages.append(message)
        return message

    def _maybe_kill(self, response: Response) -> Response:
        if self.kill_next > 0:
            self.kill_next -= 1
            return Response(drop=True)
        return response
