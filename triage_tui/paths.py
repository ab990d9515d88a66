"""Where triage-tui keeps its files (platformdirs), overridable by environment.

``TRIAGE_CONFIG_DIR`` and ``TRIAGE_DATA_DIR`` override the platform locations;
tests use them to isolate every run from the developer's real files.
"""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "triage-tui"


def config_dir() -> Path:
    override = os.environ.get("TRIAGE_CONFIG_DIR")
    if override:
        return Path(override)
    from platformdirs import user_config_path

    return user_config_path(APP_NAME, appauthor=False)


def data_dir() -> Path:
    override = os.environ.get("TRIAGE_DATA_DIR")
    if override:
        return Path(override)
    from platformdirs import user_data_path

    return user_data_path(APP_NAME, appauthor=False)


def config_file() -> Path:
    """The TOML config; ``TRIAGE_CONFIG`` points at another file."""
    override = os.environ.get("TRIAGE_CONFIG")
    return Path(override) if override else config_dir() / "config.toml"


def default_db() -> Path:
    """The embedded helpdesk's SQLite file."""
    return data_dir() / "helpdesk.db"


def user_templates_dir() -> Path:
    return config_dir() / "templates"


def user_macros_dir() -> Path:
    """One TOML file per macro (see ``domain.macros``)."""
    return config_dir() / "macros"


def user_themes_dir() -> Path:
    return config_dir() / "themes"
