"""The shared async HTTP client of the remote adapters (Zendesk, Gleap, …).

Why one client: every helpdesk API needs the same care, and getting it right
once is cheaper than getting it almost right per adapter.

* **One keep-alive connection pool per adapter** with connect/read timeouts,
  so a console session reuses TLS connections instead of paying a handshake
  per request.
* **Rate limits.** A 429 (or a 503 with ``Retry-After``) is waited out and
  retried: ``Retry-After`` in seconds or as an HTTP-date, a missing header
  falls back to ``ratelimit-reset`` and then to a default, and a non-JSON
  body is fine. Before the limit is hit, the remaining-requests headers
  (``X-Rate-Limit-Remaining``, ``ratelimit-remaining``) spread the last
  requests of the window over the time left instead of running into the wall.
  Waits use an injectable ``sleep`` so tests run on a fake clock.
* **Errors** become ``triage_tui.domain.errors`` types with one readable line;
  nothing above the adapters ever sees an ``httpx`` exception.
* **Limits** (``docs/reliability.md``, "Numbers, durations, pages and
  deadlines"): every request has a total deadline (a body trickled a byte at a
  time cannot keep the read timeout alive for ever), a body larger than
  ``MAX_BODY_BYTES`` is not read, JSON deeper than ``MAX_JSON_DEPTH`` is
  refused before parsing, integers longer than ``MAX_INT_DIGITS`` read as
  infinity (which no numeric field accepts), ``Retry-After`` is clamped to
  ``MAX_RETRY_AFTER`` and paging is guarded by ``PageGuard``.
* **Secrets** (tokens, API keys, the Basic credential in base64, anything after
  ``Bearer``) are masked in every message and log line the client produces,
  even when a proxy echoes the ``Authorization`` header back in its error page.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import math
import os
import re
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import SplitResult, urlsplit

from triage_tui.adapters._options import MAX_SECONDS
from triage_tui.domain.clock import Clock, SystemClock
from triage_tui.domain.errors import (
    AuthError,
    Conflict,
    HelpdeskError,
    InvalidInput,
    NotFound,
    RateLimited,
    TriageError,
    Unreachable,
)
from triage_tui.lazy import lazy_module

if TYPE_CHECKING:
    import httpx
else:
    # Imported when the first client is built (an adapter's ``open``): ~40 ms a
    # console starting from its cache paints its first rows without.
    httpx = lazy_module("httpx")

log = logging.getLogger("triage_tui.http")

Sleep = Callable[[float], Awaitable[None]]
#: Turns an error response's parsed JSON (or None) into a short detail, e.g.
#: Zendesk's ``RecordInvalid`` field list. Return None to use the generic one.
DetailParser = Callable[[Any], str | None]

REDACTED = "***"
_SCHEME_CREDENTIAL = re.compile(r"(?i)\b(bearer|basic|token)(\s+)[A-Za-z0-9._~+/=:-]{6,}")
_GET_RETRY_STATUSES = {502, 503, 504}

#: A whole request (connect, headers, every byte of the body) ends within the
#: deadline: ``DEADLINE_FACTOR`` times the adapter's ``timeout`` unless
#: ``TRIAGE_HTTP_DEADLINE`` (seconds) says otherwise.
DEADLINE_FACTOR = 3.0
DEADLINE_ENV = "TRIAGE_HTTP_DEADLINE"
#: A helpdesk answer larger than this (decoded) is not read: a page of 100
#: Zendesk tickets with every side-load is well under 2 MiB.
MAX_BODY_BYTES = 32 * 1024 * 1024
#: Deeper JSON is refused before parsing (helpdesk payloads nest < 10 levels).
MAX_JSON_DEPTH = 64
#: Longer JSON integers read as +/-infinity: no id or count is that long, and
#: Python would otherwise refuse the whole body (or spend seconds on it).
MAX_INT_DIGITS = 40
#: ``Retry-After`` (seconds, HTTP-date or ``ratelimit-reset``) is clamped to
#: [0, this]; inf and nan count as this.
MAX_RETRY_AFTER = 3600.0
#: The most pages one listing follows before stopping with an error.
MAX_PAGES = 2000


class Redactor:
    """Masks known secrets (and their base64 forms) plus any ``Bearer xyz`` credential."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._secrets: list[str] = []
        for secret in secrets:
            self.add(secret)

    def add(self, secret: str | None) -> None:
        # Very short strings would mask ordinary words; real tokens are long.
        if secret and len(secret) >= 4 and secret not in self._secrets:
            self._secrets.append(secret)
            encoded = base64.b64encode(secret.encode()).decode()
            self._secrets.append(encoded)
            self._secrets.append(encoded.rstrip("="))
            self._secrets.sort(key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return _SCHEME_CREDENTIAL.sub(lambda m: f"{m.group(1)}{m.group(2)}{REDACTED}", text)


class HeaderAuth:
    """Sets fixed credential headers; its repr never shows them (tracebacks with locals).

    A callable, which httpx wraps as a function auth: an ``httpx.Auth`` subclass
    would import httpx with this module."""

    def __init__(self, headers: Mapping[str, str]) -> None:
        self._headers = dict(headers)

    def __call__(self, request: httpx.Request) -> httpx.Request:
        request.headers.update(self._headers)
        return request

    def __repr__(self) -> str:
        return f"HeaderAuth({', '.join(self._headers)}: {REDACTED})"


@dataclass
class HttpStats:
    """What the client did; tests and benchmarks read it (requests per page, waits)."""

    requests: int = 0
    by_path: dict[str, int] = field(default_factory=dict)
    #: Seconds waited because of 429/503 answers.
    rate_limit_waits: list[float] = field(default_factory=list)
    #: Seconds waited to slow down before reaching the limit.
    pacing_waits: list[float] = field(default_factory=list)
    #: Seconds waited before retrying a GET after a 502/503/504.
    retry_waits: list[float] = field(default_factory=list)

    def count(self, path: str) -> None:
        self.requests += 1
        self.by_path[path] = self.by_path.get(path, 0) + 1


@dataclass
class RateWindow:
    """The last rate-limit headers seen: how many requests are left and for how long."""

    limit: int | None = None
    remaining: int | None = None
    reset_seconds: float | None = None


class HttpClient:
    """One helpdesk's connection: ``await client.get("/tickets/1")`` returns parsed JSON.

    ``service`` names the helpdesk in messages ("Zendesk rejected the
    credentials…"). ``base_url`` is the API root; relative paths are joined to
    it and absolute URLs (``links.next``) must have the same origin, so
    credentials are never sent to a host the user did not configure.
    """

    def __init__(
        self,
        base_url: str,
        *,
        service: str,
        auth_headers: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        secrets: Iterable[str] = (),
        timeout: float = 20.0,
        max_attempts: int = 4,
        default_retry_after: float = 10.0,
        max_wait: float = 120.0,
        low_water: float = 0.1,
        default_window: float = 60.0,
        sleep: Sleep | None = None,
        clock: Clock | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        detail_parser: DetailParser | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        try:
            parts = urlsplit(self.base_url)
        except ValueError:
            raise ValueError(f"not an http(s) URL: {base_url!r}") from None
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"not an http(s) URL: {base_url!r}")
        self._origin = (parts.scheme, parts.netloc.lower())
        self._base_path = parts.path.rstrip("/")
        self.service = service
        timeout = _bounded_seconds(timeout, 20.0)
        self.timeout = timeout
        self.deadline = deadline_seconds(timeout)
        self.max_body = MAX_BODY_BYTES
        self.max_attempts = max(1, max_attempts)
        self.default_retry_after = default_retry_after
        self.max_wait = max_wait
        self.low_water = low_water
        self.default_window = default_window
        self.redact = Redactor(secrets)
        self.stats = HttpStats()
        #: The ``Date`` of the last successful answer: the server's clock, for
        #: feeds whose cursor depends on it (None when absent or unreadable).
        self.server_date: datetime | None = None
        self.window = RateWindow()
        self._sleep: Sleep = sleep or asyncio.sleep
        self._clock: Clock = clock or SystemClock()
        self._detail_parser = detail_parser
        self._pace_next = 0.0
        self._client = httpx.AsyncClient(
            base_url=self.base_url + "/",
            auth=HeaderAuth(auth_headers or {}),
            headers={"Accept": "application/json", **dict(headers or {})},
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
            limits=httpx.Limits(max_connections=10, max_keepalive_connections=5),
            transport=transport,
            follow_redirects=False,
        )

    async def aclose(self) -> None:
        await self._client.aclose()

    # -- public API --------------------------------------------------------
    async def get(self, url: str, *, params: Mapping[str, Any] | None = None, **kw: Any) -> Any:
        return await self.request("GET", url, params=params, **kw)

    async def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        json_body: Any = None,
        not_found: str | None = None,
        conflict: str | None = None,
    ) -> Any:
        """Send, wait out rate limits, translate errors; returns the parsed JSON (None if empty).

        ``not_found``/``conflict`` are the messages for a 404/409, worded by
        the adapter that knows what was asked ("Zendesk ticket 9 not found").
        """
        target = self._target(url)
        path = self._display_path(target)
        for attempt in range(1, self.max_attempts + 1):
            await self._pace()
            response = await self._send(method, target, path, params, json_body)
            status = response.status_code
            if status == 429 or (status == 503 and "retry-after" in response.headers):
                wait = self.retry_after(response)
                if attempt == self.max_attempts or wait > self.max_wait:
                    raise self._fail(
                        RateLimited,
                        f"{self.service} rate limit reached on {method} {path}; "
                        f"try again in {math.ceil(wait)} s",
                        retry_after=wait,
                    )
                log.info("%s asked to wait %.1f s (HTTP %s)", self.service, wait, status)
                self.stats.rate_limit_waits.append(wait)
                await self._sleep(wait)
                continue
            if method == "GET" and status in _GET_RETRY_STATUSES and attempt < self.max_attempts:
                wait = float(2 ** (attempt - 1))
                self.stats.retry_waits.append(wait)
                await self._sleep(wait)
                continue
            if response.is_success:
                self.server_date = _http_date(response.headers.get("date"))
                return self._json(response, method, path)
            raise self._error(response, method, path, not_found, conflict)
        raise AssertionError("unreachable")  # pragma: no cover

    def retry_after(self, response: httpx.Response) -> float:
        """Seconds to wait from ``Retry-After`` (seconds or HTTP-date), else the reset header."""
        value = response.headers.get("retry-after", "").strip()
        if value:
            try:
                return _clamp_wait(float(value))
            except ValueError:
                pass
            try:
                when = parsedate_to_datetime(value)
            except (TypeError, ValueError, IndexError):
                when = None
            if when is not None:
                if when.tzinfo is None:
                    when = when.replace(tzinfo=UTC)
                return _clamp_wait((when - self._clock.now()).total_seconds())
        reset = _number(response.headers.get("ratelimit-reset"))
        if reset is not None and reset >= 0:
            return _clamp_wait(reset)
        return _clamp_wait(self.default_retry_after)

    # -- internals ---------------------------------------------------------
    def _target(self, url: str) -> str:
        parts = self.split_link(url)
        if not parts.scheme:
            return url.lstrip("/")
        if (parts.scheme, parts.netloc.lower()) != self._origin:
            raise self._fail(
                HelpdeskError,
                f"{self.service} sent a link to another host ({parts.netloc}); not following it",
            )
        return url

    def split_link(self, url: str) -> SplitResult:
        """``urlsplit`` whose ``ValueError`` (``http://[::1/x``) is one helpdesk error line."""
        try:
            parts = urlsplit(url)
            parts.port  # noqa: B018  (raises for a port that is not a number)
        except ValueError:
            shown = url if len(url) <= 120 else url[:119] + "…"
            raise self._fail(
                HelpdeskError, f"{self.service} sent a malformed link ({shown}); not following it"
            ) from None
        return parts

    def page_key(self, url: str, params: Mapping[str, Any] | None = None) -> str:
        """The absolute URL a page request goes to: ``PageGuard`` spots a link that repeats."""
        joined = self._client.base_url.join(self._target(url))
        cleaned = _clean(params)
        if cleaned:
            joined = joined.copy_merge_params(cleaned)
        return str(joined)

    def _display_path(self, target: str) -> str:
        path = urlsplit(target).path if "://" in target else "/" + target.split("?", 1)[0]
        if "://" in target and self._base_path and path.startswith(self._base_path):
            path = path[len(self._base_path) :] or "/"
        return path

    async def _send(
        self, method: str, target: str, path: str, params: Mapping[str, Any] | None, body: Any
    ) -> httpx.Response:
        started = time.perf_counter()
        try:
            async with asyncio.timeout(self.deadline):
                async with self._client.stream(
                    method, target, params=_clean(params), json=body if body is not None else None
                ) as streamed:
                    content = await self._read_body(streamed, method, path)
            response = _buffered(streamed, content)
        except TimeoutError:
            raise self._fail(
                Unreachable,
                f"{self.service} did not finish {method} {path} within the "
                f"{self.deadline:g} s deadline",
            ) from None
        except httpx.InvalidURL as exc:
            raise self._fail(
                HelpdeskError, f"cannot send {method} {path} to {self.service}: {exc}"
            ) from None
        except httpx.TimeoutException:
            raise self._fail(
                Unreachable,
                f"{self.service} did not answer {method} {path} within {self.timeout:g} s",
            ) from None
        except httpx.TransportError as exc:
            reason = str(exc) or type(exc).__name__
            raise self._fail(
                Unreachable, f"cannot reach {self.service} at {self._origin[1]}: {reason}"
            ) from None
        self.stats.count(path)
        self._note_window(response)
        log.debug(
            "%s %s %s -> %s in %.0f ms (remaining %s)",
            self.service,
            method,
            path,
            response.status_code,
            (time.perf_counter() - started) * 1000,
            self.window.remaining,
        )
        return response

    async def _read_body(self, response: httpx.Response, method: str, path: str) -> bytes:
        """The decoded body, refused once it passes ``max_body`` (declared or received)."""
        too_big = self._fail(
            HelpdeskError,
            f"{self.service} answered {method} {path} with more than "
            f"{self.max_body // (1024 * 1024) or 1} MiB; not reading it",
        )
        declared = _number(response.headers.get("content-length"))
        if declared is not None and declared > self.max_body:
            raise too_big
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > self.max_body:
                raise too_big
            chunks.append(chunk)
        return b"".join(chunks)

    def _note_window(self, response: httpx.Response) -> None:
        headers = response.headers
        remaining = _number(
            headers.get("x-rate-limit-remaining") or headers.get("ratelimit-remaining")
        )
        if remaining is None:
            return
        limit = _number(headers.get("x-rate-limit") or headers.get("ratelimit-limit"))
        reset = _number(headers.get("ratelimit-reset"))
        self.window = RateWindow(
            limit=int(limit) if limit is not None else self.window.limit,
            remaining=int(remaining),
            reset_seconds=reset,
        )
        self._pace_next = self._pacing_delay()

    def _pacing_delay(self) -> float:
        """Spread the requests left in the window evenly over the time left once few remain."""
        w = self.window
        if w.remaining is None:
            return 0.0
        threshold = max(1, math.ceil((w.limit or 10) * self.low_water))
        if w.remaining > threshold:
            return 0.0
        left = w.reset_seconds if w.reset_seconds is not None else self.default_window
        return min(self.max_wait, max(0.0, left) / (w.remaining + 1))

    async def _pace(self) -> None:
        delay, self._pace_next = self._pace_next, 0.0
        if delay > 0:
            log.info(
                "%s: %s requests left, slowing down %.1f s",
                self.service,
                self.window.remaining,
                delay,
            )
            self.stats.pacing_waits.append(delay)
            await self._sleep(delay)

    def _json(self, response: httpx.Response, method: str, path: str) -> Any:
        if response.status_code == 204 or not response.content.strip():
            return None
        try:
            return parse_json(response.content)
        except JsonTooDeep:
            raise self._fail(
                HelpdeskError,
                f"{self.service} answered {method} {path} with JSON nested more than "
                f"{MAX_JSON_DEPTH} levels deep; not reading it",
            ) from None
        except (ValueError, UnicodeDecodeError):  # JSONDecodeError is a ValueError
            raise self._fail(
                HelpdeskError,
                f"{self.service} answered {method} {path} with something that is not JSON "
                f"({response.headers.get('content-type', 'no content type')})",
            ) from None

    def _detail(self, response: httpx.Response) -> str:
        try:
            data: Any = parse_json(response.content)
        except (ValueError, UnicodeDecodeError):  # JsonTooDeep is a ValueError too
            data = None
        detail = self._detail_parser(data) if self._detail_parser else None
        if detail is None and isinstance(data, dict):
            for key in ("description", "message", "error", "errors"):
                value = data.get(key)
                if isinstance(value, str) and value.strip():
                    detail = value
                    break
                if isinstance(value, dict):
                    detail = str(value.get("message") or value.get("title") or "") or None
                    if detail:
                        break
        if detail is None and data is None:
            text = response.text.strip()
            detail = text[:160] if text and "<" not in text[:1] else None
        return " ".join(str(detail).split())[:300] if detail else ""

    def _error(
        self,
        response: httpx.Response,
        method: str,
        path: str,
        not_found: str | None,
        conflict: str | None,
    ) -> TriageError:
        status = response.status_code
        detail = self._detail(response)
        suffix = f": {detail}" if detail else ""
        where = f"{method} {path}"
        if status == 401:
            return self._fail(
                AuthError, f"{self.service} rejected the credentials (401 on {where}){suffix}"
            )
        if status == 403:
            return self._fail(
                AuthError,
                f"{self.service} refused {where} (403): the account lacks the permission{suffix}",
            )
        if status == 404:
            return self._fail(NotFound, not_found or f"{self.service} has nothing at {path} (404)")
        if status == 409:
            return self._fail(
                Conflict, conflict or f"{self.service} reported a conflict on {where} (409){suffix}"
            )
        if status in (400, 413, 422):
            return self._fail(
                InvalidInput,
                f"{self.service} refused {where} ({status}){suffix or ': invalid request'}",
            )
        if status >= 500:
            message = f"{self.service} server error {status} on {where}{suffix}"
            return self._fail(HelpdeskError, message, status=status)
        message = f"{self.service} answered {status} to {where}{suffix}"
        return self._fail(HelpdeskError, message, status=status)

    def _fail(self, cls: type[TriageError], message: str, **extra: Any) -> TriageError:
        """Every error leaves through here, so every message is redacted."""
        return cls(self.redact(message), **extra)


def _number(value: str | None) -> float | None:
    """A header's number; None when absent, unreadable, inf or nan."""
    if value is None:
        return None
    try:
        number = float(value.strip())
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _http_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def _clamp_wait(seconds: float) -> float:
    """A server-asked wait within [0, MAX_RETRY_AFTER]; nan and inf are the maximum."""
    if math.isnan(seconds):
        return MAX_RETRY_AFTER
    return min(MAX_RETRY_AFTER, max(0.0, seconds))


def _bounded_seconds(value: float, fallback: float) -> float:
    if not math.isfinite(value) or value <= 0:
        return fallback
    return min(value, MAX_SECONDS)


def deadline_seconds(timeout: float, environ: Mapping[str, str] | None = None) -> float:
    """The total deadline of one request: ``TRIAGE_HTTP_DEADLINE`` or ``DEADLINE_FACTOR`` x timeout.

    An unreadable, non-positive or non-finite ``TRIAGE_HTTP_DEADLINE`` is ignored.
    """
    env = os.environ if environ is None else environ
    raw = env.get(DEADLINE_ENV, "").strip()
    default = min(MAX_SECONDS, timeout * DEADLINE_FACTOR)
    if raw:
        value = _number(raw)
        if value is not None and value > 0:
            return min(value, MAX_SECONDS)
    return default


class JsonTooDeep(ValueError):
    """JSON nested deeper than ``MAX_JSON_DEPTH``."""


_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_JSON_NOT_BRACKET = re.compile(rb"[^\[\]{}]+")
_JSON_PAIR = re.compile(rb"\[\]|\{\}")


def json_depth_ok(body: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether ``body`` nests at most ``limit`` levels, measured without recursion.

    Strings are removed, then everything but brackets; each pass then removes
    the innermost pairs, so the passes needed are the depth. All in ``re``'s C
    loop: a few passes for an ordinary page, at most ``limit`` for a hostile one.
    Unbalanced brackets stop the passes early and are left to the parser.
    """
    if body.count(b"[") + body.count(b"{") <= limit:
        return True
    brackets = _JSON_NOT_BRACKET.sub(b"", _JSON_STRING.sub(b"", body))
    for _ in range(limit):
        if not brackets:
            return True
        reduced = _JSON_PAIR.sub(b"", brackets)
        if len(reduced) == len(brackets):
            return True  # malformed: the parser says so
        brackets = reduced
    return not brackets


def _json_int(text: str) -> int | float:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        return -math.inf if text.startswith("-") else math.inf
    return int(text)


def parse_json(body: bytes | str) -> Any:
    """``json.loads`` within the limits: depth checked first, long integers as infinity.

    Raises ``JsonTooDeep`` or ``ValueError``; ``1e400`` reads as inf, like
    ``Infinity`` and ``NaN``, for the field's own check to refuse.
    """
    raw = body.encode("utf-8", "surrogatepass") if isinstance(body, str) else body
    if not json_depth_ok(raw):
        raise JsonTooDeep(f"JSON nested more than {MAX_JSON_DEPTH} levels")
    try:
        return json.loads(raw, parse_int=_json_int)
    except RecursionError:  # pragma: no cover - the depth check comes first
        raise JsonTooDeep(f"JSON nested more than {MAX_JSON_DEPTH} levels") from None


def _buffered(streamed: httpx.Response, content: bytes) -> httpx.Response:
    """A plain response holding the already decoded ``content`` (no re-decoding)."""
    headers = [
        (k, v)
        for k, v in streamed.headers.multi_items()
        if k.lower() not in ("content-encoding", "transfer-encoding", "content-length")
    ]
    return httpx.Response(
        streamed.status_code, headers=headers, content=content, request=streamed.request
    )


def _clean(params: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if params is None:
        return None
    return {k: v for k, v in params.items() if v is not None}


class PageGuard:
    """Ends a listing that would not end, with one line instead of a hang.

    ``visit(key)`` before each page (its URL, cursor or offset): a key seen
    before, or more than ``MAX_PAGES`` pages, is a ``HelpdeskError``.
    ``after(items, more)`` once the page is read: an empty page that still
    links onward is one too. ``fresh(id)`` is False for a ticket an earlier
    page already listed (offset pages shift under a changing queue), so a
    listing yields each ticket once.
    """

    def __init__(self, service: str, what: str, max_pages: int | None = None) -> None:
        self.service = service
        self.what = what
        self.max_pages = MAX_PAGES if max_pages is None else max_pages
        self.pages = 0
        self._keys: set[str] = set()
        self._ids: set[str] = set()

    def visit(self, key: str) -> None:
        if key in self._keys:
            shown = key if len(key) <= 120 else key[:119] + "…"
            raise HelpdeskError(
                f"{self.service} sent the same {self.what} page twice ({shown}); stopping"
            )
        if self.pages >= self.max_pages:
            raise HelpdeskError(
                f"{self.service}: the {self.what} goes on past {self.max_pages} pages; stopping "
                "(narrow it with a view or filter)"
            )
        self._keys.add(key)
        self.pages += 1

    def after(self, items: int, more: bool) -> None:
        if items == 0 and more:
            raise HelpdeskError(
                f"{self.service} sent an empty {self.what} page that links to another; stopping"
            )

    def fresh(self, item_id: object) -> bool:
        key = str(item_id)
        if key in self._ids:
            return False
        self._ids.add(key)
        return True
