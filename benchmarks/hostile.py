"""A hostile campaign: the verbs and the console against helpdesks and files gone bad.

    python benchmarks/hostile.py [--quick] [--only PATTERN] [--json-out FILE] [--jobs N]
                                 [--deadline SECONDS] [--list]

Each case runs one surface — a verb as a subprocess (``triage --profile …
get-ticket``, ``queue``, ``search-kb``, ``plan``, ``doctor``, ``report``…)
or the console in a pseudo-terminal — against one kind of trouble:

* ``http/<mode>``: a Zendesk on 127.0.0.1 that answers badly
  (``benchmarks/hostile_server.py``: broken, enormous or deeply nested JSON,
  wrong types, 5 000-digit integers, 1e400, slow bodies, endless
  Retry-After, redirects, HTML error pages, error storms, paging that never
  ends, the token echoed in error bodies);
* ``http-data/<payload>`` and ``local-data/<payload>``: terminal escape
  sequences (OSC 52, OSC 0, OSC 8, DCS, CSI 2J, C1, bidi, BEL) in every
  string field, served by that Zendesk or held by the embedded SQLite helpdesk;
* ``local-big/<text>``: 1 MB words, 100 000 words, 10 000 lines in a ticket;
* ``config/<kind>``: config files with bad types, absurd durations, escape
  sequences, 100 000-deep tables, a FIFO or a directory as the config path;
* ``files/<kind>``: corrupt outbox, cache, event log, drafts, helpdesk file,
  and a data directory the user cannot write.

Every case records the exit code, a traceback, exit 70, a hang (the case's
wall deadline passed and it was killed), escape bytes that came from the data
(``benchmarks/hostile_scan.py`` says how the console's own are told apart),
the peak RSS and whether a secret was printed. One JSON document is printed;
its ``totals`` are what must be zero.
"""

from __future__ import annotations

import argparse
import base64
import fnmatch
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import hostile_scan as scan
from benchmarks.hostile_data import BIG_TEXTS, PAYLOADS, hostile_spec, marked
from benchmarks.hostile_files import CONFIGS, FILES, ConfigCase, FileCase
from benchmarks.hostile_server import MODES, HostileZendesk
from tests.adapters.contract import seed_local_db
from tests.fakes.pty_console import PtyConsole
from tests.fakes.seeding import seed_zendesk
from triage_tui.domain.clock import SystemClock

ROOT = Path(__file__).resolve().parents[1]
#: The checkout whose ``triage_tui`` the cases run (``--product``: another branch's export).
PRODUCT = {"root": ROOT}
TRIAGE = [sys.executable, "-m", "triage_tui"]
EMAIL = "sam@triage.example"
#: The API token; it must never be printed, nor its Basic-auth form.
TOKEN = "hx-SECRET-7c1e9a44b2f0d6"
SECRETS = (TOKEN, base64.b64encode(f"{EMAIL}/token:{TOKEN}".encode()).decode())
PROFILE = "hostile"
DEADLINE_S = 20.0
#: Set by a case whose data directory must be read-only for the verb.
READONLY_ENV = "HX_READONLY_DIR"
#: Keep at most this much of a run's output for the scans.
OUTPUT_CAP = 64 << 20

#: Verb surfaces: name -> arguments after ``triage --profile P``.
VERBS: dict[str, list[str]] = {
    "queue": ["queue", "--limit", "50"],
    "queue-json": ["queue", "--limit", "50", "--json"],
    "get-ticket": ["get-ticket", "{ticket}"],
    "get-ticket-json": ["get-ticket", "{ticket}", "--json"],
    "get-user": ["get-user", "{person}", "--tickets"],
    "search-kb": ["search-kb", "refund please"],
    "plan": ["plan", "{ticket}"],
    "doctor": ["doctor"],
    "report": ["report", "--since", "30d"],
    "events": ["events", "--since", "30d"],
    "config-show": ["config", "show"],
    "reply-ticket": ["reply-ticket", "{ticket}", "Thanks, we are on it."],
}
HTTP_SURFACES = ("queue", "get-ticket", "search-kb", "doctor", "reply-ticket", "console")
DATA_SURFACES = (
    "queue",
    "queue-json",
    "get-ticket",
    "get-ticket-json",
    "get-user",
    "search-kb",
    "plan",
    "console",
)
LOCAL_DATA_SURFACES = (*DATA_SURFACES, "report", "events")
BIG_SURFACES = ("queue", "get-ticket", "get-ticket-json", "search-kb", "plan", "console")
CONFIG_SURFACES = ("queue", "doctor", "config-show", "console")
FILE_SURFACES = ("queue", "get-ticket", "report", "console")

#: The quick subset the test suite runs (case ids; fnmatch patterns).
QUICK = (
    "http/malformed_json/get-ticket",
    "http/nested_deep/queue",
    "http/huge_int/get-ticket",
    "http/retry_after_inf/queue",
    "http/next_malformed/queue",
    "http/secret_echo/doctor",
    "http/secret_echo/queue",
    "http/secret_echo/console",
    "http/redirect_offhost/queue",
    "http/storm_404/get-ticket",
    "http/html_error/get-ticket",
    "http-data/osc52/get-ticket",
    "http-data/mixed/queue",
    "http-data/bidi/get-ticket-json",
    "local-data/mixed/get-ticket",
    "local-data/osc52/queue-json",
    "local-data/bidi/search-kb",
    "local-data/c1/plan",
    "local-data/mixed/report",
    "local-big/words_100k/get-ticket",
    "config/deep_table/queue",
    "config/huge_duration/queue",
    "config/escape_view/queue",
    "config/escape_view/config-show",
    "http-data/mixed/console",
    "http/slow_body/queue",
    "config/directory/queue",
    "files/outbox_garbage/queue",
    "files/outbox_garbage/console",
    "files/data_dir_is_file/console",
    "files/readonly_data/get-ticket",
)


@dataclass
class Setup:
    """What a case runs against: its environment, the ids to ask for, its server."""

    env: dict[str, str]
    workdir: Path
    ticket: str = "101"
    person: str = "1"
    server: HostileZendesk | None = None


@dataclass
class Case:
    id: str
    category: str
    surface: str
    prepare: Callable[[Path], Setup]
    note: str = ""


@dataclass
class Result:
    id: str
    category: str
    surface: str
    exit: int | None = None
    seconds: float = 0.0
    traceback: bool = False
    exit70: bool = False
    hang: bool = False
    escapes: list[str] = field(default_factory=list)
    secrets: list[str] = field(default_factory=list)
    peak_rss_mb: float = 0.0
    tail: str = ""
    error: str = ""

    @property
    def failed(self) -> bool:
        return bool(
            self.traceback or self.exit70 or self.hang or self.escapes or self.secrets or self.error
        )


# -- environments ------------------------------------------------------------------


def base_env(workdir: Path) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("TRIAGE_", "TEXTUAL"))}
    for key in ("NO_COLOR", "FORCE_COLOR", "SSH_CONNECTION", "SSH_CLIENT", "SSH_TTY"):
        clean.pop(key, None)
    (workdir / "config").mkdir(exist_ok=True)
    return {
        **clean,
        "PYTHONPATH": str(PRODUCT["root"]),
        "TRIAGE_CONFIG_DIR": str(workdir / "config"),
        "TRIAGE_DATA_DIR": str(workdir / "data"),
        "TRIAGE_PROFILE": PROFILE,
        "TERM": "xterm-256color",
        "COLUMNS": "120",
        "LINES": "40",
    }


def write_config(workdir: Path, profile_body: str, extra: str = "") -> Path:
    path = workdir / "config" / "config.toml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(f'profile = "{PROFILE}"\n[profiles.{PROFILE}]\n{profile_body}{extra}')
    path.chmod(0o600)
    return path


def zendesk_setup(workdir: Path, mode: str, text: str) -> Setup:
    server = HostileZendesk(SystemClock(), mode, email=EMAIL, token=TOKEN, escape=marked("mixed"))
    server.start()
    tickets, people, _ = seed_zendesk(server, hostile_spec(datetime.now(UTC), text))
    server.seed_mutations()
    write_config(
        workdir,
        'adapter = "zendesk"\nagent = "Sam Rivera"\n'
        f'[profiles.{PROFILE}.options]\nbase_url = "{server.origin}"\nemail = "{EMAIL}"\n'
        "view_id = 1\ntimeout = 5\n",
    )
    env = {**base_env(workdir), "TRIAGE_ZENDESK_TOKEN": TOKEN}
    return Setup(env, workdir, tickets["hostile"], people["ana"], server)


class LocalSeeds:
    """One seeded helpdesk file per hostile text, made once and copied into each case."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.lock = threading.Lock()
        self.made: dict[str, tuple[Path, str, str]] = {}

    def get(self, key: str, text: str, body: str | None = None) -> tuple[Path, str, str]:
        with self.lock:
            if key not in self.made:
                db = self.root / f"{key}.db"
                tickets, people, _ = seed_local_db(
                    db, hostile_spec(datetime.now(UTC), text, body=body)
                )
                add_hostile_events(db, tickets["hostile"], text[:4096])
                self.made[key] = (db, tickets["hostile"], people["ana"])
            return self.made[key]


def add_hostile_events(db: Path, ticket: str, text: str) -> None:
    """Events as the console would log them, carrying the text (what ``report`` reads)."""
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    rows = [
        ("ticket.viewed", now, ticket, text, json.dumps({})),
        ("ticket.escalated", now, ticket, text, json.dumps({"reason": text, "route": text})),
        ("reply.sent", now, ticket, text, json.dumps({"body": text})),
        ("plan.follow_up", now, ticket, text, json.dumps({"kind": "kb", "text": text})),
        (text, now, ticket, text, json.dumps({text: text})),
    ]
    with sqlite3.connect(db) as conn:
        conn.executemany(
            "INSERT INTO events(name, at, ticket_id, actor, payload) VALUES (?, ?, ?, ?, ?)", rows
        )


def local_setup(workdir: Path, seeds: LocalSeeds, key: str, text: str, body: str | None) -> Setup:
    source, ticket, person = seeds.get(key, text, body)
    data = workdir / "data"
    data.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, data / "helpdesk.db")
    write_config(workdir, 'adapter = "local"\nagent = "Sam Rivera"\nundo_seconds = 0\n')
    return Setup(base_env(workdir), workdir, ticket, person)


# -- running ---------------------------------------------------------------------


def _read_capped(path: Path) -> bytes:
    with path.open("rb") as handle:
        return handle.read(OUTPUT_CAP)


def run_verb(argv: list[str], setup: Setup, deadline: float, result: Result) -> str:
    """Run one verb; its output (stdout then stderr) as text.

    Peak RSS is the child's ``VmHWM``, polled: ``wait4``'s ``ru_maxrss``
    would start from this (large) process's own, which the child inherits
    across the fork.
    """
    out, err = setup.workdir / "stdout", setup.workdir / "stderr"
    readonly = setup.env.get(READONLY_ENV)
    if readonly:
        argv = [*readonly_wrapper(readonly), *argv]
    started = time.monotonic()
    peak = 0
    with out.open("wb") as stdout, err.open("wb") as stderr:
        proc = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=stdout,
            stderr=stderr,
            env=setup.env,
            cwd=setup.workdir,
            start_new_session=True,
        )
        while True:
            peak = max(peak, _vm_hwm_kb(proc.pid))
            try:
                proc.wait(timeout=0.02)
                break
            except subprocess.TimeoutExpired:
                pass
            if time.monotonic() - started > deadline:
                result.hang = True
                _kill_group(proc.pid)
                proc.wait()
                break
    result.seconds = round(time.monotonic() - started, 2)
    result.exit = proc.returncode
    result.peak_rss_mb = round(peak / 1024, 1)
    text_out, text_err = scan.decode(_read_capped(out)), scan.decode(_read_capped(err))
    result.tail = (text_err.strip() or text_out.strip())[-300:]
    return text_out + "\n" + text_err


def readonly_wrapper(directory: str) -> list[str]:
    """Run the verb with ``directory`` read-only: a private read-only bind mount as root
    (root ignores permission bits), the permission bits otherwise."""
    if os.geteuid() != 0:
        return []
    if shutil.which("unshare") is None:
        raise RuntimeError("the read-only case needs unshare(1) when run as root")
    script = 'mount --bind -o ro "$0" "$0" && exec "$@"'
    return ["unshare", "--mount", "--propagation", "private", "sh", "-c", script, directory]


def _kill_group(pid: int) -> None:
    with suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)


def _vm_hwm_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def run_console(setup: Setup, deadline: float, result: Result) -> str:
    """Start the console in a pty, move around, quit; the raw output as text."""
    started = time.monotonic()
    console = PtyConsole(setup.env, setup.workdir)
    peak = 0

    def alive_for(seconds: float, quiet: float | None = None) -> bool:
        """Wait ``seconds`` (or until ``quiet`` seconds pass with no output); False if it exited."""
        nonlocal peak
        end = time.monotonic() + seconds
        size, last_change = len(console.output), time.monotonic()
        while time.monotonic() < end and time.monotonic() - started < deadline:
            peak = max(peak, _vm_hwm_kb(console.proc.pid))
            if console.proc.poll() is not None:
                return False
            if len(console.output) != size:
                size, last_change = len(console.output), time.monotonic()
            elif quiet is not None and size and time.monotonic() - last_change > quiet:
                return True
            time.sleep(0.05)
        return console.proc.poll() is None

    try:
        # The SLA countdown redraws every second: "quiet" is a pause between ticks.
        if alive_for(8.0, quiet=0.7):
            for key in ("j", "j", "\r", "k", "\t", "\t"):
                console.send(key, pause=0.15)
            if alive_for(2.0, quiet=0.5):
                # esc leaves an editor or a dialog; alone, or it would read as alt+q.
                for keys, wait in ((b"\x1b", 0.4), (b"q", 3.0), (b"\x11", 3.0)):  # ctrl+q last
                    if console.proc.poll() is not None:
                        break
                    try:
                        console.send_raw(keys, pause=0.1)
                    except OSError:
                        break
                    alive_for(wait)
        alive_for(max(0.0, deadline - (time.monotonic() - started)))
        if console.proc.poll() is None:
            result.hang = True
    finally:
        peak = max(peak, _vm_hwm_kb(console.proc.pid))
        console.close()
    result.seconds = round(time.monotonic() - started, 2)
    result.exit = console.proc.returncode
    result.peak_rss_mb = round(peak / 1024, 1)
    raw = console.raw()
    screen = scan.screen_text(raw)
    result.tail = " ".join(screen.translate(_NO_BOXES).split())[-300:]
    return scan.decode(raw)


#: Box drawing and blocks, dropped from the console's screen in the report.
_NO_BOXES = {code: " " for code in range(0x2500, 0x25A0)}


def run_case(case: Case, own: set[str], deadline: float, scratch: Path) -> Result:
    result = Result(case.id, case.category, case.surface)
    workdir = Path(tempfile.mkdtemp(prefix="case-", dir=scratch))
    setup: Setup | None = None
    try:
        setup = case.prepare(workdir)
        if case.surface == "console":
            text = run_console(setup, deadline, result)
            result.escapes = scan.console_escapes(text, own)
        else:
            args = [a.format(ticket=setup.ticket, person=setup.person) for a in VERBS[case.surface]]
            text = run_verb([*TRIAGE, "--profile", PROFILE, *args], setup, deadline, result)
            result.escapes = scan.verb_escapes(text)
        result.traceback = scan.tracebacks(text)
        result.exit70 = result.exit == 70
        result.secrets = scan.secrets_in(text, SECRETS)
        if setup.server is not None and any(setup.server.offhost_auth):
            result.secrets.append("credentials sent to the redirect's other host")
    except Exception as exc:  # noqa: BLE001 (a broken case is reported, the campaign goes on)
        result.error = f"{type(exc).__name__}: {exc}"
    finally:
        if setup is not None and setup.server is not None:
            setup.server.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    return result


# -- the cases -------------------------------------------------------------------


def build_cases(scratch: Path) -> list[Case]:
    seeds = LocalSeeds(scratch / "seeds")
    seeds.root.mkdir(parents=True, exist_ok=True)
    cases: list[Case] = []

    def add(
        category: str, kind: str, surfaces: tuple[str, ...], prepare: Callable[[Path], Setup]
    ) -> None:
        for surface in surfaces:
            cases.append(Case(f"{category}/{kind}/{surface}", category, surface, prepare))

    for mode in MODES:
        if mode == "clean":
            continue
        add("http", mode, HTTP_SURFACES, partial(zendesk_setup, mode=mode, text="plain"))
    for kind in PAYLOADS:
        text = marked(kind)
        add("http-data", kind, DATA_SURFACES, partial(zendesk_setup, mode="clean", text=text))
        add(
            "local-data",
            kind,
            LOCAL_DATA_SURFACES,
            partial(local_setup, seeds=seeds, key=kind, text=text, body=None),
        )
    for name, body in BIG_TEXTS.items():
        add(
            "local-big",
            name,
            BIG_SURFACES,
            partial(local_setup, seeds=seeds, key=name, text=f"big {name}", body=body),
        )
    for config in CONFIGS:
        add(
            "config",
            config.name,
            CONFIG_SURFACES,
            partial(config_setup, seeds=seeds, config=config),
        )
    for files in FILES:
        surfaces = tuple(s for s in FILE_SURFACES if s not in files.skip)
        add("files", files.name, surfaces, partial(files_setup, seeds=seeds, files=files))
    return cases


def config_setup(workdir: Path, seeds: LocalSeeds, config: ConfigCase) -> Setup:
    # Plain data: whatever these cases find comes from the config alone.
    setup = local_setup(workdir, seeds, "plain", "plain", None)
    config.apply(workdir / "config", setup.env)
    return setup


def files_setup(workdir: Path, seeds: LocalSeeds, files: FileCase) -> Setup:
    if files.remote:
        setup = zendesk_setup(workdir, "clean", "plain")
    else:
        setup = local_setup(workdir, seeds, "plain", "plain", None)
    files.apply(workdir / "data", setup.env)
    return setup


# -- the campaign ----------------------------------------------------------------


def baseline(scratch: Path, deadline: float) -> set[str]:
    """The exotic sequences the console sends on clean data (its own, never flagged)."""
    workdir = Path(tempfile.mkdtemp(prefix="baseline-", dir=scratch))
    seeds = LocalSeeds(workdir)
    setup = local_setup(workdir, seeds, "baseline", "plain", None)
    result = Result("baseline", "baseline", "console")
    text = run_console(setup, deadline, result)
    return scan.own_sequences(text)


def select(cases: list[Case], quick: bool, only: str | None) -> list[Case]:
    if quick:
        cases = [c for c in cases if any(fnmatch.fnmatch(c.id, p) for p in QUICK)]
    if only:
        cases = [c for c in cases if fnmatch.fnmatch(c.id, f"*{only}*")]
    return cases


def totals(results: list[Result]) -> dict[str, Any]:
    return {
        "cases": len(results),
        "failed_cases": sum(r.failed for r in results),
        "tracebacks": sum(r.traceback for r in results),
        "exit70": sum(r.exit70 for r in results),
        "hangs": sum(r.hang for r in results),
        "escape_bytes": sum(bool(r.escapes) for r in results),
        "peak_rss_mb": max((r.peak_rss_mb for r in results), default=0.0),
        "secrets": sum(bool(r.secrets) for r in results),
        "broken_cases": sum(bool(r.error) for r in results),
    }


def report(results: list[Result], seconds: float) -> dict[str, Any]:
    failures: dict[str, list[str]] = {
        "traceback": [r.id for r in results if r.traceback],
        "exit70": [r.id for r in results if r.exit70],
        "hang": [r.id for r in results if r.hang],
        "escape_bytes": [r.id for r in results if r.escapes],
        "secrets": [r.id for r in results if r.secrets],
        "broken_case": [r.id for r in results if r.error],
    }
    return {
        "totals": totals(results),
        "seconds": round(seconds, 1),
        "failures": {k: v for k, v in failures.items() if v},
        "cases": [
            {k: v for k, v in vars(r).items() if v not in ("", [], False) or k == "exit"}
            for r in results
        ],
    }


@contextmanager
def scratch_dir() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="triage-hostile-"))
    path.chmod(0o755)  # the read-only case runs its child as another user
    try:
        yield path
    finally:
        for folder, _, _ in os.walk(path):  # the read-only cases' directories, writable again
            with suppress(OSError):
                os.chmod(folder, 0o755)
        shutil.rmtree(path, ignore_errors=True)


def run(
    *,
    quick: bool = False,
    only: str | None = None,
    jobs: int = 3,
    deadline: float = DEADLINE_S,
    progress: bool = False,
) -> list[Result]:
    with scratch_dir() as scratch:
        cases = select(build_cases(scratch), quick, only)
        needs_baseline = any(c.surface == "console" for c in cases)
        own = baseline(scratch, deadline) if needs_baseline else set()
        done = iter(range(1, len(cases) + 1))
        lock = threading.Lock()

        def one(case: Case) -> Result:
            result = run_case(case, own, deadline, scratch)
            if progress:
                with lock:
                    verdict = summary(result) if result.failed else "ok"
                    print(f"[{next(done)}/{len(cases)}] {case.id}: {verdict}", file=sys.stderr)
            return result

        with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            return list(pool.map(one, cases))


def summary(result: Result) -> str:
    """One line: what went wrong in a case."""
    parts = [
        "traceback" if result.traceback else "",
        "exit 70" if result.exit70 else "",
        f"hang ({result.seconds:g} s)" if result.hang else "",
        f"escapes {result.escapes[:1]}" if result.escapes else "",
        f"secrets {result.secrets}" if result.secrets else "",
        f"broken case: {result.error}" if result.error else "",
    ]
    return "; ".join(p for p in parts if p) + f" | exit {result.exit} | {result.tail[-160:]!r}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="the small subset the tests run")
    parser.add_argument("--only", metavar="PATTERN", help="cases whose id contains PATTERN (glob)")
    parser.add_argument("--json-out", metavar="FILE", type=Path, help="also write the JSON here")
    parser.add_argument("--jobs", type=int, default=4, help="cases run at once (default 4)")
    parser.add_argument("--deadline", type=float, default=DEADLINE_S, help="seconds per case")
    parser.add_argument("--list", action="store_true", help="list the case ids and exit")
    parser.add_argument("--progress", action="store_true", help="one line per case on stderr")
    parser.add_argument(
        "--product",
        metavar="DIR",
        type=Path,
        help="run the triage_tui of another checkout (e.g. a `git archive` of a branch)",
    )
    args = parser.parse_args(argv)
    if args.list:
        with scratch_dir() as scratch:
            for case in select(build_cases(scratch), args.quick, args.only):
                print(case.id)
        return 0
    if args.product:
        PRODUCT["root"] = args.product.resolve()
    started = time.monotonic()
    results = run(
        quick=args.quick,
        only=args.only,
        jobs=args.jobs,
        deadline=args.deadline,
        progress=args.progress,
    )
    document = report(results, time.monotonic() - started)
    text = json.dumps(document, indent=1, ensure_ascii=True)
    if args.json_out:
        args.json_out.write_text(text + "\n")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
