"""The verbs never import Textual, start fast, and work through the real console script."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.conftest import Runner, fake_console

BIN = Path(sys.executable).parent


def _env(tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRIAGE_")}
    env.update(TRIAGE_CONFIG_DIR=str(tmp / "config"), TRIAGE_DATA_DIR=str(tmp / "data"))
    return env


def test_get_ticket_never_imports_textual(demo_db: Path, tmp_path: Path) -> None:
    ticket_id = _first_ticket(demo_db, tmp_path)
    proc = subprocess.run(
        [
            sys.executable,
            "-X",
            "importtime",
            "-m",
            "triage_tui",
            "get-ticket",
            ticket_id,
            "--db",
            str(demo_db),
        ],
        capture_output=True,
        check=False,
        text=True,
        env=_env(tmp_path),
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    imported = {
        line.split("|")[-1].strip()
        for line in proc.stderr.splitlines()
        if line.startswith("import time:")
    }
    # The measurement works (the adapter module itself is loaded through
    # importlib.import_module, which -X importtime does not time; its imports are).
    assert "triage_tui.adapters.local.row_queries" in imported
    forbidden = {
        m for m in imported if m.split(".")[0] in ("textual", "rich", "httpx", "rapidfuzz")
    }
    assert not forbidden
    assert not any(m.startswith("triage_tui.ui") for m in imported)


@pytest.mark.parametrize("argv", [["queue", "--limit", "3"], ["search-kb", "password"], ["--help"]])
def test_other_verbs_leave_textual_out_of_sys_modules(
    demo_db: Path, tmp_path: Path, argv: list[str]
) -> None:
    code = (
        "import sys; from triage_tui.cli import main; rc = main(sys.argv[1:]); "
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich', 'httpx')"
        " or m.startswith('triage_tui.ui')); print('LEAK', bad, file=sys.stderr) if bad else None; "
        "raise SystemExit(rc)"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, *argv, "--db", str(demo_db)]
        if argv[0] != "--help"
        else [sys.executable, "-c", code, *argv],
        capture_output=True,
        check=False,
        text=True,
        env=_env(tmp_path),
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert "LEAK" not in proc.stderr


def test_console_script_end_to_end(demo_db: Path, tmp_path: Path) -> None:
    triage = BIN / "triage"
    if not triage.exists():
        pytest.skip("the console script is not installed (pip install -e .)")
    env = _env(tmp_path)
    queue = subprocess.run(
        [str(triage), "queue", "--json", "--db", str(demo_db)],
        capture_output=True,
        check=False,
        text=True,
        env=env,
        timeout=60,
    )
    assert queue.returncode == 0, queue.stderr
    ticket_id = json.loads(queue.stdout)["tickets"][0]["id"]
    reply = subprocess.run(
        [str(triage), "--db", str(demo_db), "reply-ticket", ticket_id, "-"],
        input="Hi,\nthanks!\n",
        capture_output=True,
        check=False,
        text=True,
        env=env,
        timeout=60,
    )
    assert reply.returncode == 0, reply.stderr
    assert reply.stdout.startswith(f"Responded to {ticket_id} for ")
    missing = subprocess.run(
        [str(triage), "--db", str(demo_db), "get-ticket", "nope"],
        capture_output=True,
        check=False,
        text=True,
        env=env,
        timeout=60,
    )
    assert missing.returncode == 3
    assert missing.stderr == "triage: error: ticket nope not found\n"


def test_no_command_launches_the_console_with_the_resolved_helpdesk(
    run: Runner, demo_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple] = []

    def fake_run(helpdesk, profile, config, theme=None):  # type: ignore[no-untyped-def]
        calls.append((helpdesk, profile, config, theme))
        return 0

    fake_console(monkeypatch, fake_run)
    result = run("--db", str(demo_db), "--theme", "triage-ansi")
    assert result.code == 0, result.err
    [(helpdesk, profile, _config, theme)] = calls
    assert helpdesk.name == "local" and helpdesk.inner.db_path == demo_db
    assert theme == "triage-ansi" and profile.adapter == "local"


def _first_ticket(db: Path, tmp: Path) -> str:
    proc = subprocess.run(
        [sys.executable, "-m", "triage_tui", "queue", "--json", "--limit", "1", "--db", str(db)],
        capture_output=True,
        check=False,
        text=True,
        env=_env(tmp),
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)["tickets"][0]["id"]


#: What the console's first screen (the queue) must not wait for: each is
#: imported when first used (a ticket opened, a plan, a filter, a sweep …).
LATER = (
    "rapidfuzz",
    "triage_tui.domain.clusters",
    "triage_tui.domain.replies.drafting",
    "triage_tui.domain.escalation",
    "triage_tui.domain.filters.language",
    "triage_tui.domain.kb.ranking",
    "triage_tui.domain.handling_plan.plan",
    "triage_tui.domain.safeguards.checks",
    "triage_tui.engine.bulk",
    "triage_tui.engine.report",
    "triage_tui.engine.sweep",
    "triage_tui.engine.sweep_plan",
    "triage_tui.ui.screens.bulk",
    "triage_tui.ui.screens.prompts",
    "triage_tui.ui.screens.report",
    "triage_tui.ui.screens.sweep",
    "triage_tui.ui.screens.sweep_plan",
    "triage_tui.ui.widgets.draft",
    "textual.widgets._text_area",
)

FIRST_SCREEN = """
import asyncio, json, sys
from triage_tui.ui import app as app_mod
from triage_tui.ui.screens import main as main_mod

seen = []

async def first_rows(self):  # replaces _mount_work: called once the first rows are painted
    seen.append(sorted(sys.modules))
    self.app.exit(0)

main_mod.MainScreen._mount_work = first_rows

def headless(self, *args, **kwargs):
    async def go():
        async with self.run_test(size=(120, 40)) as pilot:
            while not seen:
                await pilot.pause(0.05)
    asyncio.run(go())
    return 0

app_mod.TriageApp.run = headless
from triage_tui.cli import main
code = main(sys.argv[1:])
print(json.dumps(seen[0]))
raise SystemExit(code)
"""


def test_console_first_screen_leaves_the_heavy_modules_for_later(
    demo_db: Path, tmp_path: Path
) -> None:
    """The queue is painted before the detail pane, KB, rules, filters or sweeps are imported."""
    proc = subprocess.run(
        [sys.executable, "-c", FIRST_SCREEN, "--db", str(demo_db)],
        capture_output=True,
        check=False,
        text=True,
        env=_env(tmp_path),
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    imported = set(json.loads(proc.stdout.strip().splitlines()[-1]))
    assert "triage_tui.ui.widgets.queue" in imported  # the measurement works
    early = sorted(m for m in imported if m in LATER or m.split(".")[0] in LATER)
    assert not early, f"imported before the first rows: {early}"


BEFORE_THE_UI = """
import json, sys, types
preloaded = "importlib.metadata" in sys.modules  # e.g. a .pth file of the environment
seen = {}

def run(helpdesk, profile, config, theme=None, **extra):
    # Where the console hands over to Textual: what has the path so far paid for?
    from pydantic import BaseModel

    def models(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from models(sub)

    seen["built"] = sorted(
        f"{m.__module__}.{m.__qualname__}"
        for m in set(models(BaseModel))
        if m.__module__.startswith("triage_tui") and m.__pydantic_complete__
    )
    seen["modules"] = sorted(
        m for m in ("importlib.metadata", "pydantic.plugin._loader") if m in sys.modules
    )
    seen["preloaded"] = preloaded
    return 0

fake = types.ModuleType("triage_tui.ui.app")
fake.run = run
sys.modules["triage_tui.ui.app"] = fake
from triage_tui.cli import main
code = main(sys.argv[1:])
print(json.dumps(seen))
raise SystemExit(code)
"""


def test_console_path_to_the_ui_builds_no_validator_and_reads_no_metadata(
    demo_db: Path, tmp_path: Path
) -> None:
    """``triage --db X`` without a config file, up to the point Textual takes over.

    Every pydantic model on that path defers its build (the defaults and the
    local adapter's options are constructed), nothing triggers pydantic's
    plugin loader, and the built-in adapter is found without scanning the
    installed packages' entry points (``importlib.metadata``).
    """
    env = _env(tmp_path)
    assert not (Path(env["TRIAGE_CONFIG_DIR"]) / "config.toml").exists()
    proc = subprocess.run(
        [sys.executable, "-c", BEFORE_THE_UI, "--db", str(demo_db)],
        capture_output=True,
        check=False,
        text=True,
        env=env,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    seen = json.loads(proc.stdout.strip().splitlines()[-1])
    assert seen["built"] == [], f"validators built before the first screen: {seen['built']}"
    assert "pydantic.plugin._loader" not in seen["modules"]
    if not seen["preloaded"]:
        assert "importlib.metadata" not in seen["modules"]
