"""A fake Linear GraphQL API: ``issueCreate`` and ``issue(id:)``, with Linear's error shapes.

Written from Linear's public documentation and schema (linear.app/developers
"GraphQL API", "Rate limiting"; the published ``schema.graphql``), not from
the client:

* One endpoint, ``POST /graphql``, JSON ``{"query", "variables"}``. A
  personal API key is the whole ``Authorization`` header (no ``Bearer``); an
  OAuth token is ``Bearer TOKEN``. A missing or unknown credential is an
  ``AUTHENTICATION_ERROR``.
* Errors travel in the body: ``{"data": null, "errors": [{"message",
  "extensions": {"code", "type", "userError", "userPresentableMessage"}}]}``;
  invalid input and "entity not found" come with a 200, a query Linear
  cannot parse or validate with a 400 (``GRAPHQL_VALIDATION_FAILED``), and
  rate limiting with a 400 carrying ``RATELIMITED`` and the
  ``X-RateLimit-Requests-*`` headers (``…-Reset`` in epoch milliseconds).
* ``IssueCreateInput``: ``teamId`` (required), ``title``, ``description``
  and ``id`` ("in UUID v4 format; if none is provided, the backend will
  generate one"). An id already taken is refused as invalid input.
* ``IssuePayload``: ``{success, issue {id identifier url}}``.

The fake does not run GraphQL: it recognises the two operations by their
field (``issueCreate(``, ``issue(``) and reads the variables.
``kill_next`` creates the next issue and drops the connection unanswered.
"""

from __future__ import annotations

import re
import time
import uuid

from tests.fakes.server import JSON, FakeServer, Request, Response

_UUID4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


def _error(
    message: str, code: str, kind: str, *, user: bool = False, status: int = 200
) -> Response:
    extensions: JSON = {"code": code, "type": kind, "userError": user}
    if user:
        extensions["userPresentableMessage"] = message
    return Response(
        status, {"data": None, "errors": [{"message": message, "extensions": extensions}]}
    )


class FakeLinear(FakeServer):
    def __init__(self, *, api_key: str = "lin_api_fakeKey0123456789") -> None:
        super().__init__()
        self.api_keys = {api_key}
        self.oauth_tokens = {"lin_oauth_fakeToken987"}
        #: team id -> key (issue identifiers are KEY-N)
        self.teams = {"team-eng-0001": "ENG"}
        self.issues: dict[str, JSON] = {}
        self.kill_next = 0
        self.route("POST", r"/graphql", self._graphql)

    @property
    def api_url(self) -> str:
        return self.origin + "/graphql"

    def ratelimit(self, reset_in: int) -> None:
        """The next request is refused as rate limited (a 400 with RATELIMITED)."""
        response = _error("Rate limit exceeded", "RATELIMITED", "ratelimited", status=400)
        self.fail(
            400,
            response.body,
            headers={
                "X-RateLimit-Requests-Limit": "5000",
                "X-RateLimit-Requests-Remaining": "0",
                "X-RateLimit-Requests-Reset": str(int((time.time() + reset_in) * 1000)),
            },
        )

    def authenticate(self, request: Request) -> Response | None:
        auth = request.headers.get("authorization", "")
        if auth in self.api_keys:
            return None
        if auth.startswith("Bearer ") and auth[7:] in self.oauth_tokens:
            return None
        return _error(
            "Authentication required, not authenticated",
            "AUTHENTICATION_ERROR",
            "authentication error",
            status=400,
        )

    def _graphql(self, request: Request) -> Response:
        body = request.body
        if not isinstance(body, dict) or not isinstance(body.get("query"), str):
            return _error(
                "Must provide query string.", "BAD_USER_INPUT", "graphql error", status=400
            )
        query: str = body["query"]
        variables = body.get("variables") if isinstance(body.get("variables"), dict) else {}
        if re.search(r"\bissueCreate\s*\(", query):
            return self._create(variables.get("input"))
        if re.search(r"\bissue\s*\(", query):
            return self._issue(variables.get("id"))
        return _error(
            "Cannot query field on type Query",
            "GRAPHQL_VALIDATION_FAILED",
            "graphql error",
            status=400,
        )

    def _create(self, data: object) -> Response:
        if not isinstance(data, dict):
            return _error(
                'Variable "$input" of required type "IssueCreateInput!" was not provided.',
                "GRAPHQL_VALIDATION_FAILED",
                "graphql error",
                status=400,
            )
        team = self.teams.get(str(data.get("teamId")))
        if team is None:
            return _error("Entity not found: Team", "INVALID_INPUT", "invalid input", user=True)
        issue_id = data.get("id") or str(uuid.uuid4())
        if not isinstance(issue_id, str) or not _UUID4.match(issue_id):
            return _error("id must be a UUID v4", "INVALID_INPUT", "invalid input", user=True)
        if issue_id in self.issues:
            return _error(
                "An issue with this id already exists", "INVALID_INPUT", "invalid input", user=True
            )
        number = sum(1 for i in self.issues.values() if i["team"] == team) + 1
        identifier = f"{team}-{number}"
        issue = {
            "id": issue_id,
            "identifier": identifier,
            "url": f"{self.origin}/fake/issue/{identifier}",
            "title": data.get("title"),
            "description": data.get("description"),
            "team": team,
        }
        self.issues[issue_id] = issue
        if self.kill_next > 0:
            self.kill_next -= 1
            return Response(drop=True)
        selected = {k: issue[k] for k in ("id", "identifier", "url")}
        return Response(
            200, {"data": {"issueCreate": {"success": True, "issue": selected, "lastSyncId": 1}}}
        )

    def _issue(self, issue_id: object) -> Response:
        issue = self.issues.get(str(issue_id))
        if issue is None:
            return _error("Entity not found: Issue", "INVALID_INPUT", "invalid input", user=True)
        return Response(
            200, {"data": {"issue": {k: issue[k] for k in ("id", "identifier", "url")}}}
        )
