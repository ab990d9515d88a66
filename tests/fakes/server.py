"""A real HTTP server on 127.0.0.1 for fake helpdesks: routing, faults, rate limits, paging.

Why not a mock of the client: the adapters' HTTP layer (keep-alive, timeouts,
headers, redirects, JSON and non-JSON bodies) is exactly what must be proven,
so the fakes speak HTTP/1.1 over a socket on an ephemeral port, from a thread,
and the adapter under test cannot tell them from the real service.

A fake subclasses ``FakeServer``, registers routes with ``route`` and keeps its
state in plain dicts guarded by ``self.lock``. Tests then script trouble:
``fail(...)`` queues error answers (429 with or without ``Retry-After``, plain
text bodies, 500s echoing headers), ``rate`` sends rate-limit headers and
counts them down, ``delay`` makes every answer slow.
"""

from __future__ import annotations

import base64
import contextlib
import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import parse_qs, urlencode, urlsplit

JSON = dict[str, Any]


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any
    raw_body: bytes = b""
    #: Every value of a repeated parameter (``role[]=agent&role[]=admin``).
    multi: dict[str, list[str]] = field(default_factory=dict)

    def q(self, name: str, default: str | None = None) -> str | None:
        return self.query.get(name, default)

    def int_q(self, name: str, default: int) -> int:
        try:
            return int(self.query.get(name, default))
        except ValueError:
            return default


@dataclass
class Response:
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    trickle: float = 0.0
    #: Close the connection without a word (the work done): a server killed mid-request.
    drop: bool = False

    def encoded(self) -> tuple[bytes, str]:
        if self.body is None:
            return b"", "application/json"
        if isinstance(self.body, bytes):
            return self.body, self.headers.get("Content-Type", "text/plain; charset=utf-8")
        if isinstance(self.body, str):
            return self.body.encode(), self.headers.get("Content-Type", "text/plain; charset=utf-8")
        return json.dumps(self.body).encode(), "application/json; charset=utf-8"


@dataclass
class Fault:
    """A scripted answer given instead of the real one, ``times`` times."""

    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    method: str | None = None
    path: str | None = None  # a regex searched in the path
    times: int = 1
    #: Echo the request's Authorization header into the body (a leaky proxy).
    echo_auth: bool = False
    #: Seconds between the body's bytes: a server that keeps a read timeout alive for ever.
    trickle: float = 0.0

    def matches(self, request: Request) -> bool:
        return (self.method is None or self.method == request.method) and (
            self.path is None or re.search(self.path, request.path) is not None
        )


@dataclass
class RateWindow:
    """Rate-limit headers sent with every answer; past zero remaining, a 429."""

    limit: int
    remaining: int
    reset: int = 60
    header_style: str = "zendesk"  # or "ietf" (ratelimit-*)


Handler = Callable[..., Response]


class FakeServer:
    """Base of the fake helpdesks. Use as a context manager; ``url`` is its base URL."""

    #: Prefix of every route (``/api/v2``, ``/v3``).
    prefix = ""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.routes: list[tuple[str, re.Pattern[str], Handler]] = []
        self.faults: list[Fault] = []
        self.log: list[Request] = []
        self.delay = 0.0
        self.rate: RateWindow | None = None
        self.connections = 0
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -----------------------------------------------------------
    def start(self) -> Self:
        fake = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, like the real services
            disable_nagle_algorithm = True  # headers and body are separate writes

            def setup(self) -> None:
                super().setup()
                with fake.lock:
                    fake.connections += 1

            def log_message(self, *args: object) -> None:  # keep test output clean
                pass

            def handle(self) -> None:
                # A client that gave up mid-answer (a body cap, a deadline) resets the
                # connection: the next read fails, and that is no fault of the test.
                with contextlib.suppress(ConnectionResetError):
                    super().handle()

            def _serve(self) -> None:
                fake._serve(self)

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _serve

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._httpd.daemon_threads = True
        # A short poll keeps shutdown() (once per test) from costing half a second.
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def origin(self) -> str:
        assert self._httpd is not None, "start() the fake first"
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def url(self) -> str:
        return self.origin + self.prefix

    # -- scripting -------------------------------------------------------------
    def route(self, method: str, pattern: str, handler: Handler) -> None:
        self.routes.append((method, re.compile(f"^{self.prefix}{pattern}$"), handler))

    def fail(self, status: int, body: Any = None, *, times: int = 1, **kw: Any) -> Fault:
        fault = Fault(status, body, times=times, **kw)
        with self.lock:
            self.faults.append(fault)
        return fault

    def requests(self, method: str | None = None, path: str | None = None) -> list[Request]:
        with self.lock:
            return [
                r
                for r in self.log
                if (method is None or r.method == method)
                and (path is None or re.search(path, r.path) is not None)
            ]

    # -- helpers for subclasses ------------------------------------------------
    def link(self, path: str, query: dict[str, Any]) -> str:
        return f"{self.origin}{path}?{urlencode(query)}"

    @staticmethod
    def basic(header: str) -> tuple[str, str] | None:
        if not header.lower().startswith("basic "):
            return None
        try:
            user, _, password = base64.b64decode(header[6:]).decode().partition(":")
        except (ValueError, UnicodeDecodeError):
            return None
        return user, password

    def authenticate(self, request: Request) -> Response | None:
        """Return an error response to refuse the request; None lets it through."""
        return None

    # -- the request loop -------------------------------------------------------
    def _serve(self, handler: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(handler.path)
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else None
        except json.JSONDecodeError:
            body = None
        request = Request(
            method=handler.command,
            path=parts.path,
            query={k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()},
            headers={k.lower(): v for k, v in handler.headers.items()},
            body=body,
            raw_body=raw,
            multi=parse_qs(parts.query, keep_blank_values=True),
        )
        if self.delay:
            time.sleep(self.delay)
        with self.lock:
            self.log.append(request)
            response = self._answer(request)
            self._rate_headers(response)
        if response.drop:
            handler.close_connection = True
            return
        payload, content_type = response.encoded()
        try:
            handler.send_response(response.status)
            handler.send_header("Content-Type", content_type)
            handler.send_header("Content-Length", str(len(payload)))
            for key, value in response.headers.items():
                if key.lower() != "content-type":
                    handler.send_header(key, value)
            handler.end_headers()
            if response.trickle:
                for index in range(len(payload)):
                    handler.wfile.write(payload[index : index + 1])
                    handler.wfile.flush()
                    time.sleep(response.trickle)
            else:
                handler.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout tests)
            pass

    def _answer(self, request: Request) -> Response:
        for fault in self.faults:
            if fault.times > 0 and fault.matches(request):
                fault.times -= 1
                body = fault.body
                if fault.echo_auth:
                    auth = request.headers.get("authorization")
                    body = f"{body or ''} (request had Authorization: {auth})"
                return Response(fault.status, body, dict(fault.headers), fault.trickle)
        if self.rate is not None and self.rate.remaining <= 0:
            return Response(429, "Rate limit exceeded", {"Retry-After": str(self.rate.reset)})
        refused = self.authenticate(request)
        if refused is not None:
            return refused
        for method, pattern, handler in self.routes:
            match = pattern.match(request.path)
            if match and method == request.method:
                return handler(request, *match.groups())
        return self.not_found(request)

    def not_found(self, request: Request) -> Response:
        return Response(404, {"error": "not found", "path": request.path})

    def _rate_headers(self, response: Response) -> None:
        rate = self.rate
        if rate is None:
            return
        rate.remaining = max(0, rate.remaining - 1) if response.status != 429 else rate.remaining
        if rate.header_style == "zendesk":
            response.headers.setdefault("X-Rate-Limit", str(rate.limit))
            response.headers.setdefault("X-Rate-Limit-Remaining", str(rate.remaining))
        response.headers.setdefault("ratelimit-limit", str(rate.limit))
        response.headers.setdefault("ratelimit-remaining", str(rate.remaining))
        response.headers.setdefault("ratelimit-reset", str(rate.reset))


def cursor_token(offset: int) -> str:
    return base64.urlsafe_b64encode(f"o{offset}".encode()).decode().rstrip("=")


def cursor_offset(token: str | None) -> int:
    if not token:
        return 0
    padded = token + "=" * (-len(token) % 4)
    try:
        return int(base64.urlsafe_b64decode(padded).decode()[1:])
    except (ValueError, UnicodeDecodeError):
        return 0
