"""``heureum`` (the window) hands over with automatic garbage collection off:
the window collects on its own timer once it exists (ui.gc_guard), and the
imports before it are not walked again and again (issue 13, start-up)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from typing import Any

import pytest

import ui.app
from player import cli


@pytest.fixture
def collector_back() -> Iterator[None]:
    was = gc.isenabled()
    yield
    if was:
        gc.enable()


def test_the_window_starts_with_automatic_collection_off(
    monkeypatch: pytest.MonkeyPatch, collector_back: None
) -> None:
    seen: list[bool] = []

    def start(urls: list[str], extras: dict[str, Any], config: object) -> int:
        seen.append(gc.isenabled())
        return 0

    monkeypatch.setattr(ui.app, "run_gui", start)
    gc.enable()
    assert cli.main(["movie.mkv"]) == cli.EXIT_OK
    assert seen == [False]


def test_the_compare_window_keeps_it(monkeypatch: pytest.MonkeyPatch, collector_back: None) -> None:
    seen: list[bool] = []

    def compare(*args: Any, **kwargs: Any) -> int:
        seen.append(gc.isenabled())
        return 0

    import ui.compare_window

    monkeypatch.setattr(ui.compare_window, "run_compare_gui", compare)
    gc.enable()
    assert cli.main(["--compare", "a.mkv", "b.mkv"]) == cli.EXIT_OK
    assert seen == [True]
