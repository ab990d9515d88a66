"""A fake Gleap REST API v3, built from ../shared/specs/gleap/gleap-rest-api.yml.

Reproduced: ``Authorization: Bearer <API key>`` plus the ``Project`` header
(401 for a bad key, 403 for a project the key does not open); ``GET /tickets``
with ``status``/``type``/``archived`` filters, ``sort`` and ``skip``/``limit``
-> ``{tickets, count, totalCount}``; ``processingUser`` and ``session``
populated; ``PUT /tickets/{id}`` (status from the project's own list,
priority LOW/MEDIUM/HIGH, processingUser, tags) and ``PUT /tickets/{id}/archive``;
``GET /messages?ticket=`` (COMMENT vs NOTE, rich-text documents) and
``POST /messages``; sessions; ``/tickets/by-session-query``; ``/projects/users``;
``POST /knowledge/search``. No rate-limit headers (none are documented): a
test scripts 429s with ``fail``.
"""

from __future__ import annotations

import itertools
import re
from datetime import datetime
from typing import Any

from tests.fakes.server import JSON, FakeServer, Request, Response
from triage_tui.domain.clock import Clock


def ts(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def doc(text: str) -> JSON:
    """Plain text as Gleap's rich-text document: one paragraph per line."""
    paragraphs = [
        {"type": "paragraph", "content": [{"type": "text", "text": line}]}
        if line
        else {"type": "paragraph"}
        for line in text.split("\n")
    ]
    return {"type": "doc", "content": paragraphs}


class FakeGleap(FakeServer):
    prefix = "/v3"

    def __init__(
        self, clock: Clock, *, api_key: str = "gl-key-789", project: str = "proj-1"
    ) -> None:
        super().__init__()
        self.clock = clock
        self.api_key = api_key
        self.project = project
        self.statuses = ("OPEN", "INPROGRESS", "DONE")
        self.forbidden: set[str] = set()
        self.tickets: dict[str, JSON] = {}
        self.messages: list[JSON] = []
        self.sessions: dict[str, JSON] = {}
        self.agents: dict[str, JSON] = {}
        self.articles: list[JSON] = []
        self.me = "a" + "0" * 23
        self._ids = itertools.count(1)
        for method, pattern, handler in (
            ("GET", r"/tickets", self.list_tickets),
            ("GET", r"/tickets/by-session-query", self.by_session),
            ("GET", r"/tickets/([0-9a-z]+)", self.show_ticket),
            ("PUT", r"/tickets/([0-9a-z]+)", self.update_ticket),
            ("PUT", r"/tickets/([0-9a-z]+)/archive", self.archive),
            ("PUT", r"/tickets/([0-9a-z]+)/unarchive", self.unarchive),
            ("GET", r"/messages", self.list_messages),
            ("POST", r"/messages", self.create_message),
            ("GET", r"/sessions/([0-9a-z-]+)", self.show_session),
            ("GET", r"/projects/users", self.project_users),
            ("POST", r"/knowledge/search", self.search_knowledge),
        ):
            self.route(method, pattern, handler)

    # -- auth ----------------------------------------------------------------------
    def authenticate(self, request: Request) -> Response | None:
        if request.headers.get("authorization") != f"Bearer {self.api_key}":
            return Response(401, {"statusCode": 401, "message": "Unauthorized"})
        if request.headers.get("project") != self.project:
            return Response(
                403, {"statusCode": 403, "message": "You don't have access to this project."}
            )
        if any(re.search(p, request.path) for p in self.forbidden):
            return Response(403, {"statusCode": 403, "message": "Forbidden resource"})
        return None

    def not_found(self, request: Request) -> Response:
        return Response(
            404, {"statusCode": 404, "message": f"Cannot {request.method} {request.path}"}
        )

    # -- state -------------------------------------------------------------------------
    def new_id(self) -> str:
        return f"f{next(self._ids):023x}"

    def add_message(
        self,
        ticket: str,
        text: str,
        *,
        note: bool,
        user: str | None,
        session: str | None,
        at: datetime,
    ) -> JSON:
        message = {
            "_id": self.new_id(),
            "ticket": ticket,
            "comment": doc(text),
            "type": "NOTE" if note else "COMMENT",
            "bot": False,
            "user": user,
            "session": session,
            "createdAt": ts(at),
            "updatedAt": ts(at),
        }
        message["id"] = message["_id"]
        self.messages.append(message)
        return message

    def populated(self, ticket: JSON) -> JSON:
        out = dict(ticket)
        out["processingUser"] = self.agents.get(ticket.get("processingUser") or "")
        out["session"] = self.sessions.get(ticket.get("session") or "")
        out["latestComment"] = None
        return out

    def message_json(self, message: JSON) -> JSON:
        out = dict(message)
        out["user"] = self.agents.get(message.get("user") or "")
        out["session"] = self.sessions.get(message.get("session") or "")
        return out

    # -- tickets ------------------------------------------------------------------------
    def list_tickets(self, request: Request) -> Response:
        tickets = list(self.tickets.values())
        if request.q("status"):
            wanted = set((request.q("status") or "").split(","))
            tickets = [t for t in tickets if t["status"] in wanted]
        if request.q("type"):
            tickets = [t for t in tickets if t["type"] in (request.q("type") or "").split(",")]
        if request.q("archived") in ("true", "false"):
            tickets = [t for t in tickets if t["archived"] == (request.q("archived") == "true")]
        if request.q("ignoreArchived") == "true":
            tickets = [t for t in tickets if not t["archived"]]
        sort = request.q("sort") or "-createdAt"
        tickets.sort(
            key=lambda t: (t.get(sort.lstrip("-")) or "", t["_id"]), reverse=sort.startswith("-")
        )
        skip = max(request.int_q("skip", 0), 0)
        limit = max(min(request.int_q("limit", 1000), 1000), 1)
        chunk = tickets[skip : skip + limit]
        return Response(
            200,
            {
                "tickets": [self.populated(t) for t in chunk],
                "count": len(chunk),
                "totalCount": len(tickets),
            },
        )

    def by_session(self, request: Request) -> Response:
        email = (request.q("email") or "").lower()
        user_id = request.q("userId")
        sessions = {
            sid
            for sid, s in self.sessions.items()
            if (email and (s.get("email") or "").lower() == email)
            or (user_id and s.get("userId") == user_id)
        }
        tickets = [self.populated(t) for t in self.tickets.values() if t["session"] in sessions]
        return Response(200, tickets)

    def show_ticket(self, request: Request, ticket_id: str) -> Response:
        ticket = self.tickets.get(ticket_id)
        if ticket is None:
            return Response(404, {"statusCode": 404, "message": "Ticket not found"})
        return Response(200, self.populated(ticket))

    def update_ticket(self, request: Request, ticket_id: str) -> Response:
        ticket = self.tickets.get(ticket_id)
        if ticket is None:
            return Response(404, {"statusCode": 404, "message": "Ticket not found"})
        change = request.body if isinstance(request.body, dict) else {}
        if "status" in change and change["status"] not in self.statuses:
            return Response(
                400, {"statusCode": 400, "message": f"Invalid status {change['status']}"}
            )
        if "priority" in change and change["priority"] not in ("LOW", "MEDIUM", "HIGH"):
            return Response(
                400, {"statusCode": 400, "message": ["priority must be one of LOW, MEDIUM, HIGH"]}
            )
        if change.get("processingUser") and change["processingUser"] not in self.agents:
            return Response(
                400, {"statusCode": 400, "message": "processingUser is not a member of the project"}
            )
        for key in (
            "status",
            "priority",
            "processingUser",
            "processingTeam",
            "tags",
            "title",
            "dueDate",
        ):
            if key in change:
                ticket[key] = change[key]
        ticket["updatedAt"] = ts(self.clock.now())
        return Response(200, self.populated(ticket))

    def archive(self, request: Request, ticket_id: str) -> Response:
        ticket = self.tickets.get(ticket_id)
        if ticket is None:
            return Response(404, {"statusCode": 404, "message": "Ticket not found"})
        ticket["archived"] = True
        ticket["archivedAt"] = ts(self.clock.now())
        return Response(200, self.populated(ticket))

    def unarchive(self, request: Request, ticket_id: str) -> Response:
        ticket = self.tickets.get(ticket_id)
        if ticket is None:
            return Response(404, {"statusCode": 404, "message": "Ticket not found"})
        ticket["archived"] = False
        return Response(200, self.populated(ticket))

    # -- messages ---------------------------------------------------------------------------
    def list_messages(self, request: Request) -> Response:
        found = [m for m in self.messages if m["ticket"] == request.q("ticket")]
        if request.q("type"):
            found = [m for m in found if m["type"] in (request.q("type") or "").split(",")]
        found.sort(
            key=lambda m: m["createdAt"], reverse=(request.q("sort") or "createdAt").startswith("-")
        )
        skip = max(request.int_q("skip", 0), 0)
        limit = request.int_q("limit", 10_000)
        return Response(200, [self.message_json(m) for m in found[skip : skip + limit]])

    def create_message(self, request: Request) -> Response:
        body: dict[str, Any] = request.body if isinstance(request.body, dict) else {}
        ticket = body.get("ticket")
        if ticket not in self.tickets:
            return Response(404, {"statusCode": 404, "message": "Ticket not found"})
        comment = body.get("comment")
        text = comment if isinstance(comment, str) else None
        if isinstance(comment, dict):
            text = "\n".join(
                "".join(n.get("text", "") for n in p.get("content", []))
                for p in comment.get("content", [])
            )
        if not text or not text.strip():
            return Response(400, {"statusCode": 400, "message": ["comment should not be empty"]})
        message = self.add_message(
            ticket,
            text,
            note=bool(body.get("isNote")),
            user=self.me,
            session=None,
            at=self.clock.now(),
        )
        if isinstance(comment, dict):
            message["comment"] = comment
        self.tickets[ticket]["updatedAt"] = ts(self.clock.now())
        return Response(201, self.message_json(message))

    # -- people, knowledge -----------------------------------------------------------------
    def show_session(self, request: Request, session_id: str) -> Response:
        session = self.sessions.get(session_id)
        if session is None:
            return Response(404, {"statusCode": 404, "message": "Session not found"})
        return Response(200, session)

    def project_users(self, request: Request) -> Response:
        return Response(200, [{"role": "AGENT", "user": a} for a in self.agents.values()])

    def search_knowledge(self, request: Request) -> Response:
        body = request.body if isinstance(request.body, dict) else {}
        query = str(body.get("query") or "").lower().replace("-", " ")
        words = {w.strip(".,?!()") for w in query.split() if len(w) > 2}
        scored = []
        for n, article in enumerate(self.articles):
            text = f"{article['title']} {article['title']} {article['content']}".lower().replace(
                "-", " "
            )
            score = sum(text.count(w) for w in words)
            if score:
                scored.append((-score, n, article))
        limit = int(body.get("limit") or 5)
        results = [a for _, _, a in sorted(scored, key=lambda s: s[:2])][:limit]
        return Response(200, {"results": results, "count": len(results)})
