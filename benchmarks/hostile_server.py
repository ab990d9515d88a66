"""A hostile Zendesk on 127.0.0.1: the fake of ``tests/fakes/zendesk.py`` gone bad.

``HostileZendesk(mode)`` answers like ``FakeZendesk`` (same routes, auth,
paging, side-loads) and then spoils the answer the way ``mode`` says: broken
or enormous JSON, wrong types, numbers no parser should trust, slow bodies,
endless ``Retry-After``, redirects, HTML error pages, error storms, paging
that never ends or repeats, and error bodies that echo the API token.
The spoiling happens on the wire (bytes), so the adapter's own parsing is
what meets it.
"""

from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlencode

from tests.fakes.server import JSON, Request, Response
from tests.fakes.zendesk import FakeZendesk
from triage_tui.domain.clock import Clock

#: Replaced on the wire by a literal the JSON encoder would refuse to write.
NUMBER_SENTINEL = "__HX_NUMBER__"
HUGE_INT = "9" * 5000
#: A ticket id the wire turns into ``HUGE_INT`` (the fake itself sorts by id).
HUGE_ID = 777_777_777
#: The number of pages a "repeat" server serves before it admits the end.
REPEAT_PAGES = 901
#: Seconds between the bytes of a slow body.
TRICKLE_S = 2.0


MODES: dict[str, str] = {
    "clean": "a well-behaved server (the payload cases' carrier)",
    "malformed_json": "200 with truncated, invalid JSON",
    "oversized_json": "200 with a 40 MB JSON document",
    "huge_field": "a ticket whose description is 20 MB",
    "wrong_types": "ids as objects, subjects as lists, statuses as numbers, tags as a string",
    "huge_int": "5 000-digit integers in ids, counts and account values",
    "float_1e400": "1e400 (infinity) in ids, counts and account values",
    "nested_deep": "JSON arrays nested 100 000 deep",
    "slow_body": f"a body sent one byte every {TRICKLE_S:g} s",
    "retry_after_inf": "429 with Retry-After: inf, forever",
    "retry_after_huge": "429 with Retry-After: 1e308, forever",
    "redirect_loop": "302 to itself, forever",
    "redirect_offhost": "302 to another host (localhost instead of 127.0.0.1)",
    "html_error": "500 with a 200 KB HTML error page",
    "storm_404": "404 on everything",
    "storm_500": "500 on everything",
    "storm_429": "429 with Retry-After: 1 on everything",
    "storm_503": "503 (retried reads) on everything",
    "next_repeat": "every page's next link is the page itself",
    "next_malformed": "next links are http://[::1/x",
    "empty_forever": "empty pages that always have more",
    "repeat_901": f"{REPEAT_PAGES} pages repeating one item",
    "secret_echo": "401 and 500 bodies echoing the token and the Authorization header",
    "escape_errors": "error bodies full of terminal escape sequences",
    "empty_body": "200 with an empty body",
    "bad_utf8": "200 with invalid UTF-8 inside JSON strings",
    "truncated": "Content-Length larger than the body, then the connection closes",
}


def _html_page(extra: str) -> bytes:
    row = "<tr><td>upstream</td><td>Internal Server Error</td></tr>\n"
    page = (
        "<!DOCTYPE html><html><head><title>500 Internal Server Error</title>"
        "<script>alert(1)</script></head><body><h1>Oops</h1><table>"
        + row * 4000
        + f"</table><p>{extra}</p></body></html>"
    )
    return page.encode()


class HostileZendesk(FakeZendesk):
    def __init__(self, clock: Clock, mode: str, *, email: str, token: str, escape: str) -> None:
        super().__init__(clock, email=email, token=token)
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}")
        self.mode = mode
        self.token = token
        self.escape = escape
        self.stopping = threading.Event()
        self._page_counts: dict[str, int] = {}
        #: Requests that reached the off-host redirect target, with their Authorization.
        self.offhost_auth: list[str] = []
        self._offhost: ThreadingHTTPServer | None = None

    # -- lifecycle -----------------------------------------------------------
    def start(self) -> HostileZendesk:
        super().start()
        assert self._httpd is not None
        # Clients hang up mid-answer here all the time; that is not news.
        self._httpd.handle_error = _quiet  # type: ignore[method-assign,assignment]
        if self.mode == "redirect_offhost":
            self._offhost = self._collector()
        return self

    def stop(self) -> None:
        self.stopping.set()
        if self._offhost is not None:
            self._offhost.shutdown()
            self._offhost.server_close()
        super().stop()

    def _collector(self) -> ThreadingHTTPServer:
        """The "other host": records whether credentials followed the redirect."""
        seen = self.offhost_auth

        class _Steal(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                seen.append(self.headers.get("Authorization") or "")
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

        httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Steal)
        httpd.daemon_threads = True
        threading.Thread(
            target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        return httpd

    def seed_mutations(self) -> None:
        """Spoil the stored data for the modes that are about content, not transport."""
        with self.lock:
            if self.mode in ("huge_int", "float_1e400"):
                if self.tickets:
                    first = min(self.tickets)
                    clone = dict(self.tickets[first])
                    clone["id"] = HUGE_ID
                    self.tickets[-1] = clone
            elif self.mode == "huge_field" and self.tickets:
                # One ticket: every copy of the answer costs the campaign 20 MB too.
                big = max(self.tickets)
                self.tickets[big]["description"] = "refund " * (20_000_000 // 7)
                self.comments[big][0]["body"] = self.tickets[big]["description"]

    # -- answering ---------------------------------------------------------------
    def _serve(self, handler: BaseHTTPRequestHandler) -> None:
        if self.mode == "slow_body":
            self._trickle(handler)
            return
        if self.mode == "truncated":
            handler.send_response(200)
            handler.send_header("Content-Type", "application/json")
            handler.send_header("Content-Length", "100000")
            handler.send_header("Connection", "close")
            handler.end_headers()
            handler.wfile.write(b'{"tickets": [{"id": 1, "subj')
            handler.wfile.flush()
            handler.close_connection = True
            return
        super()._serve(handler)

    def _trickle(self, handler: BaseHTTPRequestHandler) -> None:
        body = b'{"tickets": [], "users": [], "meta": {"has_more": false}, "links": {}}'
        try:
            handler.send_response(200)
            handler.send_header("Content-Type", "application/json")
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            handler.wfile.flush()
            for byte in body:
                if self.stopping.wait(TRICKLE_S):
                    return
                handler.wfile.write(bytes([byte]))
                handler.wfile.flush()
        except OSError:  # the client gave up or was killed
            return

    def _answer(self, request: Request) -> Response:
        mode = self.mode
        if mode == "secret_echo":
            auth = request.headers.get("authorization", "")
            status = 401 if request.path.endswith("/users/me") else 500
            return Response(
                status,
                {
                    "error": f"invalid token {self.token}",
                    "description": f"request had Authorization: {auth}; token={self.token}",
                },
            )
        if mode == "escape_errors":
            return Response(
                422 if request.method != "GET" else 400,
                {"error": self.escape, "description": f"Record {self.escape} not found"},
            )
        if mode in ("storm_404", "storm_500", "storm_503"):
            status = int(mode[-3:])
            return Response(status, {"error": "storm", "description": f"HTTP {status}"})
        if mode == "storm_429":
            return Response(429, "Rate limit exceeded", {"Retry-After": "1"})
        if mode == "retry_after_inf":
            return Response(429, "slow down", {"Retry-After": "inf"})
        if mode == "retry_after_huge":
            return Response(429, "slow down", {"Retry-After": "1e308"})
        if mode == "redirect_loop":
            target = self.origin + request.path
            return Response(302, b"", {"Location": target})
        if mode == "redirect_offhost":
            assert self._offhost is not None
            port = self._offhost.server_address[1]
            return Response(302, b"", {"Location": f"http://localhost:{port}{request.path}"})
        if mode == "html_error":
            return Response(500, _html_page(self.escape), {"Content-Type": "text/html"})
        if mode == "malformed_json":
            return Response(
                200, b'{"tickets": [{"id": 1, "subject": "x",,]], "users": nul', _JSON_TYPE
            )
        if mode == "oversized_json":
            return Response(200, _oversized(), _JSON_TYPE)
        if mode == "nested_deep":
            return Response(200, b"[" * 100_000 + b"]" * 100_000, _JSON_TYPE)
        if mode == "empty_body":
            return Response(200, b"", _JSON_TYPE)
        response = super()._answer(request)
        if isinstance(response.body, dict) and response.status == 200:
            response = self._spoil(request, response)
        return response

    def _spoil(self, request: Request, response: Response) -> Response:
        body: JSON = response.body
        mode = self.mode
        if mode in ("next_repeat", "next_malformed", "empty_forever", "repeat_901"):
            body = self._paging(request, body)
        if mode == "wrong_types":
            body = _wrong_types(json.loads(json.dumps(body)))
        if mode == "bad_utf8":
            encoded = json.dumps(body, ensure_ascii=False).encode()
            encoded = encoded.replace(b'"subject": "', b'"subject": "\xff\xfe\xc3', 1)
            encoded = encoded.replace(b'"name": "', b'"name": "\xed\xa0\x80', 1)
            return Response(200, encoded, _JSON_TYPE)
        if mode in ("huge_int", "float_1e400"):
            literal = HUGE_INT if mode == "huge_int" else "1e400"
            raw = json.dumps(_numbers(json.loads(json.dumps(body)))).replace(
                f'"{NUMBER_SENTINEL}"', literal
            )
            raw = raw.replace(f'"id": {HUGE_ID}', f'"id": {literal}')
            if "count" in body:
                raw = re.sub(r'"count": \d+', f'"count": {literal}', raw)
            return Response(200, raw.encode(), _JSON_TYPE)
        return Response(200, body, response.headers)

    def _paging(self, request: Request, body: JSON) -> JSON:
        key = next((k for k, v in body.items() if isinstance(v, list) and k != "users"), None)
        cursor = "links" in body or "meta" in body
        offset = "next_page" in body
        if key is None or not (cursor or offset):
            return body
        page_key = request.path
        count = self._page_counts.get(page_key, 0) + 1
        self._page_counts[page_key] = count
        mode = self.mode
        items = body[key]
        if mode == "next_repeat":
            nxt = self.origin + request.path + "?" + urlencode(request.query)
            more = True
        elif mode == "next_malformed":
            nxt, more = "http://[::1/x", True
        elif mode == "empty_forever":
            body[key] = []
            nxt = self.link(
                request.path, {**request.query, "page[after]": f"e{count}", "page": count + 1}
            )
            more = True
        else:  # repeat_901
            body[key] = items[:1]
            more = count < REPEAT_PAGES
            nxt = self.link(
                request.path, {**request.query, "page[after]": f"r{count}", "page": count + 1}
            )
        if cursor:
            body["meta"] = {"has_more": more, "after_cursor": f"c{count}", "before_cursor": None}
            body["links"] = {"next": nxt if more else None, "prev": None}
        if offset:
            body["next_page"] = nxt if more else None
        return body


def _quiet(request: object, client_address: object) -> None:
    return None


def _wrong_types(body: JSON) -> JSON:
    """Every record of the answer with its fields in the wrong JSON types."""
    for n, ticket in enumerate(_records(body, "tickets", "results", "ticket")):
        ticket.update(
            subject=["not", "a", "string"],
            status=7 if n % 2 else None,
            tags="tags-as-a-string",
            created_at={"when": "yesterday"},
            priority=True,
            requester_id="abc" if n % 2 else [1],
            slas="none",
        )
    for user in _records(body, "users", "user"):
        user.update(name=12345, email=["x@y"], user_fields="none")
    for org in _records(body, "organizations", "organization"):
        org.update(name={"first": "Acme"}, tags=5)
    for comment in _records(body, "comments"):
        comment.update(body={"html": 1}, public="yes", created_at=0)
    if "meta" in body:
        body["meta"] = {"has_more": "yes", "after_cursor": 5}
    if "count" in body:
        body["count"] = "many"
    return body


def _numbers(body: JSON) -> JSON:
    """Ids, counts and account values replaced by the sentinel the wire turns into a number."""
    for ticket in _records(body, "tickets", "results", "ticket"):
        ticket.update(organization_id=NUMBER_SENTINEL, group_id=NUMBER_SENTINEL)
    for user in _records(body, "users", "user"):
        user["user_fields"] = {"tier": "x", "account_value": NUMBER_SENTINEL}
    for comment in _records(body, "comments"):
        comment["id"] = NUMBER_SENTINEL
    for article in _records(body, "results", "articles"):
        if article.get("result_type") == "article":
            article["id"] = NUMBER_SENTINEL
    return body


def _records(body: JSON, *keys: str) -> list[JSON]:
    found: list[JSON] = []
    for key in keys:
        value = body.get(key)
        items = value if isinstance(value, list) else [value]
        found += [item for item in items if isinstance(item, dict)]
    return found


_JSON_TYPE = {"Content-Type": "application/json; charset=utf-8"}
_OVERSIZED: list[bytes] = []


def _oversized() -> bytes:
    if not _OVERSIZED:
        ticket = {"id": 1, "subject": "big", "status": "open", "description": "x" * 1000}
        one = json.dumps(ticket).encode()
        count = 40_000_000 // len(one)
        _OVERSIZED.append(
            b'{"tickets": [' + b",".join([one] * count) + b'], "meta": {"has_more": false}}'
        )
    return _OVERSIZED[0]
