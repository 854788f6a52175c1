"""The shared output's mix (no device): the heard voice sounds, a muted one
is consumed at the same pace and its clock moves on."""

from __future__ import annotations

import numpy as np

from player.audio_mix import SharedAudioDevice, _Voice
from player.clock import ManualClock
from player.config import AudioConfig

RATE = 48_000
BLOCK = 512


def _device(clock: ManualClock | None = None) -> SharedAudioDevice:
    device = SharedAudioDevice(AudioConfig(), clock or ManualClock(10.0))
    # What _open() would learn from PortAudio; no stream is opened here.
    device._stream = object()
    device.rate, device.channels, device.latency = RATE, 2, 0.02
    device.latency_source = "test"
    return device


def _voice(device: SharedAudioDevice, level: float) -> _Voice:
    voice = device.voice(2.0)
    assert isinstance(voice, _Voice)
    data = np.full((RATE, 2), level, dtype=np.float32)  # one second
    assert voice.buffer.put(5.0, data, 1.0, 0.1)
    voice.set_playing(True)
    return voice


def test_the_heard_voice_sounds_and_the_muted_one_is_consumed_in_step() -> None:
    clock = ManualClock(10.0)
    device = _device(clock)
    heard, muted = _voice(device, 0.25), _voice(device, 0.5)
    muted.muted = True
    out = np.zeros((BLOCK, 2), dtype=np.float32)
    for _ in range(10):
        device._mix(out, BLOCK, None, None)
        clock.advance(BLOCK / RATE)
    assert np.allclose(out, 0.25)  # only the heard voice in the mix
    assert heard.buffer.seconds == muted.buffer.seconds == (RATE - 10 * BLOCK) / RATE
    # both clocks at the sample heard now: what was read minus the latency
    expected = 5.0 + 10 * BLOCK / RATE - 0.02
    assert abs((heard.position() or 0) - expected) < 1e-6
    assert heard.position() == muted.position()


def test_a_closed_voice_leaves_the_mix() -> None:
    device = _device()
    a, b = _voice(device, 0.25), _voice(device, 0.5)
    out = np.zeros((BLOCK, 2), dtype=np.float32)
    device._mix(out, BLOCK, None, None)
    assert np.allclose(out, 0.75)
    b.close()
    device._mix(out, BLOCK, None, None)
    assert np.allclose(out, 0.25)
    a.close()
    device._mix(out, BLOCK, None, None)
    assert np.allclose(out, 0.0)
