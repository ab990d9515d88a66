"""Numbers from a helpdesk's JSON that the console shows as amounts.

``1e400``, ``Infinity``, ``NaN`` and 41-digit integers (read as infinity by
``adapters.http.parse_json``) are not amounts anyone entered: they read as
"not known" (None) rather than failing the record or printing ``inf``, and so
does anything beyond ``MAX_AMOUNT`` either way. The rule is documented in
``docs/reliability.md`` ("Numbers, durations, pages and deadlines").
"""

from __future__ import annotations

import math
from typing import Any

#: A thousand trillion: larger account values are data errors, not customers.
MAX_AMOUNT = 1e15


def amount(value: Any) -> float | None:
    """A finite amount within ``MAX_AMOUNT``, else None (also for text that is not a number)."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        return None
    if not math.isfinite(number) or abs(number) > MAX_AMOUNT:
        return None
    return number
