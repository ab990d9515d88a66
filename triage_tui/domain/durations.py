"""Durations as agents type them: ``90m``, ``4h``, ``2d``, ``1h30m``.

One parser for the filter language (``sla:<90m``, ``age:<4h``) and the
``--since 8h`` options of ``triage report`` / ``triage events``, so the same
spelling works everywhere and a typo gets the same message everywhere.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Iterable
from datetime import datetime, timedelta

from triage_tui.domain.clock import ensure_utc

_UNIT_SECONDS = {"m": 60, "h": 3600, "d": 86400}
_PART = re.compile(r"(\d+(?:\.\d+)?)([mhd])")
_WHOLE = re.compile(r"(?:\d+(?:\.\d+)?[mhd])+")

UNITS_HINT = "use m, h, d"
#: The longest duration anyone means (ten years): ``sla:<1000000000d`` and
#: ``--since 99999999999d`` are refused by name instead of overflowing a
#: ``timedelta`` or the calendar.
MAX_DAYS = 3650
MAX_DURATION = timedelta(days=MAX_DAYS)
#: Longer spellings are typing accidents (and ``float()`` of them is slow or inf).
MAX_TEXT = 64


class DurationError(ValueError):
    """A duration that does not parse; ``str()`` is ``bad duration "90x" (use m, h, d)``."""

    def __init__(self, text: str, problem: str | None = None) -> None:
        shown = text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"
        super().__init__(problem or f'bad duration "{shown}" ({UNITS_HINT})')
        self.text = text


class DurationTooLarge(DurationError):
    """``1000000000d: duration too large (max 3650d)``."""

    def __init__(self, text: str) -> None:
        shown = text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"
        super().__init__(text, f"{shown}: duration too large (max {MAX_DAYS}d)")


def parse_duration(text: str, *, allow_negative: bool = False) -> timedelta:
    """``90m`` → 90 minutes; ``1h30m`` and ``1.5h`` too. Units are m, h and d.

    A bare number is refused rather than guessed: ``sla:<90`` could mean
    minutes or hours, and a wrong guess silently shows the wrong tickets.
    ``allow_negative`` accepts ``-30m`` (``sla:<-30m``: breached over 30 minutes ago).
    More than ``MAX_DAYS`` either way raises ``DurationTooLarge``.
    """
    raw = text
    value = text.strip().lower()
    sign = 1
    if allow_negative and value.startswith("-"):
        sign, value = -1, value[1:]
    if len(value) > MAX_TEXT:
        if _WHOLE.fullmatch(value):
            raise DurationTooLarge(raw.strip())
        raise DurationError(raw)
    if not value or not _WHOLE.fullmatch(value):
        raise DurationError(raw)
    seconds = sum(float(n) * _UNIT_SECONDS[u] for n, u in _PART.findall(value))
    if not seconds <= MAX_DURATION.total_seconds():  # also catches inf and nan
        raise DurationTooLarge(raw.strip())
    return timedelta(seconds=sign * seconds)


def format_duration(delta: timedelta) -> str:
    """The canonical spelling ``parse_duration`` reads back: ``90m``, ``4h``, ``2d``, ``-45m``.

    Whole days or hours use that unit; anything else is minutes, because that is
    how the playbook speaks ("the last 90 minutes"). Seconds round to the minute.
    """
    total = round(delta.total_seconds() / 60)
    sign = "-" if total < 0 else ""
    total = abs(total)
    if total and total % 1440 == 0:
        return f"{sign}{total // 1440}d"
    if total and total % 60 == 0:
        return f"{sign}{total // 60}h"
    return f"{sign}{total}m"


def parse_since(text: str, now: datetime) -> datetime:
    """``--since``: a duration back from ``now`` (``8h``) or an ISO date/time (UTC if naive).

    ``DurationTooLarge`` passes through: ``99999999999d`` is a duration, just too long.
    """
    try:
        return now - parse_duration(text)
    except DurationTooLarge:
        raise
    except DurationError:
        pass
    try:
        return ensure_utc(datetime.fromisoformat(text.strip()))
    except (ValueError, OverflowError):
        raise DurationError(text) from None


def median_duration(samples: Iterable[timedelta]) -> timedelta | None:
    """The median of handle times (None without any): sweeps and the report share it."""
    seconds = [s.total_seconds() for s in samples]
    return timedelta(seconds=statistics.median(seconds)) if seconds else None
