"""The stdin protocol of the many-streams benchmark's children
(benchmarks/many_streams_window.py, many_streams_tiles.py): each line on
stdin asks for the child's counters, answered as one JSON line on stdout;
"quit" (or the end of stdin) is answered too, then the child closes. The
first line a child prints on its own is ``{"ready": true}``, once every
picture it plays has been painted."""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Callable
from typing import Any

__all__ = ["Commands", "say"]


def say(item: dict[str, Any]) -> None:
    print(json.dumps(item), flush=True)


class Commands:
    """Lines read from stdin on a thread of their own, taken by the GUI
    thread's timer (Qt is driven from that thread only)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._todo: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in sys.stdin:
            with self._lock:
                self._todo.append(line.strip())
        with self._lock:
            self._todo.append("quit")

    def answer(self, counters: Callable[[], dict[str, Any]], close: Callable[[], None]) -> None:
        """Answer every line asked since the last call; close on "quit"."""
        with self._lock:
            todo, self._todo = self._todo, []
        for command in todo:
            say(counters())
            if command == "quit":
                close()
                return
