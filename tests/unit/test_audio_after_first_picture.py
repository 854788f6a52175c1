"""The session's start while its audio device is still opening (issue 13),
on a ManualClock and without threads: when the rest of the start (the audio
output, the control loop) is done, and what the pool answers to ``ready()``.
The real threads, files and PulseAudio are in
``tests/integration/test_first_frame_before_audio.py``."""

from __future__ import annotations

from typing import Any

import pytest

import player.audio_out as audio_out
from player.audio_out import AudioDevicePool
from player.clock import ManualClock
from player.config import DEFAULT_CONFIG, AudioConfig
from player.engine import AUDIO_WAITS_AT_MOST, Session
from player.levels import Levels
from player.queues import QueueItem
from player.source_api import DemuxPacket


class _Pool(AudioDevicePool):
    def __init__(self) -> None:
        super().__init__(AudioConfig(), ManualClock())
        self.is_ready = False

    def ready(self) -> bool:
        return self.is_ready


class _Session(Session):
    """The start's steps recorded instead of run (no device, no threads)."""

    steps: list[str]
    gives_output = False

    def open_audio(self) -> None:
        self.steps.append("audio")
        if self.gives_output:
            self.audio = object()  # type: ignore[assignment]

    def open_audio_late(self) -> None:
        self.steps.append("audio later")

    def _start_audio_and_loop(self) -> None:
        self.steps.append("loop")


def _waiting(clock: ManualClock, pool: _Pool) -> _Session:
    session = _Session(
        "/media/a.mp4", None, DEFAULT_CONFIG, clock, None, lambda e: None, Levels(), pool
    )
    session.steps = []
    session._audio_waits_since = clock.now()
    session.demux.pending_start = session._start_rest
    return session


def _keep_audio(session: Session) -> None:
    stream: Any = object()
    pkt = DemuxPacket(stream, None, 0.0, 0.0, 0.02, 100, True)
    session.audio_packets.put_nowait(QueueItem[DemuxPacket](pkt, session.serial, 0.0, 0.02, 100))
    session.demuxed_end["audio"] = 0.02


def test_the_rest_waits_for_the_first_picture() -> None:
    clock = ManualClock()
    session = _waiting(clock, _Pool())
    session._start_rest(False)
    assert session.steps == [] and session.demux.pending_start is not None
    session.last_shown_pts = 0.0  # the presenter showed the preroll frame
    session._start_rest(False)
    # the clock runs from the picture at once; the device, still opening,
    # joins it when it is had (``test_late_audio.py``)
    assert session.steps == ["audio later", "loop"]
    assert session.demux.pending_start is None  # once


def test_the_rest_starts_when_the_device_is_ready_before_the_picture() -> None:
    clock = ManualClock()
    pool = _Pool()
    session = _waiting(clock, pool)
    pool.is_ready = True
    session._start_rest(False)
    assert session.steps == ["audio", "loop"]


def test_a_picture_that_never_comes_keeps_the_sound_back_for_a_bounded_time() -> None:
    clock = ManualClock()
    session = _waiting(clock, _Pool())
    clock.advance(AUDIO_WAITS_AT_MOST - 0.01)
    session._start_rest(False)
    assert session.steps == []
    clock.advance(0.01)
    session._start_rest(False)
    assert session.steps == ["audio", "loop"]


def test_audio_kept_with_no_room_left_starts_the_rest_at_once() -> None:
    session = _waiting(ManualClock(), _Pool())
    session._start_rest(True)
    assert session.steps == ["audio", "loop"]


@pytest.mark.parametrize("gives_output", [True, False])
def test_the_audio_kept_for_the_output_goes_only_when_there_is_none(gives_output: bool) -> None:
    session = _waiting(ManualClock(), _Pool())
    session.gives_output = gives_output
    _keep_audio(session)
    session._start_rest(True)
    assert len(session.audio_packets) == (1 if gives_output else 0)
    assert ("audio" in session.demuxed_end) is gives_output


class _Out:
    def __init__(self, requested_latency: Any) -> None:
        self.requested_latency = requested_latency
        self.closed = False

    def close(self) -> None:
        self.closed = True


def test_the_pool_is_ready_once_prepared_in_the_mode_asked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    config = AudioConfig()

    def opened(cfg: AudioConfig, clock: Any, seconds: float, low_latency: bool = False) -> Any:
        return _Out(cfg.device_latency(low_latency)), None

    monkeypatch.setattr(audio_out, "open_audio_output", opened)
    pool = AudioDevicePool(config, ManualClock())
    assert not pool.ready()  # nothing opened yet: the acquire would open it
    pool.prepare(1.0)
    assert pool.ready()
    with pool._lock:  # as while a prepare opens the device
        assert not pool.ready()
    assert config.device_latency(True) != config.device_latency(False)
    pool.use_mode(True)  # the acquire would reopen it in the other mode
    assert not pool.ready()


def test_a_pool_that_knows_there_is_no_device_is_ready(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        audio_out, "open_audio_output", lambda *a, **k: (None, "no usable output device (gone)")
    )
    pool = AudioDevicePool(AudioConfig(), ManualClock())
    pool.prepare(1.0)
    assert pool.ready()  # the acquire answers at once: with the reason
    assert pool.acquire(1.0) == (None, "no usable output device (gone)")
