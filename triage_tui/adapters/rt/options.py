"""Options of the ``rt`` adapter; each is also ``TRIAGE_RT_<OPTION>``.

RT installations differ in exactly the places these options cover: lifecycles
add or rename statuses, ``%PriorityAsString`` decides what a number means, and
which queues one team works is a matter of local convention. Secrets are
``SecretStr`` so no repr, log line or traceback shows them.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, SecretStr, field_validator, model_validator

from triage_tui.adapters._options import blank_to_none, parse_list, parse_mapping
from triage_tui.adapters.adapter_options import AdapterOptions, RequestTimeout
from triage_tui.domain.enums import Priority, Status

#: Domain status -> RT status written by ``set_status`` (RT's default lifecycle).
#: RT has one "waiting" status, so pending and on hold both become ``stalled``;
#: "closed" (done, not solved) is RT's ``rejected``.
DEFAULT_WRITE_STATUS: dict[str, str] = {
    Status.NEW.value: "new",
    Status.OPEN.value: "open",
    Status.PENDING.value: "stalled",
    Status.ON_HOLD.value: "stalled",
    Status.SOLVED.value: "resolved",
    Status.CLOSED.value: "rejected",
}

#: RT status -> domain status when reading. Statuses of custom lifecycles that
#: are not listed read as ``open`` (an unknown status is most likely work to do).
DEFAULT_READ_STATUS: dict[str, str] = {
    "new": Status.NEW.value,
    "open": Status.OPEN.value,
    "stalled": Status.PENDING.value,
    "resolved": Status.SOLVED.value,
    "rejected": Status.CLOSED.value,
    "deleted": Status.CLOSED.value,
}

#: Domain priority -> RT's numeric priority. RT 5's default ``%PriorityAsString``
#: is Low 0 / Medium 50 / High 100, so low/normal/high keep RT's own labels and
#: urgent lies above High. Reading maps a number to the highest level it reaches.
DEFAULT_PRIORITIES: dict[str, int] = {
    Priority.LOW.value: 0,
    Priority.NORMAL.value: 50,
    Priority.HIGH.value: 100,
    Priority.URGENT.value: 150,
}


class RtOptions(AdapterOptions):
    """How to reach one RT 5 instance and how its workflow maps onto the console."""

    #: RT's web address, e.g. ``https://rt.example.com`` (``/REST/2.0`` is appended).
    url: str | None = None
    #: An auth token (RT 5: *Logged in as … > Settings > Auth Tokens*); sent as
    #: ``Authorization: token …``. Preferred over user + password.
    token: SecretStr | None = None
    #: Basic authentication, for RT instances without tokens.
    user: str | None = None
    password: SecretStr | None = None
    #: The queues the console works; empty means every queue the user can see.
    #: Requester history is limited to them too.
    queues: list[str] = Field(default_factory=list)
    #: Extra TicketSQL ANDed to every queue listing, e.g. ``Owner = 'Nobody'``.
    query: str | None = None
    #: Overrides merged over ``DEFAULT_WRITE_STATUS`` (domain -> RT), e.g. ``pending=waiting``.
    status_map: dict[str, str] = Field(default_factory=dict)
    #: Overrides merged over ``DEFAULT_READ_STATUS`` (RT -> domain), e.g. ``waiting=pending``.
    status_from_rt: dict[str, str] = Field(default_factory=dict)
    #: Overrides merged over ``DEFAULT_PRIORITIES`` (domain -> RT number).
    priorities: dict[str, int] = Field(default_factory=dict)
    #: Requesters whose RT ``Organization`` is one of these are shown with ★.
    vip_organizations: list[str] = Field(default_factory=list)
    #: Article classes offered as the knowledge base; empty means all.
    article_classes: list[str] = Field(default_factory=list)
    #: The article custom field that holds the text.
    article_field: str = "Content"
    #: Rows per page (RT's REST2 allows at most 100).
    page_size: int = Field(default=100, ge=1, le=100)
    #: Seconds before a request is abandoned.
    timeout: RequestTimeout = 20.0

    @field_validator("queues", "vip_organizations", "article_classes", mode="before")
    @classmethod
    def _lists(cls, value: Any) -> Any:
        return parse_list(value)

    @field_validator("status_map", "status_from_rt", "priorities", mode="before")
    @classmethod
    def _mappings(cls, value: Any) -> Any:
        return parse_mapping(value)

    @field_validator("url", "user", "query", "token", "password", mode="before")
    @classmethod
    def _blank(cls, value: Any) -> Any:
        return blank_to_none(value)

    @field_validator("status_map")
    @classmethod
    def _write_keys(cls, value: dict[str, str]) -> dict[str, str]:
        return {Status.parse(k).value: v.strip().lower() for k, v in value.items()}

    @field_validator("status_from_rt")
    @classmethod
    def _read_values(cls, value: dict[str, str]) -> dict[str, str]:
        return {k.strip().lower(): Status.parse(v).value for k, v in value.items()}

    @field_validator("priorities")
    @classmethod
    def _priority_keys(cls, value: dict[str, int]) -> dict[str, int]:
        return {Priority.parse(k).value: int(v) for k, v in value.items()}

    @model_validator(mode="after")
    def _url_shape(self) -> RtOptions:
        if self.url and not self.url.startswith(("http://", "https://")):
            raise ValueError("url must start with https:// (or http://)")
        return self

    # -- derived -------------------------------------------------------------
    @property
    def api_url(self) -> str:
        base = (self.url or "").rstrip("/")
        return base if base.endswith("/REST/2.0") else base + "/REST/2.0"

    @property
    def web_url(self) -> str:
        return (self.url or "").rstrip("/").removesuffix("/REST/2.0")

    @property
    def write_status(self) -> dict[str, str]:
        return {**DEFAULT_WRITE_STATUS, **self.status_map}

    @property
    def read_status(self) -> dict[str, str]:
        return {**DEFAULT_READ_STATUS, **self.status_from_rt}

    @property
    def priority_values(self) -> dict[str, int]:
        return {**DEFAULT_PRIORITIES, **self.priorities}

    def missing(self) -> list[str]:
        """Settings still needed before any request can succeed, as env var names."""
        needed = [] if self.url else ["TRIAGE_RT_URL"]
        if self.token is None and not (self.user and self.password):
            needed.append("TRIAGE_RT_TOKEN (or TRIAGE_RT_USER + TRIAGE_RT_PASSWORD)")
        return needed
