"""A Player with a recording sink and an event log that tests can wait on
(condition variables, never sleeps)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from player import (
    DEFAULT_CONFIG,
    Event,
    MediaInfo,
    Player,
    PlayerConfig,
    PlayerState,
    StateChanged,
    StatsUpdated,
)
from player.config import AudioConfig, NetworkConfig
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


@dataclass
class LatencyRun:
    """What ``sample_live_latency`` saw while playing."""

    #: ``live_latency_s`` of each stats sample in the playing state
    latencies: list[float]
    #: latency minus buffer at those samples: how far behind the edge fetching is
    behind: list[float]
    media: MediaInfo | None
    #: wall seconds from open() to the last sample
    seconds: float


def sample_live_latency(url: str, count: int, timeout: float = 15.0) -> LatencyRun:
    """Play live ``url`` without audio until ``count`` playing stats samples
    (or an error), then close: the latencies for tests to bound."""
    player = Player(replace(TEST_CONFIG, audio=AudioConfig(enabled=False)))
    run = LatencyRun([], [], None, 0.0)
    done = threading.Event()

    def on_event(e: Event) -> None:
        if isinstance(e, StatsUpdated) and e.stats.state == "playing":
            latency = e.stats.live_latency_s
            if latency is not None:
                run.latencies.append(latency)
                run.behind.append(latency - e.stats.buffer_s)
            if len(run.latencies) >= count:
                done.set()
        if isinstance(e, StateChanged) and e.state == PlayerState.ERROR:
            done.set()

    player.subscribe(on_event)
    started = time.monotonic()
    try:
        player.open(url)
        assert done.wait(timeout), f"only {len(run.latencies)} playing samples in {timeout} s"
        run.media = player.media_info
    finally:
        player.close()
    run.seconds = time.monotonic() - started
    return run


def sample_latency_blocks(
    url: str, count: int, *, skip: int = 2, timeout: float = 30.0
) -> list[dict[str, Any]]:
    """The report's ``latency`` block of ``count`` stats samples taken while
    playing ``url`` without audio (after ``skip`` samples of settling in)."""
    player = Player(replace(TEST_CONFIG, audio=AudioConfig(enabled=False)))
    blocks: list[dict[str, Any]] = []
    playing = 0
    done = threading.Event()
    failed: list[str] = []

    def on_event(e: Event) -> None:
        nonlocal playing
        if isinstance(e, StatsUpdated) and e.stats.state == "playing":
            playing += 1
            if playing > skip:
                blocks.append(e.stats.latency.as_report())
            if len(blocks) >= count:
                done.set()
        if isinstance(e, StateChanged) and e.state == PlayerState.ERROR:
            failed.append(str(player.report().get("errors")))
            done.set()

    player.subscribe(on_event)
    try:
        player.open(url)
        assert done.wait(timeout), f"only {len(blocks)} playing samples in {timeout} s"
    finally:
        player.close()
    assert not failed, failed[0]
    return blocks
