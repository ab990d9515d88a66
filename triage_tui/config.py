"""The TOML configuration: profiles, adapter options, reply and escalation settings.

Every problem becomes a ``ConfigError`` whose one-line message names the
offending key (``profiles.work.send_status: …``), never a traceback. Secrets
may come from ``TRIAGE_<ADAPTER>_<OPTION>`` variables.

The settings are plain dataclasses, validated by pydantic (``TypeAdapter``)
only when there is input to validate: the console's path to its first screen
imports no pydantic (~100 ms of a ~450 ms start; ``tests/cli/
test_start_up_imports.py``), and without a config file — the common start —
the defaults need no validation at all. A file (or adapter options) whose
values already have the declared types is built by ``config_quick`` from the
same declarations, still without pydantic.
"""

from __future__ import annotations

import copy
import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from triage_tui import config_quick, paths
from triage_tui.domain.errors import ConfigError

if TYPE_CHECKING:
    from pydantic import TypeAdapter, ValidationError

    from triage_tui.domain.safeguards.match import SafeguardConfig

#: How pydantic validates the settings below: an unknown key is an error.
_STRICT = {"extra": "forbid"}

#: ``Profile.undo_seconds`` bounds: 0 (no undo) to ten minutes.
UNDO_SECONDS_MAX = 600
#: ``Profile.poll_seconds`` bounds: a poll a second at most, one an hour at least.
POLL_SECONDS_MIN = 1.0
POLL_SECONDS_MAX = 3600.0
#: ``Alerts.within_minutes`` bound: a day.
ALERT_WITHIN_MAX = 1440


@dataclass
class Alerts:
    """The live queue's alerts (``[profiles.X.alerts]``): which new tickets alert,
    the window whose entry alerts any ticket, and how the console tells the agent."""

    __pydantic_config__ = _STRICT

    #: A new ticket of one of these priorities alerts.
    priorities: list[Literal["urgent", "high", "normal", "low"]] = field(
        default_factory=lambda: ["urgent"]
    )
    #: A new ticket from a VIP organization alerts.
    vip: bool = True
    #: A new ticket due within this many minutes alerts, and so does any ticket
    #: entering its last this-many minutes; 0 turns both off.
    within_minutes: float = 90.0
    #: Ring the terminal bell with each alert.
    bell: bool = True
    #: A desktop notification through the terminal: ``osc9`` (iTerm2, kitty,
    #: WezTerm, Windows Terminal) or ``osc777`` (VTE terminals, foot, urxvt).
    desktop: Literal["off", "osc9", "osc777"] = "off"
    #: False: no alerts at all (the queue still follows the helpdesk).
    enabled: bool = True

    def __post_init__(self) -> None:
        if not 0 <= self.within_minutes <= ALERT_WITHIN_MAX:
            raise ValueError(
                f"alerts.within_minutes must be between 0 and {ALERT_WITHIN_MAX},"
                f" not {self.within_minutes:g}"
            )


#: The tools ``triage mcp`` can serve (``McpAccess.tools`` picks among them).
MCP_READ_TOOLS = ("queue", "get_ticket", "get_user", "search_kb", "report")
MCP_PROPOSAL_TOOLS = ("propose_reply", "propose_escalation", "propose_status", "propose_note")
MCP_WRITE_TOOLS = ("reply_ticket", "escalate_ticket", "set_status", "add_note")
MCP_TOOLS = MCP_READ_TOOLS + MCP_PROPOSAL_TOOLS + MCP_WRITE_TOOLS


@dataclass
class McpAccess:
    """What AI agents may do through ``triage mcp`` on this profile (``[profiles.X.mcp]``)."""

    __pydantic_config__ = _STRICT

    #: The one setting that lets ``triage mcp --allow-writes`` serve direct write tools
    #: (still through the outbox, the collision check and the safeguards).
    allow_writes: bool = False
    #: Proposals one client may make per minute; 0 refuses every proposal.
    proposals_per_minute: int = 10
    #: The longest reply an agent may propose or send, in characters.
    max_reply_chars: int = 4000
    #: The tools served (names from ``MCP_TOOLS``); empty: all that the flags allow.
    tools: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        # The tool names are checked by ``triage mcp`` itself (``check_mcp_tools``): the
        # console must start whatever an agents' setting says.
        if self.proposals_per_minute < 0 or self.max_reply_chars < 1:
            raise ValueError("proposals_per_minute must be 0 or more and max_reply_chars 1 or more")


def check_mcp_tools(profile_name: str, access: McpAccess) -> None:
    """An unknown name in ``[profiles.X.mcp] tools`` is a ``ConfigError`` naming the key."""
    unknown = [t for t in access.tools if t not in MCP_TOOLS]
    if unknown:
        raise ConfigError(
            f"profiles.{profile_name}.mcp.tools: unknown tool {unknown[0]!r};"
            f" the tools are {', '.join(MCP_TOOLS)}"
        )


@dataclass
class Profile:
    """One helpdesk and how to work with it."""

    __pydantic_config__ = _STRICT

    adapter: str = "local"
    #: Adapter options; validated by the adapter's own ``options_model``.
    options: dict[str, Any] = field(default_factory=dict)
    #: Signs replies ("Best, {team}").
    team: str = "Polaris Support"
    #: Who works the queue: the reply author and event actor the helpdesk records,
    #: the sign-off of templates and who "assignee:me" is. The default is one of the
    #: demo helpdesk's agents (``demo.content.AGENTS``), so the demo's "me" has tickets.
    agent: str = "Sam Rivera"
    #: Theme name (see ``themes/``); NO_COLOR forces the ANSI theme's monochrome mode.
    theme: str = "triage-dark"
    #: Status set after Send; the agent can pick the other one in the send prompt.
    send_status: Literal["solved", "pending"] = "pending"
    #: Reply template name (built-in or a file in the user templates directory).
    template: str = "default"
    #: Named filters for this profile (``[profiles.X.views]``); they override
    #: same-named top-level ``[views]``. Checked at load (see ``check_views``).
    views: dict[str, str] = field(default_factory=dict)
    #: Seconds a console action waits in the outbox before it is delivered, so
    #: ``u`` can take it back; 0 delivers at once (no undo).
    undo_seconds: float = 10.0
    #: What j/k do to the detail pane. ``follow``: it shows the ticket under the
    #: cursor; ``enter``: it keeps the open ticket until Enter opens another (a
    #: ticket's detail is ~20 KB on the wire, a cursor move ~0.3 KB); ``auto``:
    #: ``enter`` over SSH, ``follow`` on a local terminal.
    preview: Literal["auto", "follow", "enter"] = "auto"
    #: Seconds between polls of the helpdesk's change feed (the live queue,
    #: ``triage watch``), always; 0: adaptive (``engine.changes.PollPolicy``:
    #: 2 s locally, a remote helpdesk within its rate limit, slower while idle).
    poll_seconds: float = 0.0
    #: Mouse reporting in the console; false leaves the mouse to the terminal
    #: (its own text selection works). ``M`` toggles it while the console runs.
    mouse: bool = True
    #: AI agents over MCP (``triage mcp``): writes, limits, the tools served.
    mcp: McpAccess = field(default_factory=McpAccess)
    #: Alerts of the live queue (``[profiles.X.alerts]``; see ``Alerts``).
    alerts: Alerts = field(default_factory=Alerts)
    #: A directory the team's group shares on this host (``install -d -m 2770 -g
    #: GROUP DIR``): consoles there show who has which ticket open and who is
    #: replying (``engine.presence``). ``TRIAGE_TEAM_DIR`` overrides it; unset: off.
    team_dir: Path | None = None
    #: Agents away (holiday, sick): an ``assign`` hook never picks them.
    away: list[str] = field(default_factory=list)
    #: A ticket's web address with ``{id}`` for its id: the link the hooks send
    #: (``https://acme.zendesk.com/agent/tickets/{id}``); "" sends none.
    ticket_url: str = ""

    def __post_init__(self) -> None:
        # Also run by pydantic after it validated the fields; its message then
        # reads "profiles.X: undo_seconds must be …" (``_describe``).
        if not 0 <= self.undo_seconds <= UNDO_SECONDS_MAX:
            raise ValueError(
                f"undo_seconds must be between 0 and {UNDO_SECONDS_MAX}, not {self.undo_seconds:g}"
            )
        if self.poll_seconds and not POLL_SECONDS_MIN <= self.poll_seconds <= POLL_SECONDS_MAX:
            raise ValueError(
                f"poll_seconds must be 0 (the default) or between {POLL_SECONDS_MIN:g} and"
                f" {POLL_SECONDS_MAX:g}, not {self.poll_seconds:g}"
            )


@dataclass
class EscalationRoutes:
    """Extra phrases per rule id, appended to the built-in lists."""

    __pydantic_config__ = _STRICT

    extra_phrases: dict[str, list[str]] = field(default_factory=dict)
    routes: dict[str, str] = field(default_factory=dict)


#: ``Hook.timeout_seconds`` bound: an exec hook may run an hour at most.
HOOK_TIMEOUT_MAX = 3600.0


@dataclass
class AssignAction:
    """``assign = {...}`` of a hook: who takes the ticket (docs/hooks.md)."""

    __pydantic_config__ = _STRICT

    #: ``least_busy``: the fewest open tickets with a running SLA; ``round_robin``: in turn.
    strategy: Literal["least_busy", "round_robin"] = "least_busy"
    #: The agents to choose from (names as the helpdesk knows them).
    agents: list[str] = field(default_factory=list)
    #: Or a group: the ticket moves there, among the helpdesk's agents (its directory).
    group: str = ""


@dataclass
class SurveyAction:
    """``survey = {...}`` of a hook: a satisfaction request after a ticket is solved."""

    __pydantic_config__ = _STRICT

    #: The public reply; ``{first_name}``, ``{name}``, ``{subject}``, ``{ticket_id}``,
    #: ``{team}`` are filled in. Empty: the built-in request.
    template: str = ""
    #: Also record an organisation health-check note (when the requester has one).
    health_check: bool = False
    #: The health-check note; ``{organization}``, ``{ticket_id}``, ``{subject}``.
    health_note: str = ""


@dataclass
class Hook:
    """One ``[[hooks]]`` table: events, an optional ``when`` filter and one action."""

    __pydantic_config__ = _STRICT

    #: Events from the event log (``domain.hooks.EVENTS``); in the file one name or a list
    #: (``load`` makes a single name a list).
    on: list[str] = field(default_factory=list)
    #: Names the hook in logs, the outbox and its idempotency key; default ``hook-N``.
    name: str = ""
    #: Only tickets this filter (the console's filter language) selects.
    when: str = ""
    #: A command run by the shell with the payload as JSON on stdin.
    exec: str | None = None
    #: Seconds an ``exec`` command may run before it is killed (and failed).
    timeout_seconds: float = 30.0
    #: Delivered by ``triage_tui.integrations``: ``webhook_env`` or ``token_env`` + ``channel``.
    slack: dict[str, Any] | None = None
    #: ``repo = "owner/name"`` (and ``token_env``): an issue per event.
    github: dict[str, Any] | None = None
    #: ``team_id`` (and ``token_env``): an issue per event.
    linear: dict[str, Any] | None = None
    #: Assign the ticket (``AssignAction``).
    assign: AssignAction | None = None
    #: A satisfaction request (``SurveyAction``).
    survey: SurveyAction | None = None

    def __post_init__(self) -> None:
        if not 0 < self.timeout_seconds <= HOOK_TIMEOUT_MAX:
            raise ValueError(
                f"timeout_seconds must be above 0 and at most {HOOK_TIMEOUT_MAX:g},"
                f" not {self.timeout_seconds:g}"
            )

    @property
    def events(self) -> list[str]:
        return list(self.on)

    @property
    def actions(self) -> list[str]:
        """The actions set on this hook (exactly one in a valid config)."""
        from triage_tui.domain.hooks import ACTIONS

        return [a for a in ACTIONS if getattr(self, a) is not None]

    @property
    def action(self) -> str:
        return self.actions[0]


def hook_names(config: AppConfig) -> list[str]:
    """Each hook's name: its own, else ``hook-N`` by position (1-based)."""
    return [h.name.strip() or f"hook-{i}" for i, h in enumerate(config.hooks, 1)]


def check_hooks(config: AppConfig) -> None:
    """Every ``[[hooks]]`` table valid, or a one-line ``ConfigError`` naming the hook."""
    if not config.hooks:
        return
    from triage_tui.domain.hooks import EVENTS

    seen: set[str] = set()
    for index, (hook, name) in enumerate(zip(config.hooks, hook_names(config), strict=True)):
        where = f"hooks[{index}] ({name})"
        if name in seen:
            raise ConfigError(f"{where}: another hook has this name; names must differ")
        seen.add(name)
        if not hook.events:
            raise ConfigError(f"{where}: on: name at least one event ({', '.join(EVENTS)})")
        for event in hook.events:
            if event not in EVENTS:
                raise ConfigError(
                    f"{where}: on: unknown event {event!r}; the events are {', '.join(EVENTS)}"
                )
        actions = hook.actions
        if len(actions) != 1:
            said = ", ".join(actions) if actions else "none"
            raise ConfigError(
                f"{where}: give exactly one action of exec, slack, github, linear, assign,"
                f" survey (found: {said})"
            )
        if hook.when.strip():
            from triage_tui.domain.filters.language import FilterError, parse

            try:
                parse(hook.when, me="")
            except FilterError as exc:
                raise ConfigError(f"{where}: when: {exc}") from None
        try:
            _check_action(hook)
        except ValueError as exc:
            raise ConfigError(f"{where}: {hook.action}: {exc}") from None


def _check_action(hook: Hook) -> None:
    if hook.exec is not None and not hook.exec.strip():
        raise ValueError("the command is empty")
    if hook.slack is not None:
        _only_keys(hook.slack, ("webhook_env", "token_env", "channel"))
        webhook = bool(hook.slack.get("webhook_env"))
        bot = bool(hook.slack.get("token_env")) or bool(hook.slack.get("channel"))
        if webhook == bot:
            raise ValueError("give webhook_env, or token_env and channel (not both)")
        if bot and not (hook.slack.get("token_env") and hook.slack.get("channel")):
            raise ValueError("token_env and channel go together")
    if hook.github is not None:
        _only_keys(hook.github, ("repo",), SERVICE_SECRET_ENV["github"])
        repo = hook.github.get("repo")
        parts = repo.split("/") if isinstance(repo, str) else []
        if len(parts) != 2 or not all(p.strip() for p in parts):
            raise ValueError(f'repo must be "owner/name", not {repo!r}')
    if hook.linear is not None:
        _only_keys(hook.linear, ("team_id",), SERVICE_SECRET_ENV["linear"])
        if not isinstance(hook.linear.get("team_id"), str) or not hook.linear["team_id"].strip():
            raise ValueError("team_id is required")
    if hook.assign is not None and not (hook.assign.agents or hook.assign.group.strip()):
        raise ValueError('give agents = [...] or group = "..."')
    for settings in (hook.slack, hook.github, hook.linear):
        for key, value in (settings or {}).items():
            if key.endswith("_env") and (not isinstance(value, str) or not value.strip()):
                raise ValueError(f"{key} must name an environment variable")


def _only_keys(table: Mapping[str, Any], allowed: tuple[str, ...], secret: str = "") -> None:
    unknown = sorted(set(table) - set(allowed))
    if unknown and unknown[0] == "token_env" and secret:
        raise ValueError(f"token_env is not a setting: the token is read from {secret}")
    if unknown:
        raise ValueError(f"unknown key {unknown[0]!r} (known: {', '.join(allowed)})")


#: The credential each issue tracker reads from a fixed variable (the integrations'
#: ``github.TOKEN_ENV`` and ``linear.KEY_ENV``; not imported here: they bring httpx).
SERVICE_SECRET_ENV = {"github": "TRIAGE_GITHUB_TOKEN", "linear": "TRIAGE_LINEAR_API_KEY"}
SERVICES = ("slack", "github", "linear")


def hook_env_missing(hook: Hook, environ: Mapping[str, str] | None = None) -> list[str]:
    """The environment variables a hook needs that are not set (secrets live there): those
    its settings name (``webhook_env``, ``token_env``) and its tracker's own."""
    env = os.environ if environ is None else environ
    missing = []
    for service in hook.actions:
        settings = getattr(hook, service)
        if service not in SERVICES or not isinstance(settings, dict):
            continue
        names = [v for k, v in settings.items() if k.endswith("_env") and isinstance(v, str)]
        fixed = SERVICE_SECRET_ENV.get(service)
        missing += [n for n in [*names, *([fixed] if fixed else [])] if not env.get(n, "").strip()]
    return missing


def check_hook_env(config: AppConfig, environ: Mapping[str, str] | None = None) -> None:
    """Where hooks run (``triage watch``, ``triage hooks``): a secret not in the
    environment is a one-line ``ConfigError`` naming the hook and the variable."""
    for index, (hook, name) in enumerate(zip(config.hooks, hook_names(config), strict=True)):
        missing = hook_env_missing(hook, environ)
        if missing:
            raise ConfigError(
                f"hooks[{index}] ({name}): {hook.action}: environment variable {missing[0]}"
                " is not set"
            )


def _default_profiles() -> dict[str, Profile]:
    return {"default": Profile()}


@dataclass
class AppConfig:
    __pydantic_config__ = _STRICT

    profile: str = "default"
    profiles: dict[str, Profile] = field(default_factory=_default_profiles)
    escalation: EscalationRoutes = field(default_factory=EscalationRoutes)
    #: Named filters for every profile: ``urgent = "priority:high,urgent sla:<90m"``.
    views: dict[str, str] = field(default_factory=dict)
    #: Draft safeguards (``[safeguards]``): max_words, extra_jargon, jargon_audience…;
    #: validated at load by ``domain.safeguards.match.SafeguardConfig.from_mapping``.
    safeguards: dict[str, Any] = field(default_factory=dict)
    #: ``[keymap]``: binding id to keys (``send = "ctrl+y,s"``), replacing that id's
    #: defaults everywhere it is bound; one table for every profile (keys are the
    #: person's habit, not the helpdesk's). Checked at load (``domain.keys``).
    keymap: dict[str, str] = field(default_factory=dict)
    #: ``[[hooks]]``: what runs on lifecycle events (docs/hooks.md); checked at load
    #: (``check_hooks``), their secrets where they run (``check_hook_env``).
    hooks: list[Hook] = field(default_factory=list)


@cache
def _validator(kind: type[Any]) -> TypeAdapter[Any]:
    """pydantic's validator for a settings dataclass, built on first use."""
    from pydantic import TypeAdapter

    return TypeAdapter(kind)


def to_json(settings: Any) -> Any:
    """Settings (a config, an adapter's options) as JSON values, for ``config show``."""
    if dataclasses.is_dataclass(settings) and not isinstance(settings, type):
        dumped = config_quick.dump(settings)
        if dumped is not None:
            return dumped
        return _validator(type(settings)).dump_python(settings, mode="json")
    return settings.model_dump(mode="json")  # an ``AdapterOptions`` model


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
    from triage_tui.domain.filters.language import FilterError, parse

    for where, views in places:
        for name, text in views.items():
            if not name.strip():
                raise ConfigError(f"{where}: a view needs a name")
            try:
                parse(text, me="")
            except FilterError as exc:
                raise ConfigError(f"{where}.{name}: {exc}") from None


def check_keymap(config: AppConfig) -> None:
    """Refuse unknown binding ids and clashing keys in ``[keymap]``; store it normalised."""
    if not config.keymap:
        return
    from triage_tui.domain.keys import check_keymap as check

    config.keymap = check(config.keymap)


def _located(error: ValidationError) -> tuple[str, str]:
    """Where pydantic's first error is ("" for the whole object) and what it says."""
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"])
    message = first["msg"]
    if first["type"] in ("extra_forbidden", "unexpected_keyword_argument"):
        message = "unknown key"
    elif first["type"] == "value_error":
        message = message.removeprefix("Value error, ")  # a ``__post_init__`` check
    return where, message


def _describe(error: ValidationError) -> str:
    where, message = _located(error)
    return f"{where or '(top level)'}: {message}"


def defaults() -> AppConfig:
    """The settings without a config file."""
    return AppConfig()


def load(path: Path | None = None) -> AppConfig:
    """Read and validate the config file; a missing file means defaults."""
    path = path or paths.config_file()
    text = _read_config(path)
    if text is None:
        return defaults()
    import tomllib  # with a file only

    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    except ValueError as exc:  # an integer of 5 000 digits
        raise ConfigError(f"{path}: invalid TOML: {str(exc).split(';')[0]}") from None
    except RecursionError:  # arrays nested thousands deep
        raise ConfigError(f"{path}: invalid TOML: nested too deeply") from None
    refuse_shared_secrets(path, raw)
    _one_event_as_list(raw)
    config = config_quick.build(AppConfig, raw) or _validated(path, raw)
    if config.profile not in config.profiles:
        raise ConfigError(f"{path}: profile: no [profiles.{config.profile}] section")
    try:
        check_views(config)
        safeguard_config(config)
        check_keymap(config)
        check_hooks(config)
    except ConfigError as exc:
        raise ConfigError(f"{path}: {exc}") from None
    return config


def _one_event_as_list(raw: dict[str, Any]) -> None:
    """``on = "ticket.created"`` in a ``[[hooks]]`` table is ``on = ["ticket.created"]``."""
    hooks = raw.get("hooks")
    if isinstance(hooks, list):
        for table in hooks:
            if isinstance(table, dict) and isinstance(table.get("on"), str):
                table["on"] = [table["on"]]


#: A config file is a page of settings; a larger one is not read (it is not one).
MAX_CONFIG_BYTES = 1024 * 1024


def _read_config(path: Path) -> str | None:
    """The file's text, None when absent; anything but a regular file is refused.

    A FIFO would block the start for ever and a device could stream without
    end, so the kind is checked with ``stat`` before opening.
    """
    import stat

    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
    if not stat.S_ISREG(mode):
        kind = (
            "a directory"
            if stat.S_ISDIR(mode)
            else "a FIFO"
            if stat.S_ISFIFO(mode)
            else "a device"
            if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
            else "a socket"
            if stat.S_ISSOCK(mode)
            else "not a regular file"
        )
        raise ConfigError(f"{path}: not a regular file ({kind}); give a TOML file")
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_CONFIG_BYTES + 1)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
    if len(data) > MAX_CONFIG_BYTES:
        raise ConfigError(f"{path}: larger than {MAX_CONFIG_BYTES // 1024} KiB; not a config file")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text (byte {exc.start})") from None


def _validated(path: Path, raw: dict[str, Any]) -> AppConfig:
    from pydantic import ValidationError

    try:
        config: AppConfig = _validator(AppConfig).validate_python(raw)
    except ValidationError as exc:
        raise ConfigError(f"{path}: {_describe(exc)}") from None
    return config


def safeguard_config(config: AppConfig) -> SafeguardConfig:
    """The draft safeguards' settings from ``[safeguards]`` (defaults when absent)."""
    from triage_tui.domain.safeguards.match import SafeguardConfig

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
    profile = copy.deepcopy(config.profiles[name])
    chosen = adapter or env.get("TRIAGE_ADAPTER")
    if chosen and chosen != profile.adapter:
        profile.adapter = chosen
        profile.options = {}
    return name, profile


def option_names(options_model: type[Any]) -> tuple[str, ...]:
    """The options an adapter declares: its dataclass's fields or its pydantic model's."""
    if dataclasses.is_dataclass(options_model):
        return tuple(f.name for f in dataclasses.fields(options_model))
    return tuple(options_model.model_fields)


def adapter_options(
    adapter_name: str,
    options_model: type[Any],
    profile: Profile,
    environ: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> Any:
    """Merge profile options, ``TRIAGE_<ADAPTER>_<OPTION>`` and CLI overrides, then validate."""
    env = os.environ if environ is None else environ
    merged: dict[str, Any] = dict(profile.options)
    prefix = f"TRIAGE_{adapter_name.upper()}_"
    for name in option_names(options_model):
        value = env.get(prefix + name.upper())
        if value is not None:
            merged[name] = value
    merged.update({k: v for k, v in (overrides or {}).items() if v is not None})
    if dataclasses.is_dataclass(options_model):
        # Input of the declared types is built without pydantic (the console's
        # ``--db PATH``, the local adapter's usual options).
        quick = config_quick.build(options_model, merged)
        if quick is not None:
            return quick
    from pydantic import ValidationError

    try:
        if dataclasses.is_dataclass(options_model):
            return _validator(options_model).validate_python(merged)
        return options_model.model_validate(merged)
    except ValidationError as exc:
        where, message = _located(exc)
        if not where:  # a ``__post_init__`` check: its message names the option
            raise ConfigError(f"adapter {adapter_name!r} options: {message}") from None
        raise ConfigError(f"adapter {adapter_name!r} option {where}: {message}") from None


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
# Your name as the helpdesk knows it: the author of your replies and notes, the
# actor of your events, the templates' sign-off and who `assignee:me` is.
# (The default is one of the demo helpdesk's agents.)
agent = "Sam Rivera"
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
# Seconds between polls of the helpdesk for changes; 0: adaptive (2 for the
# local helpdesk; a remote one within its rate limit, slower while idle).
poll_seconds = 0
# The console's mouse: false leaves it to the terminal, so its own text
# selection works (M toggles it while the console runs).
mouse = true
# Presence: a directory your team's group shares on this (jump) host, e.g.
# made with `install -d -m 2770 -g support /srv/triage-team`; consoles using it
# show who has which ticket open and who is replying. TRIAGE_TEAM_DIR overrides it.
# team_dir = "/srv/triage-team"

[profiles.default.alerts]
# The live queue alerts (a notice, the bell) when a new ticket is urgent (these
# priorities), from a VIP organization or due within `within_minutes`, and when
# any ticket enters its last `within_minutes`; once per ticket for each.
priorities = ["urgent"]
vip = true
within_minutes = 90
bell = true
# A desktop notification through the terminal: "off", "osc9" or "osc777".
desktop = "off"
enabled = true

[profiles.default.options]
# Options of the adapter. For `local`: the SQLite file (default: the data dir).
# Every option can also come from TRIAGE_<ADAPTER>_<OPTION>, e.g. TRIAGE_LOCAL_DB.
# db = "/path/to/helpdesk.db"

[keymap]
# Your own keys: a binding id = one or more keys, comma separated; they replace
# that id's default keys. `triage keys` lists every id, its keys and where it works.
# send = "ctrl+y,s"
# skip = "N"

[views]
# Named filters: `triage --view urgent`, or pick one in the console. The filter
# language is in docs/sweeps.md. A profile may add or
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
# Checks on a draft before it is sent (docs/intelligence.md).
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
    from triage_tui import private_files

    # 0600 in a 0700 folder: the agent will put credentials in it.
    private_files.write_text(path, EXAMPLE)
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
