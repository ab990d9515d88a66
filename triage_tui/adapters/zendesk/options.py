"""Options of the ``zendesk`` adapter: every one is also ``TRIAGE_ZENDESK_<OPTION>``.

Secrets are ``SecretStr`` so a repr, a log line or a traceback with locals
shows ``**********`` instead of the token.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, SecretStr, field_validator, model_validator

from triage_tui.adapters._options import RequestTimeout, parse_mapping
from triage_tui.adapters.adapter_options import AdapterOptions
from triage_tui.domain.enums import Priority, Status

#: Zendesk's status for each domain status (overridable per account with ``status_map``).
DEFAULT_STATUS_MAP: dict[str, str] = {
    Status.NEW.value: "new",
    Status.OPEN.value: "open",
    Status.PENDING.value: "pending",
    Status.ON_HOLD.value: "hold",
    Status.SOLVED.value: "solved",
    Status.CLOSED.value: "closed",
}


class ZendeskOptions(AdapterOptions):
    """How to reach one Zendesk account and how its workflow maps onto the console."""

    #: ``acme`` for https://acme.zendesk.com.
    subdomain: str | None = None
    #: The account URL for custom domains and proxies (``https://support.acme.com``);
    #: wins over ``subdomain``. ``/api/v2`` is appended.
    base_url: str | None = None
    #: The agent's email, for API-token authentication.
    email: str | None = None
    #: API token (Basic ``{email}/token:{token}``).
    token: SecretStr | None = None
    #: OAuth access token (Bearer); used instead of email + token when set.
    oauth_token: SecretStr | None = None
    #: The queue: a view's id (cursor-paged)…
    view_id: int | None = None
    #: …or extra search terms added to ``type:ticket status<solved`` (offset-paged, 1 000 max).
    search: str | None = None
    #: Help Center locale for article search.
    locale: str = "en-us"
    #: Escalation defaults, used when the escalation itself does not say.
    escalation_group: str | None = None
    escalation_tag: str | None = "escalated"
    escalation_priority: Priority | None = None
    #: Domain status -> Zendesk status, e.g. ``on_hold=hold``; merged over the defaults.
    status_map: dict[str, str] = Field(default_factory=dict)
    #: Custom user/organization fields that carry the tier and the account value.
    tier_field: str = "tier"
    account_value_field: str = "account_value"
    #: An organization with this tag (or ``vip`` field true) is shown with ★.
    vip_tag: str = "vip"
    #: Send ``safe_update`` with the ``updated_stamp`` read last (409 -> Conflict).
    safe_update: bool = True
    #: Rows per page (Zendesk allows at most 100).
    page_size: int = Field(default=100, ge=1, le=100)
    #: Seconds before a request is abandoned.
    timeout: RequestTimeout = 20.0

    @field_validator("status_map", mode="before")
    @classmethod
    def _mapping(cls, value: Any) -> Any:
        return parse_mapping(value)

    @field_validator("status_map")
    @classmethod
    def _known_statuses(cls, value: dict[str, str]) -> dict[str, str]:
        return {Status.parse(k).value: v.strip().lower() for k, v in value.items()}

    @field_validator("subdomain", "base_url", "email", "search", "escalation_group")
    @classmethod
    def _blank_is_none(cls, value: str | None) -> str | None:
        return value.strip() or None if value is not None else None

    @field_validator("token", "oauth_token", mode="before")
    @classmethod
    def _blank_secret(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    @model_validator(mode="after")
    def _url_shape(self) -> ZendeskOptions:
        if self.base_url and not self.base_url.startswith(("http://", "https://")):
            raise ValueError("base_url must start with https:// (or http:// for a local proxy)")
        return self

    # -- derived -------------------------------------------------------------
    @property
    def account_url(self) -> str | None:
        if self.base_url:
            return self.base_url.rstrip("/").removesuffix("/api/v2")
        if self.subdomain:
            return f"https://{self.subdomain}.zendesk.com"
        return None

    @property
    def statuses(self) -> dict[str, str]:
        return {**DEFAULT_STATUS_MAP, **self.status_map}

    def missing(self) -> list[str]:
        """The settings still needed before any request can succeed, as env var names."""
        needed = []
        if not self.account_url:
            needed.append("TRIAGE_ZENDESK_SUBDOMAIN (or TRIAGE_ZENDESK_BASE_URL)")
        if self.oauth_token is None:
            if self.token is None and not self.email:
                needed.append(
                    "TRIAGE_ZENDESK_EMAIL + TRIAGE_ZENDESK_TOKEN (or TRIAGE_ZENDESK_OAUTH_TOKEN)"
                )
            elif self.token is None:
                needed.append("TRIAGE_ZENDESK_TOKEN")
            elif not self.email:
                needed.append("TRIAGE_ZENDESK_EMAIL")
        return needed
