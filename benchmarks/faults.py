"""A long randomised fault campaign against the faulty loopback helpdesk.

    python benchmarks/faults.py [--actions 400] [--seed 7] [--fault-rate 0.3]
                                [--idempotent] [--max-seconds 60]

Hundreds of console actions — replies, notes, status, priority, tags,
assignment, escalations, Send batches (reply + status), bulk batches over
several tickets — go through a ``BufferedHelpdesk`` in console mode while the
server (``tests/fakes/faulty.py``, 127.0.0.1 only) drops connections, answers
500 and 429 (Retry-After in seconds, as an HTTP date, or missing), hangs past
the client's timeout and applies writes then cuts the connection. On top:
offline stretches (every request dropped), a customer writing again while a
reply waits (collisions, resolved with "send anyway"), undo within the
window, and simulated kill -9 of the console mid-delivery (the deliverer is
torn down with no cleanup; a new one starts on the same outbox).

Prints one JSON object. ``duplicates`` counts writes that took effect more
than once and ``lost`` entries that should have been delivered and were not:
both must be 0. Backoff and Retry-After waits run on a fake clock
(``fake_clock_hours``); only the client timeouts of "hang" cost real time.
Seeded: the same arguments give the same campaign (timing of the kills aside).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import random
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.fakes.fake_time import FakeTime
from tests.fakes.faulty import Fault, FaultyServer
from tests.fakes.faulty_adapter import FaultyHelpdesk, FaultyOptions, IdempotentFaultyHelpdesk
from triage_tui.domain.clock import FrozenClock
from triage_tui.domain.enums import Priority, Status
from triage_tui.domain.errors import TriageError
from triage_tui.domain.models import Escalation
from triage_tui.engine import outbox as ob
from triage_tui.engine import outbox_model as om
from triage_tui.engine.actions import send_reply
from triage_tui.engine.buffered import BufferedHelpdesk, batch

WEIGHTS = {
    Fault.DROP: 3,
    Fault.ERROR: 3,
    Fault.RATE: 1,
    Fault.RATE_DATE: 1,
    Fault.RATE_BARE: 1,
    Fault.HANG: 1,
    Fault.CUT: 3,
}
TICKETS = 30


class Campaign:
    def __init__(self, args: argparse.Namespace, workdir: Path) -> None:
        self.args = args
        self.rng = random.Random(args.seed)
        self.clock = FrozenClock(datetime(2026, 11, 22, 9, 30, tzinfo=UTC))
        self.fake = FakeTime(self.clock, auto=True)
        self.server = FaultyServer(
            self.clock, idempotency=args.idempotent, safe_update=args.idempotent, hang_seconds=0.3
        ).start()
        self.tickets = [
            self.server.add_ticket(f"Case {n}", requester=f"Customer {n}") for n in range(TICKETS)
        ]
        self.workdir = workdir
        self.stats: Counter[str] = Counter()
        self.undone: set[str] = set()
        self.helpdesk = self._helpdesk()

    def _helpdesk(self) -> BufferedHelpdesk:
        cls = IdempotentFaultyHelpdesk if self.args.idempotent else FaultyHelpdesk
        inner = cls(FaultyOptions(url=self.server.url, timeout=0.15), self.clock)
        return BufferedHelpdesk(
            inner,
            "campaign.faulty.0",
            hold_seconds=5,
            data_dir=self.workdir,
            sleep=self.fake.sleep,
            rng=random.Random(self.rng.random()),
        )

    # -- the agent ----------------------------------------------------------
    async def act(self, n: int) -> None:
        hd, rng = self.helpdesk, self.rng
        ticket = rng.choice(self.tickets)
        try:
            detail = await hd.get_ticket(ticket)  # what the agent sees (the reply's base)
        except TriageError:
            detail = None
        kind = rng.choices(
            ["send", "reply", "note", "status", "priority", "tag", "assign", "escalate", "bulk"],
            [4, 2, 2, 2, 1, 1, 1, 1, 1],
        )[0]
        self.stats[f"action_{kind}"] += 1
        if kind == "send" and detail is not None:
            status = rng.choice([Status.PENDING, Status.SOLVED, Status.OPEN])
            await send_reply(hd, detail.ticket, f"Campaign reply {n}.", status)
        elif kind in ("send", "reply"):
            await hd.reply(ticket, f"Campaign reply {n}.")
        elif kind == "note":
            await hd.add_note(ticket, f"Campaign note {n}.")
        elif kind == "status":
            await hd.set_status(ticket, rng.choice([Status.PENDING, Status.ON_HOLD, Status.OPEN]))
        elif kind == "priority":
            await hd.set_priority(ticket, rng.choice(list(Priority)))
        elif kind == "tag":
            await hd.tag(ticket, add=[f"t{n}"], remove=[])
        elif kind == "assign":
            await hd.assign(ticket, rng.choice(["Sam", "Alex", None]))
        elif kind == "escalate":
            await hd.escalate(ticket, Escalation(reason=f"Campaign escalation {n}", tags=["esc"]))
        else:
            with batch(hd):
                for other in rng.sample(self.tickets, 3):
                    await hd.tag(other, add=[f"bulk{n}"], remove=[])
                    await hd.set_status(other, Status.PENDING)
        if rng.random() < 0.08:
            cancelled = hd.undo_last()
            self.undone.update(e.id for e in cancelled)
            self.stats["undo"] += 1

    async def crash(self) -> None:
        """kill -9 while something is in flight: no handler runs, a new console starts."""
        deliverer = self.helpdesk.deliverer
        deadline = time.monotonic() + 0.5
        while deliverer.current is None and time.monotonic() < deadline:
            await asyncio.sleep(0.002)
        for _ in range(self.rng.randrange(4)):
            await asyncio.sleep(0)
        if deliverer.current is not None:
            self.stats["crashes_mid_delivery"] += 1
        self.helpdesk.outbox.interrupted = lambda entry_id: None  # type: ignore[method-assign]
        task = deliverer._task
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        await self.helpdesk.inner.close()
        self.helpdesk.outbox.close()
        # A killed process's sessions die with it: the next console takes over its entries.
        om.session_ended(self.helpdesk.session)
        self.stats["crashes"] += 1
        # The restart's check comes ``settle`` seconds of real time later; the
        # fake clock skips that, so let the server finish what it was doing.
        deadline = time.monotonic() + 2
        while self.server.active and time.monotonic() < deadline:
            await asyncio.sleep(0.005)
        self.helpdesk = self._helpdesk()
        await self.start()

    async def start(self) -> None:
        """Open like the console: start again when the helpdesk fails the very first call."""
        for _ in range(50):
            try:
                await self.helpdesk.open()
                break
            except TriageError:
                self.stats["failed_starts"] += 1
                await self.helpdesk.inner.close()
        # The console lists the queue first (and caches it for offline use).
        with contextlib.suppress(TriageError):
            [row async for page in self.helpdesk.iter_queue_rows() for row in page]

    def resolve(self) -> None:
        """The agent's answers: collisions sent anyway, refused writes retried."""
        for entry in self.helpdesk.outbox.entries(om.ATTENTION):
            if entry.state == om.CONFLICT and self.helpdesk.send_anyway(entry.id):
                self.stats["collisions_sent_anyway"] += 1
            elif entry.state == om.FAILED and self.helpdesk.retry(entry.id):
                self.stats["failed_then_retried"] += 1

    # -- the run ------------------------------------------------------------
    async def run(self) -> dict[str, object]:
        started = time.monotonic()
        budget = self.args.max_seconds
        self.server.randomise(self.args.seed, self.args.fault_rate, WEIGHTS)
        await self.start()
        actions = 0
        offline_left = 0
        for n in range(self.args.actions):
            if time.monotonic() - started > budget * 0.7:
                break
            if offline_left == 0 and self.rng.random() < 0.02:
                offline_left = self.rng.randrange(5, 20)
                self.server.down = True
                self.stats["offline_periods"] += 1
            if offline_left:
                offline_left -= 1
                self.server.down = offline_left > 0
            if self.rng.random() < 0.05:
                ticket = self.rng.choice(self.tickets)
                self.server.add_message(ticket, "Customer", "customer", f"Any news? ({n})")
            await self.act(n)
            actions += 1
            for _ in range(self.rng.randrange(1, 30)):
                await asyncio.sleep(0)
            if self.rng.random() < 0.02:
                await self.crash()
            self.resolve()
        self.server.down = False
        while time.monotonic() - started < budget:
            self.helpdesk.release_all()
            self.resolve()
            if self.helpdesk.in_flight_count() == 0 and not self.helpdesk.outbox.entries(
                om.ATTENTION
            ):
                break
            await asyncio.sleep(0.01)
        await self.helpdesk.close()
        self.server.stop()
        return self.report(actions, time.monotonic() - started)

    def report(self, actions: int, seconds: float) -> dict[str, object]:
        box = ob.Outbox(self.helpdesk.outbox_path, self.clock)
        entries = box.entries(limit=100_000)
        box.close()
        effects = self.server.effects()
        bodies = Counter(
            m["body"] for ms in self.server.messages.values() for m in ms if m["role"] == "agent"
        )
        expected = [e for e in entries if e.id not in self.undone]
        lost = [e for e in expected if e.state != om.DELIVERED]
        duplicates = [t for t, count in effects.items() if count > 1]
        for entry in expected:
            text = entry.payload.get("body") or (
                f"Escalated: {entry.payload['reason']}" if entry.kind == "escalate" else None
            )
            if text is not None and bodies[text] != 1:
                (duplicates if bodies[text] > 1 else lost).append(entry)  # type: ignore[arg-type]
        undone_sent = [e for e in entries if e.id in self.undone and effects[e.idem_key]]
        if self.args.verbose:
            by_key = {e.idem_key: e for e in entries}
            for item in duplicates + lost:
                entry = by_key.get(item) if isinstance(item, str) else item
                print("problem:", entry, file=sys.stderr)
        return {
            "seed": self.args.seed,
            "idempotency_keys": self.args.idempotent,
            "actions": actions,
            "entries": len(entries),
            "undone_entries": len(self.undone),
            "faults_injected": dict(sorted(self.server.injected.items())),
            "requests": len(self.server.requests),
            "delivered": sum(1 for e in entries if e.state == om.DELIVERED),
            "found_after_interruption": sum(
                1 for e in entries if "not sent again" in (e.last_error or "")
            ),
            "idempotent_replays": self.server.replays,
            "duplicates": len(duplicates),
            "lost": len(lost),
            "undone_but_sent": len(undone_sent),
            "events": dict(sorted(self.stats.items())),
            "fake_clock_hours": round(
                (self.clock.now() - datetime(2026, 11, 22, 9, 30, tzinfo=UTC)).total_seconds()
                / 3600,
                2,
            ),
            "wall_seconds": round(seconds, 1),
        }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--actions", type=int, default=400)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--fault-rate", type=float, default=0.3)
    parser.add_argument(
        "--idempotent",
        action="store_true",
        help="the helpdesk honours Idempotency-Key and If-Match",
    )
    parser.add_argument("--max-seconds", type=float, default=60.0)
    parser.add_argument("--verbose", action="store_true", help="list problem entries on stderr")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="triage-faults-") as tmp:
        result = asyncio.run(Campaign(args, Path(tmp)).run())
    print(json.dumps(result, indent=2))
    return 0 if result["duplicates"] == 0 and result["lost"] == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
