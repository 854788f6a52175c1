"""``engine.Session`` without its threads: its waits on the clock, the
source capabilities it asks for by type, and its stats."""

from __future__ import annotations

import threading
from dataclasses import replace
from fractions import Fraction

from player.audio_mix import SharedAudioDevice
from player.clock import ManualClock
from player.config import DEFAULT_CONFIG, AudioConfig
from player.decode import DecodeContext
from player.engine import Session
from player.events import AudioInfo, MediaInfo, PlayerState, StateChanged, VideoInfo
from player.hls.source import HlsSource
from player.source import SourceInfo, StreamSpec
from player.sources.libav import LibavSource
from player.sources.urls import classify
from player.video_sink import NullVideoSink
from tests.support.background import Background
from tests.support.fake_fetcher import FakeFetcher


def _session(clock: ManualClock) -> Session:
    return Session(
        "http://o.test/a.m3u8",
        None,
        DEFAULT_CONFIG,
        clock,
        None,
        lambda event: None,
        volume=1.0,
        muted=False,
        speed=1.0,
    )


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
    assert stats["abr"] == hls.abr_status().as_dict()
    libav = LibavSource(classify("rtsp://127.0.0.1:1/cam"), DEFAULT_CONFIG)
    session.source = libav
    assert (session.adaptive(), session.live(), session.tracks()) == (None, None, libav)
    assert "abr" not in session.stats()


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
        volume=1.0,
        muted=False,
        speed=1.0,
    )
    window.not_painted = 10
    assert session.stats()["frames"]["not_painted"] == 3
    assert "not_painted" not in _session(ManualClock()).stats()["frames"]  # headless


def _video_file(duration: float = 4.0) -> SourceInfo:
    media = MediaInfo(
        url="clip.mkv",
        protocol="file",
        container="matroska",
        duration=duration,
        is_live=False,
        seekable=True,
        video=VideoInfo("h264", 320, 240, 25.0, "yuv420p"),
        audio=None,
    )
    spec = StreamSpec("video", "h264", Fraction(1, 25), lambda: None, 320, 240)
    return SourceInfo(media=media, video=spec, audio=None)


def _tick(clock: ManualClock, ticks: int = 1) -> None:
    for _ in range(ticks):
        clock.until_waiting(1)
        clock.advance(0.02)
    clock.until_waiting(1)


def test_a_file_read_whole_before_its_first_frame_starts_with_that_frame() -> None:
    """A short file reaches the end of its input before the first frame is
    decoded. The clock stayed still until that frame: it used to start at
    once, so the position ran on while nothing was shown or heard (and a
    subtitle came that much early)."""
    clock = ManualClock()
    states: list[PlayerState] = []
    session = Session(
        "clip.mkv",
        None,
        DEFAULT_CONFIG,
        clock,
        None,
        lambda e: states.append(e.state) if isinstance(e, StateChanged) else None,
        volume=1.0,
        muted=False,
        speed=1.0,
    )
    session.info = _video_file()
    session.media = session.info.media
    session.set_state(PlayerState.BUFFERING)
    session.demux_eos = True  # the whole file demuxed
    session.demuxed_end = {"video": 4.0}
    loop = Background(session.control.loop)
    _tick(clock, 10)
    assert states == [PlayerState.BUFFERING]
    assert session.position() is None  # no frame yet: no position to run
    # the presenter shows the first frame and anchors the clock on it
    session.last_shown_pts = 0.04
    session.start_pts = 0.04
    session.sysclock.set(0.04)
    session.preroll = False
    _tick(clock)
    assert states[-1] == PlayerState.PLAYING
    clock.advance(0.5)
    assert abs((session.position() or 0.0) - 0.54) < 1e-9  # from the frame, not before it
    session.stopping.set()
    session.wake()
    loop.result()
    assert states == [PlayerState.BUFFERING, PlayerState.PLAYING]


def test_the_reported_position_never_passes_the_duration() -> None:
    clock = ManualClock()
    session = _session(clock)
    session.info = _video_file(duration=4.0)
    session.media = session.info.media
    session.start_pts = 3.9
    session.sysclock.set(3.9)
    session.sysclock.start()
    clock.advance(0.3)  # the clock ran on a little past the last frame
    assert abs((session.position() or 0.0) - 4.2) < 1e-9  # the master is not bent
    assert session.reported_position() == 4.0
    assert session.stats()["position_s"] == 4.0


def test_audio_alone_holds_the_position_until_its_first_sample_is_out() -> None:
    """A sink that wakes from suspend calls back a second or two late: the
    position used to run on the system clock meanwhile, then fall back."""
    clock = ManualClock()
    session = _session(clock)
    device = SharedAudioDevice(AudioConfig(), clock)
    device._stream = object()  # no stream: the voice is called by hand
    device.rate, device.channels, device.latency = 48_000, 2, 0.02
    voice = device.voice(2.0)
    session.audio = voice
    media = replace(_video_file().media, video=None, audio=AudioInfo("aac", 48_000, 2, None))
    session.info = SourceInfo(media=media, video=None, audio=None)
    session.media = media
    session.set_state(PlayerState.BUFFERING)
    session.control.end_buffering(buffered=4.0)
    assert session.state == PlayerState.PLAYING
    clock.advance(1.5)  # the device has not called back yet
    assert session.position() == 0.0
