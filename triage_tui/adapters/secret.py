"""``Secret``: an adapter option that holds a credential (an API token, a password).

Its repr and str are ``**********``, so a log line, ``config show`` or a
traceback with locals never shows the value; ``get_secret_value`` gives it to
the one place that sends it. Dumped as JSON it is ``**********`` (``""`` when
empty), which is also what names a helpdesk's files (``session.helpdesk_key``):
a new token is the same helpdesk.

It is pydantic's ``SecretStr`` without pydantic: an adapter whose options are a
dataclass (``zendesk``, ``gleap``) is then built from plain input by ``config_quick``,
on the console's path to its first screen, which imports no pydantic
(``tests/cli/test_start_up_imports.py``). pydantic still validates it, through
``__get_pydantic_core_schema__``, whenever the input needs converting.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pydantic import GetCoreSchemaHandler
    from pydantic_core import CoreSchema

MASK = "**********"


class Secret:
    """A credential's text, never shown."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def get_secret_value(self) -> str:
        return self._value

    @classmethod
    def option(cls, value: Secret | str | None) -> Secret | None:
        """An option's value in ``__post_init__``: text (an options object built in
        code) becomes a ``Secret``; a blank one means "not set"."""
        if isinstance(value, str):
            value = cls(value)
        return value if value is not None and value.get_secret_value().strip() else None

    def dumped(self) -> str:
        """What JSON shows of it: the mask, or "" for an empty secret (as ``SecretStr``)."""
        return MASK if self._value else ""

    def __repr__(self) -> str:
        return f"Secret({self.dumped()!r})"

    def __str__(self) -> str:
        return self.dumped()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    # -- how the settings readers build and dump it ----------------------------

    @classmethod
    def __quick_build__(cls, value: Any) -> Secret | None:
        """``config_quick``: text or a ``Secret`` as pydantic makes it; None: ask pydantic."""
        if isinstance(value, Secret):
            return value
        return cls(value) if type(value) is str else None

    def __quick_dump__(self) -> str:
        return self.dumped()

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        from pydantic_core import core_schema

        return core_schema.no_info_after_validator_function(
            lambda value: value if isinstance(value, Secret) else cls(value),
            core_schema.union_schema(
                [core_schema.is_instance_schema(cls), core_schema.str_schema()]
            ),
            serialization=core_schema.plain_serializer_function_ser_schema(
                lambda value: value.dumped(), when_used="json"
            ),
        )
