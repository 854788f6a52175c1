"""Run a call that waits on a ``ManualClock`` on its own thread, the test's
thread driving the clock; ``result()`` joins it and returns its value or
raises its error."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

__all__ = ["Background"]

T = TypeVar("T")


class Background(Generic[T]):
    def __init__(self, call: Callable[[], T]) -> None:
        self._out: list[T] = []
        self._error: list[BaseException] = []
        self._thread = threading.Thread(target=self._run, args=(call,), daemon=True)
        self._thread.start()

    def _run(self, call: Callable[[], T]) -> None:
        try:
            self._out.append(call())
        except BaseException as exc:
            self._error.append(exc)

    @property
    def done(self) -> bool:
        return not self._thread.is_alive()

    def result(self, timeout: float = 10.0) -> T:
        """``timeout`` (real seconds) only guards against a hang."""
        self._thread.join(timeout)
        assert not self._thread.is_alive(), "the call did not finish"
        if self._error:
            raise self._error[0]
        return self._out[0]
