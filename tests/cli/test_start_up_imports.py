"""The console's first screen of queue rows imports no pydantic (issue 7: start-up).

pydantic is ~100 ms of a ~450 ms start (docs/performance.md); the rows, the
config without a file and the local adapter's usual options need none of it.
Run in a fresh interpreter: this test process has imported everything.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.domain.row_factories import row
from triage_tui.domain.clock import FrozenClock

PROBE = Path(__file__).with_name("first_screen_probe.py")


def _first_screen(
    tmp: Path, *args: str, config: str | None = None, extra: dict[str, str] | None = None
) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TRIAGE_", "TEXTUAL"))}
    env.update(TRIAGE_CONFIG_DIR=str(tmp / "config"), TRIAGE_DATA_DIR=str(tmp / "data"))
    env.update(extra or {})
    if config is not None:
        (tmp / "config").mkdir(exist_ok=True)
        (tmp / "config" / "config.toml").write_text(config, encoding="utf-8")
    root = Path(__file__).resolve().parents[2]
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(root), env.get("PYTHONPATH")]))
    proc = subprocess.run(
        [sys.executable, str(PROBE), *args],
        capture_output=True,
        text=True,
        check=False,
        env=env,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_first_rows_are_shown_before_pydantic_is_imported(demo_db: Path, tmp_path: Path) -> None:
    seen = _first_screen(tmp_path, "--db", str(demo_db))
    assert seen["code"] == 0
    assert seen["rows"] > 0
    modules = set(seen["modules"])
    # The probe saw the real start: Textual drew the queue from the local helpdesk.
    assert {
        "textual.app",
        "triage_tui.ui.widgets.queue",
        "triage_tui.adapters.local.row_queries",
        "triage_tui.engine.buffered",
    } <= modules
    heavy = sorted(m for m in modules if m.split(".")[0] in ("pydantic", "pydantic_core"))
    assert heavy == []
    assert "triage_tui.domain.models" not in modules


@pytest.mark.parametrize(
    "config",
    [
        # What an agent of the local helpdesk typically sets.
        '[profiles.default]\nagent = "Sam"\nundo_seconds = 5\n[views]\nmine = "assignee:me"\n',
        '[profiles.default.options]\ndb = "{db}"\n',
    ],
)
def test_a_plain_config_file_needs_no_pydantic_either(
    demo_db: Path, tmp_path: Path, config: str
) -> None:
    seen = _first_screen(tmp_path, "--db", str(demo_db), config=config.format(db=demo_db))
    assert seen["rows"] > 0
    assert not any(m.split(".")[0] == "pydantic" for m in seen["modules"])


def test_a_config_pydantic_must_check_is_still_checked_before_the_first_screen(
    demo_db: Path, tmp_path: Path
) -> None:
    # "5" is converted by pydantic (a string where a number goes): it is imported then.
    seen = _first_screen(
        tmp_path, "--db", str(demo_db), config='[profiles.default]\nundo_seconds = "5"\n'
    )
    assert seen["rows"] > 0
    assert "pydantic" in seen["modules"]


#: Helpdesks nobody answers at (the discard port): the first screen must not need them.
REMOTE_ENVS = {
    "zendesk": {
        "TRIAGE_ADAPTER": "zendesk",
        "TRIAGE_ZENDESK_BASE_URL": "http://127.0.0.1:9",
        "TRIAGE_ZENDESK_EMAIL": "sam@triage.example",
        "TRIAGE_ZENDESK_TOKEN": "zd-token-123",
        # A view, as the docs advise (a search stops at 1 000): text, read without pydantic.
        "TRIAGE_ZENDESK_VIEW_ID": "360001",
    },
    "gleap": {
        "TRIAGE_ADAPTER": "gleap",
        "TRIAGE_GLEAP_BASE_URL": "http://127.0.0.1:9/v3",
        "TRIAGE_GLEAP_API_KEY": "gl-key-123",
        "TRIAGE_GLEAP_PROJECT": "64f0ab",
        "TRIAGE_GLEAP_PAGE_SIZE": "500",
    },
}


@pytest.mark.parametrize("adapter", sorted(REMOTE_ENVS))
def test_a_remote_console_paints_its_cached_queue_before_importing_httpx(
    adapter: str, tmp_path: Path, clock: FrozenClock
) -> None:
    """Issue 20's remote start: httpx, pydantic and the adapter's models are imported
    when the helpdesk is opened, after the cached queue is on screen (the options,
    which name the cache, are a dataclass built without pydantic)."""
    from triage_tui import session
    from triage_tui.config import AppConfig
    from triage_tui.engine.cache import ReadCache

    env = REMOTE_ENVS[adapter]
    ctx = session.resolve(environ=env, config=AppConfig())
    cached = tmp_path / "data" / "cache" / f"{session.helpdesk_key(ctx)}.sqlite3"
    cached.parent.mkdir(parents=True)
    ReadCache(cached, clock).save_rows([row(str(n), subject=f"Cached {n}") for n in range(5)])

    seen = _first_screen(tmp_path, extra=env)
    assert seen["rows"] == 5  # the cache's rows, not the (unreachable) helpdesk's
    modules = set(seen["modules"])
    assert f"triage_tui.adapters.{adapter}.adapter" in modules
    assert "httpx" not in modules
    assert "triage_tui.domain.models" not in modules
    assert not any(m.split(".")[0] in ("pydantic", "pydantic_core") for m in modules)


def test_no_remote_adapter_imports_httpx_before_it_is_opened() -> None:
    """Every remote adapter builds its httpx client in ``open`` and imports httpx then."""
    probe = (
        "import sys\n"
        "from triage_tui.adapters import registry\n"
        "for name in ('zendesk', 'gleap', 'rt', 'django_helpdesk'):\n"
        "    registry.load(name)().act_as('Sam')\n"
        "print('httpx' in sys.modules)\n"
    )
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(root)}
    proc = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=env, timeout=60
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip() == "False"
