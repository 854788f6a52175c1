"""``LoaderState``, what the HLS loader and read() share, on the ManualClock:
how busy the loader says it is, the buffer, the timeline's marks, events and
the loader's waits."""

from __future__ import annotations

import threading

import pytest

from player.abr.estimator import BandwidthEstimator
from player.clock import ManualClock
from player.config import DEFAULT_CONFIG
from player.events import Event, WarningRaised
from player.fetch import FetchAborted
from player.hls.config import HlsConfig
from player.hls.loader_state import GRACE, LoaderState
from player.hls.playlist import Variant
from player.warning_text import WarningCode


def _state(clock: ManualClock, emit: list[Event] | None = None) -> LoaderState:
    return LoaderState(
        "http://example.test/a.m3u8",
        config=DEFAULT_CONFIG,
        hls=HlsConfig(buffer_target=12.0),
        clock=clock,
        meter=BandwidthEstimator(),
        emit=emit.append if emit is not None else None,
        wall=lambda: pytest.fail("no wall clock on this path"),
    )


def test_busy_stretches_reads_patience_by_the_request_and_a_grace() -> None:
    clock = ManualClock(100.0)
    s = _state(clock)
    net = DEFAULT_CONFIG.network
    s.busy(None)  # a request starts: it may take the connect timeout
    assert s.busy_until == pytest.approx(100.0 + net.open_timeout - net.read_timeout + GRACE)
    s.busy(50.0)  # waiting 50 s before a retry
    assert s.busy_until == pytest.approx(150.0 + GRACE)
    s.busy(0.0)  # never shortened
    assert s.busy_until == pytest.approx(150.0 + GRACE)
    clock.advance(3.0)
    s.received()
    assert s.progress_at == 103.0


def test_the_buffer_counts_from_the_position_else_from_what_was_read() -> None:
    s = _state(ManualClock())
    assert s.buffer_target == 12.0
    s.fetched_until = 10.0
    assert s.buffer_level() == 10.0
    s.read_pts = 4.0
    assert s.buffer_level() == 6.0
    s.position = 7.5
    assert s.buffer_level() == 2.5
    s.position = 11.0
    assert s.buffer_level() == 0.0


def test_a_mark_carries_the_rung_the_estimate_and_the_time_since_the_start() -> None:
    clock = ManualClock(5.0)
    s = _state(clock)
    s.ladder = [Variant(0, "a", 500_000), Variant(1, "b", 900_000, average_bandwidth=800_000)]
    s.rung = 1
    clock.advance(2.0)
    s.mark("switch", "why")
    (entry,) = s.timeline
    assert (entry.t, entry.selected_bitrate, entry.marker, entry.detail) == (
        2.0,
        800_000,
        "switch",
        "why",
    )
    assert entry.measured is False


def test_a_subscriber_that_raises_does_not_stop_the_loader(
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock = ManualClock()
    got: list[Event] = []
    s = _state(clock, got)
    s.warn(WarningCode.BAD_SEGMENT, reason="broken")
    assert len(got) == 1 and isinstance(got[0], WarningRaised)

    def boom(_event: Event) -> None:
        raise RuntimeError("subscriber bug")

    s2 = LoaderState(
        "http://example.test/a.m3u8",
        config=DEFAULT_CONFIG,
        hls=HlsConfig(),
        clock=clock,
        meter=BandwidthEstimator(),
        emit=boom,
        wall=lambda: pytest.fail("no wall clock on this path"),
    )
    s2.warn(WarningCode.BAD_SEGMENT, reason="broken")  # logged, not raised
    assert "HLS event subscriber raised" in caplog.text


def test_the_loaders_sleep_wakes_for_a_seek_and_stop_is_an_abort() -> None:
    clock = ManualClock()
    s = _state(clock)
    done = threading.Event()

    def sleep() -> None:
        s.sleep(60.0)
        done.set()

    sleeper = threading.Thread(target=sleep)
    sleeper.start()
    clock.until_waiting()
    with s.cond:
        s.seek_request = 3.0
        s.cond.notify_all()
    sleeper.join(10)
    assert done.is_set() and clock.now() == 0.0  # woke without time passing
    s.check_stop()  # running: no abort
    s.stop.set()
    with pytest.raises(FetchAborted):
        s.check_stop()
