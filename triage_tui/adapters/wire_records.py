"""Reading a remote helpdesk's JSON answer into its wire models (Zendesk, Gleap).

A malformed answer is one line naming where it broke. A malformed *record* in
a list (one ticket of a view's page, one side-loaded user) is left out and
said, not allowed to refuse the whole answer: one ticket whose ``created_at``
is not a date must not empty an agent's queue. Lists declared ``Records[X]``
validate each item on its own; what they leave out is collected per answer
and kept, bounded, until the console or a verb asks (``Helpdesk.take_left_out``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, TypeVar

from pydantic import BaseModel, ValidationError, ValidationInfo, WrapValidator

from triage_tui.adapters.base import LeftOut
from triage_tui.domain.errors import HelpdeskError

if TYPE_CHECKING:
    from pydantic import ValidatorFunctionWrapHandler

M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")

#: The validation context's key for the lines of records left out.
_LEFT_OUT = "left_out"
#: Lines kept until asked for; more are counted, not kept (a page of 10 000
#: broken records costs one counter, not 10 000 lines). The first are kept:
#: they are the ones an agent would look up first.
KEPT = 20
#: Characters of a record's id quoted in its line (an id can be anything).
ID_CHARS = 24


#: Characters of a problem's description kept (its location can hold the
#: helpdesk's own keys, of any length).
PROBLEM_CHARS = 160


def _problem(exc: ValidationError, *, in_list: bool = False) -> str:
    """``in_list``: ``exc`` is an item's, validated as a list of one (its index dropped)."""
    first = exc.errors()[0]
    loc = first["loc"][1:] if in_list else first["loc"]
    where = ".".join(str(p) for p in loc)
    text = f"{where}: {first['msg']}" if where else str(first["msg"])
    return text if len(text) <= PROBLEM_CHARS else text[: PROBLEM_CHARS - 1] + "…"


def _record_id(item: Any) -> str:
    raw = item.get("id", item.get("_id")) if isinstance(item, dict) else None
    if raw is None or isinstance(raw, bool) or not isinstance(raw, int | str):
        return ""
    text = "".join(ch for ch in str(raw) if ch.isprintable())
    return f" #{text[:ID_CHARS]}…" if len(text) > ID_CHARS else f" #{text}"


def _line(noun: str, item: Any, problem: str) -> str:
    return f"{noun}{_record_id(item)} ({problem})"


def _each_valid(value: Any, handler: ValidatorFunctionWrapHandler, info: ValidationInfo) -> Any:
    left_out = info.context.get(_LEFT_OUT) if isinstance(info.context, dict) else None
    if left_out is None or not isinstance(value, list):
        return handler(value)  # strict, or not a list at all: the answer is malformed
    try:
        return handler(value)  # the usual page: one validation in pydantic's core
    except ValidationError:
        pass
    kept: list[Any] = []
    noun = _NOUNS.get(info.field_name or "", "record")
    for item in value:
        try:
            kept += handler([item])
        except ValidationError as exc:
            left_out.append(_line(noun, item, _problem(exc, in_list=True)))
    return kept


#: The noun of each list field declared ``Records[...]``, by field name.
_NOUNS: dict[str, str] = {
    "tickets": "ticket",
    "users": "user",
    "organizations": "organization",
    "groups": "group",
    "results": "search result",
}

#: A list whose malformed items are left out (and said) instead of failing the answer.
Records = Annotated[list[T], WrapValidator(_each_valid)]


class WireReader:
    """Parses one service's answers; keeps the lines of records left out until taken."""

    def __init__(self, service: str) -> None:
        self.service = service
        self._left_out: list[str] = []
        self._count = 0

    def parse(self, model: type[M], data: Any, what: str, *, strict: bool = False) -> M:
        """``data`` as ``model``; one line naming where it broke otherwise. ``strict``:
        a malformed record fails the answer too (one ticket asked for by its id)."""
        lines: list[str] = []
        try:
            parsed = model.model_validate(data, context=None if strict else {_LEFT_OUT: lines})
        except ValidationError as exc:
            raise HelpdeskError(
                f"{self.service} sent an unexpected {what} ({_problem(exc)})"
            ) from None
        self.leave_out(lines)
        return parsed

    def parse_each(self, model: type[M], items: list[Any], noun: str) -> list[M]:
        """Each item as ``model``; the malformed ones left out and said."""
        kept: list[M] = []
        for item in items:
            try:
                kept.append(model.model_validate(item))
            except ValidationError as exc:
                self.leave_out([_line(noun, item, _problem(exc))])
        return kept

    def leave_out(self, lines: list[str]) -> None:
        self._count += len(lines)
        self._left_out.extend(lines[: max(0, KEPT - len(self._left_out))])

    def take_left_out(self) -> LeftOut:
        """What was left out since the last call (the first ``KEPT`` lines, all counted)."""
        taken = LeftOut(self._count, tuple(self._left_out))
        self._left_out.clear()
        self._count = 0
        return taken
