"""What every outbound integration shares: the result, the error, and one bounded HTTP call.

Why not the adapters' ``HttpClient``: integrations sit beside the adapters in
the layers (neither imports the other), and their needs differ: one request
per delivery, no waiting on rate limits (the hook engine owns retries and
their timing, so a wait is reported as ``retry_after`` instead of slept), and
a secret that can be the URL itself (a Slack incoming webhook).

Every call is bounded: connect and read timeouts, a total deadline (a body
trickled a byte at a time cannot hold a delivery for ever), a capped body and
no redirects (a redirect would carry the credential to another host). Every
message leaves through ``Call.fail``, which removes the call's secrets.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import SplitResult, urlsplit

import httpx

log = logging.getLogger("triage_tui.integrations")

#: Seconds to open a connection, and to wait for each read.
CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 15.0
#: Seconds for a whole request, body included.
DEADLINE = 30.0
#: Answers longer than this are not read: the services answer in a few KiB.
MAX_BODY = 1024 * 1024
#: A server-asked wait is clamped to [0, this] seconds.
MAX_RETRY_AFTER = 3600.0
#: Longest piece of a service's own error text quoted in a message.
DETAIL_CHARS = 160

REDACTED = "***"

#: Every secret a call was given: httpx logs each request's URL at INFO, and a
#: Slack webhook's URL is its credential, so its log records are redacted too.
_SECRETS: set[str] = set()


def redact(text: str, secrets: Iterable[str]) -> str:
    for secret in sorted(secrets, key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    return text


class _RedactSecrets(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if _SECRETS:
            message = record.getMessage()
            cleaned = redact(message, _SECRETS)
            if cleaned != message:
                record.msg, record.args = cleaned, None
        return True


logging.getLogger("httpx").addFilter(_RedactSecrets())


@dataclass(frozen=True)
class Delivered:
    """A delivery the service accepted; ``url`` is the created issue or the message, if known."""

    url: str | None


class ServiceError(Exception):
    """A delivery that failed: one line, no secret; ``retryable`` says whether to try again.

    ``retry_after`` is the wait in seconds the service asked for (a rate limit), if any.
    """

    def __init__(self, message: str, *, retryable: bool, retry_after: float | None = None) -> None:
        super().__init__(one_line(message))
        self.message = one_line(message)
        self.retryable = retryable
        self.retry_after = retry_after

    def __str__(self) -> str:
        return self.message


def one_line(text: str, limit: int = 400) -> str:
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def env_value(env: Mapping[str, str], name: str, service: str) -> str:
    """The value of the environment variable ``name``; missing or blank is a ServiceError."""
    value = env.get(name, "").strip()
    if not value:
        raise ServiceError(
            f"{service}: the environment variable {name} is not set", retryable=False
        )
    if not (value.isascii() and value.isprintable()):
        # A header cannot carry it (and httpx's error would quote it).
        raise ServiceError(
            f"{service}: the environment variable {name} holds characters a credential "
            "cannot have (a line break, a non-ASCII letter)",
            retryable=False,
        )
    return value


def base_url(env: Mapping[str, str], name: str, default: str, service: str) -> str:
    """``default`` unless the environment variable ``name`` overrides it with an http(s) URL."""
    raw = env.get(name, "").strip() or default
    if http_url(raw) is None:
        raise ServiceError(f"{service}: {name} is not an http(s) URL", retryable=False)
    return raw.rstrip("/")


def http_url(raw: str) -> SplitResult | None:
    """``raw`` split when it is an http(s) URL with a host, else None."""
    try:
        parts = urlsplit(raw)
    except ValueError:
        return None
    return parts if parts.scheme in ("http", "https") and parts.netloc else None


def setting(settings: Mapping[str, Any], key: str, service: str) -> str:
    """A required text setting of the hook's service table."""
    value = settings.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ServiceError(
            f"{service}: the hook's setting {key!r} is missing or not text", retryable=False
        )
    return value.strip()


def retry_after_seconds(headers: httpx.Headers) -> float | None:
    """``Retry-After`` as seconds (a number or an HTTP-date), clamped; None when absent."""
    value = headers.get("retry-after", "").strip()
    if not value:
        return None
    try:
        return clamp_wait(float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return clamp_wait(when.timestamp() - time.time())


def clamp_wait(seconds: float) -> float:
    if math.isnan(seconds):
        return MAX_RETRY_AFTER
    return min(MAX_RETRY_AFTER, max(0.0, seconds))


def number(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        parsed = float(value.strip())
    except ValueError:
        return None
    return parsed if math.isfinite(parsed) else None


@dataclass
class Answer:
    """A read answer: status, headers and the (capped) body."""

    status: int
    headers: httpx.Headers
    body: bytes

    def json(self) -> Any:
        """The body as JSON; None when it is empty or not JSON."""
        if not self.body.strip():
            return None
        try:
            return json.loads(self.body)
        except (ValueError, UnicodeDecodeError, RecursionError):
            return None

    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


class Call:
    """One service's requests within a delivery, with its secrets for redaction.

    ``where`` names the target in messages; for a Slack webhook it is the host
    only, because the URL's path is the credential.
    """

    def __init__(
        self, service: str, client: httpx.AsyncClient, secrets: Iterable[str] = ()
    ) -> None:
        self.service = service
        self.client = client
        # Very short strings would mask ordinary words; real credentials are long.
        self._secrets = {s for s in secrets if s and len(s) >= 8}
        _SECRETS.update(self._secrets)

    def redact(self, text: str) -> str:
        return redact(text, self._secrets)

    def fail(
        self, message: str, *, retryable: bool, retry_after: float | None = None
    ) -> ServiceError:
        """Every error leaves through here, so no message carries a secret."""
        return ServiceError(
            self.redact(f"{self.service}: {message}"),
            retryable=retryable,
            retry_after=retry_after,
        )

    def raise_if_transient(self, answer: Answer, where: str, detail: str = "") -> None:
        """A 429 (with the service's ``Retry-After``) or a 5xx: a retryable ServiceError."""
        if answer.status == 429:
            raise self.fail(
                f"{where} is rate limited (429)",
                retryable=True,
                retry_after=retry_after_seconds(answer.headers),
            )
        if answer.status >= 500:
            said = f" {detail}" if detail else ""
            raise self.fail(f"{where} failed ({answer.status}{said})", retryable=True)

    def detail(self, text: str) -> str:
        """A service's own error text, quoted safely: one line, short, redacted."""
        return self.redact(one_line(text, DETAIL_CHARS))

    async def send(
        self,
        method: str,
        url: str,
        where: str,
        *,
        headers: Mapping[str, str] | None = None,
        json_body: Any = None,
        params: Mapping[str, str] | None = None,
    ) -> Answer:
        """Send one request; transport trouble is a retryable ServiceError naming ``where``."""
        timeout = httpx.Timeout(READ_TIMEOUT, connect=CONNECT_TIMEOUT)
        started = time.perf_counter()
        try:
            async with asyncio.timeout(DEADLINE):
                async with self.client.stream(
                    method,
                    url,
                    headers=dict(headers or {}),
                    json=json_body,
                    params=dict(params) if params else None,
                    timeout=timeout,
                    follow_redirects=False,
                ) as response:
                    body = await self._read(response, where)
                    answer = Answer(response.status_code, response.headers, body)
        except TimeoutError:
            raise self.fail(
                f"{where} did not finish within the {DEADLINE:g} s deadline", retryable=True
            ) from None
        except httpx.TimeoutException:
            raise self.fail(
                f"no answer from {where} within the time limit", retryable=True
            ) from None
        except httpx.RemoteProtocolError:
            # The request may have been carried out (a server killed mid-request):
            # the retry relies on the service's idempotency measure.
            raise self.fail(
                f"the connection to {where} closed before an answer", retryable=True
            ) from None
        except httpx.InvalidURL:
            raise self.fail(f"cannot send to {where}: not a valid URL", retryable=False) from None
        except httpx.TransportError as exc:
            reason = type(exc).__name__
            raise self.fail(f"cannot reach {where} ({reason})", retryable=True) from None
        except httpx.HTTPError as exc:  # an answer httpx cannot decode
            reason = type(exc).__name__
            raise self.fail(f"unreadable answer from {where} ({reason})", retryable=True) from None
        log.debug(
            "%s %s %s -> %s in %.0f ms",
            self.service,
            method,
            where,
            answer.status,
            (time.perf_counter() - started) * 1000,
        )
        if 300 <= answer.status < 400:
            raise self.fail(
                f"{where} answered with a redirect ({answer.status}); not following it",
                retryable=False,
            )
        return answer

    async def _read(self, response: httpx.Response, where: str) -> bytes:
        too_big = self.fail(
            f"{where} answered with more than {MAX_BODY // 1024} KiB; not reading it",
            retryable=False,
        )
        declared = number(response.headers.get("content-length"))
        if declared is not None and declared > MAX_BODY:
            raise too_big
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > MAX_BODY:
                raise too_big
            chunks.append(chunk)
        return b"".join(chunks)
