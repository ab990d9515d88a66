"""Parsing helpers for adapter options that may arrive as environment variables.

``TRIAGE_<ADAPTER>_<OPTION>`` can only carry a string, while the same option in
the TOML profile is a list or a table. These before-validators accept both, so
``TRIAGE_RT_QUEUES="Support, Billing"`` and ``queues = ["Support", "Billing"]``
mean the same thing.

No pydantic here: the ``zendesk`` and ``gleap`` options (dataclasses) use
these on the console's path to its first screen.
"""

from __future__ import annotations

import json
import math
from typing import Any

from triage_tui.domain.enums import Status
from triage_tui.domain.errors import InvalidInput

#: Bounds of any timeout or deadline in seconds (an ``inf`` timeout is not "no timeout").
MAX_SECONDS = 3600.0


def check_timeout(name: str, seconds: float) -> None:
    """``RequestTimeout``'s bounds for an options dataclass, in its ``__post_init__``."""
    if not (math.isfinite(seconds) and 0 < seconds <= MAX_SECONDS):
        raise ValueError(
            f"{name} must be more than 0 and at most {MAX_SECONDS:g} seconds, not {seconds:g}"
        )


def parse_list(value: Any) -> Any:
    """A list, a JSON array, or comma-separated words (blank items dropped)."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    if text.startswith("["):
        return json.loads(text)
    return [item.strip() for item in text.split(",") if item.strip()]


def parse_mapping(value: Any) -> Any:
    """A dict, a JSON object, or ``a=b,c=d``."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    if not text:
        return {}
    if text.startswith("{"):
        return json.loads(text)
    pairs = (item.split("=", 1) for item in text.split(",") if "=" in item)
    return {k.strip(): v.strip() for k, v in pairs}


def blank_to_none(value: Any) -> Any:
    """An empty or whitespace-only string means "not set"."""
    return None if isinstance(value, str) and not value.strip() else value


def status_map(value: object, example: str, *, lowercase: bool = False) -> dict[str, str]:
    """A ``status_map`` option for an options dataclass's ``__post_init__``: a table or
    text (``parse_mapping``) of domain statuses, in any spelling ``Status.parse``
    takes, to the helpdesk's; a ``ValueError`` naming the option otherwise."""
    try:
        mapping = parse_mapping(value)
    except ValueError as exc:  # text starting with "{" that is not JSON
        raise ValueError(f"status_map: {exc}") from None
    if not isinstance(mapping, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in mapping.items()
    ):
        raise ValueError(f"status_map must map statuses to the helpdesk's, e.g. {example}")
    try:
        return {
            Status.parse(k).value: v.strip().lower() if lowercase else v.strip()
            for k, v in mapping.items()
        }
    except InvalidInput as exc:
        raise ValueError(f"status_map: {exc}") from None
