"""Issue 18 item 6: the change feed's poll interval adapts (``engine.changes.PollPolicy``).

Driven through ``ChangePoller.run`` with a fake clock: every wait the poller asks
for is recorded by ``FakeTime`` and nothing really sleeps.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from tests.fakes.fake_time import FakeTime
from triage_tui.adapters.django_helpdesk.adapter import DjangoHelpdesk
from triage_tui.adapters.gleap.adapter import GleapHelpdesk
from triage_tui.adapters.local.adapter import LocalHelpdesk
from triage_tui.adapters.rt.adapter import RtHelpdesk
from triage_tui.adapters.zendesk.adapter import ZendeskHelpdesk
from triage_tui.domain.changes import Change, ChangeBatch, ChangeKind, FeedRateLimit
from triage_tui.domain.clock import FrozenClock
from triage_tui.domain.errors import TriageError, Unreachable
from triage_tui.engine.changes import (
    IDLE_BUDGET_SHARE,
    IDLE_POLLS_PER_STEP,
    LOCAL_POLL_SECONDS,
    MAX_BACKOFF_SECONDS,
    REMOTE_IDLE_CAP_SECONDS,
    REMOTE_POLL_SECONDS,
    ChangePoller,
    PollPolicy,
    budget_interval,
    default_interval,
)


class ScriptedFeed:
    """A helpdesk whose feed answers from a script: "idle", "change" or an error,
    one per poll; "idle" once the script is used up."""

    name = "scripted"

    def __init__(self, script: list[str | TriageError]) -> None:
        self.script = script
        self.polls = 0

    async def changes_since(self, cursor: str | None, limit: int = 500) -> ChangeBatch:
        self.polls += 1
        step = self.script.pop(0) if self.script else "idle"
        if isinstance(step, TriageError):
            raise step
        n = int(cursor or 0)
        if step == "change":
            return ChangeBatch((Change(str(n), ChangeKind.UPDATED),), str(n + 1))
        return ChangeBatch((), str(n))


async def waits_of(
    feed: ScriptedFeed, policy: PollPolicy, clock: FrozenClock, count: int
) -> list[float]:
    """The first ``count`` waits the poller asks for."""
    time = FakeTime(clock)
    poller = ChangePoller(feed, lambda batch: None, policy=policy, sleep=time.sleep)  # type: ignore[arg-type]

    async def stop_after() -> None:
        while len(time.sleeps) < count:
            await asyncio.sleep(0)
        poller.stop()

    await asyncio.gather(poller.run(), stop_after())
    return time.sleeps[:count]


async def test_idle_polls_double_the_interval_up_to_the_cap_and_a_change_snaps_it_back(
    clock: FrozenClock,
) -> None:
    """Issue 18 item 6: after 10 polls without a change the interval doubles, after 10
    more again, up to the cap; one change brings it back to the base at once."""
    idle_run = 2 * IDLE_POLLS_PER_STEP + 5
    feed = ScriptedFeed(["idle"] * idle_run + ["change"])
    policy = PollPolicy(30.0, idle_cap=120.0)
    waits = await waits_of(feed, policy, clock, idle_run + 3)
    step = IDLE_POLLS_PER_STEP
    assert waits[: step - 1] == [30.0] * (step - 1)
    assert waits[step - 1 : 2 * step - 1] == [60.0] * step
    assert waits[2 * step - 1 : idle_run] == [120.0] * (idle_run - 2 * step + 1)
    # The change arrives on poll idle_run + 1: the wait after it is the base again.
    assert waits[idle_run:] == [30.0, 30.0, 30.0]
    assert feed.polls == idle_run + 3


async def test_errors_back_off_from_the_base_and_idleness_resumes_after(
    clock: FrozenClock,
) -> None:
    """Issue 18 item 6: offline (failed polls) backs off 2×, 4×… the base, capped at
    5 minutes; the next good idle polls wait the idle interval again."""
    feed = ScriptedFeed(["idle"] * 12 + [Unreachable("down")] * 6)
    policy = PollPolicy(60.0, idle_cap=120.0)
    waits = await waits_of(feed, policy, clock, 20)
    assert waits[:9] == [60.0] * 9 and waits[9:12] == [120.0] * 3
    assert waits[12:18] == [120.0, 240.0, MAX_BACKOFF_SECONDS, MAX_BACKOFF_SECONDS, 300.0, 300.0]
    # Back online, still nothing changing: the idle count goes on where it was.
    assert waits[18:] == [120.0, 120.0]
    assert policy.failures == 0


async def test_a_fixed_poll_seconds_never_backs_off_while_idle(clock: FrozenClock) -> None:
    """Issue 18 item 6: the profile's poll_seconds is taken as is."""
    policy = PollPolicy.for_helpdesk(ZendeskHelpdesk, 7.0)  # type: ignore[arg-type]
    waits = await waits_of(ScriptedFeed([]), policy, clock, 3 * IDLE_POLLS_PER_STEP)
    assert set(waits) == {7.0}


@pytest.mark.parametrize(
    ("adapter", "base", "cap"),
    [
        (LocalHelpdesk, LOCAL_POLL_SECONDS, LOCAL_POLL_SECONDS),
        (ZendeskHelpdesk, 30.0, REMOTE_IDLE_CAP_SECONDS),
        (GleapHelpdesk, 10.0, REMOTE_IDLE_CAP_SECONDS),
        (RtHelpdesk, REMOTE_POLL_SECONDS, REMOTE_IDLE_CAP_SECONDS),
        (DjangoHelpdesk, REMOTE_POLL_SECONDS, REMOTE_IDLE_CAP_SECONDS),
    ],
    ids=lambda v: getattr(v, "name", str(v)),
)
def test_each_adapter_polls_within_its_budget(adapter: Any, base: float, cap: float) -> None:
    """Issue 18 item 6: local every 2 s without idle back-off (an idle poll is a
    PRAGMA); a remote helpdesk idle at most 2 % of its documented account limit and
    20 % of a feed endpoint's own (Zendesk's incremental export: 10 a minute);
    undocumented limits (RT, django-helpdesk) get the conservative 30 s."""
    policy = PollPolicy.for_helpdesk(adapter)
    assert (policy.base, policy.idle_cap) == (base, cap)
    assert default_interval(adapter) == base
    limit: FeedRateLimit | None = adapter.feed_rate_limit
    if limit is not None:
        per_minute = 60.0 / policy.base
        assert per_minute <= IDLE_BUDGET_SHARE * limit.per_minute
        if limit.feed_per_minute:
            assert per_minute <= 0.2 * limit.feed_per_minute


def test_the_budget_is_the_tighter_of_the_account_and_the_endpoint_share() -> None:
    """Issue 18 item 6: 2 % of 700 a minute is 14 (every 4.3 s); 20 % of 10 is 2 (30 s)."""
    assert budget_interval(FeedRateLimit(700.0)) == pytest.approx(60 / 14)
    assert budget_interval(FeedRateLimit(700.0, 10.0)) == pytest.approx(30.0)
    assert budget_interval(FeedRateLimit(200.0, 10.0)) == pytest.approx(30.0)  # Team plan


def test_a_policy_refuses_a_non_positive_interval() -> None:
    """Issue 18 item 6: a zero interval would poll in a busy loop."""
    with pytest.raises(ValueError, match="positive"):
        PollPolicy(0.0)


def test_the_outbox_wrapper_keeps_the_adapters_budget(tmp_path: Path) -> None:
    """Issue 18 item 6: the console and the verbs poll through ``BufferedHelpdesk``;
    the interval is still the wrapped helpdesk's (Gleap: 10 s), not the 30 s of a
    helpdesk without a documented limit."""
    from tests.adapters.contract import MinimalHelpdesk
    from triage_tui.engine.buffered import BufferedHelpdesk

    inner = MinimalHelpdesk()
    inner.feed_rate_limit = GleapHelpdesk.feed_rate_limit  # type: ignore[misc]
    wrapped = BufferedHelpdesk(inner, "key", data_dir=tmp_path)
    assert wrapped.feed_rate_limit == FeedRateLimit(1000.0)
    assert PollPolicy.for_helpdesk(wrapped).base == 10.0
