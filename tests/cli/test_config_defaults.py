"""The settings are dataclasses: without a config file they are built, not validated,
and equal what pydantic makes of an empty file; with one, pydantic builds the same types."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import TypeAdapter

from triage_tui import config, config_quick
from triage_tui.domain.errors import ConfigError


def test_load_without_a_file_equals_validated_defaults(tmp_path: Path) -> None:
    built = config.load(tmp_path / "missing.toml")
    validated = TypeAdapter(config.AppConfig).validate_python({})
    assert built == validated == config.AppConfig()
    assert type(built.profiles["default"]) is config.Profile
    assert type(built.escalation) is config.EscalationRoutes
    assert config.to_json(built) == config.to_json(validated)


def test_constructed_defaults_share_no_mutable_state(tmp_path: Path) -> None:
    first, second = config.defaults(), config.defaults()
    first.profiles["default"].options["db"] = "/x.db"
    first.views["v"] = "status:open"
    first.escalation.routes["billing_refund"] = "billing"
    assert second == config.AppConfig()


def test_a_file_without_profiles_or_escalation_gets_the_same_defaults(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[views]\nmine = "status:open"\n', encoding="utf-8")
    loaded = config.load(path)
    assert loaded.profiles == config.AppConfig().profiles
    assert loaded.escalation == config.AppConfig().escalation
    assert loaded.views == {"mine": "status:open"}


def test_a_file_is_validated_into_the_same_types(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        'profile = "work"\n[profiles.work]\nundo_seconds = 5\nsend_status = "solved"\n'
        '[escalation]\nroutes = { billing_refund = "billing" }\n',
        encoding="utf-8",
    )
    loaded = config.load(path)
    work = loaded.profiles["work"]
    assert type(work) is config.Profile and type(loaded.escalation) is config.EscalationRoutes
    assert work.undo_seconds == 5.0 and type(work.undo_seconds) is float
    assert work.send_status == "solved" and work.agent == "Agent"
    assert loaded.escalation.routes == {"billing_refund": "billing"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[profiles.default]\nundo_seconds = 700\n",
         "profiles.default: undo_seconds must be between 0 and 600, not 700"),
        ("[profiles.default]\nundo_seconds = -1\n",
         "profiles.default: undo_seconds must be between 0 and 600, not -1"),
        ("[profiles.default]\ncolour = 1\n", "profiles.default.colour: unknown key"),
        ("colour = 1\n", "colour: unknown key"),
        ('[profiles.default]\nsend_status = "later"\n',
         "profiles.default.send_status: Input should be 'solved' or 'pending'"),
        ("[escalation]\nroutes = 3\n", "escalation.routes: Input should be a valid dictionary"),
    ],
)
def test_a_bad_file_is_one_line_naming_the_key(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        config.load(path)
    assert str(caught.value) == f"{path}: {message}"


def test_reading_the_defaults_imports_no_pydantic(tmp_path: Path) -> None:
    # The console's first screen imports no pydantic (tests/cli/test_start_up_imports.py);
    # the config without a file, and the local adapter's usual options, are on that path.
    code = (
        "import sys; from pathlib import Path; from triage_tui import config; "
        "from triage_tui.adapters.local.adapter import LocalOptions; "
        f"c = config.load(Path({str(tmp_path / 'missing.toml')!r})); "
        "_, p = config.active_profile(c, environ={}); "
        "o = config.adapter_options('local', LocalOptions, p, {}, {'db': Path('/x.db')}); "
        "assert o == LocalOptions(db=Path('/x.db')), o; "
        "print('pydantic' in sys.modules)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout.strip() == "False"


RICH = """\
profile = "work"
[profiles.work]
adapter = "local"
team = "Billing"
agent = "Sam Reyes"
theme = "triage-ansi"
send_status = "solved"
template = "short"
undo_seconds = 0
preview = "enter"
[profiles.work.options]
db = "~/helpdesk.db"
[profiles.work.views]
mine = "assignee:me"
[profiles.zd]
adapter = "zendesk"
undo_seconds = 2.5
options = { subdomain = "acme", queues = ["a", "b"], nested = { x = 1 } }
[views]
urgent = "priority:high,urgent sla:<90m"
[escalation]
extra_phrases = { billing_refund = ["credit note", "refund me"] }
routes = { billing_refund = "billing" }
[safeguards]
max_words = 150
extra_jargon = { entitlement = "plan" }
"""


@pytest.mark.parametrize(
    "text",
    [
        config.EXAMPLE,
        RICH,
        "",
        '[profiles.default]\nagent = "Ana"\n',
        "[profiles.default]\nundo_seconds = 600\n",
        'profile = "x"\n[profiles.x]\n[profiles.y]\npreview = "follow"\n',
    ],
)
def test_a_plain_file_is_read_without_pydantic_into_what_pydantic_makes(text: str) -> None:
    import tomllib

    raw = tomllib.loads(text)
    quick = config_quick.build(config.AppConfig, raw)
    validated = TypeAdapter(config.AppConfig).validate_python(raw)
    assert quick is not None
    assert quick == validated
    for name, profile in quick.profiles.items():
        assert type(profile.undo_seconds) is float, name
    assert config.to_json(quick) == config.to_json(validated)


@pytest.mark.parametrize(
    "text",
    [
        '[profiles.default]\nundo_seconds = "5"\n',  # pydantic converts the text
        "[profiles.default]\nundo_seconds = true\n",
        "[profiles.default]\nundo_seconds = 700\n",  # pydantic words the error
        "[profiles.default]\ncolour = 1\n",
        "colour = 1\n",
        "profile = 3\n",
        "profiles = 3\n",
        '[profiles.default]\nsend_status = "later"\n',
        '[profiles.default]\npreview = "always"\n',
        "[profiles.default]\nteam = 3\n",
        "[profiles.default]\noptions = 3\n",
        "[views]\nurgent = 3\n",
        "[escalation]\nroutes = 3\n",
        '[escalation]\nextra_phrases = { x = "one" }\n',
        "[escalation]\ncolour = 1\n",
        "safeguards = 3\n",
    ],
)
def test_anything_else_is_left_to_pydantic(text: str) -> None:
    import tomllib

    assert config_quick.build(config.AppConfig, tomllib.loads(text)) is None
