"""``AdapterOptions``: the pydantic base of an adapter's declared options.

Apart from ``base`` because importing pydantic costs ~100 ms, and the contract
itself — ``Helpdesk``, ``Capabilities`` — is on the console's path to its first
screen, which imports none. An adapter imports it from here.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from triage_tui.adapters._options import MAX_SECONDS

#: Seconds before a request is abandoned: finite, positive and at most an hour,
#: so a typo (``timeout = inf``, ``1e9``) is a config error naming the option
#: rather than a value quietly replaced. (``_options.check_timeout`` for a dataclass.)
RequestTimeout = Annotated[float, Field(gt=0, le=MAX_SECONDS, allow_inf_nan=False)]


class AdapterOptions(BaseModel):
    """Base for an adapter's declared options (config profile + TRIAGE_<ADAPTER>_<OPTION>)."""

    # defer_build: an adapter's options are validated once, when it is used;
    # the validator is not built for every adapter module imported.
    model_config = ConfigDict(extra="forbid", defer_build=True)
