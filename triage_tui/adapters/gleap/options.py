"""Options of the ``gleap`` adapter: every one is also ``TRIAGE_GLEAP_<OPTION>``."""

from __future__ import annotations

from typing import Any

from pydantic import Field, SecretStr, field_validator

from triage_tui.adapters._options import parse_mapping
from triage_tui.adapters.adapter_options import AdapterOptions, RequestTimeout
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


class GleapOptions(AdapterOptions):
    """How to reach one Gleap project and how its statuses map onto the console's."""

    #: The project's secret API key (Bearer).
    api_key: SecretStr | None = None
    #: The project id, sent as the ``Project`` header.
    project: str | None = None
    #: API root, for proxies and tests.
    base_url: str = "https://api.gleap.io/v3"
    #: Domain status -> this project's status id, e.g. ``pending=IN_PROGRESS``.
    status_map: dict[str, str] = Field(default_factory=dict)
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
    page_size: int = Field(default=100, ge=1, le=1000)
    timeout: RequestTimeout = 20.0

    @field_validator("status_map", mode="before")
    @classmethod
    def _mapping(cls, value: Any) -> Any:
        return parse_mapping(value)

    @field_validator("status_map")
    @classmethod
    def _known_statuses(cls, value: dict[str, str]) -> dict[str, str]:
        return {Status.parse(k).value: v.strip() for k, v in value.items()}

    @field_validator("project", "types")
    @classmethod
    def _blank_is_none(cls, value: str | None) -> str | None:
        return value.strip() or None if value is not None else None

    @field_validator("api_key", mode="before")
    @classmethod
    def _blank_secret(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("base_url")
    @classmethod
    def _url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("base_url must start with https:// (or http:// for a local proxy)")
        return value.rstrip("/")

    @property
    def statuses(self) -> dict[str, str]:
        return {**DEFAULT_STATUS_MAP, **self.status_map}

    def missing(self) -> list[str]:
        needed = []
        if self.api_key is None:
            needed.append("TRIAGE_GLEAP_API_KEY")
        if not self.project:
            needed.append("TRIAGE_GLEAP_PROJECT")
        return needed
