"""The device's queue: chosen by the playing mode, and a pooled stream opened
for the other mode is reopened (the integration test that proves the sound
keeps up under load is tests/integration/test_playback_file.py)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import pytest

from player import audio_out
from player.audio_out import AudioDevicePool
from player.clock import Clock, ManualClock
from player.config import DEVICE_LATENCY_S, LOW_LATENCY_DEVICE_S, AudioConfig


def test_the_default_mode_queues_as_mpv_does_and_low_latency_less() -> None:
    audio = AudioConfig()
    assert audio.device_latency(low_latency=False) == DEVICE_LATENCY_S == 0.2
    assert audio.device_latency(low_latency=True) == LOW_LATENCY_DEVICE_S == 0.1


@pytest.mark.parametrize("chosen", [0.05, 0.5, "high"])
def test_a_latency_in_the_config_wins_in_both_modes(chosen: float | str) -> None:
    audio = AudioConfig(latency=chosen)  # type: ignore[arg-type]
    assert audio.device_latency(low_latency=False) == chosen
    assert audio.device_latency(low_latency=True) == chosen


@dataclass
class _FakeOutput:
    """What the pool needs of an output: its queue, attach and close."""

    requested_latency: float | str
    rate: int = 48000
    channels: int = 2
    closed: bool = False
    buffers: list[audio_out.AudioBuffer] = field(default_factory=list)

    def attach(self, buffer: audio_out.AudioBuffer) -> None:
        self.buffers.append(buffer)

    def close(self) -> None:
        self.closed = True


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[_FakeOutput]:
    outputs: list[_FakeOutput] = []

    def fake_open(
        config: AudioConfig, clock: Clock, buffer_seconds: float, low_latency: bool = False
    ) -> tuple[_FakeOutput, None]:
        out = _FakeOutput(config.device_latency(low_latency))
        outputs.append(out)
        return out, None

    monkeypatch.setattr(audio_out, "open_audio_output", fake_open)
    return outputs


def test_the_pool_keeps_its_stream_while_the_mode_stays(opened: list[_FakeOutput]) -> None:
    pool = AudioDevicePool(AudioConfig(), ManualClock())
    first, _ = pool.acquire(1.0)
    second, _ = pool.acquire(1.0)
    assert id(first) == id(second) == id(opened[0])
    assert len(opened) == 1
    assert opened[0].requested_latency == DEVICE_LATENCY_S


def test_a_change_of_mode_reopens_the_stream_with_its_queue(opened: list[_FakeOutput]) -> None:
    pool = AudioDevicePool(AudioConfig(), ManualClock())
    pool.prepare(1.0)
    pool.use_mode(low_latency=True)
    low, _ = pool.acquire(1.0)
    assert [o.requested_latency for o in opened] == [DEVICE_LATENCY_S, LOW_LATENCY_DEVICE_S]
    assert id(low) == id(opened[1])
    assert [o.closed for o in opened] == [True, False]
    pool.use_mode(low_latency=False)
    back, _ = pool.acquire(1.0)
    assert id(back) == id(opened[2])
    assert [o.closed for o in opened] == [True, True, False]
    assert opened[2].requested_latency == DEVICE_LATENCY_S


def test_a_fixed_latency_never_reopens(opened: list[_FakeOutput]) -> None:
    pool = AudioDevicePool(AudioConfig(latency=0.15), ManualClock())
    pool.acquire(1.0)
    pool.use_mode(low_latency=True)
    pool.acquire(1.0)
    assert len(opened) == 1 and not opened[0].closed


def _prepare_on_a_thread(pool: AudioDevicePool, mode_wait: float) -> threading.Thread:
    thread = threading.Thread(target=pool.prepare, args=(1.0, mode_wait), daemon=True)
    thread.start()
    return thread


def test_a_prepare_waits_for_the_mode_then_opens_the_queue_it_asks(
    opened: list[_FakeOutput],
) -> None:
    """The window prepares as it shows and opens ``--low-latency`` a moment
    later: the prepared stream has the low-latency queue, and the session's
    acquire finds it (no second PulseAudio stream to wait for)."""
    clock = ManualClock()
    pool = AudioDevicePool(AudioConfig(), clock)
    thread = _prepare_on_a_thread(pool, mode_wait=2.0)
    clock.until_waiting()
    assert opened == []  # nothing opened before the mode is known
    pool.use_mode(low_latency=True)
    thread.join(5)
    assert not thread.is_alive()
    out, _ = pool.acquire(1.0)
    assert [o.requested_latency for o in opened] == [LOW_LATENCY_DEVICE_S]
    assert id(out) == id(opened[0]) and not opened[0].closed


def test_a_prepare_told_no_mode_opens_the_default_queue_after_its_wait(
    opened: list[_FakeOutput],
) -> None:
    clock = ManualClock()
    pool = AudioDevicePool(AudioConfig(), clock)
    thread = _prepare_on_a_thread(pool, mode_wait=2.0)
    clock.until_waiting()
    clock.advance(1.9)
    assert clock.waiting() == 1 and opened == []  # still waiting within its bound
    clock.advance(0.2)
    thread.join(5)
    assert not thread.is_alive()
    assert [o.requested_latency for o in opened] == [DEVICE_LATENCY_S]


def test_a_prepare_waiting_for_the_mode_gives_up_when_the_pool_closes(
    opened: list[_FakeOutput],
) -> None:
    clock = ManualClock()
    pool = AudioDevicePool(AudioConfig(), clock)
    thread = _prepare_on_a_thread(pool, mode_wait=2.0)
    clock.until_waiting()
    pool.close()
    thread.join(5)
    assert not thread.is_alive() and opened == []


def test_a_mode_told_before_the_prepare_needs_no_wait(opened: list[_FakeOutput]) -> None:
    pool = AudioDevicePool(AudioConfig(), ManualClock())
    pool.use_mode(low_latency=True)
    pool.prepare(1.0, mode_wait=2.0)  # returns at once: the ManualClock never moves
    assert [o.requested_latency for o in opened] == [LOW_LATENCY_DEVICE_S]
