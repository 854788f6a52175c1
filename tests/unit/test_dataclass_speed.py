"""player.dataclass_speed: the application's dataclasses get four of their
methods as closures (no ``exec`` at import: issue 13's start-up), and behave
exactly as the ones ``dataclasses`` compiles; the engine imported as a
library leaves ``dataclasses`` alone."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from player import dataclass_speed

FITS = sys.implementation.name == "cpython" and sys.version_info[:2] in ((3, 11), (3, 12))


def _classes() -> dict[str, type]:
    """The same classes, made again each call (with whichever helpers are in)."""

    @dataclass(frozen=True)
    class Point:
        x: int
        y: float = 0.5
        label: str = field(default="p", compare=False, repr=False)

    @dataclass(frozen=True)
    class One:
        only: tuple[int, ...]

    @dataclass(frozen=True)
    class Empty:
        pass

    @dataclass(order=True)
    class Ordered:
        a: int
        b: str = "b"

    @dataclass(unsafe_hash=True)
    class Node:
        name: str
        children: list[Any] = field(default_factory=list, hash=False)

    @dataclass(frozen=True)
    class Child(Point):
        z: int = 3

    return {c.__name__: c for c in (Point, One, Empty, Ordered, Node, Child)}


@pytest.fixture
def plain() -> Iterator[Callable[[], dict[str, type]]]:
    """Makes the classes with the helpers ``dataclasses`` ships."""

    def make() -> dict[str, type]:
        ours = {name: getattr(dataclasses, name) for name in dataclass_speed.originals}
        try:
            for name, fn in dataclass_speed.originals.items():
                setattr(dataclasses, name, fn)
            return _classes()
        finally:
            for name, fn in ours.items():
                setattr(dataclasses, name, fn)

    yield make


def _outcome(fn: Callable[[], Any]) -> Any:
    try:
        return ("value", fn())
    except Exception as exc:
        return ("raised", type(exc).__name__, str(exc))


def _behaviour(classes: dict[str, type]) -> list[Any]:
    # Any: the classes are made at run time, their methods looked at as such
    point: Any = classes["Point"]
    one: Any = classes["One"]
    empty: Any = classes["Empty"]
    ordered: Any = classes["Ordered"]
    node: Any = classes["Node"]
    child: Any = classes["Child"]
    p, q = point(1), point(1, label="other")
    loop = node("root")
    loop.children.append(loop)
    seen: list[Any] = [
        repr(p), repr(one((1, 2))), repr(empty()), repr(child(2, 1.5, z=9)), repr(loop),
        p == q, p == point(2), p != q, p == (1, 0.5), point.__eq__(p, "x"),
        hash(p) == hash(q), hash(one((1,))) == hash(((1,),)), hash(empty()) == hash(()),
        ordered(1) < ordered(2), ordered(1, "a") <= ordered(1, "b"), ordered(2) > ordered(1),
        ordered(1) >= ordered(1), ordered.__lt__(ordered(1), 3),
        hash(node("n")) == hash(node("n", [1])),
        _outcome(lambda: setattr(p, "x", 2)),
        _outcome(lambda: delattr(p, "y")),
        _outcome(lambda: setattr(p, "other", 1)),
        _outcome(lambda: setattr(child(1), "z", 2)),
        _outcome(lambda: delattr(child(1), "x")),
        _outcome(lambda: repr(sorted([ordered(2), ordered(1, "z"), ordered(1, "a")]))),
    ]  # fmt: skip
    for cls in classes.values():
        for name in ("__repr__", "__eq__", "__lt__", "__setattr__", "__delattr__", "__hash__"):
            method = cls.__dict__.get(name)
            if callable(method):
                seen.append((cls.__name__, name, method.__name__, method.__qualname__))
    return seen


@pytest.mark.skipif(not FITS, reason="another Python: dataclasses compiles its own")
def test_the_methods_behave_as_the_compiled_ones(
    plain: Callable[[], dict[str, type]],
) -> None:
    assert dataclass_speed.install()
    ours = _classes()
    theirs = plain()
    assert ours["Point"].__setattr__.__code__.co_filename == dataclass_speed.__file__
    assert theirs["Point"].__setattr__.__code__.co_filename == "<string>"
    assert _behaviour(ours) == _behaviour(theirs)


def test_it_can_be_turned_off() -> None:
    code = (
        "import dataclasses, player.cli; from player import dataclass_speed as d;"
        "print(d.installed(), dataclasses._repr_fn.__module__)"
    )
    env = {"HEUREUM_PLAIN_DATACLASSES": "1", "PATH": "/usr/bin:/bin"}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == ["False", "dataclasses"]
