"""Hostile numbers, pages and slow bodies from a helpdesk: one line each, never exit 70.

The verbs run through the CLI entry against the fake Zendesk and Gleap on
loopback (``tests/fakes``); each fault is scripted on the fake and the test
reads the exit code and the one line on stderr.
"""

from __future__ import annotations

import json
from email.utils import format_datetime
from typing import Any

import httpx
import pytest

from tests.adapters import test_zendesk_cli
from tests.adapters.remote_factories import gleap_rig, zendesk_rig
from tests.adapters.test_zendesk_cli import Out, Run
from tests.fakes.server import FakeServer, Request, Response
from tests.fakes.zendesk import FakeZendesk
from triage_tui.adapters import http as http_mod
from triage_tui.adapters.http import (
    MAX_RETRY_AFTER,
    HttpClient,
    deadline_seconds,
    json_depth_ok,
    parse_json,
)
from triage_tui.domain.clock import FrozenClock
from triage_tui.domain.errors import HelpdeskError

EXIT_INTERNAL = 70
#: The fake Zendesk configured by env vars and the CLI runner, shared with its CLI tests.
fake = test_zendesk_cli.fake
run = test_zendesk_cli.run
EXIT_UNREACHABLE = 5


def one_error_line(out: Out) -> str:
    """The run failed cleanly: not 70, no traceback, exactly one ``triage: error:`` line."""
    assert out.code not in (0, EXIT_INTERNAL), (out.code, out.err)
    assert "Traceback" not in out.err
    lines = out.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("triage: error: "), out.err
    return lines[0]


def route_first(server: FakeServer, method: str, pattern: str, handler: Any) -> None:
    """A route answered before the fake's own (``route`` appends)."""
    server.route(method, pattern, handler)
    server.routes.insert(0, server.routes.pop())


def search_page(fake: FakeZendesk, tickets: list[dict[str, Any]], next_page: str | None) -> bytes:
    body = {
        "results": [{**t, "result_type": "ticket"} for t in tickets],
        "count": 10_000,
        "next_page": next_page,
        "previous_page": None,
    }
    return json.dumps(body).encode()


def first_ticket(fake: FakeZendesk) -> dict[str, Any]:
    return dict(next(iter(fake.tickets.values())))


# -- JSON numbers and depth -----------------------------------------------------------------


def test_an_infinite_account_value_reads_as_unknown(fake: FakeZendesk, run: Run) -> None:
    user = next(u for u in fake.users.values() if u.get("user_fields", {}).get("account_value"))
    raw = json.dumps({"user": {**user, "user_fields": {"account_value": 0}}})
    fake.fail(
        200,
        raw.replace('"account_value": 0', '"account_value": 1e400').encode(),
        path=rf"/users/{user['id']}$",
        headers={"Content-Type": "application/json"},
    )
    out = run("get-user", str(user["id"]), "--json")
    assert out.code == 0, out.err
    assert out.json()["person"]["account_value"] is None


def test_a_five_thousand_digit_id_leaves_its_ticket_out_in_one_line(
    fake: FakeZendesk, run: Run
) -> None:
    ticket, other = list(fake.tickets.values())[:2]
    raw = search_page(fake, [ticket, other], None).replace(
        f'"id": {ticket["id"]}'.encode(), b'"id": ' + b"9" * 5000, 1
    )
    fake.fail(200, raw, path=r"/search$", headers={"Content-Type": "application/json"})
    out = run("queue")
    assert out.code == 0 and "Traceback" not in out.err
    (line,) = out.err.strip().splitlines()
    assert line.startswith("triage: warning: Zendesk sent 1 record that could not be read")
    assert "ticket (id: Input should be a finite number)" in line and len(line) < 300
    assert f" {other['id']} " in out.out and "1 of 1 active tickets" in out.out


def test_json_nested_a_hundred_thousand_deep_is_refused(fake: FakeZendesk, run: Run) -> None:
    fake.fail(
        200,
        b'{"results": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
        path=r"/search$",
        headers={"Content-Type": "application/json"},
    )
    line = one_error_line(run("queue"))
    assert "nested more than 64 levels" in line


def test_parse_json_limits() -> None:
    assert parse_json(b'{"a": [1, {"b": "[[[[["}]}') == {"a": [1, {"b": "[[[[["}]}
    assert parse_json(b'{"n": ' + b"1" * 41 + b"}") == {"n": float("inf")}
    assert parse_json(b'{"n": -' + b"1" * 41 + b"}") == {"n": float("-inf")}
    assert parse_json(b'{"n": ' + b"1" * 40 + b"}") == {"n": int("1" * 40)}
    assert json_depth_ok(b"[" * 64 + b"]" * 64)
    assert not json_depth_ok(b"[" * 65 + b"]" * 65)
    assert json_depth_ok(b'["' + b"[" * 500 + b'"]')  # brackets inside strings do not count


# -- Retry-After and the deadline ---------------------------------------------------------------


@pytest.mark.parametrize("value", ["inf", "nan", "1e400", "99999999999999999999"])
def test_an_endless_retry_after_is_rate_limited_at_the_cap(
    fake: FakeZendesk, run: Run, value: str
) -> None:
    fake.fail(429, "slow down", headers={"Retry-After": value})
    line = one_error_line(run("queue"))
    assert f"try again in {MAX_RETRY_AFTER:.0f} s" in line


def test_retry_after_is_clamped_both_ways(clock: FrozenClock) -> None:
    client = HttpClient("https://example.test", service="Test", clock=clock)

    def wait(value: str) -> float:
        request = httpx.Request("GET", "https://example.test/x")
        return client.retry_after(
            httpx.Response(429, headers={"Retry-After": value}, request=request)
        )

    far = format_datetime(clock.now().replace(year=9999), usegmt=True)
    assert wait(far) == MAX_RETRY_AFTER
    assert wait("-30") == 0.0
    assert wait("12") == 12.0


def test_the_deadline_comes_from_the_timeout_or_the_environment() -> None:
    assert deadline_seconds(20.0, {}) == 60.0
    assert deadline_seconds(20.0, {"TRIAGE_HTTP_DEADLINE": "2.5"}) == 2.5
    for ignored in ("inf", "nan", "-1", "soon"):
        assert deadline_seconds(20.0, {"TRIAGE_HTTP_DEADLINE": ignored}) == 60.0
    assert deadline_seconds(1e9, {}) == http_mod.MAX_SECONDS


def test_a_trickled_body_is_cut_at_the_deadline(
    fake: FakeZendesk, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRIAGE_HTTP_DEADLINE", "1")
    # One byte every 0.2 s: each byte resets the 20 s read timeout; only the deadline ends it.
    fake.fail(200, {"results": [], "count": 0, "next_page": None}, path=r"/search$", trickle=0.2)
    out = run("queue")
    line = one_error_line(out)
    assert out.code == EXIT_UNREACHABLE
    assert "did not finish GET /search within the 1 s deadline" in line


# -- paging ----------------------------------------------------------------------------------


def test_a_malformed_next_link_is_one_line(fake: FakeZendesk, run: Run) -> None:
    fake.fail(
        200,
        search_page(fake, [first_ticket(fake)], "http://[::1/x"),
        path=r"/search$",
        headers={"Content-Type": "application/json"},
    )
    line = one_error_line(run("queue"))
    assert "malformed link (http://[::1/x)" in line


def test_a_next_link_to_the_same_page_stops(fake: FakeZendesk, run: Run) -> None:
    def same(request: Request) -> Response:
        link = fake.link(request.path, request.query)
        return Response(200, json.loads(search_page(fake, [first_ticket(fake)], link)))

    route_first(fake, "GET", r"/search", same)
    line = one_error_line(run("queue"))
    assert "sent the same search page twice" in line


def test_an_empty_page_that_links_onward_stops(fake: FakeZendesk, run: Run) -> None:
    def empty(request: Request) -> Response:
        page = int(request.q("page") or 1)
        link = fake.link(request.path, {**request.query, "page": page + 1})
        return Response(200, json.loads(search_page(fake, [], link)))

    route_first(fake, "GET", r"/search", empty)
    line = one_error_line(run("queue"))
    assert "empty search page that links to another" in line


def repeating(fake: FakeZendesk, ticket: dict[str, Any], pages: int) -> None:
    """``pages`` pages, each with a new link and the same one ticket."""

    def handler(request: Request) -> Response:
        page = int(request.q("page") or 1)
        more = page < pages
        link = fake.link(request.path, {**request.query, "page": page + 1}) if more else None
        return Response(200, json.loads(search_page(fake, [ticket], link)))

    route_first(fake, "GET", r"/search", handler)


def test_one_ticket_repeated_on_901_pages_is_one_row(fake: FakeZendesk, run: Run) -> None:
    ticket = first_ticket(fake)
    repeating(fake, ticket, 901)
    out = run("queue", "--json", "--limit", "0")
    assert out.code == 0, out.err
    assert [t["id"] for t in out.json()["tickets"]] == [str(ticket["id"])]
    assert len(fake.requests("GET", r"/search$")) == 901


def test_too_many_pages_stop_with_one_line(
    fake: FakeZendesk, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(http_mod, "MAX_PAGES", 5)
    repeating(fake, first_ticket(fake), 50)
    line = one_error_line(run("queue", "--limit", "0"))
    assert "goes on past 5 pages" in line
    assert len(fake.requests("GET", r"/search$")) == 5


async def test_gleap_pages_that_ignore_skip_merge_repeats_and_stop(
    clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(http_mod, "MAX_PAGES", 30)
    async with gleap_rig(clock, page_size=2) as rig:
        # A server that ignores ``skip``: every page is the first one, for ever.
        def first_page_always(request: Request) -> Response:
            request.query["skip"] = "0"
            answer = rig.fake.list_tickets(request)
            answer.body["totalCount"] = 10_000
            return answer

        route_first(rig.fake, "GET", r"/tickets", first_page_always)
        rows: list[str] = []
        with pytest.raises(HelpdeskError, match="goes on past 30 pages"):
            async for ticket in rig.helpdesk.iter_queue():
                rows.append(ticket.id)
        assert len(rows) == len(set(rows)) == 2


async def test_zendesk_view_with_a_repeating_cursor_stops(clock: FrozenClock) -> None:
    async with zendesk_rig(clock, view_id=1) as rig:
        rig.fake.fail(
            200,
            {
                "tickets": [],
                "meta": {"has_more": True, "after_cursor": "x"},
                "links": {"next": None},
            },
            times=5,
        )
        with pytest.raises(HelpdeskError, match="same view page twice|empty view page"):
            [t async for t in rig.helpdesk.iter_queue()]
