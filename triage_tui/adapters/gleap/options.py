"""Options of the ``gleap`` adapter: every one is also ``TRIAGE_GLEAP_<OPTION>``.

A dataclass like the Zendesk options (see there): a Gleap console starting from
its offline cache reads them before its first screen, which imports no
pydantic. The checks are in ``__post_init__``; the API key is a ``Secret``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from triage_tui.adapters._options import check_timeout, status_map
from triage_tui.adapters.secret import Secret
from triage_tui.domain.enums import Priority, Status

#: Gleap's status for each domain status. Gleap statuses are per project
#: (OPEN / INPROGRESS / DONE by default, sometimes IN_PROGRESS or custom ids),
#: hence ``status_map``. "closed" is DONE plus archived.
DEFAULT_STATUS_MAP: dict[str, str] = {
    Status.NEW.value: "OPEN",
    Status.OPEN.value: "OPEN",
    Status.PENDING.value: "INPROGRESS",
    Status.ON_HOLD.value: "INPROGRESS",
    Status.SOLVED.value: "DONE",
    Status.CLOSED.value: "DONE",
}

#: The most tickets Gleap returns in one ``skip``/``limit`` page.
MAX_PAGE_SIZE = 1000


@dataclass(frozen=True, kw_only=True)
class GleapOptions:
    """How to reach one Gleap project and how its statuses map onto the console's."""

    # pydantic's settings when it validates this dataclass: unknown keys are errors.
    __pydantic_config__ = {"extra": "forbid"}

    #: The project's secret API key (Bearer).
    api_key: Secret | None = None
    #: The project id, sent as the ``Project`` header.
    project: str | None = None
    #: API root, for proxies and tests.
    base_url: str = "https://api.gleap.io/v3"
    #: Domain status -> this project's status id, e.g. ``pending=IN_PROGRESS``.
    #: Text (``a=b,c=d`` or a JSON object, as the environment gives it) is read into a
    #: table with checked statuses; use ``statuses``.
    status_map: dict[str, str] | str = field(default_factory=dict)
    #: Only these ticket types in the queue (comma list, e.g. ``INQUIRY``); empty: all.
    types: str | None = None
    #: Knowledge-base language.
    lang: str = "en"
    #: A customer session with this tag belongs to a VIP organization.
    vip_tag: str = "vip"
    #: The name the ticket's ``dueDate`` is shown under.
    sla_metric: str = "due_date"
    #: Escalation defaults (Gleap priorities are LOW / MEDIUM / HIGH).
    escalation_tag: str | None = "escalated"
    escalation_priority: Priority | None = None
    #: Tickets per ``skip``/``limit`` page (Gleap allows up to 1 000).
    page_size: int = 100
    #: Seconds before a request is abandoned.
    timeout: float = 20.0

    def __post_init__(self) -> None:
        # Run by config_quick's build and by pydantic after it validated the fields.
        for name in ("project", "types"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, value.strip() or None)
        object.__setattr__(self, "api_key", Secret.option(self.api_key))
        object.__setattr__(self, "status_map", status_map(self.status_map, "pending=IN_PROGRESS"))
        if not self.base_url.startswith(("http://", "https://")):
            raise ValueError("base_url must start with https:// (or http:// for a local proxy)")
        object.__setattr__(self, "base_url", self.base_url.rstrip("/"))
        if not 1 <= self.page_size <= MAX_PAGE_SIZE:
            raise ValueError(f"page_size must be 1 to {MAX_PAGE_SIZE}, not {self.page_size}")
        check_timeout("timeout", self.timeout)

    @property
    def statuses(self) -> dict[str, str]:
        assert isinstance(self.status_map, dict)  # read into a table by __post_init__
        return {**DEFAULT_STATUS_MAP, **self.status_map}

    def missing(self) -> list[str]:
        needed = []
        if self.api_key is None:
            needed.append("TRIAGE_GLEAP_API_KEY")
        if not self.project:
            needed.append("TRIAGE_GLEAP_PROJECT")
        return needed
