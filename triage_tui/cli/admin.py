"""Commands around the helpdesk rather than on tickets: demo, kb import, config.

``demo`` and ``kb import`` always work on the embedded (local) helpdesk; the
generator (``triage_tui/demo``) and the importer (``adapters/local``) are imported
only here.
``config show`` prints the effective settings with secrets masked, so it can be
pasted into a bug report.
"""

from __future__ import annotations

import json
import re
import sys
import threading
import time
from argparse import Namespace
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Self

from triage_tui import config as config_mod
from triage_tui import paths
from triage_tui.cli.output import dumps, one_line
from triage_tui.domain.errors import ConfigError, InvalidInput
from triage_tui.domain.text import count, is_clean
from triage_tui.session import ConsoleContext, load_config

#: ``demo``'s data set when neither --tickets nor --seed is given.
DEFAULT_TICKETS = 300
DEFAULT_SEED = 7
#: From this many tickets on, ``demo`` shows a progress line while it works.
PROGRESS_FROM = 5_000
#: ``kb import`` names at most this many skipped files on stderr.
SHOW_SKIPPED = 10
# A demo is for trying the console and for benchmarks at size; past a million
# tickets generation takes minutes and the file gigabytes, which nobody asking
# for a demo means (a typo such as an extra 000 should not fill the disk).
MAX_TICKETS = 1_000_000


# -- demo ---------------------------------------------------------------------


def demo(args: Namespace, ctx: ConsoleContext) -> int:
    from triage_tui.demo import generator as demo_mod

    db = ctx.db_path or paths.default_db()
    rebuild = args.reset or args.force
    kept = None if rebuild else demo_mod.demo_counts(db)
    if kept is not None:
        return _keep(args, db, *kept)
    tickets = DEFAULT_TICKETS if args.tickets is None else args.tickets
    seed = DEFAULT_SEED if args.seed is None else args.seed
    if not 1 <= tickets <= MAX_TICKETS:
        raise InvalidInput(f"--tickets must be from 1 to {MAX_TICKETS:,}, not {tickets:,}")
    _check_overwritable(db, force=args.force)
    started = time.perf_counter()
    with _Progress(tickets, db, enabled=tickets >= PROGRESS_FROM) as progress:
        summary = demo_mod.generate(db, tickets=tickets, seed=seed, progress=progress.update)
    seconds = round(time.perf_counter() - started, 2)
    data = {"db": str(db), "seconds": seconds, **_jsonable(summary or {})}
    if args.json:
        print(dumps(data))
        return 0
    counts = ", ".join(
        f"{value} {key}"
        for key, value in (summary or {}).items()
        if isinstance(value, int) and not isinstance(value, bool)
    )
    print(f"Demo helpdesk ready in {db} ({seconds:.1f} s){': ' + counts if counts else ''}")
    print("Next: `triage` opens the console, `triage queue` lists what breaches next.")
    return 0


def _keep(args: Namespace, db: Path, tickets: int, events: int) -> int:
    """An existing demo helpdesk holds the day's work: keep it, say how to rebuild."""
    if args.tickets is not None or args.seed is not None:
        # A different data set was asked for: silently keeping the old one would mislead.
        raise InvalidInput(
            f"{db} already holds a demo helpdesk "
            f"({count(tickets, 'ticket')}, {count(events, 'event')}); "
            "add --reset to rebuild it with --tickets/--seed"
        )
    if args.json:
        print(dumps({"db": str(db), "kept": True, "tickets": tickets, "events": events}))
        return 0
    print(
        f"Kept the demo helpdesk in {db} "
        f"({count(tickets, 'ticket')}, {count(events, 'event')}); "
        "`triage demo --reset` rebuilds it"
    )
    return 0


def _check_overwritable(db: Path, *, force: bool) -> None:
    """Refuse to replace real work: only a missing, empty or demo database is fair game."""
    if force or not db.exists():
        return
    if db.is_dir():
        raise ConfigError(f"{db} is a directory, not a database file")
    if db.stat().st_size == 0 or _is_demo_or_empty(db):
        return
    raise ConfigError(
        f"{db} already holds a helpdesk that is not demo data; "
        "pass --force to replace it, or --db PATH to use another file"
    )


def _is_demo_or_empty(db: Path) -> bool:
    from triage_tui.demo.generator import is_demo_db

    return is_demo_db(db)


class _Progress:
    """A one-line, self-overwriting progress report on stderr (a TTY only animates).

    The generator reports ``progress(done, total)`` per chunk; a ticker thread
    redraws the line twice a second so the elapsed time moves between chunks.
    """

    def __init__(self, total: int, db: Path, *, enabled: bool) -> None:
        self.total, self.db, self.enabled = total, db, enabled
        self.done = 0
        self.tty = bool(getattr(sys.stderr, "isatty", lambda: False)())
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._started = time.perf_counter()

    def update(self, done: int, total: int | None = None) -> None:
        self.done = done
        if total:
            self.total = total

    def _line(self) -> str:
        elapsed = time.perf_counter() - self._started
        counted = (
            f"{self.done:,}/{self.total:,} tickets" if self.done else f"{self.total:,} tickets"
        )
        return f"triage: generating {counted} into {self.db} … {elapsed:.0f} s"

    def _tick(self) -> None:
        while not self._stop.wait(0.5):
            sys.stderr.write("\r" + self._line())
            sys.stderr.flush()

    def __enter__(self) -> Self:
        if self.enabled:
            if self.tty:
                self._thread = threading.Thread(target=self._tick, daemon=True)
                self._thread.start()
            else:
                print(self._line(), file=sys.stderr)
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()


def _jsonable(summary: Mapping[str, Any]) -> dict[str, Any]:
    plain: dict[str, Any] = json.loads(json.dumps(dict(summary), default=str))
    return plain


# -- kb import ---------------------------------------------------------------


def kb_import(args: Namespace, ctx: ConsoleContext) -> int:
    directory = Path(args.directory).expanduser()
    if not directory.is_dir():
        raise InvalidInput(f"{directory} is not a directory of Markdown articles")
    from triage_tui.adapters.local import kb_import as importer

    db = ctx.db_path or paths.default_db()
    started = time.perf_counter()
    result = importer.import_dir(db, directory)
    seconds = round(time.perf_counter() - started, 2)
    skipped = [{"file": name, "reason": reason} for name, reason in result.skipped]
    data = {
        "db": str(db),
        "directory": str(directory),
        "imported": result.imported,
        "updated": result.updated,
        "unchanged": result.unchanged,
        "skipped": len(skipped),
        "skipped_files": skipped,
    }
    if args.json:
        print(dumps(data))
        return 0
    print(
        f"Imported {count(result.imported, 'new article')} ({result.updated} updated, "
        f"{result.unchanged} unchanged, {len(skipped)} skipped) from {directory} into {db}"
        f" ({seconds:.1f} s)"
    )
    for entry in skipped[:SHOW_SKIPPED]:
        print(
            f"triage: skipped {one_line(entry['file'])}: {one_line(entry['reason'])}",
            file=sys.stderr,
        )
    if len(skipped) > SHOW_SKIPPED:
        print(
            f"triage: … and {len(skipped) - SHOW_SKIPPED} more (--json lists them all)",
            file=sys.stderr,
        )
    return 0


# -- config ------------------------------------------------------------------


def config_command(
    args: Namespace, explicit: Path | None, context: Callable[[], ConsoleContext]
) -> int:
    path = explicit or paths.config_file()
    if args.config_command == "path":
        print(path)
        if not path.exists():
            print(
                "triage: (the file does not exist yet; `triage config init` writes one)",
                file=sys.stderr,
            )
        return 0
    if args.config_command == "init":
        written = config_mod.write_example(path, force=args.force)
        print(f"Wrote an example config to {written}")
        return 0
    return _config_show(args, path, explicit, context)


def _config_show(
    args: Namespace, path: Path, explicit: Path | None, context: Callable[[], ConsoleContext]
) -> int:
    load_config(path, must_exist=explicit is not None)  # the file's own errors first
    ctx = context()
    options = config_mod.redacted(config_mod.to_json(ctx.adapter_options))
    data = {
        "config_file": str(path),
        "exists": path.exists(),
        "profile": ctx.profile_name,
        "adapter": ctx.adapter_name,
        "options": options,
        "db": str(ctx.db_path) if ctx.db_path else None,
        "theme": ctx.theme,
        "config": config_mod.redacted(config_mod.to_json(ctx.config)),
    }
    if args.json:
        print(dumps(data))
        return 0
    state = "exists" if path.exists() else "not found: built-in defaults"
    in_effect = f"profile {ctx.profile_name!r}, adapter {ctx.adapter_name!r}"
    if ctx.db_path:
        in_effect += f", database {ctx.db_path}"
    lines = [
        f"# config file: {path} ({state})",
        f"# in effect: {in_effect}",
        "# adapter options (profile < TRIAGE_<ADAPTER>_<OPTION> < --db; secrets as ***):",
        *[f"#   {line.removeprefix('# ')}" for line in _toml(options)],
        "# the validated config (valid TOML):",
        "",
        *_toml(data["config"]),
    ]
    print("\n".join(lines).rstrip())
    return 0


_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return (
            "{ " + ", ".join(f"{_toml_key(k)} = {_toml_value(v)}" for k, v in value.items()) + " }"
        )
    return _toml_string(str(value))


def _toml_string(text: str) -> str:
    """A TOML basic string in which every character the terminal gate would
    neutralise (C1 controls, bidi overrides, …) is a ``\\u`` escape: the output
    stays valid TOML and reads back as the same value, and nothing from the
    config file reaches the terminal raw."""
    quoted = json.dumps(text, ensure_ascii=False)  # escapes C0 controls, quotes, backslashes
    if is_clean(quoted, keep_newlines=False):
        return quoted
    return "".join(
        char
        if is_clean(char, keep_newlines=False)
        else (f"\\u{ord(char):04x}" if ord(char) <= 0xFFFF else f"\\U{ord(char):08x}")
        for char in quoted
    )


def _toml_key(key: str) -> str:
    """A bare key where TOML allows one, else a quoted (and neutralised) one."""
    return key if _BARE_KEY.fullmatch(key) else _toml_string(key)


def _toml(data: Mapping[str, Any], prefix: str = "") -> list[str]:
    """A readable TOML rendering: scalars first, then one [table] per nested mapping.

    A table holding only sub-tables gets no header of its own (TOML does not need it).
    """
    lines: list[str] = []
    for key, value in data.items():
        if isinstance(value, dict):
            continue
        shown = _toml_key(key)
        lines.append(f"# {shown} = (unset)" if value is None else f"{shown} = {_toml_value(value)}")
    for key, value in data.items():
        if isinstance(value, dict):
            name = f"{prefix}.{_toml_key(key)}" if prefix else _toml_key(key)
            if not value or any(not isinstance(v, dict) for v in value.values()):
                lines += ["", f"[{name}]"]
            lines += _toml(value, name)
    return lines
