"""A Player with a recording sink and an event log that tests can wait on
(condition variables, never sleeps)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import replace
from typing import Any, TypeVar

from player import DEFAULT_CONFIG, Event, Player, PlayerConfig, PlayerState, StateChanged
from player.config import NetworkConfig
from player.video_sink import RecordingVideoSink, VideoFrame

E = TypeVar("E", bound=Event)

#: Short network timeouts so failure tests finish quickly.
TEST_CONFIG = replace(
    DEFAULT_CONFIG,
    network=NetworkConfig(
        open_timeout=4.0, read_timeout=2.0, reconnect_initial_delay=0.2, reconnect_max_delay=1.0
    ),
)


class Probe:
    def __init__(self, config: PlayerConfig = TEST_CONFIG) -> None:
        self.sink = RecordingVideoSink()
        self.player = Player(config, video_sink=self.sink)
        self.events: list[Event] = []
        self._cond = threading.Condition()
        self.player.subscribe(self._on_event)

    def _on_event(self, event: Event) -> None:
        with self._cond:
            self.events.append(event)
            self._cond.notify_all()

    def wait_event(
        self, kind: type[E], timeout: float, where: Callable[[E], bool] = lambda e: True
    ) -> E:
        def find() -> E | None:
            for e in self.events:
                if isinstance(e, kind) and where(e):
                    return e
            return None

        with self._cond:
            found: E | None = None

            def ready() -> bool:
                nonlocal found
                found = find()
                return found is not None

            if not self._cond.wait_for(ready, timeout):
                names = [type(e).__name__ for e in self.events]
                raise AssertionError(f"no {kind.__name__} within {timeout} s; saw {names}")
            assert found is not None
            return found

    def wait_state(self, state: PlayerState, timeout: float) -> None:
        self.wait_event(StateChanged, timeout, lambda e: e.state == state)

    def wait_frames(self, count: int, timeout: float) -> list[VideoFrame]:
        if not self.sink.wait_for(count, timeout):
            raise AssertionError(
                f"only {len(self.sink.shown)} frames within {timeout} s; "
                f"events: {[type(e).__name__ for e in self.events]}"
            )
        return []

    def clear_events(self) -> None:
        with self._cond:
            self.events.clear()

    def of(self, kind: type[E]) -> list[E]:
        with self._cond:
            return [e for e in self.events if isinstance(e, kind)]

    def states(self) -> list[PlayerState]:
        return [e.state for e in self.of(StateChanged)]

    def report(self) -> dict[str, Any]:
        return self.player.report()

    def close(self) -> None:
        self.player.close()
