"""hubgen's records as JSON: what the build cache stores and what a parse worker sends back.

`.hubgen-cache/` can come from a stranger (a pull request can commit it), so nothing read from it may
name code to run: a record is JSON, read by the C decoder, then rebuilt by a decoder made once per type
from the record's declared fields (`dataclasses.fields`, `typing.get_type_hints`), which checks every
value's type on the way. Anything else is `BadRecord`, which a caller treats as a miss.

The JSON form is positional: a dataclass is an array of its fields in order, a tuple, list or frozenset
an array, a `dict[str, V]` an object (a `dict[int, V]` too, its keys written as JSON writes ints). A
value typed `Any` (a front-matter value) is a JSON scalar, an array (read back as a tuple), or a date as
`{"$date": "YYYY-MM-DD"}` / `{"$datetime": ...}`. The supported types are those hubgen's records use;
building a codec for any other type fails at once (`TypeError`), not on the first bad record.

`JSON` (a `JsonCodec`) is for a small record whose owner checks its shape by hand (the git dates, the site
state, the external links' results): any JSON value, decoded by the same C decoder, still never code.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import types
import typing
from collections.abc import Callable
from operator import attrgetter
from typing import Any, Generic, Literal, TypeVar, Union, get_args, get_origin

__all__ = ["JSON", "BadRecord", "Codec", "JsonCodec"]

T = TypeVar("T")
Decoder = Callable[[Any], Any]
_SCALARS = (str, int, float, bool)
_JSON = json.JSONDecoder()
_NONE = type(None)


class BadRecord(ValueError):
    """Bytes that are not a record of the expected type (corrupt, truncated, forged or from another version)."""


class Codec(Generic[T]):
    """`encode` a `kind` value to JSON bytes; `decode` bytes back, checked, or `BadRecord`."""

    def __init__(self, kind: Any) -> None:
        self._kind = kind
        self._decode: Decoder | None = None  # made on first use: importing a module costs nothing

    def encode(self, value: T) -> bytes:
        text = json.dumps(value, default=_plain, ensure_ascii=False, separators=(",", ":"), check_circular=False)
        return text.encode("utf-8", "surrogatepass")  # json.loads decodes bytes with surrogatepass too

    def decode(self, data: object) -> T:
        if type(data) is not bytes:
            raise BadRecord(f"not bytes but {type(data).__name__}")
        if self._decode is None:
            self._decode = decoder(self._kind)
        try:
            text = data.decode("utf-8", "surrogatepass")
            value, end = _JSON.raw_decode(text)
            if end != len(text):
                raise BadRecord("data after the record")
            # The decoder is made at run time from T (so typed Any); it returns a T or raises BadRecord.
            return self._decode(value)  # type: ignore[no-any-return]
        except BadRecord:
            raise
        except (ValueError, TypeError, OverflowError, RecursionError) as error:
            raise BadRecord(f"{type(error).__name__}: {error}") from None


class JsonCodec:
    """Any JSON value, keys sorted (`readable`: indented, one key a line); `BadRecord` for bytes that are
    not JSON (or nest too deep to read). The record's owner checks the value's shape."""

    def __init__(self, readable: bool = False) -> None:
        self._readable = readable

    def encode(self, value: Any) -> bytes:
        if self._readable:
            return (json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()
        return json.dumps(value, sort_keys=True).encode()

    def decode(self, data: object) -> Any:
        if type(data) is not bytes:
            raise BadRecord(f"not bytes but {type(data).__name__}")
        try:
            return json.loads(data)
        except (ValueError, RecursionError) as error:
            raise BadRecord(f"{type(error).__name__}: {error}") from None


JSON = JsonCodec()


# ------------------------------------------------------------------------------------------------ encoding

_GETTERS: dict[type, Callable[[Any], Any]] = {}


def _plain(value: Any) -> Any:
    """What json.dumps writes for a value it has no form for (its `default`)."""
    kind = type(value)
    getter = _GETTERS.get(kind)
    if getter is not None:
        return getter(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        names = [f.name for f in dataclasses.fields(value)]
        getter = attrgetter(*names) if len(names) > 1 else (lambda v, n=names[0]: (getattr(v, n),))
        _GETTERS[kind] = getter
        return getter(value)
    if isinstance(value, frozenset | set):
        return sorted(value) if all(type(item) is str for item in value) else list(value)
    if isinstance(value, dt.datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, dt.date):
        return {"$date": value.isoformat()}
    raise TypeError(f"records: no JSON form for {kind.__name__}")


# ------------------------------------------------------------------------------------------------ decoding

_DECODERS: dict[Any, Decoder] = {}


def decoder(kind: Any) -> Decoder:
    """The checking decoder for `kind` (made once per type)."""
    found = _DECODERS.get(kind)
    if found is None:
        found = _DECODERS[kind] = _make(kind)
    return found


def _bad(what: str, value: Any) -> BadRecord:
    return BadRecord(f"expected {what}, found {type(value).__name__}")


def _make(kind: Any) -> Decoder:
    if kind is Any:
        return _any
    if kind in _SCALARS or kind is _NONE:
        return _exactly(kind)
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        return _dataclass(kind)
    origin, args = get_origin(kind), get_args(kind)
    if origin is Literal:
        return _literal(frozenset(args))
    if origin in (Union, types.UnionType) and len(args) == 2 and _NONE in args:
        inner = decoder(args[0] if args[1] is _NONE else args[1])
        return lambda value: None if value is None else inner(value)
    if origin is tuple:
        return _tuple(args)
    if origin in (list, frozenset):
        return _sequence(origin, args[0])
    if origin is dict:
        return _dict(*args)
    raise TypeError(f"records: no decoder for {kind!r}")


def _exactly(kind: type) -> Decoder:
    def check(value: Any) -> Any:
        if type(value) is not kind:
            raise _bad(kind.__name__, value)
        return value

    return check


def _literal(allowed: frozenset[Any]) -> Decoder:
    kinds = frozenset(type(option) for option in allowed)

    def check(value: Any) -> Any:
        if type(value) not in kinds or value not in allowed:
            raise BadRecord(f"expected one of {sorted(map(repr, allowed))}")
        return value

    return check


def _all(values: Any, kind: type) -> bool:
    return set(map(type, values)) <= {kind}


def _tuple(args: tuple[Any, ...]) -> Decoder:
    if len(args) == 2 and args[1] is Ellipsis:
        return _sequence(tuple, args[0])
    if all(arg in _SCALARS for arg in args):  # tuple[int, int]: one comparison of the item types
        shape = tuple(args)

        def scalars(value: Any) -> tuple[Any, ...]:
            if type(value) is not list or tuple(map(type, value)) != shape:
                raise _bad(f"an array of {len(shape)} scalars", value)
            return tuple(value)

        return scalars
    return _fixed_tuple(args)


def _sequence(container: type, item: Any) -> Decoder:
    if item in _SCALARS:

        def scalars(value: Any) -> Any:
            if type(value) is not list or not _all(value, item):
                raise _bad(f"an array of {item.__name__}", value)
            return container(value)

        return scalars
    each = decoder(item)

    def mapped(value: Any) -> Any:
        if type(value) is not list:
            raise _bad("an array", value)
        return container(map(each, value))

    return mapped


def _dict(key: Any, item: Any) -> Decoder:
    if key not in (str, int):
        raise TypeError(f"records: no decoder for dict keys of {key!r}")
    each = decoder(item)
    scalar = item in _SCALARS
    pair = get_origin(item) is tuple and get_args(item) in ((int, int), (str, str))  # a Position
    shape = get_args(item)

    def mapping(value: Any) -> dict[Any, Any]:
        if type(value) is not dict:
            raise _bad("an object", value)
        if key is int:
            return {_int_key(name): each(part) for name, part in value.items()}
        if scalar:
            if not _all(value.values(), item):
                raise _bad(f"an object of {item.__name__}", value)
            return value
        if pair:  # inline: a front matter holds a position per key
            made = {}
            for name, part in value.items():
                if type(part) is not list or tuple(map(type, part)) != shape:
                    raise _bad(f"an array of {len(shape)} scalars", part)
                made[name] = tuple(part)
            return made
        return {name: each(part) for name, part in value.items()}

    return mapping


def _int_key(name: str) -> int:
    number = int(name)
    if str(number) != name:
        raise BadRecord(f"not an integer key: {name!r}")
    return number


def _any(value: Any) -> Any:
    """A front-matter value: a scalar, a tuple of them, a date."""
    kind = type(value)
    if kind in _SCALARS or value is None:
        return value
    if kind is list:
        return tuple(map(_any, value))
    if kind is dict and len(value) == 1:
        ((tag, text),) = value.items()
        if tag == "$date" and type(text) is str:
            return dt.date.fromisoformat(text)
        if tag == "$datetime" and type(text) is str:
            return dt.datetime.fromisoformat(text)
    raise _bad("a scalar, an array or a date", value)


def _dataclass(cls: type) -> Decoder:
    """A decoder written for `cls` from its fields (see `_positional`). The instance is made without
    `__init__` (a frozen dataclass's costs twice as much), as `__init__` would make it: every field is an
    init field, and there is no `__post_init__`; otherwise `__init__` is called."""
    fields = dataclasses.fields(cls)
    hints = typing.get_type_hints(cls)
    names = [f.name for f in fields]
    direct = all(f.init for f in fields) and not hasattr(cls, "__post_init__") and not hasattr(cls, "__slots__")
    if direct:
        pairs = ", ".join(f"{name!r}: v{n}" for n, name in enumerate(names))
        make = f"made = new(cls)\n    made.__dict__.update({{{pairs}}})\n    return made"
    else:
        make = f"return cls({', '.join(f'v{n}' for n in range(len(names)))})"
    return _positional(cls.__qualname__, [hints[name] for name in names], names, make, cls)


def _fixed_tuple(kinds: tuple[Any, ...]) -> Decoder:
    values = ", ".join(f"v{n}" for n in range(len(kinds)))
    return _positional("tuple", list(kinds), [f"item {n}" for n in range(len(kinds))], f"return ({values},)", tuple)


def _positional(label: str, kinds: list[Any], names: list[str], make: str, made: type) -> Decoder:
    """A decoder, written for one shape, of a JSON array of len(kinds) values: the scalars (and optional
    scalars, and string literals) checked inline, the rest by their own decoders; `make` returns the
    record from v0, v1, ... It is compiled from hubgen's own field names and types, never from data."""
    scope: dict[str, Any] = {"cls": made, "new": object.__new__, "BadRecord": BadRecord}
    variables = [f"v{n}" for n in range(len(kinds))]
    lines = [
        "def decode(value):",
        f"    if type(value) is not list or len(value) != {len(kinds)}: raise BadRecord({label!r})",
        f"    {', '.join(variables)}, = value",
    ]
    for n, kind in enumerate(kinds):
        name, bad = variables[n], f"raise BadRecord({f'{label}: {names[n]}'!r})"
        options = get_args(kind)
        if kind in _SCALARS:
            lines.append(f"    if type({name}) is not {kind.__name__}: {bad}")
        elif get_origin(kind) in (Union, types.UnionType) and len(options) == 2 and _NONE in options:
            other = options[0] if options[1] is _NONE else options[1]
            if other in _SCALARS:
                lines.append(f"    if {name} is not None and type({name}) is not {other.__name__}: {bad}")
            else:
                scope[f"d{n}"] = decoder(other)
                lines.append(f"    if {name} is not None: {name} = d{n}({name})")
        elif get_origin(kind) is Literal and all(type(option) is str for option in options):
            scope[f"allowed{n}"] = frozenset(options)
            lines.append(f"    if type({name}) is not str or {name} not in allowed{n}: {bad}")
        else:
            scope[f"d{n}"] = decoder(kind)
            lines.append(f"    {name} = d{n}({name})")
    lines.append(f"    {make}")
    exec(compile("\n".join(lines) + "\n", f"<records decoder for {label}>", "exec"), scope)
    return scope["decode"]  # type: ignore[no-any-return]  # the function compiled just above
