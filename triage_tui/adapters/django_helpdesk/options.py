"""Options of the ``django_helpdesk`` adapter; each is also ``TRIAGE_DJANGO_HELPDESK_<OPTION>``.

django-helpdesk's API exposes ids where the console shows names (the agent a
ticket is assigned to, the queue) and has no endpoint to look them up, so the
names come from here. Requesters are only an email address on a ticket; sites
that ask for a name and a company on their submission form keep them in
ticket custom fields, which the adapter reads by name.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, SecretStr, field_validator, model_validator

from triage_tui.adapters._options import blank_to_none, parse_list, parse_mapping
from triage_tui.adapters.adapter_options import AdapterOptions, RequestTimeout
from triage_tui.domain.enums import Priority, Status

OPEN, REOPENED, RESOLVED, CLOSED, DUPLICATE = 1, 2, 3, 4, 5

#: django-helpdesk status -> domain status (an open ticket ``on_hold`` reads as ``hold_status``).
DEFAULT_READ_STATUS: dict[int, str] = {
    OPEN: Status.OPEN.value,
    REOPENED: Status.OPEN.value,
    RESOLVED: Status.SOLVED.value,
    CLOSED: Status.CLOSED.value,
    DUPLICATE: Status.CLOSED.value,
}

#: Domain status -> django-helpdesk status. Waiting statuses are Open plus the
#: ticket's ``on_hold`` flag (see ``hold_statuses``); reopening a resolved or
#: closed ticket writes Reopened, as django-helpdesk's own status flow does.
DEFAULT_WRITE_STATUS: dict[str, int] = {
    Status.NEW.value: OPEN,
    Status.OPEN.value: OPEN,
    Status.PENDING.value: OPEN,
    Status.ON_HOLD.value: OPEN,
    Status.SOLVED.value: RESOLVED,
    Status.CLOSED.value: CLOSED,
}

#: Domain priority -> django-helpdesk priority (1 Critical … 5 Very Low).
DEFAULT_PRIORITIES: dict[str, int] = {
    Priority.URGENT.value: 1,
    Priority.HIGH.value: 2,
    Priority.NORMAL.value: 3,
    Priority.LOW.value: 4,
}


class DjangoHelpdeskOptions(AdapterOptions):
    """How to reach one django-helpdesk site and how its data maps onto the console."""

    #: The site's root, e.g. ``https://help.example.com`` (``/api`` is appended).
    url: str | None = None
    #: A staff user (the API requires ``is_staff``), with DRF Basic authentication…
    user: str | None = None
    password: SecretStr | None = None
    #: …or a DRF token, for sites that enable ``TokenAuthentication``.
    token: SecretStr | None = None
    #: Queue ids the console works; empty means every queue.
    queues: list[int] = Field(default_factory=list)
    #: Agents by display name -> Django user id, for assignment and message authors.
    agents: dict[str, int] = Field(default_factory=dict)
    #: Ticket custom fields (their names, without ``custom_``) holding the
    #: requester's name and organization; absent fields are simply not shown.
    name_field: str = "requester_name"
    organization_field: str = "organization"
    #: Requesters of these organizations are shown with ★.
    vip_organizations: list[str] = Field(default_factory=list)
    #: Domain statuses written as Open + ``on_hold``, and how ``on_hold`` reads.
    hold_statuses: list[str] = Field(
        default_factory=lambda: [Status.PENDING.value, Status.ON_HOLD.value]
    )
    hold_status: str = Status.PENDING.value
    #: Overrides merged over the defaults (numbers are django-helpdesk's).
    status_map: dict[str, int] = Field(default_factory=dict)
    status_from_helpdesk: dict[int, str] = Field(default_factory=dict)
    priorities: dict[str, int] = Field(default_factory=dict)
    #: The API cannot filter by submitter: requester history scans at most this many tickets.
    history_limit: int = Field(default=5000, ge=1)
    page_size: int = Field(default=100, ge=1, le=1000)
    timeout: RequestTimeout = 20.0

    @field_validator("queues", "vip_organizations", "hold_statuses", mode="before")
    @classmethod
    def _lists(cls, value: Any) -> Any:
        return parse_list(value)

    @field_validator("agents", "status_map", "status_from_helpdesk", "priorities", mode="before")
    @classmethod
    def _mappings(cls, value: Any) -> Any:
        return parse_mapping(value)

    @field_validator("url", "user", "token", "password", mode="before")
    @classmethod
    def _blank(cls, value: Any) -> Any:
        return blank_to_none(value)

    @field_validator("hold_statuses")
    @classmethod
    def _hold_statuses(cls, value: list[str]) -> list[str]:
        return [Status.parse(v).value for v in value]

    @field_validator("hold_status")
    @classmethod
    def _hold_status(cls, value: str) -> str:
        return Status.parse(value).value

    @field_validator("status_map")
    @classmethod
    def _write_keys(cls, value: dict[str, int]) -> dict[str, int]:
        return {Status.parse(k).value: int(v) for k, v in value.items()}

    @field_validator("status_from_helpdesk")
    @classmethod
    def _read_values(cls, value: dict[int, str]) -> dict[int, str]:
        return {int(k): Status.parse(v).value for k, v in value.items()}

    @field_validator("priorities")
    @classmethod
    def _priority_keys(cls, value: dict[str, int]) -> dict[str, int]:
        return {Priority.parse(k).value: int(v) for k, v in value.items()}

    @model_validator(mode="after")
    def _url_shape(self) -> DjangoHelpdeskOptions:
        if self.url and not self.url.startswith(("http://", "https://")):
            raise ValueError("url must start with https:// (or http://)")
        return self

    # -- derived -------------------------------------------------------------
    @property
    def api_url(self) -> str:
        base = (self.url or "").rstrip("/")
        return base if base.endswith("/api") else base + "/api"

    @property
    def web_url(self) -> str:
        """Where django-helpdesk is mounted (``url`` without the API's ``/api``)."""
        return (self.url or "").rstrip("/").removesuffix("/api")

    @property
    def read_status(self) -> dict[int, str]:
        return {**DEFAULT_READ_STATUS, **self.status_from_helpdesk}

    @property
    def write_status(self) -> dict[str, int]:
        return {**DEFAULT_WRITE_STATUS, **self.status_map}

    @property
    def priority_values(self) -> dict[str, int]:
        return {**DEFAULT_PRIORITIES, **self.priorities}

    def missing(self) -> list[str]:
        """Settings still needed before any request can succeed, as env var names."""
        needed = [] if self.url else ["TRIAGE_DJANGO_HELPDESK_URL"]
        if self.token is None and not (self.user and self.password):
            needed.append(
                "TRIAGE_DJANGO_HELPDESK_USER + TRIAGE_DJANGO_HELPDESK_PASSWORD (or _TOKEN)"
            )
        return needed
