"""A fake Zendesk Support API v2, built from the OpenAPI slices in ../shared/specs/zendesk.

What it reproduces, because the adapter depends on it: cursor paging
(``page[size]``/``page[after]`` -> ``meta.has_more``/``after_cursor`` +
``links.next``) on views, comments and groups; offset paging (``page``/
``per_page`` -> ``next_page``) on ``/search`` (422 past 1 000 results) and
requested tickets; side-loads (``include=users,organizations,groups,slas``,
``include=tickets(...)`` on search; ``slas`` ignored by the single-ticket show,
as reported); Basic ``{email}/token:{token}`` and Bearer auth (401
"Couldn't authenticate you"); 403 on paths the test forbids; ticket update
with ``safe_update``/``updated_stamp`` (409), RecordInvalid with field details
(422) and RecordNotFound (404); an audit with the Comment event in the update
response; Help Center article search by locale; the cursor-based incremental
ticket export (``/incremental/tickets/cursor``: ``start_time`` at least a
minute ago or ``cursor``, ``per_page`` ≤ 1 000, each changed ticket once in
its latest state, ``after_cursor`` + ``end_of_stream``).

The data lives in ``self.tickets``/``comments``/``users``… as the JSON the API
would send, so tests can assert on exactly what a write left behind.
"""

from __future__ import annotations

import itertools
import re
import shlex
from datetime import datetime, timedelta
from typing import Any

from tests.fakes.server import JSON, FakeServer, Request, Response, cursor_offset, cursor_token
from triage_tui.domain.clock import Clock

STATUSES = ("new", "open", "pending", "hold", "solved", "closed")
ORDER = {s: n for n, s in enumerate(STATUSES)}
PRIORITIES = ("low", "normal", "high", "urgent")
REPLY_METRICS = ("first_reply_time", "next_reply_time")


def ts(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def _invalid(field: str, description: str, error: str = "InvalidValue") -> Response:
    return Response(
        422,
        {
            "error": "RecordInvalid",
            "description": "Record validation errors",
            "details": {field: [{"description": description, "error": error}]},
        },
    )


NOT_FOUND = Response(404, {"error": "RecordNotFound", "description": "Not found"})


class FakeZendesk(FakeServer):
    prefix = "/api/v2"

    def __init__(
        self, clock: Clock, *, email: str = "sam@triage.example", token: str = "zd-token-123"
    ) -> None:
        super().__init__()
        self.clock = clock
        self.credentials = {(f"{email}/token", token)}
        self.oauth_tokens = {"zd-oauth-456"}
        self.me_email = email
        self.forbidden: set[str] = set()  # path regexes answered with 403
        self.tickets: dict[int, JSON] = {}
        self.sla: dict[int, list[JSON]] = {}
        self.comments: dict[int, list[JSON]] = {}
        self.users: dict[int, JSON] = {}
        self.orgs: dict[int, JSON] = {}
        self.groups: dict[int, JSON] = {}
        self.articles: list[JSON] = []
        self.custom_roles: dict[int, JSON] = {}
        #: view id -> predicate over a ticket
        self.views: dict[int, Any] = {1: lambda t: t["status"] in STATUSES[:4]}
        self._ids = itertools.count(10_000)
        #: The incremental export's order: ticket id -> the sequence of its last change.
        self.export_seq: dict[int, int] = {}
        self._changes = itertools.count(1)
        for method, pattern, handler in (
            ("GET", r"/users/me", self.me),
            ("GET", r"/users/search", self.search_users),
            ("GET", r"/users", self.list_users),
            ("GET", r"/users/(\d+)", self.show_user),
            ("GET", r"/users/(\d+)/tickets/requested", self.requested),
            ("GET", r"/organizations/(\d+)", self.show_org),
            ("GET", r"/groups", self.list_groups),
            ("GET", r"/custom_roles/(\d+)", self.show_role),
            ("GET", r"/views/(\d+)/tickets", self.view_tickets),
            ("GET", r"/search", self.search),
            ("GET", r"/tickets/show_many", self.show_many),
            ("GET", r"/tickets/(\d+)", self.show_ticket),
            ("PUT", r"/tickets/(\d+)", self.update_ticket),
            ("GET", r"/tickets/(\d+)/comments", self.list_comments),
            ("GET", r"/help_center/articles/search", self.search_articles),
            ("GET", r"/incremental/tickets/cursor", self.incremental_tickets),
        ):
            self.route(method, pattern, handler)

    # -- auth -----------------------------------------------------------------
    def authenticate(self, request: Request) -> Response | None:
        header = request.headers.get("authorization", "")
        ok = header.startswith("Bearer ") and header[7:] in self.oauth_tokens
        basic = self.basic(header)
        ok = ok or (basic is not None and basic in self.credentials)
        if not ok:
            return Response(401, {"error": "Couldn't authenticate you"})
        for pattern in self.forbidden:
            if re.search(pattern, request.path):
                return Response(
                    403,
                    {
                        "error": "Forbidden",
                        "description": "You do not have access to this page. Please contact "
                        "the account owner of this help desk for further help.",
                    },
                )
        return None

    def not_found(self, request: Request) -> Response:
        return Response(404, {"error": "InvalidEndpoint", "description": "Not found"})

    # -- state helpers ---------------------------------------------------------
    def next_id(self) -> int:
        return next(self._ids)

    def now(self) -> str:
        return ts(self.clock.now())

    def touch(self, ticket_id: int) -> None:
        """Someone else edits the ticket: ``updated_at`` moves (at least a second)."""
        ticket = self.tickets[ticket_id]
        previous = datetime.fromisoformat(ticket["updated_at"])
        ticket["updated_at"] = ts(max(self.clock.now(), previous + timedelta(seconds=1)))
        self.export_seq[ticket_id] = next(self._changes)

    def customer_opens(self, subject: str, due_in: timedelta = timedelta(hours=1)) -> int:
        """A customer opens an urgent ticket by e-mail (Zendesk, not triage, creates
        it), due in ``due_in``; its id. Takes the lock."""
        now = self.clock.now()
        with self.lock:
            tid = max(self.tickets) + 1
            requester = next(u for u, user in self.users.items() if user["role"] == "end-user")
            self.tickets[tid] = {
                "id": tid,
                "url": f"{self.origin}/api/v2/tickets/{tid}.json",
                "subject": subject,
                "description": "Nothing loads.",
                "status": "new",
                "priority": "urgent",
                "requester_id": requester,
                "submitter_id": requester,
                "assignee_id": None,
                "group_id": None,
                "organization_id": self.users[requester]["organization_id"],
                "tags": [],
                "via": {"channel": "email"},
                "created_at": ts(now),
                "updated_at": ts(now),
            }
            self.sla[tid] = [
                {"metric": "first_reply_time", "stage": "active", "breach_at": ts(now + due_in)}
            ]
            self.comments[tid] = [
                {"id": self.next_id(), "type": "Comment", "author_id": requester,
                 "body": "Nothing loads.", "public": True, "created_at": ts(now)}
            ]  # fmt: skip
            self.touch(tid)  # into the incremental export
            ticket = self.tickets[tid]
            ticket["created_at"] = ticket["updated_at"]  # one event: it was created
        return tid

    def ticket_json(self, ticket: JSON, with_sla: bool) -> JSON:
        out = dict(ticket)
        if with_sla:
            out["slas"] = {"policy_metrics": [dict(m) for m in self.sla.get(ticket["id"], [])]}
        return out

    def sideloads(self, tickets: list[JSON], include: str) -> JSON:
        wanted = {w.strip() for w in include.split(",") if w.strip()}
        out: JSON = {}
        if "users" in wanted:
            ids = {
                t[k]
                for t in tickets
                for k in ("requester_id", "submitter_id", "assignee_id")
                if t.get(k)
            }
            out["users"] = [self.users[i] for i in sorted(ids) if i in self.users]
        if "organizations" in wanted:
            ids = {t["organization_id"] for t in tickets if t.get("organization_id")}
            out["organizations"] = [self.orgs[i] for i in sorted(ids)]
        if "groups" in wanted:
            ids = {t["group_id"] for t in tickets if t.get("group_id")}
            out["groups"] = [self.groups[i] for i in sorted(ids)]
        return out

    def ticket_list(self, tickets: list[JSON], include: str) -> JSON:
        with_sla = "slas" in include.split(",")
        return {
            "tickets": [self.ticket_json(t, with_sla) for t in tickets],
            **self.sideloads(tickets, include),
        }

    def cursor(self, request: Request, items: list[Any], key: str) -> JSON:
        size = min(max(request.int_q("page[size]", 100), 1), 100)
        start = cursor_offset(request.q("page[after]"))
        chunk = items[start : start + size]
        more = start + size < len(items)
        after = cursor_token(start + size) if chunk else None
        query = {k: v for k, v in request.query.items() if k != "page[after]"}
        return {
            key: chunk,
            "meta": {"has_more": more, "after_cursor": after, "before_cursor": cursor_token(start)},
            "links": {
                "next": self.link(request.path, {**query, "page[after]": after}) if more else None,
                "prev": None,
            },
        }

    def offset(self, request: Request, items: list[Any], key: str) -> tuple[JSON, list[Any]]:
        per_page = min(max(request.int_q("per_page", 100), 1), 100)
        page = max(request.int_q("page", 1), 1)
        chunk = items[(page - 1) * per_page : page * per_page]
        more = page * per_page < len(items)
        query = {**request.query, "page": page + 1, "per_page": per_page}
        body = {
            key: chunk,
            "count": len(items),
            "next_page": self.link(request.path, query) if more else None,
            "previous_page": None,
        }
        return body, chunk

    # -- users, organizations, groups -------------------------------------------
    def me(self, request: Request) -> Response:
        header = request.headers.get("authorization", "")
        basic = self.basic(header)
        email = basic[0].removesuffix("/token") if basic else self.me_email
        user = next((u for u in self.users.values() if u.get("email") == email), None)
        return Response(200, {"user": user})

    def search_users(self, request: Request) -> Response:
        needle = (request.q("query") or "").strip().lower()
        found = [
            u
            for u in self.users.values()
            if needle and (needle == (u.get("email") or "").lower() or needle in u["name"].lower())
        ]
        return Response(200, {"users": found, "count": len(found), "next_page": None})

    def list_users(self, request: Request) -> Response:
        """``GET /users`` (ListUsers), filtered by ``role``/``role[]``, cursor-paged."""
        roles = set(request.multi.get("role[]", [])) | ({request.q("role")} - {None})
        users = sorted(self.users.values(), key=lambda u: u["id"])
        found = [u for u in users if not roles or u.get("role") in roles]
        return Response(200, self.cursor(request, found, "users"))

    def show_user(self, request: Request, user_id: str) -> Response:
        user = self.users.get(int(user_id))
        if user is None:
            return NOT_FOUND
        body: JSON = {"user": user}
        if "organizations" in (request.q("include") or ""):
            org = self.orgs.get(user.get("organization_id") or 0)
            body["organizations"] = [org] if org else []
        return Response(200, body)

    def requested(self, request: Request, user_id: str) -> Response:
        if int(user_id) not in self.users:
            return NOT_FOUND
        tickets = [t for t in self.tickets.values() if t["requester_id"] == int(user_id)]
        key = request.q("sort_by", "created_at") or "created_at"
        tickets.sort(key=lambda t: t.get(key) or "", reverse=request.q("sort_order") == "desc")
        body, chunk = self.offset(request, tickets, "tickets")
        body.update(self.ticket_list(chunk, request.q("include") or ""))
        return Response(200, body)

    def show_org(self, request: Request, org_id: str) -> Response:
        org = self.orgs.get(int(org_id))
        return Response(200, {"organization": org}) if org else NOT_FOUND

    def list_groups(self, request: Request) -> Response:
        return Response(
            200, self.cursor(request, sorted(self.groups.values(), key=lambda g: g["id"]), "groups")
        )

    def show_role(self, request: Request, role_id: str) -> Response:
        role = self.custom_roles.get(int(role_id))
        return Response(200, {"custom_role": role}) if role else NOT_FOUND

    # -- tickets -----------------------------------------------------------------
    def view_tickets(self, request: Request, view_id: str) -> Response:
        predicate = self.views.get(int(view_id))
        if predicate is None:
            return NOT_FOUND
        tickets = sorted((t for t in self.tickets.values() if predicate(t)), key=lambda t: t["id"])
        body = self.cursor(request, tickets, "tickets")
        body.update(self.ticket_list(body["tickets"], request.q("include") or ""))
        return Response(200, body)

    def search(self, request: Request) -> Response:
        per_page = min(max(request.int_q("per_page", 100), 1), 100)
        if (max(request.int_q("page", 1), 1) - 1) * per_page >= 1000:
            return Response(
                422,
                {
                    "error": "invalid",
                    "description": (
                        "Requested response size was greater than Search Response Limits"
                    ),
                },
            )
        matches = sorted(
            self._query(request.q("query") or ""), key=lambda t: (t["created_at"], t["id"])
        )
        if request.q("sort_order") == "desc":
            matches.reverse()
        body, chunk = self.offset(request, matches, "results")
        body["results"] = [{**t, "result_type": "ticket"} for t in chunk]
        include = request.q("include") or ""
        if include.startswith("tickets(") and include.endswith(")"):
            inner = include[len("tickets(") : -1]
            with_sla = "slas" in inner.split(",")
            body["results"] = [
                {**self.ticket_json(t, with_sla), "result_type": "ticket"} for t in chunk
            ]
            body.update(self.sideloads(chunk, inner))
        body["facets"] = None
        return Response(200, body)

    def _query(self, query: str) -> list[JSON]:
        statuses: set[str] = set()
        assignee: str | None = None
        words: list[str] = []
        for term in shlex.split(query):
            key, sep, value = term.partition(":")
            if term.startswith("status<"):
                limit = ORDER[term.split("<", 1)[1]]
                statuses |= {s for s in STATUSES if ORDER[s] < limit}
            elif sep and key == "status":
                statuses.add(value)  # repeated terms on one property: any of them
            elif sep and key == "assignee":
                assignee = value.lower()
            elif sep and key == "type":
                continue
            else:
                words.append(term.lower())
        out = []
        for t in self.tickets.values():
            if statuses and t["status"] not in statuses:
                continue
            if assignee is not None:
                user = self.users.get(t.get("assignee_id") or 0)
                names = (
                    {user["name"].lower(), (user.get("email") or "").lower(), str(user["id"])}
                    if user
                    else {"none"}
                )
                if assignee not in names:
                    continue
            text = f"{t['subject']} {t['description']}".lower()
            if all(w in text for w in words):
                out.append(t)
        return out

    def show_many(self, request: Request) -> Response:
        ids = [int(i) for i in (request.q("ids") or "").split(",") if i.strip().isdigit()]
        tickets = [self.tickets[i] for i in ids if i in self.tickets]
        return Response(200, self.ticket_list(tickets, request.q("include") or ""))

    def show_ticket(self, request: Request, ticket_id: str) -> Response:
        ticket = self.tickets.get(int(ticket_id))
        if ticket is None:
            return NOT_FOUND
        include = ",".join(w for w in (request.q("include") or "").split(",") if w != "slas")
        return Response(200, {"ticket": ticket, **self.sideloads([ticket], include)})

    def list_comments(self, request: Request, ticket_id: str) -> Response:
        if int(ticket_id) not in self.tickets:
            return NOT_FOUND
        comments = list(self.comments.get(int(ticket_id), []))
        if request.q("sort") == "-created_at":
            comments.reverse()
        body = self.cursor(request, comments, "comments")
        if "users" in (request.q("include") or ""):
            ids = {c["author_id"] for c in body["comments"]}
            body["users"] = [self.users[i] for i in sorted(ids) if i in self.users]
        return Response(200, body)

    def update_ticket(self, request: Request, ticket_id: str) -> Response:
        ticket = self.tickets.get(int(ticket_id))
        if ticket is None:
            return NOT_FOUND
        if not isinstance(request.body, dict) or not isinstance(request.body.get("ticket"), dict):
            return Response(400, {"error": "InvalidJSON", "description": "ticket is required"})
        change: JSON = request.body["ticket"]
        if (
            change.get("safe_update") in (True, "true")
            and change.get("updated_stamp") != ticket["updated_at"]
        ):
            return Response(
                409,
                {
                    "error": "UpdateConflict",
                    "description": "Safe Update prevented the update due to outdated ticket data.",
                },
            )
        if ticket["status"] == "closed":
            return _invalid("status", "Status: closed prevents ticket update", "ClosedTicket")
        problem = self._validate(change)
        if problem is not None:
            return problem
        me = self.me(request).body["user"]
        for key in ("status", "priority", "assignee_id", "group_id", "tags"):
            if key in change:
                ticket[key] = change[key]
        events: list[JSON] = []
        comment = change.get("comment")
        if comment:
            public = comment.get("public", True) not in (False, "false")
            entry = {
                "id": self.next_id(),
                "type": "Comment",
                "author_id": me["id"],
                "body": comment["body"],
                "html_body": f"<p>{comment['body']}</p>",
                "plain_body": comment["body"],
                "public": public,
                "created_at": self.now(),
                "attachments": [],
                "via": {"channel": "api"},
            }
            self.comments.setdefault(ticket["id"], []).append(entry)
            events.append(
                {k: entry[k] for k in ("id", "type", "author_id", "body", "html_body", "public")}
            )
            if public:
                for metric in self.sla.get(ticket["id"], []):
                    if metric["metric"] in REPLY_METRICS and metric["stage"] == "active":
                        metric["stage"] = "achieved"
        self.touch(ticket["id"])
        audit = {
            "id": self.next_id(),
            "ticket_id": ticket["id"],
            "author_id": me["id"],
            "created_at": self.now(),
            "events": events,
        }
        return Response(200, {"ticket": ticket, "audit": audit})

    def _validate(self, change: JSON) -> Response | None:
        if "status" in change and change["status"] not in STATUSES:
            return _invalid("status", f"Status: {change['status']} is not valid")
        if "priority" in change and change["priority"] not in (*PRIORITIES, None):
            return _invalid("priority", f"Priority: {change['priority']} is not valid")
        assignee = change.get("assignee_id")
        if assignee is not None and self.users.get(assignee, {}).get("role") not in (
            "agent",
            "admin",
        ):
            return _invalid("assignee", "Assignee: is not an agent", "InvalidValue")
        if change.get("group_id") is not None and change["group_id"] not in self.groups:
            return _invalid("group", "Group: is invalid", "InvalidValue")
        comment = change.get("comment")
        if comment is not None and not str(comment.get("body", "")).strip():
            return _invalid("comment", "Comment: body cannot be blank", "BlankValue")
        return None

    # -- Help Center ---------------------------------------------------------------
    def incremental_tickets(self, request: Request) -> Response:
        """Tickets changed after ``cursor`` (or updated at or after ``start_time``),
        oldest change first; a ticket changed twice comes once, as it is now."""
        per_page = min(max(request.int_q("per_page", 1000), 1), 1000)
        cursor, start = request.q("cursor"), request.q("start_time")
        if cursor is not None:
            if not cursor:
                return _invalid("cursor", "Invalid cursor")
            after = cursor_offset(cursor)
            items = [t for t in self.tickets.values() if self.export_seq.get(t["id"], 0) > after]
        elif start is not None and start.isdigit():
            since = datetime.fromtimestamp(int(start), tz=self.clock.now().tzinfo)
            if since > self.clock.now() - timedelta(minutes=1):
                too_recent = "Too recent start_time. Use a start_time older than 1 minute"
                return Response(400, {"error": "InvalidValue", "description": too_recent})
            after = 0
            items = [
                t for t in self.tickets.values()
                if datetime.fromisoformat(t["updated_at"]) >= since
            ]  # fmt: skip
        else:
            return _invalid("start_time", "start_time or cursor is required")
        items.sort(key=lambda t: (self.export_seq.get(t["id"], 0), t["id"]))
        page = items[:per_page]
        last = (
            self.export_seq.get(page[-1]["id"], 0)
            if page
            else max([after, *(self.export_seq.values())] if cursor is None else [after])
        )
        token = cursor_token(last)
        return Response(
            200,
            {
                "tickets": [self.ticket_json(t, with_sla=False) for t in page],
                "after_cursor": token,
                "after_url": self.link(request.path, {"cursor": token}),
                "before_cursor": None,
                "before_url": None,
                "end_of_stream": len(items) <= per_page,
            },
        )

    def search_articles(self, request: Request) -> Response:
        query = (request.q("query") or "").lower()
        locale = (request.q("locale") or "en-us").lower()
        words = {w.strip(".,?!()") for w in query.replace("-", " ").split() if len(w) > 2}
        scored = []
        for article in self.articles:
            if article["locale"] != locale:
                continue
            text = f"{article['title']} {article['title']} {article['body']}".lower().replace(
                "-", " "
            )
            score = sum(text.count(w) for w in words)
            if score:
                scored.append((-score, article["id"], article))
        results = [a for _, _, a in sorted(scored, key=lambda s: s[:2])]
        body, chunk = self.offset(request, results, "results")
        body["results"] = [{**a, "result_type": "article"} for a in chunk]
        return Response(200, body)
