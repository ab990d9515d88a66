"""What a person sees after a key: the time until the screen stops changing.

For ``benchmarks/tui.py``. A key's figure is the time from just before it is
written to the pty until the last read whose bytes changed the emulated
screen — its characters or their colours and attributes, with every digit
masked so a countdown ticking down (or the clock in the top bar) is not a
change — and the bytes written until then.

The output after a key is recorded without being emulated (each read timed
as it arrives), then replayed read by read into the pyte screen: emulating a
20 KB frame takes pyte tens of ms, which would otherwise delay the reads of
the frames after it and make the console look slower than it is.

* ``settle``: j/k one at a time, each until settled. Locally the detail and
  draft follow the cursor; over SSH (``SSH_CONNECTION`` set, ``preview =
  "auto"``) j/k only move the cursor.
* ``held``: j held at 30 keys/s (20 keys): the time from the last key until
  the screen settles, and whether the ticket then on screen is the one
  under the cursor (locally).
* ``remote_start``: the console on the fake Zendesk of ``tests/fakes/zendesk.py``
  on loopback (``latency`` s per request): a first launch fills the offline
  cache; some tickets then change on the helpdesk; the second launch is
  timed — its first screen of rows (from the cache), the notice of the
  data's age, and the fresh read merged with the cursor where it was.
"""

from __future__ import annotations

import contextlib
import re
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.pty_screen import Terminal
from benchmarks.tui_report import spread, summary
from benchmarks.tui_screen import cursor_id, detail_id, queue_full

#: A screen with no new output for this long after a key has settled.
QUIET_S = 0.3
HELD_KEYS = 20
HELD_RATE = 30.0
DIGIT = re.compile(r"\d")


class Looks:
    """The emulated screen as a person compares it: characters (digits masked)
    and each cell's colours and attributes, per line, kept up to date from
    pyte's dirty lines."""

    def __init__(self, term: Terminal) -> None:
        self.term = term
        screen = term.screen
        self.lines = [self._line(y) for y in range(screen.lines)]
        screen.dirty.clear()

    def _line(self, y: int) -> tuple[str, tuple[tuple[str, str, bool, bool], ...]]:
        screen = self.term.screen
        row = screen.buffer[y]
        cells = [row[x] for x in range(screen.columns)]
        text = DIGIT.sub("0", "".join(c.data for c in cells))
        return text, tuple((c.fg, c.bg, c.bold, c.reverse) for c in cells)

    def changed(self) -> bool:
        """Whether the screen looks different since the last call (or creation)."""
        screen = self.term.screen
        dirty, different = sorted(screen.dirty), False
        screen.dirty.clear()
        for y in dirty:
            if 0 <= y < screen.lines:
                now = self._line(y)
                if now != self.lines[y]:
                    self.lines[y] = now
                    different = True
        return different


def settled_after(term: Terminal, sent: float, timeout: float = 10.0) -> tuple[float | None, int]:
    """Record the output until it rests, replay it: (ms from ``sent`` until the
    last change on screen, None when nothing changed; bytes written until then)."""
    looks = Looks(term)
    term.defer_feed = True
    try:
        term.settle(QUIET_S, timeout)
    finally:
        term.defer_feed = False
    last: float | None = None
    for at in term.replay():
        if looks.changed():
            last = at
    if last is None:
        return None, 0
    written = sum(c.size for c in term.chunks if sent <= c.at <= last)
    return (last - sent) * 1000, written


def measure_keys(term: Terminal, keys: int) -> dict[str, Any]:
    """j then k, each until the screen settles."""
    times: list[float] = []
    sizes: list[int] = []
    for i in range(keys):
        sent = term.send(b"j" if i < keys // 2 else b"k")
        ms, written = settled_after(term, sent)
        if ms is not None:
            times.append(ms)
            sizes.append(written)
    return {
        "settled_ms": summary(times),
        "bytes_per_key": statistics.median(sizes) if sizes else None,
    }


def measure_held(term: Terminal, local: bool) -> dict[str, Any]:
    """``HELD_KEYS`` j at ``HELD_RATE`` per second; from the last key until settled."""
    looks = Looks(term)
    start = time.perf_counter()
    term.defer_feed = True
    last_key = start
    try:
        for n in range(HELD_KEYS):
            last_key = term.send(b"j")
            deadline = start + (n + 1) / HELD_RATE
            while (left := deadline - time.perf_counter()) > 0:
                term.pump(left)
        term.settle(QUIET_S)
    finally:
        term.defer_feed = False
    last = None
    for at in term.replay():
        if looks.changed():
            last = at
    shown, under = detail_id(term), cursor_id(term)
    return {
        "keys": HELD_KEYS,
        "rate_per_s": HELD_RATE,
        "settled_after_last_key_ms": None
        if last is None
        else round(max(0.0, last - last_key) * 1000, 1),
        "bytes": term.bytes_since(start),
        "final_ticket_shown": (shown == under and under is not None) if local else None,
    }


# -- remote start ----------------------------------------------------------------
def zendesk_env(env: dict[str, str], origin: str, data_dir: Path) -> dict[str, str]:
    remote = {k: v for k, v in env.items() if not k.startswith("SSH_")}
    remote.update(
        TRIAGE_ADAPTER="zendesk",
        TRIAGE_ZENDESK_BASE_URL=origin,
        TRIAGE_ZENDESK_EMAIL="sam@triage.example",
        TRIAGE_ZENDESK_TOKEN="zd-token-123",
        TRIAGE_DATA_DIR=str(data_dir),
    )
    return remote


def loaded(term: Terminal) -> bool:
    return "✓" in term.lines()[0]


def quit_console(term: Terminal) -> None:
    term.send(b"\x11")  # ctrl+q
    term.wait_for(lambda t: t.proc is not None and t.proc.poll() is not None, timeout=10)


def cache_saved(data_dir: Path) -> bool:
    import sqlite3

    for path in (data_dir / "cache").glob("*.sqlite3"):
        with contextlib.closing(sqlite3.connect(path)) as conn, contextlib.suppress(sqlite3.Error):
            if conn.execute("SELECT 1 FROM meta WHERE key = 'queue_at'").fetchone():
                return True
    return False


def measure_remote_start(
    argv: list[str],
    cols: int,
    rows: int,
    env: dict[str, str],
    tickets: int,
    latency: float,
    *,
    runs: int = 1,
    floor: Callable[[], float] | None = None,
) -> dict[str, Any]:
    """A cold launch (no cache) fills the cache; ``runs`` warm launches are timed.

    ``floor`` (the bare Textual app's first screen) is measured after each warm
    launch, so the two alternate as the machine's speed drifts. The first warm
    launch also checks the age notice, the merge and the cursor.
    """
    from benchmarks.live import _fake_zendesk

    with _fake_zendesk(tickets, latency) as fake, tempfile.TemporaryDirectory() as home:
        data_dir = Path(home)
        run_env = zendesk_env(env, fake.origin, data_dir)
        with Terminal(argv, cols, rows, run_env) as term:
            cold_rows = term.wait_for(queue_full, timeout=120)
            cold_loaded = term.wait_for(loaded, timeout=300)
            deadline = time.perf_counter() + 30
            while not cache_saved(data_dir) and time.perf_counter() < deadline:
                term.pump(0.1)
            quit_console(term)
        cold = {
            "first_rows_ms": None if cold_rows is None else (cold_rows - term.started) * 1000,
            "loaded_ms": None if cold_loaded is None else (cold_loaded - term.started) * 1000,
        }
        changed = _change_some(fake)
        firsts: list[float | None] = []
        floors: list[float | None] = []
        checks: dict[str, Any] = {}
        for run in range(max(1, runs)):
            with Terminal(argv, cols, rows, run_env) as term:
                first = term.wait_for(queue_full, timeout=120)
                firsts.append(None if first is None else (first - term.started) * 1000)
                if run == 0:
                    notice = "refreshing" in term.text()
                    age_shown = "data from" in term.text()
                    before = cursor_id(term)
                fresh = term.wait_for(loaded, timeout=300)
                term.settle(0.3)
                if run == 0:
                    after = cursor_id(term)
                    checks = {
                        "age_notice_on_first_screen": notice and age_shown,
                        "fresh_merged_ms": None
                        if fresh is None
                        else round((fresh - term.started) * 1000, 1),
                        "notice_gone": "refreshing" not in term.text(),
                        "cursor_before": before,
                        "cursor_after": after,
                        "cursor_kept": before is not None and before == after,
                    }
                quit_console(term)
            if floor is not None:
                floors.append(floor())
    return {
        "tickets": tickets,
        "latency_s": latency,
        "changed_on_helpdesk": changed,
        "cold": cold,
        "first_rows_ms": spread(firsts),
        "floor_first_screen_ms": spread(floors),
        **checks,
    }


def _change_some(fake: Any, count: int = 20) -> int:
    """Raise the priority of a few open tickets on the helpdesk between the launches."""
    with fake.lock:
        ids = sorted(t for t, v in fake.tickets.items() if v["status"] == "open")[:count]
        for ticket_id in ids:
            fake.tickets[ticket_id]["priority"] = "urgent"
            fake.touch(ticket_id)
    return len(ids)
