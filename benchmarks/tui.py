"""The console in a real pseudo-terminal: start-up, keystroke latency, bytes, memory.

Runs the installed ``triage`` console on a database made by ``triage demo
--tickets N --db PATH`` inside a pty (``benchmarks/pty_screen.py``: the
screen is emulated with pyte, ``TERM=xterm-256color``, no ``COLORTERM`` so
Textual writes 256 colours), and measures, in the same run, a minimal Textual
app (one ``Static``) the same way as the floor. Prints one JSON object;
``--markdown`` also prints the tables, ``--write-docs`` puts them
between the ``perf:tui:start``/``perf:tui:end`` markers of docs/performance.md.

Definitions (all times from just before the key is written to the pty):

* ``first_rows_ms``: process start until the queue pane is full of ticket rows
  (every line between the column header and the pane's bottom border is a
  row). Floor: process start until the Static's text is on screen.
The console runs as in an SSH session (``SSH_CONNECTION`` set), where its
default (``preview = "auto"``) is that j/k only move the cursor and Enter opens
the ticket; ``local`` repeats the key measurements without it, where the
detail follows the cursor. Its config turns the live queue's alerts off
(``ALERTS_OFF``): their toasts are not what a key drew.

* ``jk_ms``: j or k until the cursor highlight is on another row.
* ``open_ms``: over SSH, Enter on the row j/k moved to; locally, the j or k
  itself; until the detail pane's title shows the id of the ticket under the
  cursor (its conversation, KB and draft are painted in the same frame).
* ``type_ms``: a character typed in the draft until it is on screen.
* ``filter_ms``: a character typed in the ``/`` box until the queue title shows
  the new filter and its count (120 columns only).
* ``bytes_per_jk``: ``isolated``, everything written from a j/k until the
  screen is quiet (locally the opened ticket's detail and draft included);
  ``cursor``, what was written until the cursor had moved; ``burst``, j held
  at 30 keys/s, total bytes / keys (detail loads superseded by the next key
  are never painted). ``idle_bytes_per_s``: queue focused, nothing pressed.
* ``peak_rss_mb``: VmHWM of the console process before it quits.
"""

from __future__ import annotations

import argparse
import os
import platform
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.pty_screen import Terminal
from benchmarks.tui_report import (
    add_output_options,
    check_targets,
    markdown,
    measure_and_report,
    ratios,
    spread,
    summary,
)
from benchmarks.tui_screen import (
    count_changed_from,
    cursor_id,
    cursor_moved_from,
    detail_id,
    detail_is,
    more_of,
    queue_count,
    queue_full,
    shows,
)
from benchmarks.tui_settle import measure_held, measure_keys, measure_remote_start

ROOT = Path(__file__).resolve().parents[1]
#: Seconds the loaded console is left alone before keys are timed (so work it
#: starts after loading, like clustering similar tickets, is done), then idle.
WARM_UP_S = 3.0
IDLE_S = 3.0
BIN = Path(sys.executable).parent

FLOOR_APP = """
from textual.app import App
from textual.widgets import Static

class Floor(App[None]):
    BINDINGS = [("j", "bump"), ("k", "bump"), ("q", "quit")]
    count = 0

    def compose(self):
        yield Static("floor ready 0")

    def action_bump(self) -> None:
        self.count += 1
        self.query_one(Static).update(f"floor ready {self.count}")

Floor().run()
"""


def environment(tmp: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TRIAGE_", "TEXTUAL", "COLORTERM", "NO_COLOR", "FORCE_COLOR"))
    }
    env.update(
        TERM="xterm-256color",
        LANG="C.UTF-8",
        LC_ALL="C.UTF-8",
        TRIAGE_CONFIG_DIR=str(tmp / "config"),
        TRIAGE_DATA_DIR=str(tmp / "data"),
    )
    return env


# -- the floor ---------------------------------------------------------------
def measure_floor(
    cols: int, rows: int, keys: int, env: dict[str, str], tmp: Path
) -> dict[str, Any]:
    script = tmp / "floor_app.py"
    script.write_text(FLOOR_APP, encoding="utf-8")
    with Terminal([sys.executable, str(script)], cols, rows, env) as term:
        shown = term.wait_for(shows("floor ready 0"), timeout=60)
        first = None if shown is None else (shown - term.started) * 1000
        term.settle(0.3)
        latencies: list[float] = []
        sizes: list[int] = []
        for n in range(1, keys + 1):
            sent = term.send(b"j")
            done = term.wait_for(shows(f"floor ready {n}"), timeout=10)
            term.settle(0.05)
            if done is not None:
                latencies.append((done - sent) * 1000)
                sizes.append(term.bytes_since(sent))
        rss = term.peak_rss_kb()
    return {
        "first_screen_ms": first,
        "key_ms": summary(latencies),
        "bytes_per_key": statistics.median(sizes) if sizes else None,
        "peak_rss_mb": rss / 1024 if rss else None,
    }


# -- the console -------------------------------------------------------------
#: What sshd puts in a login's environment; the console's ``preview = "auto"``
#: reads it. ``local`` runs drop it.
SSH_ENV = {"SSH_CONNECTION": "127.0.0.1 50022 127.0.0.1 22"}


ALERTS_OFF = "[profiles.default.alerts]\nenabled = false\n"
"""Every launch's config. On the 100 000-ticket demo a few tickets a minute
enter their last 90 minutes and each raises an alert toast: one appearing or
leaving within a key's window was timed as that key's change, and one over the
detail's title hid the ticket an open waited for (seconds). The alerts' own
cost is measured by ``benchmarks/live.py``."""


def start_console(
    db: Path, cols: int, rows: int, env: dict[str, str], over_ssh: bool = True
) -> Terminal:
    # A fresh data directory per launch: the console keeps drafts, the outbox
    # and its cache there, and a draft saved when the previous launch was
    # stopped would greet this one with a restore notice.
    fresh = {k: v for k, v in env.items() if not k.startswith("SSH_")}
    data = Path(tempfile.mkdtemp(prefix="triage-data-"))
    config = data / "alerts-off.toml"
    config.write_text(ALERTS_OFF, encoding="utf-8")
    fresh.update(SSH_ENV if over_ssh else {}, TRIAGE_DATA_DIR=str(data), TRIAGE_CONFIG=str(config))
    return Terminal([str(BIN / "triage"), "--db", str(db)], cols, rows, fresh)


def measure_startup(db: Path, cols: int, rows: int, env: dict[str, str]) -> dict[str, Any]:
    with start_console(db, cols, rows, env) as term:
        shown = term.wait_for(queue_full, timeout=120)
        loaded = term.wait_for(lambda t: "✓" in t.lines()[0], timeout=300)

    def ms(at: float | None) -> float | None:
        return None if at is None else (at - term.started) * 1000

    return {"first_rows_ms": ms(shown), "loaded_ms": ms(loaded)}


def ready(term: Terminal) -> bool:
    """Queue loaded and the ticket under the cursor open in the detail pane."""
    current = cursor_id(term)
    return "✓" in term.lines()[0] and current is not None and detail_id(term) == current


def measure_console(
    db: Path,
    cols: int,
    rows: int,
    keys: int,
    env: dict[str, str],
    warm_up: float = WARM_UP_S,
    idle_s: float = IDLE_S,
    over_ssh: bool = True,
) -> dict[str, Any]:
    """Keys, bytes and memory; ``over_ssh`` False: only the key figures, detail following the
    cursor."""
    with start_console(db, cols, rows, env, over_ssh) as term:
        if term.wait_for(ready, timeout=300) is None:
            raise RuntimeError("the console never showed a loaded queue:\n" + term.text())
        # Work the console starts once the queue is in (similar-incident
        # clustering, the KB index) finishes before anything is timed.
        pump_for(term, warm_up)
        idle_from = time.perf_counter()
        pump_for(term, idle_s)
        idle = term.bytes_since(idle_from) / (time.perf_counter() - idle_from)

        jk, opened, isolated, cursor_bytes = [], [], [], []
        for i in range(keys):
            key = b"j" if i < keys // 2 else b"k"
            before = cursor_id(term)
            sent = term.send(key)
            moved = term.wait_for(cursor_moved_from(before), timeout=10)
            if moved is None:
                continue
            jk.append((moved - sent) * 1000)
            cursor_bytes.append(sum(c.size for c in term.chunks if sent <= c.at <= moved))
            target = cursor_id(term)
            if over_ssh:
                term.settle(0.15)
                isolated.append(term.bytes_since(sent))
                sent = term.send(b"\r")  # enter opens it
            if not over_ssh and detail_is(target)(term):
                # Cursor and ticket came in the same frame: wait_for would time
                # "now", after pyte emulated that frame (~1.4 ms per KB).
                shown = moved
            else:
                shown = term.wait_for(detail_is(target), timeout=10)
            if shown is not None:
                opened.append((shown - sent) * 1000)
            term.settle(0.15)
            if not over_ssh:
                isolated.append(term.bytes_since(sent))

        if not over_ssh:
            term.send(b"\x11")  # ctrl+q
            term.wait_for(lambda t: t.proc is not None and t.proc.poll() is not None, timeout=5)
            return {
                "jk_ms": summary(jk),
                "open_ms": summary(opened),
                "bytes_per_jk": {
                    "isolated": statistics.median(isolated) if isolated else None,
                    "cursor": statistics.median(cursor_bytes) if cursor_bytes else None,
                },
            }
        burst = measure_burst(term, keys)
        # The filter's typo tolerance learns every word of the queue on first
        # use: peak memory is reported before and after the first filter.
        rss_before_filter = term.peak_rss_kb()
        filtering = measure_filter(term) if cols >= 110 else []
        typing = measure_typing(term, keys)
        rss = term.peak_rss_kb()
        term.send(b"\x11")  # ctrl+q
        term.wait_for(lambda t: t.proc is not None and t.proc.poll() is not None, timeout=5)
    return {
        "jk_ms": summary(jk),
        "open_ms": summary(opened),
        "type_ms": summary(typing),
        "filter_ms": summary(filtering) if filtering else None,
        "bytes_per_jk": {
            "isolated": statistics.median(isolated) if isolated else None,
            "cursor": statistics.median(cursor_bytes) if cursor_bytes else None,
            "burst": burst,
        },
        "idle_bytes_per_s": round(idle),
        "peak_rss_mb": rss / 1024 if rss else None,
        "peak_rss_before_filter_mb": rss_before_filter / 1024 if rss_before_filter else None,
    }


def pump_for(term: Terminal, seconds: float) -> None:
    deadline = time.perf_counter() + seconds
    while (left := deadline - time.perf_counter()) > 0:
        term.pump(left)


def measure_burst(term: Terminal, keys: int) -> float | None:
    """j at 30 keys/s; bytes per key until the screen is quiet again."""
    start = term.send(b"")
    term.defer_feed = True
    for n in range(keys):
        term.send(b"j")
        pump_for(term, start + (n + 1) / 30 - time.perf_counter())
    term.defer_feed = False
    term.catch_up()
    term.settle(0.3)
    return term.bytes_since(start) / keys if cursor_id(term) is not None else None


#: Times "refund" is typed at ``/`` (then cleared with esc): one word gives
#: four timed keys, too few for a stable median.
FILTER_ROUNDS = 3


def measure_filter(term: Terminal) -> list[float]:
    """Each character typed at ``/`` until the queue title's count changes.

    A character that leaves the count unchanged changes nothing on the
    queue, so it cannot be timed from the screen and is not counted.
    """
    times = []
    for _ in range(FILTER_ROUNDS):
        term.send(b"/")
        term.settle(0.2)
        for ch in "refund":
            before = queue_count(term)
            sent = term.send(ch.encode())
            done = term.wait_for(count_changed_from(before), timeout=2)
            if done is not None:
                times.append((done - sent) * 1000)
            term.settle(0.1)
        term.send(b"\x1b")  # esc: clear the filter, back to the queue
        term.settle(0.5)
    return times


def measure_typing(term: Terminal, keys: int) -> list[float]:
    term.send(b"e")
    term.settle(0.3)
    times = []
    for _ in range(keys):
        before = term.text().count("Q")
        sent = term.send(b"Q")
        done = term.wait_for(more_of("Q", before), timeout=10)
        if done is not None:
            times.append((done - sent) * 1000)
        term.settle(0.05)
    term.send(b"\x1b")
    term.settle(0.2)
    return times


# -- until the screen settles (benchmarks/tui_settle.py) ------------------------
def measure_settling(
    db: Path,
    cols: int,
    rows: int,
    keys: int,
    env: dict[str, str],
    warm_up: float,
    over_ssh: bool,
) -> dict[str, Any]:
    """j/k each until the screen stops changing, then j held."""
    with start_console(db, cols, rows, env, over_ssh) as term:
        if term.wait_for(ready, timeout=300) is None:
            raise RuntimeError("the console never showed a loaded queue:\n" + term.text())
        pump_for(term, warm_up)
        term.settle(0.3)
        figures = measure_keys(term, keys)
        term.settle(0.3)
        figures["held"] = measure_held(term, local=not over_ssh)
        term.send(b"\x11")  # ctrl+q
        term.wait_for(lambda t: t.proc is not None and t.proc.poll() is not None, timeout=5)
    return figures


# -- driver -------------------------------------------------------------------
def ensure_db(db: Path, tickets: int, env: dict[str, str]) -> float | None:
    """Make the demo database unless it exists with ``tickets`` tickets; the seconds taken."""
    if db.exists():
        with sqlite3.connect(db) as conn:
            if conn.execute("SELECT count(*) FROM tickets").fetchone()[0] == tickets:
                # Opened once by this code first: a database from an older
                # schema is upgraded on open, which no launch should time.
                subprocess.run(
                    [str(BIN / "triage"), "queue", "--limit", "1", "--db", str(db)],
                    env=env,
                    check=True,
                    stdout=subprocess.DEVNULL,
                )
                return None
    started = time.perf_counter()
    subprocess.run(
        [str(BIN / "triage"), "demo", "--tickets", str(tickets), "--db", str(db), "--force"],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - started


def revision(checkout: Path) -> str:
    """The commit measured, ``+dirty`` when the work tree has changes."""
    git = ["git", "-C", str(checkout)]
    head = subprocess.run(
        [*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
    )
    dirty = subprocess.run(
        [*git, "status", "--porcelain", "--untracked-files=no"],
        capture_output=True,
        text=True,
        check=False,
    )
    return head.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "") or "unknown"


def machine() -> dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as info:
            names = [
                line.split(":", 1)[1].strip() for line in info if line.startswith("model name")
            ]
            cpu = names[0] if names else cpu
    except OSError:
        pass
    import textual

    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "textual": getattr(textual, "__version__", "?"),
        "load_before": [round(x, 2) for x in os.getloadavg()],
    }


def compile_bytecode(checkout: Path) -> None:
    """Compile the measured package's modules, as ``pip install`` does.

    An editable checkout run with ``PYTHONDONTWRITEBYTECODE`` set (as on this
    machine) compiles ~80 modules from source on every launch (~150 ms),
    which an installed console never does and the floor (Textual, installed
    compiled) does not pay.
    """
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(checkout / "triage_tui")],
        check=False,
        stdout=subprocess.DEVNULL,
    )


def run(args: argparse.Namespace) -> dict[str, Any]:
    tmp = Path(tempfile.mkdtemp(prefix="triage-bench-"))
    compile_bytecode(Path(args.pythonpath) if args.pythonpath else ROOT)
    env = environment(tmp)
    if args.pythonpath:
        # Benchmark another checkout (e.g. the commit before a change) with this harness.
        env["PYTHONPATH"] = str(Path(args.pythonpath).resolve())
    db = Path(args.db) if args.db else tmp / f"demo-{args.tickets}.db"
    demo_seconds = ensure_db(db, args.tickets, env)
    with sqlite3.connect(db) as conn:
        active = conn.execute(
            "SELECT count(*) FROM tickets WHERE status NOT IN ('solved', 'closed')"
        ).fetchone()[0]
    result: dict[str, Any] = {
        "code": revision(Path(args.pythonpath) if args.pythonpath else ROOT),
        "machine": machine(),
        "tickets": args.tickets,
        "active_in_queue": active,
        "demo_seconds": None if demo_seconds is None else round(demo_seconds, 1),
        "console_config": ALERTS_OFF,
        "sizes": {},
    }
    parts = set(args.parts)
    for size in args.sizes:
        cols, rows = (int(n) for n in size.split("x"))
        if "keys" not in parts:
            result["sizes"][size] = measure_size_settling(db, cols, rows, env, tmp, args, parts)
            continue
        floors, firsts, loads = [], [], []
        for _ in range(args.runs):  # alternate so load drift hits both alike
            floors.append(measure_floor(cols, rows, 0, env, tmp)["first_screen_ms"])
            startup = measure_startup(db, cols, rows, env)
            firsts.append(startup["first_rows_ms"])
            loads.append(startup["loaded_ms"])
        floor = measure_floor(cols, rows, args.keys, env, tmp)
        floor["first_screen_ms"] = spread(floors + [floor["first_screen_ms"]])
        console = measure_console(db, cols, rows, args.keys, env, args.warm_up, args.idle)
        console["first_rows_ms"] = spread(firsts)
        console["loaded_ms"] = spread(loads)
        local = measure_console(db, cols, rows, args.keys, env, args.warm_up, 0, over_ssh=False)
        result["sizes"][size] = {
            "floor": floor,
            "triage": console,
            "local": local,
            "ratios": ratios(floor, console),
            **measure_size_settling(db, cols, rows, env, tmp, args, parts),
        }
    result["machine"]["load_after"] = [round(x, 2) for x in os.getloadavg()]
    result["targets"] = check_targets(result)
    return result


def measure_size_settling(
    db: Path,
    cols: int,
    rows: int,
    env: dict[str, str],
    tmp: Path,
    args: argparse.Namespace,
    parts: set[str],
) -> dict[str, Any]:
    """The settle figures of one size and, at the first size, the remote start
    (``--runs`` warm launches, each followed by the floor's first screen)."""
    figures: dict[str, Any] = {}
    if "settle" in parts:
        figures["settle"] = {
            "local": measure_settling(db, cols, rows, args.keys, env, args.warm_up, False),
            "ssh": measure_settling(db, cols, rows, args.keys, env, args.warm_up, True),
        }
    if "remote" in parts and cols == int(args.sizes[0].split("x")[0]):
        remote = measure_remote_start(
            [str(BIN / "triage")],
            cols,
            rows,
            env,
            args.remote_tickets,
            args.remote_latency,
            runs=args.runs,
            floor=lambda: measure_floor(cols, rows, 0, env, tmp)["first_screen_ms"],
        )
        first, floor = remote["first_rows_ms"], remote["floor_first_screen_ms"]
        remote["ratio_first_screen"] = (
            round(first["median"] / floor["median"], 2) if first and floor else None
        )
        figures["remote_start"] = remote
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tickets", type=int, default=100_000, help="demo size (default 100000)")
    parser.add_argument("--db", help="demo database to use or create (default: a temp file)")
    parser.add_argument(
        "--sizes", type=lambda s: s.split(","), default=["120x40", "80x24"], help="COLSxROWS,…"
    )
    parser.add_argument("--keys", type=int, default=40, help="keystrokes per measurement")
    parser.add_argument("--runs", type=int, default=3, help="start-up runs per size")
    parser.add_argument("--pythonpath", help="import triage_tui from this checkout instead")
    parser.add_argument("--warm-up", type=float, default=WARM_UP_S, help="seconds before keys")
    parser.add_argument("--idle", type=float, default=IDLE_S, help="seconds of idle measured")
    parser.add_argument(
        "--parts",
        type=lambda s: s.split(","),
        default=["keys", "settle", "remote"],
        help="what to measure: keys (start-up, keys, bytes), settle (until the screen "
        "settles, held j), remote (start from the cache on a slow fake Zendesk)",
    )
    parser.add_argument("--remote-tickets", type=int, default=5000, help="fake Zendesk size")
    parser.add_argument(
        "--remote-latency", type=float, default=0.1, help="fake Zendesk seconds per request"
    )
    add_output_options(parser)
    args = parser.parse_args(argv)
    return measure_and_report(args, argv, run, markdown, "benchmarks/tui.py", "tui")


if __name__ == "__main__":
    raise SystemExit(main())
