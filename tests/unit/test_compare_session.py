"""CompareSession's bookkeeping with scripted players and a manual clock:
markers, bitrate window, pinning, the stream heard, a stream that fails."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest

from player.clock import ManualClock
from player.compare import CompareSession, run_compare
from player.config import DEFAULT_CONFIG, PlayerConfig
from player.events import (
    BufferingChanged,
    ErrorOccurred,
    Event,
    MediaInfo,
    MediaOpened,
    Reconnecting,
    VariantInfo,
    VariantSwitched,
)
from player.metrics import STALL_JOIN_S, SessionMetrics
from player.stats import SessionStats
from player.video_sink import VideoSink

LADDER = (VariantInfo(0, 300_000, 320, 180), VariantInfo(1, 1_200_000, 640, 360))


class FakePlayer:
    def __init__(self) -> None:
        self.subscribers: list[Callable[[Event], None]] = []
        self.muted = False
        self.pinned: int | None = None
        self.opened: str | None = None
        self.closed = False
        self.stats_now = SessionStats(state="playing", bytes_in=0)
        self.media_info: MediaInfo | None = None

    def subscribe(self, cb: Callable[[Event], None]) -> Callable[[], None]:
        self.subscribers.append(cb)
        return lambda: None

    def emit(self, event: Event) -> None:
        for cb in self.subscribers:
            cb(event)

    def set_muted(self, muted: bool) -> None:
        self.muted = muted

    def pin_height(self, height: int | None) -> None:
        self.pinned = height

    def open(self, url: str, options: object = None) -> None:
        if url.startswith("bad:"):
            raise ValueError("Unsupported URL scheme: bad")
        self.opened = url

    def stats(self) -> SessionStats:
        return self.stats_now

    def report(self) -> dict[str, Any]:
        now = self.stats_now
        return {
            "schema": "heureum.report/1",
            "frames": {"presented": 5},
            "state": now.state,
            "bytes_in": now.bytes_in,
        }

    def close(self) -> None:
        self.closed = True


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _session(urls: list[str], **kw: Any) -> tuple[CompareSession, list[FakePlayer], Clock]:
    players: list[FakePlayer] = []
    clock = Clock()

    def factory(config: PlayerConfig, sink: VideoSink | None) -> FakePlayer:
        players.append(FakePlayer())
        return players[-1]

    return CompareSession(urls, clock=clock, player_factory=factory, **kw), players, clock


def _buffering(buffering: bool, rebuffer: bool) -> BufferingChanged:
    return BufferingChanged(buffering=buffering, buffered=0.0, percent=10.0, rebuffer=rebuffer)


def test_two_to_four_streams_only() -> None:
    for urls in (["a"], ["a", "b", "c", "d", "e"]):
        with pytest.raises(ValueError, match="2 to 4"):
            CompareSession(urls)


def test_markers_one_per_stall_no_first_switch_and_reconnects() -> None:
    session, players, clock = _session(["a", "b"])
    session.start()
    p = players[0]
    p.emit(VariantSwitched(None, 0, 300_000, 1e6, 0.0, "startup", "lowest"))
    clock.now += 2
    for _ in range(3):  # progress is reported all through one stall
        p.emit(_buffering(True, True))
    p.emit(_buffering(False, False))
    clock.now += 1
    p.emit(_buffering(True, True))
    p.emit(VariantSwitched(0, 1, 1_200_000, 3e6, 8.0, "bola", "rich buffer"))
    p.emit(Reconnecting(attempt=1, delay=0.5, reason="gone"))
    kinds = [(m["type"], m["t"]) for m in session.streams[0].markers]
    assert kinds == [("stall", 2.0), ("stall", 3.0), ("switch", 3.0), ("reconnect", 3.0)]
    assert session.streams[1].markers == []


def test_stall_markers_are_the_stalls_the_report_counts() -> None:
    """The plots' stall markers and the table's stall count (the report's)
    tell one story: a stall that starts again a tick after it ended (a
    starving low-latency stream) is one stall to both; a refill after a jump
    to the live edge is none to either."""
    session, players, clock = _session(["a", "b"])
    session.start()
    p = players[0]
    mclock = ManualClock()
    metrics = SessionMetrics(mclock)
    metrics.start("a")
    metrics.on_presented(0.0, (640, 360))

    def advance(seconds: float) -> None:
        clock.now += seconds
        mclock.advance(seconds)

    def stall(seconds: float, then_play: float) -> None:
        # what the control loop does at a stall: the metrics, then the event
        metrics.on_stall_start()
        p.emit(_buffering(True, True))
        advance(seconds)
        metrics.on_stall_end()
        p.emit(_buffering(False, True))
        advance(then_play)

    advance(2.0)
    for _ in range(5):  # flapping: one stall
        stall(0.1, STALL_JOIN_S / 4)
    advance(1.0)
    stall(0.5, STALL_JOIN_S + 0.05)  # a stall, then real playing, then another
    stall(0.5, 1.0)
    p.emit(_buffering(True, False))  # a jump's refill
    p.emit(_buffering(False, False))
    markers = [m["t"] for m in session.streams[0].markers if m["type"] == "stall"]
    assert len(markers) == metrics.snapshot()["rebuffer_count"] == 3
    assert markers[0] == 2.0


def test_bitrate_is_averaged_over_the_last_seconds() -> None:
    session, players, clock = _session(["a", "b"])
    session.start()
    p = players[0]
    rows = []
    for step in range(8):  # 125 kB each second = 1000 kb/s, with a burst at 4 s
        p.stats_now = replace(p.stats_now, bytes_in=125_000 * step + (500_000 if step >= 4 else 0))
        rows.append(session.sample()[0])
        clock.now += 1.0
    assert rows[0]["bitrate_kbps"] is None
    assert rows[2]["bitrate_kbps"] == 1000.0
    # the 4 MB burst is spread over the window, then leaves it
    assert rows[4]["bitrate_kbps"] == 2000.0
    assert rows[7]["bitrate_kbps"] == 2000.0


def test_pinning_hearing_and_a_stream_that_fails_alone() -> None:
    session, players, _clock = _session(["a", "bad:x", "c"], max_height=400, heard=0)
    session.start()
    assert [p.pinned for p in players] == [400, 400, 400]
    assert [p.muted for p in players] == [False, True, True]
    assert session.streams[1].fatal == "Unsupported URL scheme: bad"
    info = MediaInfo(
        url="a", protocol="hls", container="hls", duration=None, is_live=True,
        seekable=False, video=None, audio=None, title="a", variants=LADDER,
    )  # fmt: skip
    players[0].emit(MediaOpened(info=info))
    assert session.streams[0].pinned == 1
    players[2].emit(ErrorOccurred(kind="network", message="Connection refused", fatal=True))
    session.hear(2)
    assert [p.muted for p in players] == [True, True, False]
    assert session.all_done is False
    result = session.result()
    assert [s["compare"]["played"] for s in result["streams"]] == [True, False, False]
    assert result["comparison"]["failed"] == [2, 3]
    assert result["streams"][2]["compare"]["failure"] == "Connection refused"


def test_run_compare_stops_when_every_stream_is_done_and_closes_them() -> None:
    session, players, _clock = _session(["a", "b"])

    stop_calls: list[int] = []

    class Stop:
        def is_set(self) -> bool:
            return False

        def wait(self, timeout: float) -> bool:
            # both streams fail during the first wait: the run ends at once
            stop_calls.append(1)
            for p in players:
                p.emit(ErrorOccurred(kind="network", message="gone", fatal=True))
            return False

    result = run_compare(session, 3600.0, stop=Stop())  # type: ignore[arg-type]
    assert len(stop_calls) == 1
    assert all(p.closed for p in players)
    assert result["comparison"]["all_played"] is False
    assert DEFAULT_CONFIG is session.config
