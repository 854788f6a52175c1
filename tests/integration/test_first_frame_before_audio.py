"""The first picture does not wait for the audio device (issue 13): while the
output is still opening (PortAudio's start, a new PulseAudio stream), the
preroll frame reaches the sink, and the picture moves on from it on the
system clock; the output, once had, joins the running clock. Real files,
real decoding; the device's opening is held by the test (a pool whose
``acquire`` waits for it), and then is either refused or the real output
into PulseAudio's null sink (scripts/audio-env.sh)."""

from __future__ import annotations

import threading
from dataclasses import replace
from pathlib import Path

import pytest

import player.engine
from player import Player
from player.audio_out import AudioDevicePool, SoundDeviceOutput
from player.clock import SystemClock
from player.config import DEFAULT_CONFIG, OpenOptions
from player.events import Event, PlayerState, StateChanged, WarningRaised
from player.video_sink import RecordingVideoSink, VideoFrame
from player.warning_text import WarningCode
from tests.support.media import make_av_file

GUARD_S = 20.0  # a stuck start fails the test instead of hanging it


@pytest.fixture(autouse=True)
def _patient(monkeypatch: pytest.MonkeyPatch) -> None:
    """The device is held until the test lets it go: the session's own bound
    (a video that never decodes) must not end the wait first on a loaded machine."""
    monkeypatch.setattr(player.engine, "AUDIO_WAITS_AT_MOST", GUARD_S)


class _Log:
    """What happened, in order, from every thread."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.items: list[str] = []

    def add(self, item: str) -> None:
        with self.lock:
            self.items.append(item)

    def snapshot(self) -> list[str]:
        with self.lock:
            return list(self.items)


class _Sink(RecordingVideoSink):
    def __init__(self, log: _Log) -> None:
        super().__init__()
        self._log = log

    def present(self, frame: VideoFrame) -> None:
        if self.presented == 0:
            self._log.add("frame")
        super().present(frame)


class _HeldPool(AudioDevicePool):
    """A device still opening until the test lets it go; then refused
    (``refuse``) or the real output."""

    def __init__(self, log: _Log, *, refuse: bool) -> None:
        super().__init__(DEFAULT_CONFIG.audio, SystemClock())
        self.log = log
        self.refuse = refuse
        self.entered = threading.Event()
        self.go = threading.Event()

    def ready(self) -> bool:
        return self.go.is_set() and super().ready()

    def acquire(self, buffer_seconds: float) -> tuple[SoundDeviceOutput | None, str | None]:
        self.log.add("acquire")
        self.entered.set()
        assert self.go.wait(GUARD_S), "the test never let the device open"
        self.log.add("device answered")
        if self.refuse:
            return None, "the test's device is gone"
        return super().acquire(buffer_seconds)


def _player(log: _Log, pool: _HeldPool) -> tuple[Player, _Sink, threading.Event, list[str]]:
    sink = _Sink(log)
    player = Player(DEFAULT_CONFIG, video_sink=sink, audio_pool=pool)
    playing = threading.Event()
    warnings: list[str] = []

    def on_event(event: Event) -> None:
        if isinstance(event, StateChanged) and event.state == PlayerState.PLAYING:
            log.add("playing")
            playing.set()
        elif isinstance(event, WarningRaised):
            warnings.append(event.code)

    player.subscribe(on_event)
    return player, sink, playing, warnings


def test_the_preroll_frame_reaches_the_sink_while_the_device_is_still_opening() -> None:
    log = _Log()
    pool = _HeldPool(log, refuse=True)
    player, sink, playing, warnings = _player(log, pool)
    media: Path = make_av_file(seconds=3.0, width=160, height=120, fps=25)
    try:
        player.open(str(media))
        assert sink.wait_for(1, GUARD_S), "no picture while the device opened"
        # the picture moves while the device still opens: the clock runs from it
        assert playing.wait(GUARD_S)
        assert sink.wait_for(5, GUARD_S)
        assert "device answered" not in log.snapshot()
        assert log.snapshot()[0] == "frame"
        assert sink.shown[4][0] > sink.shown[0][0]
        pool.go.set()
        # refused: the session says so and plays on mute, timed on the system clock
        with sink.cond:  # (each frame shown notifies it)
            assert sink.cond.wait_for(lambda: warnings != [], GUARD_S)
        assert warnings == [WarningCode.NO_AUDIO_OUTPUT]
        assert sink.wait_for(len(sink.shown) + 10, GUARD_S)
        assert player.report().get("audio") is None
    finally:
        pool.go.set()
        player.close()


def test_the_sound_read_while_the_device_opened_is_kept_and_heard() -> None:
    log = _Log()
    pool = _HeldPool(log, refuse=False)
    player, sink, playing, warnings = _player(log, pool)
    media: Path = make_av_file(seconds=3.0, width=160, height=120, fps=25)
    try:
        player.open(str(media))
        assert sink.wait_for(1, GUARD_S)
        assert pool.entered.wait(GUARD_S)  # asked for once the picture was out
        assert playing.wait(GUARD_S)  # and the clock runs meanwhile
        session = player._session
        assert session is not None and len(session.audio_packets) > 0  # kept for it
        assert session.audio is None
        pool.go.set()
        with sink.cond:  # the loop takes the output (each frame shown notifies)
            assert sink.cond.wait_for(lambda: session.audio is not None, GUARD_S)
        assert warnings == []
        assert player.report()["audio"]["device"]  # the real output plays it
        # it joins the running clock: the position goes on from the picture's
        # (no jump back to where the sound was kept from, none ahead)
        before = player.position
        assert sink.wait_for(len(sink.shown) + 5, GUARD_S)
        position = player.position
        assert before is not None and position is not None
        assert before <= position < 2.5
        items = log.snapshot()
        assert items[0] == "frame"
        assert items.index("playing") < items.index("device answered")
    finally:
        pool.go.set()
        player.close()


def test_a_start_position_waits_for_the_device_and_shows_its_own_frame_first() -> None:
    """A start position is a seek the control loop applies before anything is
    read: the session then opens the device first, as before, so that the
    first picture is the start position's, never the file's first frame."""
    log = _Log()
    pool = _HeldPool(log, refuse=True)
    player, sink, playing, _ = _player(log, pool)
    media: Path = make_av_file(seconds=4.0, width=160, height=120, fps=25)
    try:
        player.open(str(media), replace(OpenOptions(), start_position=2.0))
        assert pool.entered.wait(GUARD_S)
        assert sink.presented == 0  # the device is asked for before any picture
        pool.go.set()
        assert sink.wait_for(1, GUARD_S)
        assert sink.shown[0][0] >= 1.9
        assert log.snapshot()[:3] == ["acquire", "device answered", "frame"]
        assert playing.wait(GUARD_S)
    finally:
        pool.go.set()
        player.close()
