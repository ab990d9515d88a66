"""From command line + config + environment to an open helpdesk.

One resolution path shared by the scriptable verbs and the console, so
``triage get-ticket 7`` and the console opened with the same flags always talk
to the same helpdesk with the same options. Nothing here imports Textual.

Precedence, highest first:

* profile: ``--profile`` > ``TRIAGE_PROFILE`` > the file's ``profile`` key;
* adapter: ``--adapter`` > ``TRIAGE_ADAPTER`` > the profile's ``adapter``
  (switching adapter drops the profile's options, which belong to the other);
* options: ``--db`` > ``TRIAGE_<ADAPTER>_<OPTION>`` > ``[profiles.X.options]``.

Typical use (the UI does the same)::

    ctx = session.resolve(profile=None, adapter=None, db=None, config_path=None)
    async with session.open_helpdesk(ctx, clock) as helpdesk:
        ...
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from triage_tui import config as config_mod
from triage_tui import paths
from triage_tui.adapters import registry
from triage_tui.domain.errors import ConfigError

if TYPE_CHECKING:
    from triage_tui.adapters.base import Helpdesk
    from triage_tui.config import AppConfig, Profile
    from triage_tui.domain.clock import Clock
    from triage_tui.engine.buffered import BufferedHelpdesk

#: The option through which ``--db`` reaches an adapter (the local one has it).
DB_OPTION = "db"


@dataclass(frozen=True)
class ConsoleContext:
    """Everything needed to open the helpdesk and set up the console.

    Built by ``resolve`` (which validates the config and the adapter's
    options, so a bad setting fails before any screen is drawn).
    """

    profile_name: str
    profile: Profile
    adapter_name: str
    #: The adapter's validated options (an ``adapter_cls.options_model``).
    adapter_options: Any
    #: The local helpdesk's SQLite file; None for adapters without a ``db`` option.
    db_path: Path | None
    config: AppConfig
    #: The config file consulted (it may not exist: then defaults apply).
    config_path: Path
    adapter_cls: type[Helpdesk] = field(repr=False, compare=False)
    #: ``--theme`` if given, else the profile's theme.
    theme: str = "triage-dark"
    #: The filter text of ``--view NAME`` (already validated); the console
    #: applies it to the queue at start. None: the whole queue.
    initial_filter: str | None = None
    #: The view's name, for the queue title.
    view_name: str | None = None
    #: ``triage sweep FILTER``: the filter (canonical text) whose sweep plan the
    #: console opens at start. None: no sweep.
    initial_sweep: str | None = None


def load_config(config_path: Path | None = None, *, must_exist: bool = False) -> AppConfig:
    """The validated config; ``must_exist`` for a path the user named with ``--config``."""
    path = config_path or paths.config_file()
    if must_exist and not path.exists():
        raise ConfigError(
            f"config file {path} does not exist (create it with `triage config init`)"
        )
    return config_mod.load(path)


def resolve(
    *,
    profile: str | None = None,
    adapter: str | None = None,
    db: Path | str | None = None,
    config_path: Path | None = None,
    theme: str | None = None,
    environ: Mapping[str, str] | None = None,
    config: AppConfig | None = None,
    view: str | None = None,
) -> ConsoleContext:
    """Resolve config, profile, adapter class and options; raise ``ConfigError`` early.

    Loads (imports) only the chosen adapter. ``db`` overrides the adapter's
    ``db`` option and is refused for an adapter that has none, rather than
    silently ignored.
    """
    env = os.environ if environ is None else environ
    path = config_path or paths.config_file()
    app_config = (
        config if config is not None else load_config(path, must_exist=config_path is not None)
    )
    profile_name, active = config_mod.active_profile(app_config, profile, adapter, env)
    adapter_cls = registry.load(active.adapter)
    model = adapter_cls.options_model
    overrides: dict[str, Any] = {}
    if db is not None:
        if DB_OPTION not in config_mod.option_names(model):
            raise ConfigError(
                f"--db applies to the local helpdesk; adapter {active.adapter!r} has no db option"
            )
        overrides[DB_OPTION] = Path(db).expanduser()
    _check_agent_setting(profile_name, active, config_mod.option_names(model), env)
    options = config_mod.adapter_options(active.adapter, model, active, env, overrides)
    return ConsoleContext(
        profile_name=profile_name,
        profile=active,
        adapter_name=active.adapter,
        adapter_options=options,
        db_path=_db_path(options, model),
        config=app_config,
        config_path=path,
        adapter_cls=adapter_cls,
        theme=theme or active.theme,
        initial_filter=view_filter(app_config, active, view) if view is not None else None,
        view_name=view,
    )


#: The local adapter's own name setting before the profile's ``agent`` was the one.
RETIRED_AGENT_VARIABLE = "TRIAGE_LOCAL_AGENT"


def _check_agent_setting(
    name: str, profile: Profile, options: tuple[str, ...], env: Mapping[str, str]
) -> None:
    """Who the agent is has one setting, the profile's ``agent``: the old places say so."""
    if "agent" in profile.options and "agent" not in options:
        raise ConfigError(
            f"profiles.{name}.options.agent: your name is the profile's own setting;"
            f' move it to [profiles.{name}] as agent = "…"'
        )
    if profile.adapter == "local" and env.get(RETIRED_AGENT_VARIABLE):
        from triage_tui import private_files

        private_files.notice(
            f"{RETIRED_AGENT_VARIABLE} is retired and ignored: replies and events are recorded"
            f" under the profile's agent ({profile.agent!r}); set agent in [profiles.{name}]"
        )


def view_filter(config: AppConfig, profile: Profile, name: str) -> str:
    """The filter text of a named view; an unknown name lists the known ones."""
    views = config_mod.views_of(config, profile)
    if name in views:
        return views[name]
    if not views:
        raise ConfigError(f'unknown view "{name}": the config has no views (add a [views] table)')
    raise ConfigError(f'unknown view "{name}"; views in the config: {", ".join(sorted(views))}')


def _db_path(options: Any, model: type[Any]) -> Path | None:
    """The SQLite file the adapter will open: its ``db`` option, else the data dir default."""
    if DB_OPTION not in config_mod.option_names(model):
        return None
    value = getattr(options, DB_OPTION, None)
    return Path(value).expanduser() if value else paths.default_db()


def build_helpdesk(ctx: ConsoleContext, clock: Clock | None = None) -> Helpdesk:
    """A helpdesk instance, not yet opened (``async with`` it, or use ``open_helpdesk``)."""
    helpdesk = ctx.adapter_cls(ctx.adapter_options, clock).act_as(ctx.profile.agent)
    return helpdesk.link_tickets(ctx.profile.ticket_url)


def buffered(helpdesk: Helpdesk, ctx: ConsoleContext, *, mode: str) -> BufferedHelpdesk:
    """``helpdesk`` with its writes going through the profile's durable outbox.

    ``mode="console"``: writes are held for the profile's ``undo_seconds`` and
    delivered in the background, reads fall back to the offline cache.
    ``mode="verb"``: a write returns once delivered (or raises the helpdesk's
    error), so scripts keep their exit codes. The outbox, drafts and cache
    files are keyed by profile, adapter and its non-secret options: entries
    recorded against one helpdesk are never delivered to another.
    """
    from triage_tui.engine.buffered import BufferedHelpdesk

    key = helpdesk_key(ctx)
    return BufferedHelpdesk(helpdesk, key, mode=mode, hold_seconds=ctx.profile.undo_seconds)


def helpdesk_key(ctx: ConsoleContext) -> str:
    """The name of this profile's files about its helpdesk (outbox, drafts, cache,
    change cursors): profile, adapter and its non-secret options."""
    from triage_tui.engine.buffered import store_key

    options = config_mod.to_json(ctx.adapter_options)
    if ctx.db_path is not None:
        options[DB_OPTION] = str(ctx.db_path.expanduser().resolve())
    return store_key(ctx.profile_name, ctx.adapter_name, options)


@asynccontextmanager
async def open_helpdesk(
    ctx: ConsoleContext, clock: Clock | None = None, *, outbox: bool = True
) -> AsyncIterator[Helpdesk]:
    """Open the helpdesk for the duration of the block, closing it even on error.

    The verbs' writes go through the outbox (``buffered(mode="verb")``):
    delivered before the verb returns, and never twice even if it is killed.
    """
    helpdesk = build_helpdesk(ctx, clock)
    if outbox:
        helpdesk = buffered(helpdesk, ctx, mode="verb")
    async with helpdesk:
        yield helpdesk
