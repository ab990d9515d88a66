"""The live feed end to end: how soon ``triage watch`` prints another process's
change, and what following the helpdesk costs while nothing happens.

    python benchmarks/live.py [--db /tmp/big.db] [--tickets 100000] [--writes 20]
        [--idle-seconds 30] [--remote-tickets 5000] [--remote-latency 0.1]
        [--remote-writes 6] [--remote-idle-seconds 120] [--console-writes 20]
        [--console-remote-writes 4] [--console-idle-seconds 60]
        [--skip-local] [--skip-remote] [--skip-watch] [--skip-console]

Prints one JSON object:

* ``local``: the embedded helpdesk with ``--tickets`` tickets (``--db`` is made
  with ``triage demo`` when absent, and reused). ``triage watch --json`` runs
  as one process; another runs ``triage create-ticket`` ``--writes`` times, at
  random moments. ``seen_ms`` is from the start of the write command to the
  watch printing the new ticket (median, p95, max); ``floor_ms`` the write
  command's own round trip (start to exit) — the part no feed can remove;
  ``after_write_ms`` from the write command's exit to the printed line (the
  watch may print before the writer has exited: then it is negative).
  ``idle_cpu_percent`` is the watch process's CPU time over ``--idle-seconds``
  with nothing written, as a share of one core.
* ``remote``: the fake Zendesk of ``tests/fakes/zendesk.py`` on loopback, every
  answer ``--remote-latency`` seconds late, seeded with ``--remote-tickets``
  tickets; ``triage watch --json`` on it with the default policy. A colleague's
  change is made on the fake ``--remote-writes`` times at random moments;
  ``seen_s`` is from the change to the printed line, ``after_poll_s`` from the
  first feed request after the change to the printed line (the poll's and the
  re-read's round trips), ``interval_s`` the policy's. ``idle_requests_per_minute``
  counts every request of the watch over ``--remote-idle-seconds`` without a
  change, beside the budget (2 % of the documented 700 a minute, 20 % of the
  incremental export's 10).
* ``console_local``: the console itself in a 120×40 pty (emulated by pyte) on
  ``--db``; another agent tags a ticket shown in the queue ``--console-writes``
  times, a different row each time (``triage update-ticket --add-tag``).
  ``seen_ms``: from the writer's start to that row's ``chg`` marker on screen;
  ``floor_ms``: the writer's own round trip. Then ``--console-idle-seconds`` with
  nothing written: the console's CPU
  share of one core, the bytes it wrote to the terminal per minute and its
  alerts (at 100 000 demo tickets some enter their last 90 minutes every
  minute, and each alerts once).
* ``console_local_quiet``: the same console idle with alerts off, as over SSH
  (``SSH_CONNECTION`` set): the bytes of the ticking countdowns, counts and
  clock alone.
* ``console_remote``: the console on the fake Zendesk above, started as over SSH
  (``SSH_CONNECTION`` set); a customer opens an urgent ticket on the fake
  ``--console-remote-writes`` times; ``seen_s``: from the ticket's creation to
  its row on screen with its ``new`` marker (target: one interval + 1 s). Idle as
  above, plus the console's requests per minute.

Each ``--skip-*`` drops parts (``--skip-watch``/``--skip-console``: the
``watch`` or the console ones); the console parts run after the ``watch`` ones.
A part that fails is reported as ``{"error": …}`` and the exit status is 1.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from triage_tui.adapters.zendesk.adapter import ZendeskHelpdesk
from triage_tui.domain.clock import SystemClock
from triage_tui.engine.changes import (
    FEED_ENDPOINT_SHARE,
    IDLE_BUDGET_SHARE,
    LOCAL_POLL_SECONDS,
    PollPolicy,
)

ROOT = Path(__file__).resolve().parent.parent
#: What the console's screen says: the open ticket, its message count, the queue's count.
QUEUE_ROW = re.compile(r"#(\d+)\s")
QUEUE_OPEN = re.compile(r"Queue · ([\d,]+) open")
#: The writes' random spacing: past one local poll interval, so they land at every phase.
LOCAL_SPACING_S = (0.2, 2.5)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of process ``pid`` so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Follower:
    """``triage watch --json`` in a subprocess; every line it prints, timestamped."""

    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "triage_tui", *argv, "watch", "--json"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**env, "PYTHONUNBUFFERED": "1"},
            cwd=ROOT,
        )
        self.lines: list[tuple[float, dict[str, Any]]] = []
        self._changed = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for text in self.process.stdout:
            stamp = time.monotonic()
            with self._changed:
                self.lines.append((stamp, json.loads(text)))
                self._changed.notify_all()

    def wait_for(self, test: Callable[[dict[str, Any]], bool], timeout: float) -> float:
        """When the first line ``test`` accepts was printed (monotonic seconds)."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                for stamp, line in self.lines:
                    if test(line):
                        return stamp
                left = deadline - time.monotonic()
                if left <= 0 or self.process.poll() is not None:
                    stderr = self.process.stderr.read() if self.process.stderr else ""
                    raise RuntimeError(f"watch did not print the change: {stderr.strip()}")
                self._changed.wait(left)

    def cpu_seconds(self) -> float:
        return cpu_seconds(self.process.pid)

    def stop(self) -> int:
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait()


def _env(home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRIAGE_")}
    env.update(TRIAGE_DATA_DIR=str(home / "data"), TRIAGE_CONFIG_DIR=str(home / "config"))
    env.update(extra)
    return env


def _ms(seconds: list[float]) -> dict[str, float]:
    ordered = sorted(seconds)
    return {
        "median": round(statistics.median(ordered) * 1e3, 1),
        "p95": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))] * 1e3, 1),
        "max": round(ordered[-1] * 1e3, 1),
    }


def measure_local(db: Path, tickets: int, writes: int, idle_s: float, rng: random.Random) -> Any:
    triage = [sys.executable, "-m", "triage_tui"]
    with tempfile.TemporaryDirectory() as home:
        env = _env(Path(home))
        if not db.exists():
            made = subprocess.run(
                [*triage, "demo", "--tickets", str(tickets), "--db", str(db)],
                env=env, capture_output=True, text=True, check=False,
            )  # fmt: skip
            if made.returncode != 0:
                raise RuntimeError(made.stderr.strip())
        follower = Follower(["--db", str(db)], env)
        try:
            seen: list[float] = []
            floor: list[float] = []
            after_write: list[float] = []
            for n in range(writes + 1):  # the first one warms the watch up, not counted
                time.sleep(rng.uniform(*LOCAL_SPACING_S))
                start = time.monotonic()
                made = subprocess.run(
                    [*triage, "create-ticket", "--db", str(db), "--json",
                     "--subject", f"Live benchmark {n}", "--body", "It broke.",
                     "--requester", "bench@live.example", "--priority", "urgent"],
                    env=env, capture_output=True, text=True, check=False,
                )  # fmt: skip
                done = time.monotonic()
                if made.returncode != 0:
                    raise RuntimeError(made.stderr.strip())
                new_id = json.loads(made.stdout)["ticket"]["id"]
                printed = follower.wait_for(
                    lambda line, i=new_id: line.get("ticket_id") == i and line["kind"] == "created",
                    timeout=60,
                )
                if n:
                    seen.append(printed - start)
                    floor.append(done - start)
                    after_write.append(printed - done)
            time.sleep(2.0)  # the last change's re-read is over
            cpu_before, wall_before = follower.cpu_seconds(), time.monotonic()
            time.sleep(idle_s)
            cpu = follower.cpu_seconds() - cpu_before
            wall = time.monotonic() - wall_before
        finally:
            code = follower.stop()
    return {
        "tickets": tickets,
        "db": str(db),
        "writes": writes,
        "interval_s": LOCAL_POLL_SECONDS,
        "seen_ms": _ms(seen),
        "floor_ms": _ms(floor),
        "after_write_ms": _ms(after_write),
        "idle_seconds": round(wall, 1),
        "idle_cpu_percent": round(100 * cpu / wall, 3),
        "sigterm_exit": code,
    }


@contextlib.contextmanager
def _fake_zendesk(tickets: int, latency: float) -> Iterator[Any]:
    sys.path.insert(0, str(ROOT))
    from tests.adapters.seed import DEFAULT_SPEC
    from tests.fakes.seeding import seed_zendesk
    from tests.fakes.zendesk import FakeZendesk

    class TimedZendesk(FakeZendesk):
        """The fake, remembering when each feed request arrived."""

        polls: list[float]

        def incremental_tickets(self, request: Any) -> Any:
            self.polls.append(time.monotonic())
            return super().incremental_tickets(request)

    spec = dataclasses.replace(DEFAULT_SPEC, now=datetime.now(UTC))
    spec = spec.with_fillers(max(0, tickets - len(spec.tickets)))
    with TimedZendesk(SystemClock()) as fake:
        fake.polls = []
        seed_zendesk(fake, spec)
        fake.delay = latency
        yield fake


def _zendesk_vars(fake: Any) -> dict[str, str]:
    """The environment that points ``triage`` at the fake Zendesk."""
    return {
        "TRIAGE_ADAPTER": "zendesk",
        "TRIAGE_ZENDESK_BASE_URL": fake.origin,
        "TRIAGE_ZENDESK_EMAIL": "sam@triage.example",
        "TRIAGE_ZENDESK_TOKEN": "zd-token-123",
    }


def measure_remote(
    tickets: int, latency: float, writes: int, idle_s: float, rng: random.Random
) -> Any:
    interval = PollPolicy.for_helpdesk(ZendeskHelpdesk).base  # type: ignore[arg-type]
    with _fake_zendesk(tickets, latency) as fake, tempfile.TemporaryDirectory() as home:
        env = _env(
            Path(home),
            **_zendesk_vars(fake),
        )
        follower = Follower([], env)
        try:
            deadline = time.monotonic() + 60
            while not fake.polls and time.monotonic() < deadline:
                time.sleep(0.05)  # the watch is up: its first poll set the cursor
            seen: list[float] = []
            after_poll: list[float] = []
            ids = sorted(t for t, v in fake.tickets.items() if v["status"] == "open")
            for n in range(writes):
                time.sleep(rng.uniform(1.0, interval))
                ticket_id = ids[n]
                with fake.lock:
                    fake.tickets[ticket_id]["priority"] = "urgent"
                    fake.touch(ticket_id)
                    changed = time.monotonic()
                printed = follower.wait_for(
                    lambda line, i=str(ticket_id): line.get("ticket_id") == i,
                    timeout=interval * 4 + 30,
                )
                first_poll = next(t for t in fake.polls if t >= changed)
                seen.append(printed - changed)
                after_poll.append(printed - first_poll)
            time.sleep(2.0)
            with fake.lock:
                before = len(fake.log)
            start = time.monotonic()
            time.sleep(idle_s)
            with fake.lock:
                idle_requests = len(fake.log) - before
            minutes = (time.monotonic() - start) / 60
        finally:
            code = follower.stop()
    budget = min(700 * IDLE_BUDGET_SHARE, 10 * FEED_ENDPOINT_SHARE)
    return {
        "tickets": tickets,
        "latency_s": latency,
        "writes": writes,
        "interval_s": interval,
        "seen_s": {k: round(v / 1e3, 2) for k, v in _ms(seen).items()},
        "after_poll_s": {k: round(v / 1e3, 2) for k, v in _ms(after_poll).items()},
        "idle_seconds": round(minutes * 60, 1),
        "idle_requests_per_minute": round(idle_requests / minutes, 2),
        "budget_requests_per_minute": budget,
        "sigterm_exit": code,
    }


def _agent_env(home: Path, agent: str, toml: str = "", **extra: str) -> dict[str, str]:
    """An agent's own config and data directories under ``home``; ``toml`` is added
    to the config file."""
    config = home / "config"
    config.mkdir(mode=0o700, parents=True, exist_ok=True)
    home.chmod(0o700)
    (config / "config.toml").write_text(f'[profiles.default]\nagent = "{agent}"\n{toml}')
    (config / "config.toml").chmod(0o600)
    return _env(home, TERM="xterm-256color", **extra)


def _number(pattern: re.Pattern[str], text: str) -> int | None:
    found = pattern.search(text)
    return int(found.group(1).replace(",", "")) if found else None


def _queue_rows(lines: list[str]) -> list[tuple[int, str]]:
    """(screen line, ticket id) of each queue row in the left pane."""
    return [
        (y, found.group(1))
        for y, line in enumerate(lines)
        if (found := QUEUE_ROW.search(line[:62])) is not None
    ]


def _pump_for(term: Any, seconds: float) -> None:
    """Keep reading the console's output for ``seconds`` (a full pty stalls it)."""
    deadline = time.perf_counter() + seconds
    while (left := deadline - time.perf_counter()) > 0:
        term.pump(left)


def _idle(term: Any, seconds: float) -> dict[str, float]:
    """While nothing is written to the helpdesk: the console's CPU share of one core,
    the bytes it writes to the terminal per minute and its alerts (bells) — at
    100 000 demo tickets, tickets keep entering their last 90 minutes, and each
    alerts once."""
    term.settle(2.0, timeout=6)  # the last change drawn (a ticking clock never settles)
    assert term.proc is not None
    bells = [0]
    feed = term.stream.feed

    def counted(data: bytes) -> None:
        bells[0] += data.count(b"\x07")
        feed(data)

    term.stream.feed = counted
    cpu_before, start = cpu_seconds(term.proc.pid), time.perf_counter()
    _pump_for(term, seconds)
    wall = time.perf_counter() - start
    return {
        "idle_seconds": round(wall, 1),
        "idle_cpu_percent": round(100 * (cpu_seconds(term.proc.pid) - cpu_before) / wall, 3),
        "idle_bytes_per_minute": round(term.bytes_since(start) * 60 / wall),
        "idle_alerts": bells[0],
    }


def measure_console_quiet(db: Path, idle_s: float) -> Any:
    """The console idle on ``db`` with alerts off (``[profiles.default.alerts]
    enabled = false``), as over SSH: what stays is the ticking countdowns, counts
    and clock."""
    sys.path.insert(0, str(ROOT))
    from benchmarks.pty_screen import Terminal

    with tempfile.TemporaryDirectory() as home:
        env = _agent_env(
            Path(home),
            "Sam Rivera",
            "\n[profiles.default.alerts]\nenabled = false\n",
            SSH_CONNECTION="192.0.2.7 50022 192.0.2.1 22",
        )
        argv = [sys.executable, "-m", "triage_tui", "--db", str(db)]
        with Terminal(argv, 120, 40, env, cwd=str(ROOT)) as term:
            if term.wait_for(lambda t: QUEUE_ROW.search(t.text()) is not None, 180) is None:
                raise RuntimeError("the console did not show the queue:\n" + term.text())
            return {"db": str(db), **_idle(term, idle_s)}


def measure_console_local(db: Path, writes: int, idle_s: float, rng: random.Random) -> Any:
    """The console in a 120×40 pty on ``db``; another agent tags a ticket shown in
    the queue, ``writes`` times at random moments, a different row each time
    (``triage update-ticket --add-tag``: the row keeps its SLA place). ``seen_ms``
    runs from the writer's start to that row's ``chg`` marker on screen."""
    sys.path.insert(0, str(ROOT))
    from benchmarks.pty_screen import Terminal

    triage = [sys.executable, "-m", "triage_tui", "--db", str(db)]
    with tempfile.TemporaryDirectory() as home:
        me = _agent_env(Path(home) / "sam", "Sam Rivera")
        mei = _agent_env(Path(home) / "mei", "Mei Chen")
        with Terminal(triage, 120, 40, me, cwd=str(ROOT)) as term:
            if term.wait_for(lambda t: QUEUE_ROW.search(t.text()) is not None, 180) is None:
                raise RuntimeError("the console did not show the queue:\n" + term.text())
            _pump_for(term, 1.0)  # first frames drawn (settle would wait out a ticking clock)
            rows = [tid for _, tid in _queue_rows(term.lines())]
            if len(rows) < writes + 2:
                raise RuntimeError(
                    f"{len(rows)} rows on screen; --console-writes at most {len(rows) - 2}"
                )
            seen: list[float] = []
            floor: list[float] = []
            for n, tid in enumerate(rows[1 : writes + 2]):  # the first warms up, not counted
                _pump_for(term, rng.uniform(*LOCAL_SPACING_S))
                start = time.perf_counter()
                writer = subprocess.Popen(
                    [*triage, "update-ticket", tid, "--add-tag", f"live-bench-{n}"],
                    env=mei, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT,
                )  # fmt: skip
                exited: list[float] = []

                def wait(w: subprocess.Popen[bytes] = writer, e: list[float] = exited) -> None:
                    w.wait()
                    e.append(time.perf_counter())

                waiter = threading.Thread(target=wait, daemon=True)
                waiter.start()

                def marked(t: Any, tid: str = tid) -> bool:
                    return any(
                        shown == tid and " chg " in t.lines()[y]
                        for y, shown in _queue_rows(t.lines())
                    )

                at = term.wait_for(marked, 60)
                _, error = writer.communicate(timeout=60)
                waiter.join(10)
                if writer.returncode != 0 or at is None:
                    raise RuntimeError(
                        f"write {n}: exit {writer.returncode}, {error.decode().strip()}, "
                        f"on screen: {at is not None}\n{term.text()}"
                    )
                if n:
                    seen.append(at - start)
                    floor.append(exited[0] - start)
            idle = _idle(term, idle_s)
    return {
        "db": str(db),
        "writes": writes,
        "interval_s": LOCAL_POLL_SECONDS,
        "seen_ms": _ms(seen),
        "floor_ms": _ms(floor),
        **idle,
    }


def measure_console_remote(
    tickets: int, latency: float, writes: int, idle_s: float, rng: random.Random
) -> Any:
    """The console in a 120×40 pty on the fake Zendesk, as over SSH (``SSH_CONNECTION``
    set); a customer opens an urgent ticket due in 30 minutes ``writes`` times at
    random moments. ``seen_s`` runs from the ticket's creation to its row, marked
    ``new``, on screen; idle: its CPU, bytes written and requests while nothing changes."""
    sys.path.insert(0, str(ROOT))
    from benchmarks.pty_screen import Terminal

    interval = PollPolicy.for_helpdesk(ZendeskHelpdesk).base  # type: ignore[arg-type]
    with _fake_zendesk(tickets, latency) as fake, tempfile.TemporaryDirectory() as home:
        me = _agent_env(
            Path(home),
            "Sam Rivera",
            **_zendesk_vars(fake),
            # A view, as a team with thousands of tickets has: a search stops at 1 000.
            TRIAGE_ZENDESK_VIEW_ID="1",
            SSH_CONNECTION="192.0.2.7 50022 192.0.2.1 22",
        )
        argv = [sys.executable, "-m", "triage_tui"]
        with Terminal(argv, 120, 40, me, cwd=str(ROOT)) as term:
            if term.wait_for(lambda t: QUEUE_OPEN.search(t.text()) is not None, 180) is None:
                raise RuntimeError("the console did not show the queue:\n" + term.text())
            _pump_for(term, 5.0)  # the first poll has set the cursor
            seen: list[float] = []
            counts: list[tuple[int | None, int | None]] = []
            for n in range(writes):
                _pump_for(term, rng.uniform(1.0, interval))
                before = _number(QUEUE_OPEN, term.text())
                tid = str(fake.customer_opens(f"Live benchmark {n}", due_in=timedelta(minutes=30)))
                changed = time.perf_counter()

                def entered(t: Any, tid: str = tid) -> bool:
                    return any(
                        shown == tid and " new " in t.lines()[y]
                        for y, shown in _queue_rows(t.lines())
                    )

                at = term.wait_for(entered, interval * 2 + 30)
                if at is None:
                    raise RuntimeError(f"ticket {n} never reached the screen:\n" + term.text())
                counts.append((before, _number(QUEUE_OPEN, term.text())))
                seen.append(at - changed)
            with fake.lock:
                requests_before = len(fake.log)
            idle = _idle(term, idle_s)
            with fake.lock:
                requests = len(fake.log) - requests_before
    return {
        "tickets": tickets,
        "latency_s": latency,
        "writes": writes,
        "interval_s": interval,
        "seen_s": {k: round(v / 1e3, 2) for k, v in _ms(seen).items()},
        "title_open_before_after": counts,
        **idle,
        "idle_requests_per_minute": round(requests * 60 / idle["idle_seconds"], 2),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, default=Path("/tmp/big.db"))
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--writes", type=int, default=20)
    parser.add_argument("--idle-seconds", type=float, default=30.0)
    parser.add_argument("--remote-tickets", type=int, default=5000)
    parser.add_argument("--remote-latency", type=float, default=0.1)
    parser.add_argument("--remote-writes", type=int, default=6)
    parser.add_argument("--remote-idle-seconds", type=float, default=120.0)
    parser.add_argument("--skip-local", action="store_true")
    parser.add_argument("--skip-remote", action="store_true")
    parser.add_argument("--console-writes", type=int, default=20)
    parser.add_argument("--console-idle-seconds", type=float, default=60.0)
    parser.add_argument("--console-remote-writes", type=int, default=4)
    parser.add_argument("--skip-console", action="store_true")
    parser.add_argument("--skip-watch", action="store_true")
    parser.add_argument("--seed", type=int, default=18)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    result: dict[str, Any] = {"cores": os.cpu_count(), "python": sys.version.split()[0]}
    local, remote = not args.skip_local, not args.skip_remote
    watch, console = not args.skip_watch, not args.skip_console
    parts: list[tuple[str, bool, Callable[[], Any]]] = [
        ("local", local and watch, lambda: measure_local(
            args.db, args.tickets, args.writes, args.idle_seconds, rng)),
        ("remote", remote and watch, lambda: measure_remote(
            args.remote_tickets, args.remote_latency, args.remote_writes,
            args.remote_idle_seconds, rng)),
        ("console_local", local and console, lambda: measure_console_local(
            args.db, args.console_writes, args.console_idle_seconds, rng)),
        ("console_local_quiet", local and console, lambda: measure_console_quiet(
            args.db, args.console_idle_seconds)),
        ("console_remote", remote and console, lambda: measure_console_remote(
            args.remote_tickets, args.remote_latency, args.console_remote_writes,
            args.console_idle_seconds, rng)),
    ]  # fmt: skip
    failed = False
    for name, wanted, measure in parts:
        if not wanted:
            continue
        try:
            result[name] = measure()
        except Exception as error:  # one part's failure is reported; the others still run
            result[name] = {"error": f"{type(error).__name__}: {error}"}
            failed = True
    print(json.dumps(result, indent=2))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
