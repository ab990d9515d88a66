"""The outbox against the faulty loopback helpdesk: one rig per test."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.fakes.fake_time import FakeTime, until
from tests.fakes.faulty import FaultyServer
from tests.fakes.faulty_adapter import FaultyHelpdesk, FaultyOptions, IdempotentFaultyHelpdesk
from triage_tui.domain.clock import FrozenClock
from triage_tui.engine import outbox_model as om
from triage_tui.engine.buffered import CONSOLE_MODE, BufferedHelpdesk

KEY = "test.faulty.0"


@dataclass
class Rig:
    server: FaultyServer
    helpdesk: BufferedHelpdesk
    time: FakeTime
    tickets: list[str]
    data_dir: Path

    async def settled(self, what: str = "the outbox to settle") -> None:
        """Nothing held, pending or delivering any more."""
        await until(lambda: self.helpdesk.in_flight_count() == 0, what=what)

    def entries(self, kind: str | None = None) -> list[om.Entry]:
        found = self.helpdesk.outbox.entries()
        return [e for e in found if kind is None or e.kind == kind]

    def posts(self) -> int:
        return sum(1 for method, _ in self.server.requests if method != "GET")


def buffered(
    server: FaultyServer,
    data_dir: Path,
    clock: FrozenClock,
    fake: FakeTime,
    *,
    idempotent: bool = False,
    mode: str = CONSOLE_MODE,
    hold: float = 0.0,
    timeout: float = 0.3,
    seed: int = 1,
) -> BufferedHelpdesk:
    cls = IdempotentFaultyHelpdesk if idempotent else FaultyHelpdesk
    inner = cls(FaultyOptions(url=server.url, timeout=timeout), clock)
    return BufferedHelpdesk(
        inner,
        KEY,
        mode=mode,
        hold_seconds=hold,
        data_dir=data_dir,
        sleep=fake.sleep,
        rng=random.Random(seed),
    )


@asynccontextmanager
async def rig(
    tmp_path: Path,
    clock: FrozenClock,
    *,
    idempotent: bool = False,
    mode: str = CONSOLE_MODE,
    hold: float = 0.0,
    auto: bool = True,
    hang: float = 0.6,
    tickets: int = 3,
) -> AsyncIterator[Rig]:
    server = FaultyServer(
        clock, idempotency=idempotent, safe_update=idempotent, hang_seconds=hang
    ).start()
    ids = [
        server.add_ticket(f"Problem {i}", requester=f"Dana Reyes{i or ''}") for i in range(tickets)
    ]
    fake = FakeTime(clock, auto=auto)
    helpdesk = buffered(
        server, tmp_path / "data", clock, fake, idempotent=idempotent, mode=mode, hold=hold
    )
    await helpdesk.open()
    try:
        yield Rig(server, helpdesk, fake, ids, tmp_path / "data")
    finally:
        await helpdesk.close()
        server.stop()
