"""The settings are dataclasses: without a config file they are built, not validated,
and equal what pydantic makes of an empty file; with one, pydantic builds the same types."""

from __future__ import annotations

import ast
import dataclasses
import json
import subprocess
import sys
import types
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Literal

import pytest
from annotated_types import Ge
from pydantic import SecretStr, TypeAdapter, ValidationError

from triage_tui import config, config_quick
from triage_tui.adapters.base import NoOptions
from triage_tui.adapters.local.adapter import LocalOptions
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
    assert work.send_status == "solved" and work.agent == config.Profile().agent
    assert loaded.escalation.routes == {"billing_refund": "billing"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "[profiles.default]\nundo_seconds = 700\n",
            "profiles.default: undo_seconds must be between 0 and 600, not 700",
        ),
        (
            "[profiles.default]\nundo_seconds = -1\n",
            "profiles.default: undo_seconds must be between 0 and 600, not -1",
        ),
        ("[profiles.default]\ncolour = 1\n", "profiles.default.colour: unknown key"),
        ("colour = 1\n", "colour: unknown key"),
        (
            '[profiles.default]\nsend_status = "later"\n',
            "profiles.default.send_status: Input should be 'solved' or 'pending'",
        ),
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


# -- every declared field, read by both paths -------------------------------------
#
# The quick reader names no setting: it reads each dataclass's fields and their
# annotations. These tests walk the same declarations, so a field added to
# Profile (or AppConfig, or an adapter's dataclass options) is checked here the
# day it is added; a field of a kind this table does not know fails loudly.

SETTINGS = (
    config.AppConfig,
    config.Profile,
    config.EscalationRoutes,
    config.McpAccess,
    LocalOptions,
    NoOptions,
)


def _samples(annotation: Any) -> tuple[list[Any], list[Any]]:
    """Values of ``annotation`` pydantic keeps as they are, and values it refuses."""
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if annotation is str:
        return ["", "Ana Reyes"], [3, None, ["x"]]
    if annotation is float:
        return [0, 2.5, 7], ["ten", None, {}]
    if annotation is bool:
        return [True, False], ["maybe", 3, None]
    if annotation is int:
        # "7": environment variables are text, which pydantic reads as the number.
        return [1, 7, "7"], ["ten", None, 2.5]
    if annotation is Any:
        return [1, "x", {"a": [1]}], []
    if annotation is Path:
        return ["/srv/h.db", Path("rel/h.db")], [3, ["x"]]
    if origin is Literal:
        return list(args), ["nope", 3]
    if origin in (types.UnionType, typing.Union) and type(None) in args:
        (inner,) = (arg for arg in args if arg is not type(None))
        right, wrong = _samples(inner)
        return [None, *right], [w for w in wrong if w is not None]
    if origin is list:
        right, wrong = _samples(args[0])
        return [[], right[-1:]], ["x", 3, *[[w] for w in wrong[:1]]]
    if origin is dict:
        right, wrong = _samples(args[1])
        return [{}, {"k": right[-1]}], [3, "x", *[{"k": w} for w in wrong[:1]]]
    if dataclasses.is_dataclass(annotation):
        field = dataclasses.fields(annotation)[0]
        right, wrong = _samples(typing.get_type_hints(annotation)[field.name])
        return [{}, {field.name: right[-1]}], [3, {field.name: wrong[0]}, {"colour": 1}]
    raise AssertionError(f"no samples for {annotation!r}: add them to _samples")


def _field_cases(kind: str) -> list[Any]:
    cases = []
    for settings in SETTINGS:
        hints = typing.get_type_hints(settings)
        for field in dataclasses.fields(settings):
            right, wrong = _samples(hints[field.name])
            for value in right if kind == "right" else wrong:
                name = f"{settings.__name__}.{field.name}={value!r}"
                cases.append(pytest.param(settings, field.name, value, id=name))
    return cases


def test_every_settings_field_is_sampled() -> None:
    fields = {(s, f.name) for s in SETTINGS for f in dataclasses.fields(s)}
    sampled = {(c.values[0], c.values[1]) for c in _field_cases("right") + _field_cases("wrong")}
    assert sampled == fields


@pytest.mark.parametrize(("settings", "name", "value"), _field_cases("right"))
def test_a_right_value_of_each_field_is_read_by_both_paths_alike(
    settings: type[Any], name: str, value: Any
) -> None:
    quick = config_quick.build(settings, {name: value})
    validated = TypeAdapter(settings).validate_python({name: value})
    assert quick is not None, "a value of the declared type must not need pydantic"
    assert type(quick) is type(validated) and quick == validated
    assert type(getattr(quick, name)) is type(getattr(validated, name))
    assert config.to_json(quick) == TypeAdapter(settings).dump_python(validated, mode="json")


@pytest.mark.parametrize(("settings", "name", "value"), _field_cases("wrong"))
def test_a_wrong_value_of_each_field_is_left_to_pydantic_which_refuses_it(
    settings: type[Any], name: str, value: Any
) -> None:
    assert config_quick.build(settings, {name: value}) is None
    with pytest.raises(ValidationError) as caught:
        TypeAdapter(settings).validate_python({name: value})
    assert caught.value.errors()[0]["loc"][0] == name


def _toml(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {_toml(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return json.dumps(value)  # a TOML string, number or boolean alike


#: Where each settings class sits in the config file (adapter options are
#: checked in tests/adapters/test_local.py).
IN_THE_FILE: dict[type[Any], Callable[[dict[str, Any]], dict[str, Any]]] = {
    config.AppConfig: lambda table: table,
    config.Profile: lambda table: {"profiles": {"default": table}},
    config.EscalationRoutes: lambda table: {"escalation": table},
}
WRONG_IN_A_FILE = [
    pytest.param(IN_THE_FILE[settings]({name: value}), id=case.id)
    for case in _field_cases("wrong")
    for settings, name, value in [case.values]
    if settings in IN_THE_FILE and value is not None  # TOML has no null
]


@pytest.mark.parametrize("raw", WRONG_IN_A_FILE)
def test_a_wrong_value_in_the_file_gets_pydantics_message(
    tmp_path: Path, raw: dict[str, Any]
) -> None:
    path = tmp_path / "config.toml"
    path.write_text("".join(f"{k} = {_toml(v)}\n" for k, v in raw.items()), encoding="utf-8")
    with pytest.raises(ValidationError) as caught:
        TypeAdapter(config.AppConfig).validate_python(raw)
    with pytest.raises(ConfigError) as refused:
        config.load(path)
    assert str(refused.value) == f"{path}: {config._describe(caught.value)}"


def test_a_field_added_to_profile_is_read_by_the_quick_path() -> None:
    added = dataclasses.make_dataclass(
        "Profile",
        [
            ("density", Literal["compact", "roomy"], dataclasses.field(default="roomy")),
            ("page", int, dataclasses.field(default=50)),
            ("pinned", list[str], dataclasses.field(default_factory=list)),
        ],
        bases=(config.Profile,),
    )
    data = {"agent": "Ana", "density": "compact", "page": 20, "pinned": ["a"]}
    quick = config_quick.build(added, data)
    assert quick is not None
    assert quick == TypeAdapter(added).validate_python(data)
    assert config_quick.build(added, {"page": "20"}) == added(page=20)  # as from the environment
    for wrong in ({"density": "huge"}, {"page": "twenty"}, {"page": 2.5}, {"pinned": "a"}):
        assert config_quick.build(added, wrong) is None, wrong
    with pytest.raises(ValidationError):
        TypeAdapter(added).validate_python({"density": "huge"})


@pytest.mark.parametrize("text", ["007", "+7", " 7", "7 ", "1_0", "9" * 19, "٧", ""])
def test_a_number_spelt_otherwise_than_plain_digits_goes_to_pydantic(text: str) -> None:
    assert config_quick.build(config.McpAccess, {"proposals_per_minute": text}) is None


def test_a_field_the_quick_path_cannot_check_always_goes_to_pydantic() -> None:
    # A constraint or a pydantic type: only pydantic knows what it accepts.
    added = dataclasses.make_dataclass(
        "Profile",
        [
            ("limit", Annotated[int, Ge(1)], dataclasses.field(default=5)),
            ("key", SecretStr | None, dataclasses.field(default=None)),
        ],
        bases=(config.Profile,),
    )
    assert config_quick.build(added, {"agent": "Ana"}) == added(agent="Ana")
    for data in ({"limit": 0}, {"limit": 2}, {"key": "s3cret"}):
        assert config_quick.build(added, data) is None, data
    with pytest.raises(ValidationError):
        TypeAdapter(added).validate_python({"limit": 0})


def test_a_class_pydantic_validates_with_other_settings_always_goes_to_pydantic() -> None:
    stripped = dataclasses.make_dataclass(
        "Profile",
        [],
        bases=(config.Profile,),
        namespace={"__pydantic_config__": {"extra": "forbid", "str_strip_whitespace": True}},
    )
    assert config_quick.build(stripped, {"agent": " Ana "}) is None
    assert TypeAdapter(stripped).validate_python({"agent": " Ana "}).agent == "Ana"


def test_the_quick_reader_imports_no_settings() -> None:
    # config imports config_quick; never the reverse (no import cycle).
    tree = ast.parse(Path(config_quick.__file__).read_text(encoding="utf-8"))
    imported = [
        node.module if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    ]
    assert not [name for name in imported if name and name.startswith("triage_tui")]
