"""Zendesk Support API v2 wire format: what the JSON looks like, nothing more.

Kept inside the adapter: only ``translate`` turns these into domain models.
Fields are the subset the console needs; everything else is ignored, so an
API that grows new fields never breaks parsing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from triage_tui.adapters.wire_records import Records


class _Wire(BaseModel):
    # defer_build: each model's validator is built when a response first needs
    # it, not when the adapter is imported before the console's first frame
    # (~20 ms of a cached start).
    model_config = ConfigDict(extra="ignore", defer_build=True)


class ZUser(_Wire):
    id: int
    name: str = ""
    email: str | None = None
    #: ``end-user``, ``agent`` or ``admin``.
    role: str = "end-user"
    custom_role_id: int | None = None
    organization_id: int | None = None
    created_at: datetime | None = None
    tags: list[str] = Field(default_factory=list)
    user_fields: dict[str, Any] = Field(default_factory=dict)


class ZOrganization(_Wire):
    id: int
    name: str = ""
    tags: list[str] = Field(default_factory=list)
    organization_fields: dict[str, Any] = Field(default_factory=dict)


class ZGroup(_Wire):
    id: int
    name: str = ""


class ZPolicyMetric(_Wire):
    """One entry of ``slas.policy_metrics`` (side-loaded with ``include=slas``)."""

    metric: str
    stage: str = "active"
    breach_at: datetime | None = None


class ZSlas(_Wire):
    policy_metrics: list[ZPolicyMetric] = Field(default_factory=list)


class ZVia(_Wire):
    channel: str | int | None = None


class ZTicket(_Wire):
    id: int
    subject: str | None = None
    description: str | None = None
    status: str = "open"
    priority: str | None = None
    requester_id: int
    assignee_id: int | None = None
    group_id: int | None = None
    organization_id: int | None = None
    tags: list[str] = Field(default_factory=list)
    via: ZVia | None = None
    created_at: datetime
    updated_at: datetime
    slas: ZSlas | None = None


class ZMeta(_Wire):
    has_more: bool = False
    after_cursor: str | None = None


class ZLinks(_Wire):
    next: str | None = None


class ZSideloads(_Wire):
    # Records: a malformed user, organisation or group is left out (and said),
    # as a malformed ticket is; the rest of the page still reads.
    users: Records[ZUser] = Field(default_factory=list)
    organizations: Records[ZOrganization] = Field(default_factory=list)
    groups: Records[ZGroup] = Field(default_factory=list)


class ZIncrementalPage(_Wire):
    """A page of the cursor-based incremental ticket export
    (``/incremental/tickets/cursor``): the tickets changed since, oldest change first."""

    tickets: Records[ZTicket] = Field(default_factory=list)
    after_cursor: str | None = None
    end_of_stream: bool = True


class ZTicketPage(ZSideloads):
    """A ticket list: cursor paging (``meta``/``links``) or offset (``next_page``)."""

    tickets: Records[ZTicket] = Field(default_factory=list)
    meta: ZMeta | None = None
    links: ZLinks | None = None
    next_page: str | None = None


class ZSearchPage(ZSideloads):
    """``GET /search``: offset paging, mixed result types (we ask for tickets only)."""

    results: list[dict[str, Any]] = Field(default_factory=list)
    next_page: str | None = None
    count: int = 0


class ZComment(_Wire):
    id: int
    author_id: int | None = None
    body: str = ""
    public: bool = True
    created_at: datetime


class ZCommentPage(_Wire):
    comments: list[ZComment] = Field(default_factory=list)
    users: list[ZUser] = Field(default_factory=list)
    meta: ZMeta | None = None
    links: ZLinks | None = None
    next_page: str | None = None


class ZAuditEvent(_Wire):
    id: int | None = None
    type: str = ""
    body: str | None = None
    public: bool | None = None
    author_id: int | None = None


class ZAudit(_Wire):
    id: int | None = None
    author_id: int | None = None
    created_at: datetime | None = None
    events: list[ZAuditEvent] = Field(default_factory=list)


class ZUpdateResponse(_Wire):
    """``PUT /tickets/{id}``: the ticket after the change and the audit that recorded it."""

    ticket: ZTicket
    audit: ZAudit | None = None


class ZUserResponse(_Wire):
    user: ZUser
    organizations: list[ZOrganization] = Field(default_factory=list)


class ZUserList(_Wire):
    users: list[ZUser] = Field(default_factory=list)


class ZUserPage(_Wire):
    users: list[ZUser] = Field(default_factory=list)
    meta: ZMeta | None = None
    links: ZLinks | None = None
    next_page: str | None = None


class ZGroupPage(_Wire):
    groups: list[ZGroup] = Field(default_factory=list)
    meta: ZMeta | None = None
    links: ZLinks | None = None
    next_page: str | None = None


class ZCustomRole(_Wire):
    id: int
    name: str = ""
    configuration: dict[str, Any] = Field(default_factory=dict)


class ZArticle(_Wire):
    id: int
    title: str = ""
    body: str | None = None
    html_url: str = ""
    section_id: int | None = None


class ZArticleSearch(_Wire):
    results: list[ZArticle] = Field(default_factory=list)
    next_page: str | None = None
    count: int = 0


def error_detail(data: Any) -> str | None:
    """One line from Zendesk's error JSON.

    ``{"error": "RecordInvalid", "description": "Record validation errors",
    "details": {"priority": [{"description": "Priority: is not valid"}]}}``
    becomes ``Record validation errors: Priority: is not valid``; a bare
    ``{"error": "RecordNotFound", "description": "Not found"}`` its description.
    """
    if not isinstance(data, dict):
        return None
    error = data.get("error")
    if isinstance(error, dict):  # {"error": {"title": ..., "message": ...}} (OAuth, some 403s)
        return str(error.get("message") or error.get("title") or "") or None
    description = data.get("description")
    details = data.get("details")
    parts: list[str] = []
    if isinstance(details, dict):
        for field, problems in details.items():
            for problem in problems if isinstance(problems, list) else [problems]:
                if isinstance(problem, dict):
                    text = problem.get("description") or problem.get("error") or ""
                else:
                    text = str(problem)
                # "base" holds errors about the record as a whole: no field to name.
                named = field == "base" or field.lower() in text.lower()
                parts.append(text if named else f"{field}: {text}")
    head = str(description or error or "").strip()
    if parts:
        return f"{head}: {'; '.join(parts)}" if head else "; ".join(parts)
    return head or None
