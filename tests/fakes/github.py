"""A fake GitHub REST API: create, list and search issues, with its errors and rate limits.

Written from GitHub's public REST documentation (docs.github.com: "Create an
issue", "List repository issues", "Search issues and pull requests", "Rate
limits for the REST API", "Troubleshooting the REST API"), not from the client:

* Authentication: ``Authorization: Bearer TOKEN`` (or ``token TOKEN``);
  otherwise 401 ``{"message": "Bad credentials", "documentation_url"}``.
* ``POST /repos/{owner}/{repo}/issues``: 201 with the issue (``number``,
  ``html_url``, ``title``, ``body``…); 404 ``Not Found`` for a repository the
  token cannot see; 410 Gone when issues are disabled; 403 when the token may
  not write; 422 ``Validation Failed`` with ``errors`` (``missing_field``,
  a title or body too long).
* ``GET /repos/{owner}/{repo}/issues``: ``state``, ``sort``, ``direction``,
  ``per_page`` (at most 100); pull requests carry a ``pull_request`` key.
  Read from the database: a new issue is listed at once.
* ``GET /search/issues?q=``: ``repo:owner/name``, ``is:issue``, quoted phrases, ``in:body``;
  ``{"total_count", "incomplete_results", "items"}``. Search is indexed with
  a delay: a new issue is found only after ``reindex()``.
* Rate limits: a primary limit is a 403/429 with ``x-ratelimit-remaining: 0``
  and ``x-ratelimit-reset`` (epoch seconds); a secondary limit a 403/429 with
  a message naming it, and maybe ``retry-after``. Scripted with
  ``primary_limit`` and ``secondary_limit``.

``kill_next`` creates the next issue and drops the connection without an
answer (a server killed mid-request).
"""

from __future__ import annotations

import re
import shlex
import time
from typing import Any

from tests.fakes.server import JSON, FakeServer, Request, Response

DOCS = "https://docs.github.com/rest"


def _message(message: str, **extra: Any) -> JSON:
    return {"message": message, "documentation_url": DOCS, **extra}


class FakeGitHub(FakeServer):
    def __init__(self, *, token: str = "ghp_fakeTokenFor1Test") -> None:
        super().__init__()
        self.tokens = {token}
        #: "owner/name" -> {"has_issues": bool, "writable": bool}
        self.repos: dict[str, JSON] = {"acme/support": {"has_issues": True, "writable": True}}
        #: "owner/name" -> issues, oldest first
        self.issues: dict[str, list[JSON]] = {"acme/support": []}
        #: (repo, number) pairs the search index knows.
        self.indexed: set[tuple[str, int]] = set()
        self.kill_next = 0
        self.route("POST", r"/repos/([^/]+/[^/]+)/issues", self._create)
        self.route("GET", r"/repos/([^/]+/[^/]+)/issues", self._list)
        self.route("GET", r"/search/issues", self._search)

    # -- scripting ---------------------------------------------------------------
    def primary_limit(self, reset_in: int, *, status: int = 403) -> None:
        self.fail(
            status,
            _message("API rate limit exceeded for user ID 1."),
            headers={
                "x-ratelimit-limit": "5000",
                "x-ratelimit-remaining": "0",
                "x-ratelimit-reset": str(int(time.time()) + reset_in),
            },
        )

    def secondary_limit(self, retry_after: int | None, *, status: int = 403) -> None:
        headers = {"retry-after": str(retry_after)} if retry_after is not None else {}
        self.fail(
            status,
            _message(
                "You have exceeded a secondary rate limit. Please wait a few minutes "
                "before you try again."
            ),
            headers=headers,
        )

    def reindex(self) -> None:
        with self.lock:
            for repo, issues in self.issues.items():
                self.indexed.update((repo, issue["number"]) for issue in issues)

    def add_issue(self, repo: str, title: str, body: str, *, pull_request: bool = False) -> JSON:
        with self.lock:
            issues = self.issues.setdefault(repo, [])
            number = len(issues) + 1
            issue: JSON = {
                "id": 1000 + number,
                "number": number,
                "title": title,
                "body": body,
                "state": "open",
                "html_url": f"{self.origin}/{repo}/issues/{number}",
                "created_at": f"2026-12-07T08:{number // 60 % 60:02d}:{number % 60:02d}Z",
            }
            if pull_request:
                issue["pull_request"] = {"url": f"{self.origin}/{repo}/pull/{number}"}
                issue["html_url"] = f"{self.origin}/{repo}/pull/{number}"
            issues.append(issue)
            return issue

    # -- the API -----------------------------------------------------------------------
    def authenticate(self, request: Request) -> Response | None:
        auth = request.headers.get("authorization", "")
        scheme, _, token = auth.partition(" ")
        if scheme.lower() not in ("bearer", "token") or token not in self.tokens:
            return Response(401, _message("Bad credentials"))
        return None

    def _repo(self, repo: str) -> JSON | Response:
        known = self.repos.get(repo)
        if known is None:
            return Response(404, _message("Not Found"))
        return known

    def _create(self, request: Request, repo: str) -> Response:
        known = self._repo(repo)
        if isinstance(known, Response):
            return known
        if not known["has_issues"]:
            return Response(410, _message("Issues are disabled for this repo"))
        if not known["writable"]:
            return Response(403, _message("Resource not accessible by personal access token"))
        body = request.body if isinstance(request.body, dict) else {}
        title = body.get("title")
        if not isinstance(title, str) or not title.strip():
            return Response(
                422,
                _message(
                    "Validation Failed",
                    errors=[{"resource": "Issue", "code": "missing_field", "field": "title"}],
                ),
            )
        text = body.get("body") or ""
        for field, value, limit in (("title", title, 256), ("body", text, 65536)):
            if len(value) > limit:
                return Response(
                    422,
                    _message(
                        "Validation Failed",
                        errors=[
                            {
                                "resource": "Issue",
                                "code": "custom",
                                "field": field,
                                "message": f"{field} is too long (maximum is {limit} characters)",
                            }
                        ],
                    ),
                )
        issue = self.add_issue(repo, title, text)
        if self.kill_next > 0:
            self.kill_next -= 1
            return Response(drop=True)
        return Response(201, issue)

    def _list(self, request: Request, repo: str) -> Response:
        known = self._repo(repo)
        if isinstance(known, Response):
            return known
        issues = list(self.issues.get(repo, []))
        state = request.q("state", "open")
        if state != "all":
            issues = [i for i in issues if i["state"] == state]
        if request.q("direction", "desc") == "desc":
            issues.reverse()
        per_page = min(100, max(1, request.int_q("per_page", 30)))
        page = max(1, request.int_q("page", 1))
        return Response(200, issues[(page - 1) * per_page : page * per_page])

    def _search(self, request: Request) -> Response:
        query = request.q("q") or ""
        try:
            words = shlex.split(query)
        except ValueError:
            return Response(422, _message("Validation Failed", errors=[{"code": "invalid"}]))
        repo = next((w[5:] for w in words if w.startswith("repo:")), None)
        phrases = [w for w in words if not re.match(r"^(repo|in|is|state):", w)]
        in_body_only = "in:body" in words
        if repo is None or repo not in self.repos:
            return Response(
                422,
                _message(
                    "Validation Failed",
                    errors=[{"message": "The listed users and repositories cannot be searched"}],
                ),
            )
        items = []
        only_issues = "is:issue" in words
        for issue in reversed(self.issues.get(repo, [])):
            if (repo, issue["number"]) not in self.indexed:
                continue
            if only_issues and "pull_request" in issue:
                continue
            haystack = (issue["body"] or "") if in_body_only else issue["title"] + issue["body"]
            if all(p.lower() in haystack.lower() for p in phrases):
                items.append(issue)
        per_page = min(100, max(1, request.int_q("per_page", 30)))
        return Response(
            200,
            {"total_count": len(items), "incomplete_results": False, "items": items[:per_page]},
        )
