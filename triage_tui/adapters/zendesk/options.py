"""Options of the ``zendesk`` adapter: every one is also ``TRIAGE_ZENDESK_<OPTION>``.

A dataclass, like the local adapter's options, not an ``AdapterOptions``
model: a console starting from its offline cache needs these options to find
that cache (``session.helpdesk_key``) before its first screen, which imports no
pydantic; ``config_quick`` builds them from plain input and pydantic validates
the rest (text to convert, a mistake to word). The checks are in
``__post_init__``, which both run. Secrets are ``Secret``s: a repr, a log line
or a traceback with locals shows ``**********`` instead of the token.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from triage_tui.adapters._options import check_timeout, status_map
from triage_tui.adapters.secret import Secret
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

#: The most rows Zendesk returns in one page.
MAX_PAGE_SIZE = 100

#: Text options where blank means "not set".
_BLANK_IS_NONE = ("subdomain", "base_url", "email", "search", "escalation_group")


@dataclass(frozen=True, kw_only=True)
class ZendeskOptions:
    """How to reach one Zendesk account and how its workflow maps onto the console."""

    # pydantic's settings when it validates this dataclass: unknown keys are errors.
    __pydantic_config__ = {"extra": "forbid"}

    #: ``acme`` for https://acme.zendesk.com.
    subdomain: str | None = None
    #: The account URL for custom domains and proxies (``https://support.acme.com``);
    #: wins over ``subdomain``. ``/api/v2`` is appended.
    base_url: str | None = None
    #: The agent's email, for API-token authentication.
    email: str | None = None
    #: API token (Basic ``{email}/token:{token}``).
    token: Secret | None = None
    #: OAuth access token (Bearer); used instead of email + token when set.
    oauth_token: Secret | None = None
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
    #: Text (``a=b,c=d`` or a JSON object, as the environment gives it) is read into a
    #: table with checked statuses; use ``statuses``.
    status_map: dict[str, str] | str = field(default_factory=dict)
    #: Custom user/organization fields that carry the tier and the account value.
    tier_field: str = "tier"
    account_value_field: str = "account_value"
    #: An organization with this tag (or ``vip`` field true) is shown with ★.
    vip_tag: str = "vip"
    #: Send ``safe_update`` with the ``updated_stamp`` read last (409 -> Conflict).
    safe_update: bool = True
    #: Rows per page (Zendesk allows at most 100).
    page_size: int = MAX_PAGE_SIZE
    #: Seconds before a request is abandoned.
    timeout: float = 20.0

    def __post_init__(self) -> None:
        # Run by config_quick's build and by pydantic after it validated the fields:
        # a ValueError here is the one line naming the problem (config._describe).
        for name in _BLANK_IS_NONE:
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, value.strip() or None)
        for name in ("token", "oauth_token"):
            object.__setattr__(self, name, Secret.option(getattr(self, name)))
        object.__setattr__(
            self, "status_map", status_map(self.status_map, "on_hold=hold", lowercase=True)
        )
        if self.base_url and not self.base_url.startswith(("http://", "https://")):
            raise ValueError("base_url must start with https:// (or http:// for a local proxy)")
        if not 1 <= self.page_size <= MAX_PAGE_SIZE:
            raise ValueError(f"page_size must be 1 to {MAX_PAGE_SIZE}, not {self.page_size}")
        check_timeout("timeout", self.timeout)

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
        assert isinstance(self.status_map, dict)  # read into a table by __post_init__
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
