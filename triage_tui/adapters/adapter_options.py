"""``AdapterOptions``: the pydantic base of an adapter's declared options.

Apart from ``base`` (which still exports it) because importing pydantic costs
~100 ms, and the contract itself — ``Helpdesk``, ``Capabilities`` — is on the
console's path to its first screen, which imports none.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self

from pydantic import BaseModel, ConfigDict


class AdapterOptions(BaseModel):
    """Base for an adapter's declared options (config profile + TRIAGE_<ADAPTER>_<OPTION>)."""

    # defer_build: an adapter's options are validated once, when it is used;
    # the validator is not built for every adapter module imported.
    model_config = ConfigDict(extra="forbid", defer_build=True)

    @classmethod
    def quick_validate(cls, data: Mapping[str, Any]) -> Self | None:
        """``model_validate(data)`` without building the validator, or None: validate in full.

        For input a subclass can show pydantic would accept unchanged (exact
        types, known keys); the result must equal ``model_validate(data)``,
        set fields included. The default recognises nothing.
        """
        return None

    def json_dump(self) -> dict[str, Any]:
        """``model_dump(mode="json")``; a subclass may return the same dict more cheaply."""
        return self.model_dump(mode="json")
