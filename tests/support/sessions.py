"""A ``Session`` without its threads, for unit tests of its parts: the
media it would have opened, and an audio output with no device."""

from __future__ import annotations

import threading
from collections.abc import Callable
from fractions import Fraction

import numpy as np

from player.audio_mix import SharedAudioDevice, VoicePool
from player.audio_out import SoundDeviceOutput
from player.clock import ManualClock
from player.config import DEFAULT_CONFIG, AudioConfig, PlayerConfig
from player.engine import Session
from player.events import AudioInfo, Event, MediaInfo, PlayerState, VideoInfo
from player.levels import Levels
from player.source_api import SourceInfo, StreamSpec

__all__ = [
    "buffering_session",
    "callback_device",
    "headless_session",
    "live_hls",
    "live_rtmp",
    "live_rtsp",
    "rtmp_on_device",
    "silent_output",
    "video_file",
]


def headless_session(
    clock: ManualClock, emit: Callable[[Event], None] = lambda event: None
) -> Session:
    return Session("clip.mkv", None, DEFAULT_CONFIG, clock, None, emit, levels=Levels())


_PICTURE = VideoInfo("h264", 320, 240, 25.0, "yuv420p")


def video_file(duration: float = 4.0) -> SourceInfo:
    """What opening a 320x240 H.264 file without sound would have found."""
    media = MediaInfo(
        url="clip.mkv",
        protocol="file",
        container="matroska",
        duration=duration,
        is_live=False,
        seekable=True,
        video=_PICTURE,
        audio=None,
    )
    spec = StreamSpec("video", "h264", Fraction(1, 25), lambda: None, 320, 240)
    return SourceInfo(media=media, video=spec, audio=None)


def buffering_session(clock: ManualClock, seen: list[tuple[Event, str]]) -> Session:
    """A buffering session (4 s file, video only) whose events are recorded
    in ``seen`` with the name of the thread that told each."""

    def record(event: Event) -> None:
        seen.append((event, threading.current_thread().name))

    session = headless_session(clock, record)
    session.info = video_file()
    session.media = session.info.media
    session.set_state(PlayerState.BUFFERING)
    seen.clear()
    return session


def _live(url: str, protocol: str, container: str, sound: bool) -> MediaInfo:
    return MediaInfo(
        url=url,
        protocol=protocol,
        container=container,
        duration=None,
        is_live=True,
        seekable=False,
        video=_PICTURE,
        audio=AudioInfo("aac", 48_000, 2) if sound else None,
    )


def live_hls(target_latency: float, low_latency: bool = False) -> SourceInfo:
    """What opening a live HLS stream of the same picture (MPEG-TS, 90 kHz)
    would have found, with the latency its playlist asks for."""
    spec = StreamSpec("video", "h264", Fraction(1, 90000), lambda: None, 320, 240)
    return SourceInfo(
        media=_live("http://o.test/live.m3u8", "hls", "mpegts", sound=False),
        video=spec,
        audio=None,
        extra={"live_target_latency": target_latency, "low_latency": low_latency},
    )


def live_rtsp() -> SourceInfo:
    """What opening a live RTSP camera of the same picture (90 kHz, no sound)
    would have found."""
    spec = StreamSpec("video", "h264", Fraction(1, 90000), lambda: None, 320, 240)
    media = _live("rtsp://cam.test/live", "rtsp", "rtsp", sound=False)
    return SourceInfo(media=media, video=spec, audio=None)


def live_rtmp() -> SourceInfo:
    """What opening a live RTMP stream of the same picture with AAC sound
    beside it (FLV, 1 ms ticks) would have found."""
    tick = Fraction(1, 1000)
    video = StreamSpec("video", "h264", tick, lambda: None, 320, 240)
    audio = StreamSpec("audio", "aac", tick, lambda: None, sample_rate=48_000, channels=2)
    media = _live("rtmp://o.test/live/cam", "rtmp", "flv", sound=True)
    return SourceInfo(media=media, video=video, audio=audio)


def callback_device(clock: ManualClock, latency: float = 0.02) -> SharedAudioDevice:
    """A shared device at 48 kHz stereo whose callback the test calls."""
    device = SharedAudioDevice(AudioConfig(), clock)
    device._stream = object()  # what _open() would set; no stream is opened
    device.rate, device.channels, device.latency = 48_000, 2, latency
    return device


def silent_output(clock: ManualClock, latency: float = 0.02) -> SoundDeviceOutput:
    """An audio output whose callback the test calls (``render``)."""
    return callback_device(clock, latency).voice(2.0)


def rtmp_on_device(
    clock: ManualClock,
    device: SharedAudioDevice,
    config: PlayerConfig = DEFAULT_CONFIG,
    seconds: float = 4.0,
) -> Session:
    """A live A+V RTMP session, as opened, with a voice on ``device`` that
    holds ``seconds`` of silence from pts 0."""
    session = Session(
        "rtmp://o.test/live/cam",
        None,
        config,
        clock,
        None,
        lambda e: None,
        Levels(),
        VoicePool(device),
    )
    session.info = live_rtmp()
    session.media = session.info.media
    session.open_audio()
    out = session.audio
    assert out is not None
    rate = device.rate
    assert out.buffer.put(0.0, np.zeros((int(seconds * rate), 2), dtype=np.float32), 1.0, 0.1)
    return session
