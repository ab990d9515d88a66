"""The TOML configuration: profiles, adapter options, reply and escalation settings.

Validated with pydantic; every problem becomes a ``ConfigError`` whose one-line
message names the offending key (``profiles.work.send_status: …``), never a
traceback. Secrets may come from ``TRIAGE_<ADAPTER>_<OPTION>`` variables.

The models' validators are built on first validation, not at import: the
console without a config file (the common start) never validates anything
here — ``load`` constructs the defaults (``defaults``) — so before its first
screen it neither builds validators nor starts pydantic's plugin discovery,
whose first run imports ``importlib.metadata`` (~20 ms) and scans every
installed package's entry points.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from triage_tui import paths
from triage_tui.domain.errors import ConfigError

if TYPE_CHECKING:
    from triage_tui.domain.safeguard_match import SafeguardConfig


class _Strict(BaseModel):
    # defer_build: built when a config file is first validated (see the module doc).
    model_config = ConfigDict(extra="forbid", defer_build=True)


class Profile(_Strict):
    """One helpdesk and how to work with it."""

    adapter: str = "local"
    #: Adapter options; validated by the adapter's own ``options_model``.
    options: dict[str, Any] = Field(default_factory=dict)
    #: Signs replies ("Best, {team}").
    team: str = "Polaris Support"
    #: The agent's name, for templates and "assignee:me".
    agent: str = "Agent"
    #: Theme name (see ``themes/``); NO_COLOR forces the ANSI theme's monochrome mode.
    theme: str = "triage-dark"
    #: Status set after Send; the agent can pick the other one in the send prompt.
    send_status: Literal["solved", "pending"] = "pending"
    #: Reply template name (built-in or a file in the user templates directory).
    template: str = "default"
    #: Named filters for this profile (``[profiles.X.views]``); they override
    #: same-named top-level ``[views]``. Checked at load (see ``check_views``).
    views: dict[str, str] = Field(default_factory=dict)
    #: Seconds a console action waits in the outbox before it is delivered, so
    #: ``u`` can take it back; 0 delivers at once (no undo).
    undo_seconds: float = Field(default=10.0, ge=0, le=600)
    #: What j/k do to the detail pane. ``follow``: it shows the ticket under the
    #: cursor; ``enter``: it keeps the open ticket until Enter opens another (a
    #: ticket's detail is ~20 KB on the wire, a cursor move ~0.3 KB); ``auto``:
    #: ``enter`` over SSH, ``follow`` on a local terminal.
    preview: Literal["auto", "follow", "enter"] = "auto"


class EscalationRoutes(_Strict):
    """Extra phrases per rule id, appended to the built-in lists."""

    extra_phrases: dict[str, list[str]] = Field(default_factory=dict)
    routes: dict[str, str] = Field(default_factory=dict)


def _default_profiles() -> dict[str, Profile]:
    # ``Profile()`` validates nothing (no input, and pydantic does not validate
    # defaults), so constructing it gives the same model without building
    # Profile's validator; ``defaults`` relies on it.
    return {"default": Profile.model_construct()}


def _default_escalation() -> EscalationRoutes:
    return EscalationRoutes.model_construct()  # = EscalationRoutes(), as above


class AppConfig(_Strict):
    profile: str = "default"
    profiles: dict[str, Profile] = Field(default_factory=_default_profiles)
    escalation: EscalationRoutes = Field(default_factory=_default_escalation)
    #: Named filters for every profile: ``urgent = "priority:high,urgent sla:<90m"``.
    views: dict[str, str] = Field(default_factory=dict)
    #: Draft safeguards (``[safeguards]``): max_words, extra_jargon, jargon_audience…;
    #: validated at load by ``domain.safeguard_match.SafeguardConfig.from_mapping``.
    safeguards: dict[str, Any] = Field(default_factory=dict)


def views_of(config: AppConfig, profile: Profile) -> dict[str, str]:
    """The views the active profile sees: top-level ``[views]``, then its own."""
    return {**config.views, **profile.views}


def check_views(config: AppConfig) -> None:
    """Parse every view so a typo fails at start, naming the view and the token.

    ``config.toml: views.urgent: sla:<90x: bad duration "90x" (use m, h, d)``.
    """
    places = [("views", config.views)]
    places += [(f"profiles.{name}.views", p.views) for name, p in config.profiles.items()]
    if not any(views for _, views in places):
        return  # every verb loads the config: no views, no filter import
    from triage_tui.domain.filters import FilterError, parse

    for where, views in places:
        for name, text in views.items():
            if not name.strip():
                raise ConfigError(f"{where}: a view needs a name")
            try:
                parse(text, me="")
            except FilterError as exc:
                raise ConfigError(f"{where}.{name}: {exc}") from None


def _describe(error: ValidationError) -> str:
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"]) or "(top level)"
    message = first["msg"]
    if first["type"] == "extra_forbidden":
        message = "unknown key"
    return f"{where}: {message}"


def defaults() -> AppConfig:
    """``AppConfig()`` without building any validator: the same fields, values and set fields.

    With no input nothing is validated (pydantic does not validate defaults),
    so constructing is equivalent; ``tests/cli/test_config_defaults.py``
    compares the two field by field.
    """
    return AppConfig.model_construct()


def load(path: Path | None = None) -> AppConfig:
    """Read and validate the config file; a missing file means defaults."""
    path = path or paths.config_file()
    if not path.exists():
        return defaults()
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
    refuse_shared_secrets(path, raw)
    try:
        config = AppConfig.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(f"{path}: {_describe(exc)}") from None
    if config.profile not in config.profiles:
        raise ConfigError(f"{path}: profile: no [profiles.{config.profile}] section")
    try:
        check_views(config)
        safeguard_config(config)
    except ConfigError as exc:
        raise ConfigError(f"{path}: {exc}") from None
    return config


def safeguard_config(config: AppConfig) -> SafeguardConfig:
    """The draft safeguards' settings from ``[safeguards]`` (defaults when absent)."""
    from triage_tui.domain.safeguard_match import SafeguardConfig

    return SafeguardConfig.from_mapping(config.safeguards)


def refuse_shared_secrets(path: Path, raw: Mapping[str, Any]) -> None:
    """A config file holding a secret must be private to its owner (mode 600).

    Why refuse rather than warn: a token in a file other users can read is
    already leaked, and one they can write lets them point ``base_url`` at
    their own server and collect it. The message carries the fix.
    """
    if os.name != "posix":
        return
    where = _secret_key(raw)
    if where is None:
        return
    mode = path.stat().st_mode & 0o777
    if mode & 0o077:
        raise ConfigError(
            f"{path} holds a secret ({where}) and other users can read it (mode {mode:03o}); "
            f"run: chmod 600 {path}"
        )


def _secret_key(data: Any, prefix: str = "") -> str | None:
    """The dotted key of the first non-empty secret-looking value, if any."""
    if isinstance(data, Mapping):
        for key, value in data.items():
            dotted = f"{prefix}{key}"
            if is_secret(str(key)) and isinstance(value, str) and value.strip():
                return dotted
            found = _secret_key(value, dotted + ".")
            if found:
                return found
    return None


def active_profile(
    config: AppConfig,
    name: str | None = None,
    adapter: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> tuple[str, Profile]:
    """The profile in force: ``--profile``/``TRIAGE_PROFILE``, then the file's choice.

    ``--adapter``/``TRIAGE_ADAPTER`` overrides the profile's adapter.
    """
    env = os.environ if environ is None else environ
    name = name or env.get("TRIAGE_PROFILE") or config.profile
    if name not in config.profiles:
        known = ", ".join(sorted(config.profiles)) or "none"
        raise ConfigError(f"unknown profile {name!r}; profiles in the config: {known}")
    profile = config.profiles[name].model_copy(deep=True)
    chosen = adapter or env.get("TRIAGE_ADAPTER")
    if chosen and chosen != profile.adapter:
        profile.adapter = chosen
        profile.options = {}
    return name, profile


def adapter_options(
    adapter_name: str,
    options_model: type[BaseModel],
    profile: Profile,
    environ: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> BaseModel:
    """Merge profile options, ``TRIAGE_<ADAPTER>_<OPTION>`` and CLI overrides, then validate."""
    env = os.environ if environ is None else environ
    merged: dict[str, Any] = dict(profile.options)
    prefix = f"TRIAGE_{adapter_name.upper()}_"
    for field in options_model.model_fields:
        value = env.get(prefix + field.upper())
        if value is not None:
            merged[field] = value
    merged.update({k: v for k, v in (overrides or {}).items() if v is not None})
    # An options model may recognise input it would accept unchanged and build
    # the result without its pydantic validator (``AdapterOptions.quick_validate``:
    # the local adapter's ``--db PATH``); anything else is validated in full.
    quick = getattr(options_model, "quick_validate", None)
    options = quick(merged) if quick is not None else None
    if options is not None:
        return options
    try:
        return options_model.model_validate(merged)
    except ValidationError as exc:
        raise ConfigError(f"adapter {adapter_name!r} option {_describe(exc)}") from None


EXAMPLE = """\
# triage-tui configuration.  `triage config path` prints where this file lives.
# Every key is optional; the values shown are the defaults.

# The profile used when neither --profile nor TRIAGE_PROFILE says otherwise.
profile = "default"

[profiles.default]
# Which helpdesk: `local` (embedded SQLite, the default and the demo) or any
# installed adapter (`triage --help` lists them). TRIAGE_ADAPTER overrides it.
adapter = "local"
# Signs every reply: "Best, <team>".
team = "Polaris Support"
# Your name, used by templates and by the `assignee:me` filter.
agent = "Agent"
# triage-dark, triage-light or triage-ansi (16 terminal colours only).
theme = "triage-dark"
# Status set after Send: "pending" (waiting on the customer) or "solved".
send_status = "pending"
# Reply template: "default" or the name of a file in the templates directory.
template = "default"
# Seconds an action waits in the outbox so `u` can undo it; 0 turns undo off.
undo_seconds = 10
# j/k and the detail pane: "follow" shows the ticket under the cursor, "enter"
# keeps the open one until Enter (light over SSH), "auto": enter over SSH.
preview = "auto"

[profiles.default.options]
# Options of the adapter. For `local`: the SQLite file (default: the data dir).
# Every option can also come from TRIAGE_<ADAPTER>_<OPTION>, e.g. TRIAGE_LOCAL_DB.
# db = "/path/to/helpdesk.db"

[views]
# Named filters: `triage --view urgent`, or pick one in the console. The filter
# language is in the README ("Sweeps, views and reports"). A profile may add or
# override views in [profiles.<name>.views].
# urgent = "priority:high,urgent sla:<90m"
# mine = "assignee:me -status:pending"

[escalation]
# Extra trigger phrases per rule: requested_human, billing_refund,
# data_integrity, legal_compliance.
# extra_phrases = { billing_refund = ["credit note"] }
# Where each rule routes the ticket.
# routes = { billing_refund = "billing" }

[safeguards]
# Checks on a draft before it is sent (README, "Triage intelligence").
# max_words = 180                     # longer replies warn
# extra_jargon = { entitlement = "plan" }   # term = plain alternative ("" for none)
# jargon_audience = "auto"            # auto, always or never
# technical_tiers = ["developer", "technical", "partner"]
"""


def write_example(path: Path | None = None, force: bool = False) -> Path:
    """Write ``EXAMPLE`` (commented defaults); refuse to clobber an existing file."""
    path = path or paths.config_file()
    if path.exists() and not force:
        raise ConfigError(f"{path} already exists; pass --force to overwrite it")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(EXAMPLE, encoding="utf-8")
    return path


#: Parts of option names that hold secrets; their values are never printed.
SECRET_HINTS = ("token", "secret", "password", "passwd", "api_key", "apikey", "credential", "auth")
REDACTED = "***"


def is_secret(name: str) -> bool:
    lowered = name.lower()
    return any(hint in lowered for hint in SECRET_HINTS)


def redacted(data: Any) -> Any:
    """A copy of ``data`` (dicts/lists) with the values of secret-looking keys masked.

    Used by ``triage config show`` so its output can be pasted into a bug report.
    """
    if isinstance(data, Mapping):
        return {
            key: (REDACTED if is_secret(str(key)) and value not in (None, "") else redacted(value))
            for key, value in data.items()
        }
    if isinstance(data, list):
        return [redacted(item) for item in data]
    return data


#: Environment variables an SSH session sets (sshd sets all three on a login).
SSH_VARIABLES = ("SSH_CONNECTION", "SSH_CLIENT", "SSH_TTY")


def preview_follows_cursor(preview: str, environ: Mapping[str, str] | None = None) -> bool:
    """Whether the detail pane follows the queue cursor for ``Profile.preview``."""
    if preview == "auto":
        env = os.environ if environ is None else environ
        return not any(env.get(name) for name in SSH_VARIABLES)
    return preview == "follow"
