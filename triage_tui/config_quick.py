"""Settings dataclasses built and dumped without pydantic, derived from their declarations.

``config.load`` and ``config.adapter_options`` try ``build`` first. Input whose
values have exactly the declared types (TOML gives ``str``, ``int``, ``float``,
tables and arrays; an ``int`` may also be plain digits, as the environment gives
it), whose keys are all declared fields and whose choices are
among a ``Literal``'s becomes the same dataclass pydantic would make; anything
else returns None and goes to pydantic, which converts what it may and words
the error. Why: importing pydantic is ~100 ms of a start whose target is 1.5x
a bare Textual app's (``tests/cli/test_start_up_imports.py``).

Nothing here names a setting: what each field accepts is read from the
dataclass (``dataclasses.fields``, ``typing.get_type_hints``), so a field added
to ``Profile`` or to an adapter's options is checked here as soon as it is
declared. An annotation this module does not understand (``Annotated``
constraints, ``SecretStr``, a union of two types…) makes a value for that field
go to pydantic. A value type of the project's own may say how pydantic builds
and dumps it (``__quick_build__``, ``__quick_dump__``: ``adapters.secret``).
``tests/cli/test_config_defaults.py`` compares the two paths over every field.
"""

from __future__ import annotations

import dataclasses
import math
import types
import typing
from collections.abc import Callable
from pathlib import Path, PurePath
from typing import Any, Literal, TypeVar

T = TypeVar("T")

#: A converter's answer for a value pydantic might convert or refuse: ask pydantic.
_DECLINE: Any = object()

#: A field's value -> the value pydantic would store, or ``_DECLINE``.
Convert = Callable[[Any], Any]

_EXACT = (str, int, bool)


def build(kind: type[T], data: Any) -> T | None:
    """``kind`` (a dataclass) made from ``data`` as pydantic would, or None: ask pydantic.

    A ``ValueError`` of ``__post_init__`` (a range check) also means None, so
    that pydantic words it with the key's path.
    """
    converters = _converters(kind)
    if converters is None or type(data) is not dict or not data.keys() <= converters.keys():
        return None
    values = {}
    for name, value in data.items():
        converted = converters[name](value)
        if converted is _DECLINE:
            return None
        values[name] = converted
    try:
        return kind(**values)
    except (ValueError, AssertionError):  # what pydantic turns into a validation error
        return None


def dump(settings: object) -> Any:
    """A settings dataclass as pydantic's ``dump_python(mode="json")`` gives it.

    None when a value is not plain JSON, a ``Path`` or a nested settings
    dataclass (pydantic then dumps it).
    """
    value = _json(settings)
    return None if value is _DECLINE else value


# -- deriving the converters ----------------------------------------------------


#: ``_converters``' answers, per settings class: derived once, on first use.
_DERIVED: dict[type[Any], dict[str, Convert] | None] = {}


def _converters(kind: type[Any]) -> dict[str, Convert] | None:
    """Per ``__init__`` field of ``kind``, how its value is checked; None: never quick."""
    if kind not in _DERIVED:
        _DERIVED[kind] = _derive(kind)
    return _DERIVED[kind]


def _derive(kind: type[Any]) -> dict[str, Convert] | None:
    if not dataclasses.is_dataclass(kind) or not _plain_pydantic_config(kind):
        return None
    hints = typing.get_type_hints(kind, include_extras=True)
    converters: dict[str, Convert] = {}
    for field in dataclasses.fields(kind):
        if not field.init:
            continue
        pydantic_default = _from_pydantic(field.default) or _from_pydantic(field.default_factory)
        converters[field.name] = _decline if pydantic_default else _converter(hints[field.name])
    return converters


def _plain_pydantic_config(kind: type[Any]) -> bool:
    """Whether pydantic validates ``kind`` with nothing but the default settings.

    ``extra`` does not matter: ``build`` leaves every unknown key to pydantic.
    Any other setting (strict mode, whitespace stripping…) or a custom schema
    could change what pydantic makes, so such a class is never quick.
    """
    if hasattr(kind, "__get_pydantic_core_schema__") or "__is_pydantic_dataclass__" in vars(kind):
        return False  # its own schema, or validators (a pydantic dataclass)
    settings = dict(getattr(kind, "__pydantic_config__", {}))
    settings.pop("extra", None)
    return not settings


def _from_pydantic(value: object) -> bool:
    """A ``pydantic.Field(...)`` default carries constraints ``build`` does not check."""
    return type(value).__module__.split(".")[0] in ("pydantic", "pydantic_core")


def _converter(annotation: Any) -> Convert:
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if annotation is Any:
        return _same
    if annotation is float:
        return _float
    if annotation is int:
        return _int
    if annotation in _EXACT:
        return _exactly(annotation)
    if annotation is Path:
        return _path
    if isinstance(annotation, type) and hasattr(annotation, "__quick_build__"):
        return _own(annotation)
    if dataclasses.is_dataclass(annotation) and isinstance(annotation, type):
        return _nested(annotation)
    if origin is Literal and all(type(arg) in _EXACT for arg in args):
        return _one_of(args)
    if origin in (types.UnionType, typing.Union) and len(args) == 2 and type(None) in args:
        (inner,) = (arg for arg in args if arg is not type(None))
        return _optional(_converter(inner))
    if annotation is dict or origin is dict:
        key, value = args or (Any, Any)
        return _mapping(_converter(key), _converter(value))
    if annotation is list or origin is list:
        return _sequence(_converter(args[0] if args else Any))
    return _decline


def _same(value: Any) -> Any:
    return value


def _decline(value: Any) -> Any:
    return _DECLINE


def _float(value: Any) -> Any:
    # pydantic also takes True and "5" as floats: a conversion, so asked of it.
    if type(value) is float:
        return value
    if type(value) is int:
        try:
            return float(value)
        except OverflowError:
            return _DECLINE
    return _DECLINE


#: The longest text ``_int`` reads: well inside what ``int()`` and pydantic both take.
_INT_DIGITS = 18


def _int(value: Any) -> Any:
    if type(value) is int:
        return value
    # An environment variable is text (TRIAGE_ZENDESK_VIEW_ID=360001), which pydantic
    # reads as the number; only the plain spelling is read here: no sign, space,
    # underscore or leading zero, which pydantic may read otherwise.
    if (
        type(value) is str
        and 0 < len(value) <= _INT_DIGITS
        and value.isascii()
        and value.isdigit()
        and (value == "0" or value[0] != "0")
    ):
        return int(value)
    return _DECLINE


def _exactly(kind: type[Any]) -> Convert:
    def convert(value: Any) -> Any:
        return value if type(value) is kind else _DECLINE

    return convert


def _path(value: Any) -> Any:
    # pydantic keeps a path as it is and makes one of text; "" would become ".".
    if isinstance(value, PurePath):
        return value
    if type(value) is str and value:
        return Path(value)
    return _DECLINE


def _own(kind: type[Any]) -> Convert:
    # A value type that says how pydantic's schema for it (its own
    # ``__get_pydantic_core_schema__``) builds and dumps it: None means "ask pydantic".
    def convert(value: Any) -> Any:
        built = kind.__quick_build__(value)
        return _DECLINE if built is None else built

    return convert


def _nested(kind: type[Any]) -> Convert:
    def convert(value: Any) -> Any:
        built = build(kind, value)
        return _DECLINE if built is None else built

    return convert


def _one_of(choices: tuple[Any, ...]) -> Convert:
    def convert(value: Any) -> Any:
        if any(type(value) is type(choice) and value == choice for choice in choices):
            return value
        return _DECLINE

    return convert


def _optional(inner: Convert) -> Convert:
    def convert(value: Any) -> Any:
        return None if value is None else inner(value)

    return convert


def _mapping(key: Convert, item: Convert) -> Convert:
    def convert(value: Any) -> Any:
        if type(value) is not dict:
            return _DECLINE
        made = {}
        for k, v in value.items():
            k2, v2 = key(k), item(v)
            if k2 is _DECLINE or v2 is _DECLINE:
                return _DECLINE
            made[k2] = v2
        return made  # a new dict, as pydantic builds

    return convert


def _sequence(item: Convert) -> Convert:
    def convert(value: Any) -> Any:
        if type(value) is not list:
            return _DECLINE
        made = [item(v) for v in value]
        return _DECLINE if any(v is _DECLINE for v in made) else made

    return convert


# -- dumping --------------------------------------------------------------------


def _json(value: Any) -> Any:
    """``value`` as JSON values, or ``_DECLINE`` for what pydantic should serialise."""
    if value is None or type(value) in _EXACT:
        return value
    if type(value) is float:
        return value if math.isfinite(value) else _DECLINE  # pydantic writes null
    if isinstance(value, PurePath):
        return str(value)
    if hasattr(type(value), "__quick_dump__"):
        return value.__quick_dump__()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        if _converters(type(value)) is None:
            return _DECLINE
        value = {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    if type(value) is dict:
        if not all(type(k) is str for k in value):
            return _DECLINE  # pydantic turns other keys into text
        made = {k: _json(v) for k, v in value.items()}
        return _DECLINE if any(v is _DECLINE for v in made.values()) else made
    if type(value) in (list, tuple):
        items = [_json(v) for v in value]
        return _DECLINE if any(v is _DECLINE for v in items) else items
    return _DECLINE
