"""``engine.Session`` without its threads: its waits on the clock, the
source capabilities it asks for by type, and its stats."""

from __future__ import annotations

import threading

from player.clock import ManualClock
from player.config import DEFAULT_CONFIG
from player.decode import DecodeContext
from player.engine import Session
from player.hls.hls_source import HlsSource
from player.levels import Levels
from player.sources.libav import LibavSource
from player.sources.urls import classify
from player.video_sink import NullVideoSink
from tests.support.background import Background
from tests.support.fake_fetcher import FakeFetcher


def _session(clock: ManualClock, levels: Levels | None = None) -> Session:
    return Session(
        "http://o.test/a.m3u8",
        None,
        DEFAULT_CONFIG,
        clock,
        None,
        lambda event: None,
        levels=levels or Levels(),
    )


def test_the_session_reads_the_players_levels_and_keeps_no_copy() -> None:
    levels = Levels(volume=0.4, muted=True, speed=1.5)
    session = _session(ManualClock(), levels)
    assert session.speed == 1.5  # it starts at the chosen speed
    levels.set_speed(2.0)  # as Player.set_speed does, before telling the session
    assert session.user_speed == 2.0  # nothing of its own to bring up to date
    assert session.speed == 1.5  # the rate playing changes only when told
    session.speed_changed()  # no loop runs yet: the command waits for one
    assert session.speed == 1.5
    session.apply_messages()  # what the loop does first thing
    assert session.speed == 2.0 and session.sysclock.speed == 2.0


def test_the_control_wait_ends_at_its_timeout_on_the_clock_or_at_a_wake() -> None:
    clock = ManualClock()
    session = _session(clock)
    waited = Background(lambda: session.wait(0.1))
    clock.until_waiting(1)
    clock.advance(0.099)
    clock.until_waiting(1)  # still waiting: 99 ms of the clock is not 100
    clock.advance(0.001)
    waited.result()
    woken = Background(lambda: session.wait(30.0))
    clock.until_waiting(1)
    session.wake()
    woken.result()
    assert clock.now() == 0.1  # the wake, not time, ended the second wait


def test_a_wake_before_the_wait_does_not_end_it() -> None:
    clock = ManualClock()
    session = _session(clock)
    session.wake()
    waited = Background(lambda: session.wait(1.0))
    clock.until_waiting(1)
    assert not waited.done
    clock.advance(1.0)
    waited.result()


def test_capabilities_are_asked_for_by_type() -> None:
    clock = ManualClock()
    session = _session(clock)
    assert (session.adaptive(), session.live(), session.tracks()) == (None, None, None)
    assert session.abr_timeline() == []
    hls = HlsSource("http://o.test/a.m3u8", clock=clock, fetcher=FakeFetcher(clock))
    session.source = hls
    assert session.adaptive() is hls and session.live() is hls and session.tracks() is hls
    stats = session.stats()
    assert stats.abr == hls.abr_status()
    libav = LibavSource(classify("rtsp://127.0.0.1:1/cam"), DEFAULT_CONFIG)
    session.source = libav
    assert (session.adaptive(), session.live(), session.tracks()) == (None, None, libav)
    assert session.stats().abr is None and "abr" not in session.stats().as_report()


def test_a_session_is_what_a_decoder_needs_and_nothing_more() -> None:
    session = _session(ManualClock())
    context: DecodeContext = session  # checked by mypy: the protocol fits
    assert isinstance(context.stopping, threading.Event)
    assert (context.serial, context.drop_before, context.speed) == (0, None, 1.0)
    # frames are timed against the clock only while playing
    assert context.video_lateness(0.0) is None


class _Window(NullVideoSink):
    """A sink that, like the window, may replace frames before painting them."""

    def __init__(self, not_painted: int) -> None:
        super().__init__()
        self.not_painted = not_painted


def test_frames_the_window_never_painted_are_counted_from_the_session_start() -> None:
    window = _Window(not_painted=7)  # a view reused from an earlier file
    session = Session(
        "http://o.test/a.m3u8",
        None,
        DEFAULT_CONFIG,
        ManualClock(),
        window,
        lambda event: None,
        levels=Levels(),
    )
    window.not_painted = 10
    assert session.stats().frames.not_painted == 3
    headless = _session(ManualClock()).stats()
    assert headless.frames.not_painted is None  # headless
    assert "not_painted" not in headless.as_report()["frames"]


def test_the_reconnect_backoff_waits_on_the_clock_and_ends_at_a_stop() -> None:
    clock = ManualClock()
    session = _session(clock)
    backoff = Background(lambda: session.pause_unless_stopping(2.0))
    clock.until_waiting(1)
    clock.advance(1.999)
    clock.until_waiting(1)  # still waiting: the clock, not the wall, says when
    session.wake()  # a wake for the other threads is no stop
    clock.until_waiting(1)
    clock.advance(0.001)
    assert backoff.result() is False
    stopped = Background(lambda: session.pause_unless_stopping(30.0))
    clock.until_waiting(1)
    session.stop()
    assert stopped.result() is True and clock.now() == 2.0
