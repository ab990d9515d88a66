"""Gleap REST API v3 wire format, tolerant where the published spec leaves shapes open.

The spec types many responses as ``{}``; the examples show ``_id`` next to
``id``, references either populated (an object) or bare (an id string), and
message bodies as rich-text documents or strings. These models accept all of
those so the translation sees one shape.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, field_validator

from triage_tui.adapters.wire_records import Records


class _Wire(BaseModel):
    # defer_build: each model's validator is built when a response first needs
    # it, not when the adapter is imported before the console's first frame
    # (~20 ms of a cached start).
    model_config = ConfigDict(extra="ignore", populate_by_name=True, defer_build=True)


def _ref(value: Any) -> Any:
    """A bare id string becomes ``{"_id": id}`` so populated and bare refs parse alike."""
    return {"_id": value} if isinstance(value, str) else value


class GUser(_Wire):
    id: str = Field(validation_alias=AliasChoices("_id", "id"))
    email: str | None = None
    firstName: str | None = None
    lastName: str | None = None
    name: str | None = None

    @property
    def display_name(self) -> str:
        full = " ".join(p for p in (self.firstName, self.lastName) if p)
        return full or self.name or self.email or self.id


class GSession(_Wire):
    """A customer ("contact"): Gleap's requester, with company and plan."""

    id: str = Field(validation_alias=AliasChoices("_id", "id"))
    name: str | None = None
    email: str | None = None
    userId: str | None = None
    companyId: str | None = None
    companyName: str | None = None
    plan: str | None = None
    value: float | None = None
    tags: list[str] = Field(default_factory=list)
    createdAt: datetime | None = None


class GTeam(_Wire):
    id: str = Field(validation_alias=AliasChoices("_id", "id"))
    name: str | None = None


class GTicket(_Wire):
    id: str = Field(validation_alias=AliasChoices("_id", "id"))
    bugId: int | None = None
    title: str | None = None
    type: str | None = None
    status: str = "OPEN"
    priority: str | None = None
    archived: bool = False
    createdAt: datetime
    updatedAt: datetime | None = None
    processingUser: GUser | None = None
    processingTeam: GTeam | None = None
    session: GSession | None = None
    tags: list[str] = Field(default_factory=list)
    dueDate: datetime | None = None
    slaBreached: bool = False
    snoozed: bool = False
    formData: dict[str, Any] = Field(default_factory=dict)
    plainContent: str | None = None
    channel: Any = None

    @field_validator("processingUser", "processingTeam", "session", mode="before")
    @classmethod
    def _refs(cls, value: Any) -> Any:
        return _ref(value)

    @field_validator("dueDate", mode="before")
    @classmethod
    def _empty_date(cls, value: Any) -> Any:
        return None if value in ("", None) else value


class GTicketPage(_Wire):
    tickets: Records[GTicket] = Field(default_factory=list)
    count: int = 0
    totalCount: int | None = None


class GMessage(_Wire):
    id: str = Field(validation_alias=AliasChoices("_id", "id"))
    ticket: Any = None
    comment: Any = None
    type: str = "COMMENT"
    isNote: bool | None = None
    bot: bool = False
    user: GUser | None = None
    session: GSession | None = None
    createdAt: datetime

    @field_validator("user", "session", mode="before")
    @classmethod
    def _refs(cls, value: Any) -> Any:
        return _ref(value)

    @property
    def is_note(self) -> bool:
        return bool(self.isNote) or self.type.upper() == "NOTE"


class GKnowledgeResult(_Wire):
    sourceId: str
    sourceType: str = ""
    title: str | None = None
    content: str = ""
    url: str | None = None


class GKnowledgeSearch(_Wire):
    results: list[GKnowledgeResult] = Field(default_factory=list)
    count: int = 0


def items(data: Any, key: str) -> list[Any]:
    """A list response that may be bare or wrapped (``{key: […]}``, ``{items: […]}``)."""
    if isinstance(data, list):
        return data
    if isinstance(data, dict):
        for name in (key, "items", "data"):
            if isinstance(data.get(name), list):
                return list(data[name])
    return []


def doc_to_text(value: Any) -> str:
    """A rich-text document (``doc`` > ``paragraph`` > ``text``/``hardBreak``) as plain text."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "\n".join(doc_to_text(v) for v in value)
    if not isinstance(value, dict):
        return str(value)
    kind = value.get("type")
    if kind == "text":
        return str(value.get("text", ""))
    if kind == "hardBreak":
        return "\n"
    children = value.get("content") or []
    if kind in ("doc", "bulletList", "orderedList", "blockquote"):
        return "\n".join(doc_to_text(c) for c in children)
    return "".join(doc_to_text(c) for c in children)


def text_to_doc(text: str) -> dict[str, Any]:
    """Plain text as a rich-text document, one paragraph per line, so line breaks survive."""
    paragraphs: list[dict[str, Any]] = []
    for line in text.split("\n"):
        paragraph: dict[str, Any] = {"type": "paragraph"}
        if line:
            paragraph["content"] = [{"type": "text", "text": line}]
        paragraphs.append(paragraph)
    return {"type": "doc", "content": paragraphs}


def error_detail(data: Any) -> str | None:
    """Gleap errors are NestJS-style: ``{"statusCode", "message": str | [str], "error"}``."""
    if not isinstance(data, dict):
        return None
    message = data.get("message")
    if isinstance(message, list):
        return "; ".join(str(m) for m in message) or None
    return str(message) if message else None
