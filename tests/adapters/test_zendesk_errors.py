"""Zendesk under trouble: rate limits (fake clock), conflicts, API errors, slow or absent servers.

Every error must be one of the project's types with one readable line.
"""

from __future__ import annotations

from datetime import timedelta
from email.utils import format_datetime

import pytest

from tests.adapters.remote_factories import zendesk_rig
from tests.adapters.seed import DEFAULT_SPEC
from tests.fakes.server import RateWindow
from triage_tui.adapters.zendesk import ZendeskHelpdesk, ZendeskOptions
from triage_tui.domain.clock import FrozenClock
from triage_tui.domain.enums import Status
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


def one_line(error: BaseException) -> str:
    assert isinstance(error, TriageError)
    text = str(error)
    assert text and "\n" not in text
    return text


# -- rate limits -------------------------------------------------------------------------


async def test_429_with_retry_after_seconds_is_waited_out_and_retried(clock: FrozenClock) -> None:
    async with zendesk_rig(clock) as rig:
        rig.fake.fail(429, {"error": "TooManyRequests"}, headers={"Retry-After": "7"}, times=2)
        detail = await rig.helpdesk.get_ticket(rig.tid("sso"))
        assert detail.ticket.id == rig.tid("sso")
        assert rig.sleeps == [7.0, 7.0]
        assert rig.helpdesk.api.http.stats.rate_limit_waits == [7.0, 7.0]


async def test_retry_after_as_an_http_date_counts_from_the_clock(clock: FrozenClock) -> None:
    async with zendesk_rig(clock) as rig:
        when = format_datetime(clock.now() + timedelta(seconds=42), usegmt=True)
        rig.fake.fail(429, "Slow down", headers={"Retry-After": when})
        await rig.helpdesk.get_ticket(rig.tid("sso"))
        assert rig.sleeps == [42.0]


async def test_429_without_the_header_and_with_a_plain_text_body_waits_the_default(
    clock: FrozenClock,
) -> None:
    async with zendesk_rig(clock) as rig:
        rig.fake.fail(429, b"<html>Too Many Requests</html>", headers={"Content-Type": "text/html"})
        await rig.helpdesk.search_kb("okta")
        assert rig.sleeps == [10.0]  # HttpClient.default_retry_after
        rig.fake.fail(429, "rate limited", headers={"ratelimit-reset": "3"})
        await rig.helpdesk.search_kb("okta")
        assert rig.sleeps == [10.0, 3.0]  # no Retry-After: the window's reset


async def test_a_limit_that_persists_ends_as_rate_limited_with_the_wait(clock: FrozenClock) -> None:
    async with zendesk_rig(clock) as rig:
        rig.fake.fail(429, "no", headers={"Retry-After": "5"}, times=10)
        with pytest.raises(RateLimited) as caught:
            await rig.helpdesk.get_ticket(rig.tid("sso"))
        assert caught.value.retry_after == 5.0
        assert one_line(caught.value).startswith("Zendesk rate limit reached on GET /tickets")
        assert rig.sleeps == [5.0, 5.0, 5.0]  # four attempts, three waits


async def test_a_wait_longer_than_the_cap_is_not_slept(clock: FrozenClock) -> None:
    async with zendesk_rig(clock) as rig:
        rig.fake.fail(429, None, headers={"Retry-After": "3600"})
        with pytest.raises(RateLimited, match="try again in 3600 s"):
            await rig.helpdesk.reply(rig.tid("sso"), "Hello")
        assert rig.sleeps == []


async def test_slows_down_before_the_limit_from_the_remaining_headers(clock: FrozenClock) -> None:
    spec = DEFAULT_SPEC.with_fillers(60)
    async with zendesk_rig(clock, spec, page_size=5) as rig:
        rig.fake.rate = RateWindow(limit=100, remaining=14, reset=30)
        tickets = [t async for t in rig.helpdesk.iter_queue()]
        assert len(tickets) == 64
        stats = rig.helpdesk.api.http.stats
        assert stats.rate_limit_waits == []  # never ran into the wall
        # Above 10 % left: full speed; then the window's time is spread over what is left
        # (13 pages: the wait after the last answer is never needed).
        assert stats.pacing_waits == [30 / (left + 1) for left in range(10, 1, -1)]
        assert rig.sleeps == stats.pacing_waits


# -- conflicts and API errors --------------------------------------------------------------


async def test_safe_update_conflict_is_a_conflict_and_writes_nothing(clock: FrozenClock) -> None:
    async with zendesk_rig(clock) as rig:
        tid = rig.tid("sso")
        await rig.helpdesk.get_ticket(tid)
        rig.fake.touch(int(tid))  # someone else answers meanwhile
        count = len(rig.fake.comments[int(tid)])
        with pytest.raises(Conflict) as caught:
            await rig.helpdesk.reply(tid, "Hi Ana")
        assert one_line(caught.value) == (
            f"Zendesk ticket {tid} was changed by someone else since it was loaded; "
            "reload it and try again"
        )
        assert len(rig.fake.comments[int(tid)]) == count
        await rig.helpdesk.get_ticket(tid)  # reload: the new stamp is used
        await rig.helpdesk.reply(tid, "Hi Ana")
        assert rig.fake.comments[int(tid)][-1]["body"] == "Hi Ana"


async def test_record_invalid_details_become_one_readable_line(clock: FrozenClock) -> None:
    async with zendesk_rig(clock) as rig:
        tid = rig.tid("closed")
        with pytest.raises(InvalidInput) as caught:
            await rig.helpdesk.set_status(tid, Status.OPEN)
        assert one_line(caught.value) == (
            f"Zendesk refused PUT /tickets/{tid} (422): Record validation errors: "
            "Status: closed prevents ticket update"
        )
        rig.fake.fail(
            422,
            {
                "error": "RecordInvalid",
                "description": "Record validation errors",
                "details": {
                    "base": [{"description": "Comment: body is too long", "error": "TooLong"}],
                    "tags": [{"description": "invalid character", "error": "Invalid"}],
                },
            },
        )
        with pytest.raises(InvalidInput) as caught:
            await rig.helpdesk.reply(rig.tid("sso"), "x" * 10)
        assert one_line(caught.value).endswith(
            "Record validation errors: Comment: body is too long; tags: invalid character"
        )


async def test_record_not_found_names_the_ticket(clock: FrozenClock) -> None:
    async with zendesk_rig(clock) as rig:
        for call in (
            rig.helpdesk.reply("424242", "Hello"),
            rig.helpdesk.get_ticket("424242"),
            rig.helpdesk.set_status("#424242", Status.SOLVED),
        ):
            with pytest.raises(NotFound) as caught:
                await call
            assert one_line(caught.value) == "Zendesk ticket 424242 not found"
        with pytest.raises(NotFound, match="ticket ids are numbers"):
            await rig.helpdesk.get_ticket("abc")


async def test_wrong_credentials_and_missing_permissions_are_auth_errors(
    clock: FrozenClock,
) -> None:
    async with zendesk_rig(clock, token="wrong-token-value") as rig:
        with pytest.raises(AuthError) as caught:
            [t async for t in rig.helpdesk.iter_queue()]
        assert one_line(caught.value) == (
            "Zendesk rejected the credentials (401 on GET /search): Couldn't authenticate you"
        )
    async with zendesk_rig(clock) as rig:
        rig.fake.forbidden.add("/help_center")
        with pytest.raises(AuthError, match=r"refused GET /help_center/articles/search \(403\)"):
            await rig.helpdesk.search_kb("okta")


async def test_server_errors_are_retried_for_reads_then_carry_the_status(
    clock: FrozenClock,
) -> None:
    async with zendesk_rig(clock) as rig:
        rig.fake.fail(503, "upstream down", times=2)
        assert (await rig.helpdesk.get_ticket(rig.tid("sso"))).ticket.subject
        assert rig.sleeps == [1.0, 2.0]
        rig.fake.fail(500, {"error": "InternalError"}, method="PUT")
        with pytest.raises(HelpdeskError) as caught:
            await rig.helpdesk.reply(rig.tid("sso"), "Hello")
        assert caught.value.status == 500  # type: ignore[attr-defined]
        assert len(rig.fake.requests("PUT")) == 1  # a write is never resent blindly
        assert (
            one_line(caught.value) == "Zendesk server error 500 on PUT /tickets/101: InternalError"
        )


async def test_non_json_success_is_a_helpdesk_error(clock: FrozenClock) -> None:
    async with zendesk_rig(clock) as rig:
        rig.fake.fail(200, b"<html>captive portal</html>", headers={"Content-Type": "text/html"})
        with pytest.raises(HelpdeskError, match="not JSON"):
            await rig.helpdesk.get_ticket(rig.tid("sso"))


async def test_anonymous_me_is_an_auth_error(clock: FrozenClock) -> None:
    async with zendesk_rig(clock) as rig:
        rig.fake.fail(200, {"user": {"id": None, "name": "Anonymous user", "role": "end-user"}})
        with pytest.raises(AuthError, match="anonymous"):
            await rig.helpdesk.probe()


async def test_a_next_link_to_another_host_is_not_followed(clock: FrozenClock) -> None:
    async with zendesk_rig(clock, view_id=1) as rig:
        rig.fake.fail(
            200,
            {
                "tickets": [],
                "meta": {"has_more": True, "after_cursor": "x"},
                "links": {"next": "https://collector.example/api/v2/views/1/tickets?page[after]=x"},
            },
        )
        with pytest.raises(HelpdeskError, match="another host"):
            [t async for t in rig.helpdesk.iter_queue()]


# -- slow and absent servers ----------------------------------------------------------------


async def test_a_slow_server_times_out_as_unreachable(clock: FrozenClock) -> None:
    async with zendesk_rig(clock, timeout=0.2) as rig:
        rig.fake.delay = 0.6
        with pytest.raises(Unreachable) as caught:
            await rig.helpdesk.get_ticket(rig.tid("sso"))
        assert (
            one_line(caught.value) == "Zendesk did not answer GET /tickets/show_many within 0.2 s"
        )
        rig.fake.delay = 0.0


async def test_nothing_listening_is_unreachable_and_missing_settings_a_config_error(
    clock: FrozenClock,
) -> None:
    options = ZendeskOptions(base_url="http://127.0.0.1:9", email="a@b.example", token="tok-1234")  # type: ignore[arg-type]
    async with ZendeskHelpdesk(options, clock) as helpdesk:
        with pytest.raises(Unreachable, match=r"cannot reach Zendesk at 127\.0\.0\.1:9"):
            await helpdesk.get_ticket("1")
    from triage_tui.domain.errors import ConfigError

    with pytest.raises(ConfigError) as caught:
        async with ZendeskHelpdesk(ZendeskOptions(subdomain="acme"), clock):
            pass
    assert one_line(caught.value).startswith(
        "Zendesk needs TRIAGE_ZENDESK_EMAIL + TRIAGE_ZENDESK_TOKEN"
    )
