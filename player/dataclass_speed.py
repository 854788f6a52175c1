"""Start-up time of the ~90 dataclasses the window imports before its first
picture (issue 13).

On CPython 3.11 and 3.12, ``@dataclass`` writes the source of every method it
adds and compiles it with ``exec``, one method at a time: 0.08 ms each, and a
frozen dataclass gets six (``__init__``, ``__repr__``, ``__eq__``,
``__setattr__``, ``__delattr__``, ``__hash__``). That was 50-60 ms of the
window's start here, a fifth of all its imports. All but ``__init__`` are the
same code for every class but for the field names: ``install()`` replaces the
four helpers that write them, so that ``dataclasses`` builds them as closures
over the names instead, with the same behaviour (results, messages,
recursion guard, names), and leaves ``__init__`` (defaults, factories, its
signature) to ``exec``.

CPython 3.13 compiles a class's methods in one ``exec`` and is left alone; so
is any ``dataclasses`` whose helpers do not take the arguments read here.
``HEUREUM_PLAIN_DATACLASSES=1`` turns it off (to rule it out)."""

from __future__ import annotations

import dataclasses
import operator
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any

__all__ = ["install", "installed", "originals"]

# the helpers replaced, with the parameters they are called with
_EXPECTED: dict[str, tuple[str, ...]] = {
    "_repr_fn": ("fields", "globals"),
    "_frozen_get_del_attr": ("cls", "fields", "globals"),
    "_cmp_fn": ("name", "op", "self_tuple", "other_tuple", "globals"),
    "_hash_fn": ("fields", "globals"),
}

_COMPARISONS: dict[str, Callable[[Any, Any], Any]] = {
    "==": operator.eq,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}

_installed = False
#: what ``install`` replaced (the tests build classes with both)
originals: dict[str, Callable[..., Any]] = {}


def _values(names: Sequence[str]) -> Callable[[object], tuple[Any, ...]]:
    """What the generated ``(self.a,self.b,)`` evaluates to."""
    if not names:
        return lambda _obj: ()
    if len(names) == 1:
        one = operator.attrgetter(names[0])
        return lambda obj: (one(obj),)
    return operator.attrgetter(*names)  # a tuple for two names or more


def _placed(fn: Callable[..., Any], globals: dict[str, Any]) -> Callable[..., Any]:
    # exec'd in the class's module, the generated method was that module's
    fn.__module__ = globals.get("__name__", fn.__module__)
    return fn


def _repr_fn(fields: Sequence[dataclasses.Field[Any]], globals: dict[str, Any]) -> Any:
    names = tuple(f.name for f in fields)

    def __repr__(self: object) -> str:
        parts = ", ".join(f"{name}={getattr(self, name)!r}" for name in names)
        return f"{self.__class__.__qualname__}({parts})"

    return dataclasses._recursive_repr(_placed(__repr__, globals))  # type: ignore[attr-defined]


def _frozen_get_del_attr(
    cls: type, fields: Sequence[dataclasses.Field[Any]], globals: dict[str, Any]
) -> tuple[Callable[..., None], Callable[..., None]]:
    names = tuple(f.name for f in fields)
    frozen = dataclasses.FrozenInstanceError

    def __setattr__(self: object, name: str, value: object) -> None:
        if type(self) is cls or name in names:
            raise frozen(f"cannot assign to field {name!r}")
        super(cls, self).__setattr__(name, value)  # type: ignore[arg-type]

    def __delattr__(self: object, name: str) -> None:
        if type(self) is cls or name in names:
            raise frozen(f"cannot delete field {name!r}")
        super(cls, self).__delattr__(name)  # type: ignore[arg-type]

    return _placed(__setattr__, globals), _placed(__delattr__, globals)


def _tuple_names(text: str, prefix: str) -> tuple[str, ...]:
    """``(self.a,self.b,)`` -> ``("a", "b")``; ``()`` -> ``()``."""
    inner = text.strip()[1:-1]
    return tuple(part.strip()[len(prefix) :] for part in inner.split(",") if part.strip())


def _cmp_fn(
    name: str, op: str, self_tuple: str, other_tuple: str, globals: dict[str, Any]
) -> Callable[[object, object], Any]:
    compare = _COMPARISONS[op]
    values = _values(_tuple_names(self_tuple, "self."))

    def method(self: object, other: object) -> Any:
        if other.__class__ is self.__class__:
            return compare(values(self), values(other))
        return NotImplemented

    def equal(self: object, other: object) -> Any:  # the common one, without a call
        if other.__class__ is self.__class__:
            return values(self) == values(other)
        return NotImplemented

    if op == "==":
        method = equal

    method.__name__ = method.__qualname__ = name
    return _placed(method, globals)


def _hash_fn(
    fields: Sequence[dataclasses.Field[Any]], globals: dict[str, Any]
) -> Callable[[object], int]:
    values = _values(tuple(f.name for f in fields))

    def __hash__(self: object) -> int:
        return hash(values(self))

    return _placed(__hash__, globals)


_REPLACEMENTS: dict[str, Callable[..., Any]] = {
    "_repr_fn": _repr_fn,
    "_frozen_get_del_attr": _frozen_get_del_attr,
    "_cmp_fn": _cmp_fn,
    "_hash_fn": _hash_fn,
}


def _fits() -> bool:
    if sys.implementation.name != "cpython" or sys.version_info[:2] not in ((3, 11), (3, 12)):
        return False
    if not callable(getattr(dataclasses, "_recursive_repr", None)):
        return False
    for name, params in _EXPECTED.items():
        code = getattr(getattr(dataclasses, name, None), "__code__", None)
        if code is None or code.co_varnames[: code.co_argcount] != params:
            return False
    return True


def install() -> bool:
    """Replace the four helpers (once); False where they were left alone."""
    global _installed
    if _installed:
        return True
    if os.environ.get("HEUREUM_PLAIN_DATACLASSES", "") not in ("", "0") or not _fits():
        return False
    for name, replacement in _REPLACEMENTS.items():
        originals[name] = getattr(dataclasses, name)
        setattr(dataclasses, name, replacement)
    _installed = True
    return True


def installed() -> bool:
    return _installed
