"""A deliberately faulty helpdesk on 127.0.0.1, speaking a minimal JSON API.

Why a real socket: the faults that lose or duplicate work happen between the
bytes — a connection dropped before the request is read, a write applied and
the connection cut before the answer, a server that hangs past the client's
timeout. Only a real HTTP exchange produces them the way a helpdesk does.

Faults (``Fault``), scripted per request with ``fail_next`` or drawn at random
(seeded) with ``randomise``:

* ``drop``      close the connection without reading on (nothing applied)
* ``500``       answer 500 (nothing applied)
* ``429``       answer 429 with ``Retry-After: <seconds>``
* ``429-date``  answer 429 with ``Retry-After: <HTTP date>`` (from ``clock``)
* ``429-bare``  answer 429 without ``Retry-After``
* ``hang``      hold the request past the client's timeout, then close (not applied)
* ``cut``       apply the write, then close without answering
* ``stall``     apply the write, then hold the connection until ``release()``

Every applied write is logged with the client's ``X-Trace`` header (the
outbox entry's key) so tests count how often each entry took effect.
``idempotency=True`` honours ``Idempotency-Key`` (a repeated key replays the
stored answer); ``safe_update=True`` answers 409 when ``If-Match`` names an
old ticket version.
"""

from __future__ import annotations

import contextlib
import json
import random
import socket
import threading
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from email.utils import format_datetime
from enum import StrEnum
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from triage_tui.domain.clock import Clock


class Fault(StrEnum):
    DROP = "drop"
    ERROR = "500"
    RATE = "429"
    RATE_DATE = "429-date"
    RATE_BARE = "429-bare"
    HANG = "hang"
    CUT = "cut"
    STALL = "stall"


#: Faults that only make sense on writes (they apply first).
AFTER_APPLY = (Fault.CUT, Fault.STALL)


@dataclass
class Applied:
    trace: str | None
    kind: str
    ticket_id: str
    detail: str


class FaultyServer:
    def __init__(
        self,
        clock: Clock,
        *,
        idempotency: bool = False,
        safe_update: bool = False,
        hang_seconds: float = 1.0,
        retry_after: int = 7,
    ) -> None:
        self.clock = clock
        self.idempotency = idempotency
        self.safe_update = safe_update
        self.hang_seconds = hang_seconds
        self.retry_after = retry_after
        self.lock = threading.RLock()
        self.tickets: dict[str, dict[str, Any]] = {}
        self.messages: dict[str, list[dict[str, Any]]] = {}
        self.applied: list[Applied] = []
        self.injected: Counter[str] = Counter()
        self.requests: list[tuple[str, str]] = []
        self.replays = 0
        #: Requests being processed right now (a killed client's may still be).
        self.active = 0
        self.down = False
        #: Called once before the next write is applied (a colleague's change racing ours).
        self.before_write: Callable[[], None] | None = None
        self._script: deque[tuple[str, Fault]] = deque()
        self._random: tuple[random.Random, float, list[Fault], list[float]] | None = None
        self._keys: dict[str, tuple[int, Any]] = {}
        self._next_id = 1
        self.released = threading.Event()
        self.stalled = threading.Event()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.02,), daemon=True)

    # -- lifecycle ---------------------------------------------------------
    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FaultyServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.released.set()
        self._httpd.shutdown()
        self._httpd.server_close()

    # -- scripting ---------------------------------------------------------
    def fail_next(self, fault: Fault, *, on: str = "write", times: int = 1) -> None:
        """The next ``times`` requests of kind ``on`` (write/read/any) meet ``fault``."""
        with self.lock:
            self._script.extend([(on, fault)] * times)

    def randomise(self, seed: int, rate: float, weights: dict[Fault, float]) -> None:
        """Each request meets a fault with probability ``rate``, chosen by ``weights``."""
        self._random = (random.Random(seed), rate, list(weights), list(weights.values()))

    def release(self) -> None:
        self.released.set()

    def _fault_for(self, is_write: bool) -> Fault | None:
        with self.lock:
            for i, (on, fault) in enumerate(self._script):
                if on == "any" or (on == "write") == is_write:
                    del self._script[i]
                    return fault
            if self._random is not None:
                rng, rate, faults, weights = self._random
                if rng.random() < rate:
                    choice = rng.choices(faults, weights)[0]
                    if choice not in AFTER_APPLY or is_write:
                        return choice
        return None

    # -- data --------------------------------------------------------------
    def _id(self) -> str:
        with self.lock:
            self._next_id += 1
            return str(self._next_id)

    def add_ticket(
        self,
        subject: str,
        requester: str = "Dana Reyes",
        status: str = "open",
        body: str = "Please help.",
    ) -> str:
        now = self.clock.now().isoformat()
        ticket_id = str(1000 + len(self.tickets) + 1)
        with self.lock:
            self.tickets[ticket_id] = {
                "id": ticket_id,
                "subject": subject,
                "status": status,
                "priority": "normal",
                "requester": {
                    "id": f"p{ticket_id}",
                    "name": requester,
                    "email": requester.split()[0].lower() + "@example.com",
                },
                "assignee": None,
                "group": None,
                "tags": [],
                "created_at": now,
                "updated_at": now,
                "version": "1",
                "sla": [],
            }
            self.messages[ticket_id] = []
        self.add_message(ticket_id, requester, "customer", body)
        return ticket_id

    def add_message(
        self, ticket_id: str, author: str, role: str, body: str, public: bool = True
    ) -> dict[str, Any]:
        """A message from someone else (customer or colleague): bumps the version."""
        with self.lock:
            message = {
                "id": self._id(),
                "ticket_id": ticket_id,
                "author": author,
                "role": role,
                "public": public,
                "body": body,
                "created_at": self.clock.now().isoformat(),
            }
            self.messages[ticket_id].append(message)
            self._touch(ticket_id)
            return message

    def update(self, ticket_id: str, **fields: Any) -> None:
        with self.lock:
            self.tickets[ticket_id].update(fields)
            self._touch(ticket_id)

    def _touch(self, ticket_id: str) -> None:
        ticket = self.tickets[ticket_id]
        ticket["version"] = str(int(ticket["version"]) + 1)
        ticket["updated_at"] = self.clock.now().isoformat()

    def effects(self) -> Counter[str]:
        """How many times each traced write took effect (``> 1`` is a duplicate)."""
        return Counter(a.trace for a in self.applied if a.trace)

    def bodies(self, ticket_id: str) -> list[str]:
        return [m["body"] for m in self.messages[ticket_id]]

    # -- the API -----------------------------------------------------------
    def _apply(
        self, method: str, parts: list[str], body: dict[str, Any], headers: dict[str, str]
    ) -> tuple[int, Any]:
        if parts[:2] != ["api", "tickets"] or len(parts) < 3:
            if parts[:2] == ["api", "people"] and method == "GET" and len(parts) == 3:
                return self._person(parts[2])
            if parts == ["api", "health"]:
                return 200, {"ok": True}
            return 404, {"error": "no such endpoint"}
        ticket_id = parts[2]
        with self.lock:
            ticket = self.tickets.get(ticket_id)
            if ticket is None:
                return 404, {"error": f"ticket {ticket_id} not found"}
            if method == "GET" and len(parts) == 3:
                return 200, {"ticket": ticket, "messages": self.messages[ticket_id]}
            wanted = headers.get("if-match")
            if self.safe_update and wanted and wanted != ticket["version"]:
                return 409, {"error": f"ticket {ticket_id} changed (version {ticket['version']})"}
            trace = headers.get("x-trace")
            if method == "POST" and parts[3:] == ["messages"]:
                if ticket["status"] == "closed":
                    return 422, {"error": "ticket is closed: replies are not accepted"}
                message = self.add_message(
                    ticket_id,
                    "Sam Agent",
                    "agent",
                    body["body"],
                    public=bool(body.get("public", True)),
                )
                self.applied.append(Applied(trace, "message", ticket_id, body["body"]))
                return 201, {"message": message}
            if method == "POST" and parts[3:] == ["escalate"]:
                note = f"Escalated: {body['reason']}" + (
                    f"\n\n{body['note']}" if body.get("note") else ""
                )
                self.add_message(ticket_id, "Sam Agent", "agent", note, public=False)
                changes = {k: body[k] for k in ("priority", "group") if body.get(k)}
                changes["tags"] = ticket["tags"] + [
                    t for t in body.get("tags", []) if t not in ticket["tags"]
                ]
                ticket.update(changes)
                self.applied.append(Applied(trace, "escalate", ticket_id, body["reason"]))
                return 200, {"ticket": ticket}
            if method == "PATCH" and len(parts) == 3:
                if body.get("status") not in (
                    None,
                    "new",
                    "open",
                    "pending",
                    "on_hold",
                    "solved",
                    "closed",
                ):
                    return 422, {"error": f"status {body['status']!r} is not allowed"}
                for key in ("status", "priority", "assignee", "group"):
                    if key in body:
                        ticket[key] = body[key]
                tags = [t for t in ticket["tags"] if t not in body.get("remove_tags", [])]
                ticket["tags"] = tags + [t for t in body.get("add_tags", []) if t not in tags]
                self._touch(ticket_id)
                self.applied.append(Applied(trace, "update", ticket_id, json.dumps(body)))
                return 200, {"ticket": ticket}
        return 404, {"error": "no such endpoint"}

    def _person(self, person_id: str) -> tuple[int, Any]:
        with self.lock:
            mine = [t for t in self.tickets.values() if t["requester"]["id"] == person_id]
        if not mine:
            return 404, {"error": f"person {person_id} not found"}
        return 200, {"person": mine[0]["requester"], "tickets": mine}

    def _listing(self, query: dict[str, list[str]]) -> tuple[int, Any]:
        statuses = set(",".join(query.get("status", [])).split(",")) - {""}
        with self.lock:
            rows = [t for t in self.tickets.values() if not statuses or t["status"] in statuses]
        return 200, {"tickets": rows}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def handle(self) -> None:
                # A client that timed out or was killed: expected here.
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    super().handle()

            def setup(self) -> None:
                super().setup()
                # Headers and body go out in two writes: without this, Nagle's
                # algorithm and delayed ACKs add 40 ms to every answer.
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def _serve(self) -> None:
                split = urlsplit(self.path)
                parts = [p for p in split.path.split("/") if p]
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                is_write = self.command != "GET"
                with server.lock:
                    server.requests.append((self.command, split.path))
                if server.down:
                    self._close()
                    return
                fault = server._fault_for(is_write)
                if fault is not None:
                    server.injected[fault.value] += 1
                if fault in (Fault.DROP, Fault.HANG):
                    if fault is Fault.HANG:
                        time.sleep(server.hang_seconds)
                    self._close()
                    return
                if fault is Fault.ERROR:
                    return self._send(500, {"error": "internal server error"})
                if fault in (Fault.RATE, Fault.RATE_DATE, Fault.RATE_BARE):
                    extra = {}
                    if fault is Fault.RATE:
                        extra["Retry-After"] = str(server.retry_after)
                    elif fault is Fault.RATE_DATE:
                        when = server.clock.now() + timedelta(seconds=server.retry_after)
                        extra["Retry-After"] = format_datetime(when, usegmt=True)
                    return self._send(429, {"error": "slow down"}, extra)
                headers = {k.lower(): v for k, v in self.headers.items()}
                body = json.loads(raw) if raw else {}
                key = headers.get("idempotency-key") if server.idempotency and is_write else None
                with server.lock:
                    if key is not None and key in server._keys:
                        server.replays += 1
                        status, answer = server._keys[key]
                    elif split.path == "/api/tickets" and self.command == "GET":
                        status, answer = server._listing(parse_qs(split.query))
                    else:
                        hook, server.before_write = (
                            (server.before_write, None) if is_write else (None, server.before_write)
                        )
                        if hook is not None:
                            hook()
                        status, answer = server._apply(self.command, parts, body, headers)
                        if key is not None and status < 500:
                            server._keys[key] = (status, answer)
                    answer = json.loads(json.dumps(answer))  # a snapshot, outside the lock
                if fault is Fault.CUT:
                    self._close()
                    return
                if fault is Fault.STALL:
                    server.stalled.set()
                    server.released.wait(60)
                    self._close()
                    return
                self._send(status, answer)

            def _send(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            def _close(self) -> None:
                self.close_connection = True
                with contextlib.suppress(OSError):
                    self.connection.shutdown(2)

            def _guarded(self) -> None:
                with server.lock:
                    server.active += 1
                try:
                    self._serve()
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (its timeout): what a real server sees too
                finally:
                    with server.lock:
                        server.active -= 1

            do_GET = do_POST = do_PATCH = _guarded

        return Handler
