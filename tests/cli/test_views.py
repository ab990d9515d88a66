"""Named views in the config and ``triage --view NAME``."""

from __future__ import annotations

import sys
import types
from pathlib import Path

import pytest

from tests.cli.conftest import Runner
from triage_tui import config as config_mod
from triage_tui import session
from triage_tui.domain.errors import ConfigError


def _write(isolated_dirs: Path, text: str) -> Path:
    path = isolated_dirs / "config" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


CONFIG = """
[views]
urgent = "priority:high,urgent sla:<90m"
mine = "assignee:me"

[profiles.default]
agent = "Sam"

[profiles.default.views]
mine = "assignee:me -status:pending"
"""


def test_views_merge_top_level_and_profile(isolated_dirs: Path) -> None:
    config = config_mod.load(_write(isolated_dirs, CONFIG))
    _, profile = config_mod.active_profile(config, environ={})
    assert config_mod.views_of(config, profile) == {
        "urgent": "priority:high,urgent sla:<90m",
        "mine": "assignee:me -status:pending",
    }


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        (
            '[views]\nurgent = "sla:<90x"\n',
            'views.urgent: sla:<90x: bad duration "90x" (use m, h, d)',
        ),
        (
            '[profiles.default.views]\nmine = "prio:high"\n',
            (
                'profiles.default.views.mine: unknown field "prio" at column 1 — did you mean '
                '"priority"?'
            ),
        ),
        ("[views]\nurgent = 3\n", "views.urgent: Input should be a valid string"),
    ],
)
def test_a_bad_view_names_the_view_and_the_token(
    isolated_dirs: Path, toml: str, message: str
) -> None:
    path = _write(isolated_dirs, toml)
    with pytest.raises(ConfigError) as caught:
        config_mod.load(path)
    assert str(caught.value) == f"{path}: {message}"


def test_config_show_reports_a_bad_view_in_one_line(run: Runner, isolated_dirs: Path) -> None:
    _write(isolated_dirs, '[views]\nbad = "status:opn"\n')
    result = run("config", "show")
    assert result.code == 2
    assert result.err.strip().endswith(
        'views.bad: status:opn: unknown status "opn" — did you mean "open"?'
    )
    assert len(result.err.splitlines()) == 1


def _fake_console(monkeypatch: pytest.MonkeyPatch, calls: list[dict]) -> None:
    def fake_run(helpdesk, profile, config, theme=None, initial_filter=None):  # type: ignore[no-untyped-def]
        calls.append({"initial_filter": initial_filter, "agent": profile.agent})
        return 0

    fake = types.ModuleType("triage_tui.ui.app")
    fake.run = fake_run  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "triage_tui.ui.app", fake)


def test_view_flag_hands_the_filter_to_the_console(
    run: Runner, demo_db: Path, isolated_dirs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _write(isolated_dirs, CONFIG)
    calls: list[dict] = []
    _fake_console(monkeypatch, calls)
    result = run("--db", str(demo_db), "--view", "urgent")
    assert result.code == 0, result.err
    assert calls == [{"initial_filter": "priority:high,urgent sla:<90m", "agent": "Sam"}]
    assert run("--db", str(demo_db)).code == 0
    assert calls[-1]["initial_filter"] is None


def test_unknown_view_is_one_line_listing_the_known_ones(
    run: Runner, demo_db: Path, isolated_dirs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[dict] = []
    _fake_console(monkeypatch, calls)
    result = run("--db", str(demo_db), "--view", "urgnt")
    assert result.code == 2 and not calls
    assert result.err == (
        'triage: error: unknown view "urgnt": the config has no views (add a [views] table)\n'
    )
    _write(isolated_dirs, CONFIG)
    result = run("--db", str(demo_db), "--view", "urgnt")
    assert result.err == 'triage: error: unknown view "urgnt"; views in the config: mine, urgent\n'


def test_view_with_a_verb_is_refused(run: Runner, demo_db: Path) -> None:
    result = run("--view", "urgent", "queue", "--db", str(demo_db))
    assert result.code == 2
    assert "use it without a command" in result.err


def test_resolve_stores_the_view_in_the_context(isolated_dirs: Path) -> None:
    path = _write(isolated_dirs, CONFIG)
    ctx = session.resolve(config_path=path, view="mine", environ={})
    assert (ctx.view_name, ctx.initial_filter) == ("mine", "assignee:me -status:pending")
    assert session.resolve(config_path=path, environ={}).initial_filter is None
