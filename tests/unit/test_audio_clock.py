"""The audio master clock against a device that takes samples in a burst
(no device: the output's callback logic on a ``ManualClock``).

A PulseAudio stream that starts, or whose sink wakes from suspend, can take
a second or two of samples in a few milliseconds; PortAudio's latency figure
does not count them. The sample heard is then far behind the sample written,
and a clock read as written-minus-latency ran ahead of the sound (a subtitle
meant for 1.5 s was shown at 0.73 s of the session)."""

from __future__ import annotations

import numpy as np

from player.audio_mix import SharedAudioDevice, _Voice
from player.clock import ManualClock
from player.config import AudioConfig

RATE = 48_000
BLOCK = 512
LATENCY = 0.02
STEP = BLOCK / RATE


def _voice(clock: ManualClock, seconds: float = 4.0) -> _Voice:
    device = SharedAudioDevice(AudioConfig(), clock)
    # What _open() would learn from PortAudio; no stream is opened here.
    device._stream = object()
    device.rate, device.channels, device.latency = RATE, 2, LATENCY
    device.latency_source = "test"
    voice = device.voice(seconds + 1.0)
    assert isinstance(voice, _Voice)
    data = np.zeros((int(seconds * RATE), 2), dtype=np.float32)
    assert voice.buffer.put(0.0, data, 1.0, 0.1)
    return voice


def _render(voice: _Voice, blocks: int, clock: ManualClock, step: float) -> None:
    out = np.zeros((BLOCK, 2), dtype=np.float32)
    for _ in range(blocks):
        voice.render(out, BLOCK)
        if step:
            clock.advance(step)


def _at(voice: _Voice) -> float:
    pos = voice.position()
    assert pos is not None
    return pos


def test_a_start_up_burst_does_not_move_the_clock_ahead_of_real_time() -> None:
    clock = ManualClock(10.0)
    voice = _voice(clock)
    voice.set_playing(True)
    _render(voice, 150, clock, 0.0)  # 1.6 s of samples taken at one instant
    written = 150 * STEP
    assert abs((voice.buffer.head_pts or 0) - written) < 1e-9
    # nothing of it can have been heard yet: at most the first block
    assert _at(voice) <= STEP
    assert abs(voice.lead - (written - LATENCY)) < 1e-9
    # then the device asks at its pace again, its queue kept full: the clock
    # follows real time from the start, not the written samples
    _render(voice, 90, clock, STEP)
    elapsed = clock.now() - 10.0
    assert abs(_at(voice) - elapsed) <= LATENCY + 2 * STEP
    assert abs((voice.buffer.head_pts or 0) - (written + 90 * STEP)) < 1e-9  # naively: 2.5 s


def test_a_device_at_its_own_pace_keeps_written_minus_latency() -> None:
    clock = ManualClock(10.0)
    voice = _voice(clock)
    voice.set_playing(True)
    # three blocks at once, then the time of three: PulseAudio's bunching
    for _ in range(100):
        _render(voice, 3, clock, 0.0)
        clock.advance(3 * STEP)
    assert voice.lead == 0.0
    # as before: the sample written minus the latency, within the smoothing of a bunch
    assert abs(_at(voice) - (300 * STEP - LATENCY)) <= 2 * STEP


def test_silence_queued_before_play_delays_the_first_sample_heard() -> None:
    clock = ManualClock(10.0)
    voice = _voice(clock)
    _render(voice, 100, clock, 0.0)  # the sink woke and took 1.07 s of silence
    voice.set_playing(True)
    _render(voice, 1, clock, 0.0)
    queued = 101 * STEP
    # the first sample of the media is heard once the silence before it is
    assert abs(_at(voice) + queued) < 1e-6
    clock.advance(queued)
    assert abs(_at(voice)) < 1e-6


def test_growth_after_the_first_seconds_is_not_learnt() -> None:
    clock = ManualClock(10.0)
    voice = _voice(clock, seconds=8.0)
    voice.set_playing(True)
    _render(voice, 600, clock, STEP)  # 6.4 s at the device's pace
    _render(voice, 20, clock, 0.0)  # a late bunch: the device's clock, not a start
    assert voice.lead == 0.0


class _Status:
    """What PortAudio hands the callback: the underflow flag."""

    def __init__(self, underflow: bool) -> None:
        self.output_underflow = underflow


def test_a_start_in_a_storm_of_underruns_learns_no_lead() -> None:
    # Through ALSA's pulse plugin a starting stream can run dry again and
    # again within milliseconds, each time refilled at once (issue 11: 36
    # underruns in 30 ms): those samples were never queued.
    clock = ManualClock(10.0)
    voice = _voice(clock)
    out = np.zeros((BLOCK, 2), dtype=np.float32)
    for _ in range(36):
        for block in range(3):
            voice.render(out, BLOCK, _Status(underflow=block == 0))
        clock.advance(0.0006)
    assert voice.lead == 0.0
    # then the device settles at its pace: the clock is written minus latency
    voice.set_playing(True)
    _render(voice, 60, clock, STEP)
    assert abs(_at(voice) - (60 * STEP - LATENCY)) <= 2 * STEP


def test_a_device_that_ran_dry_forgets_the_lead_it_learnt() -> None:
    clock = ManualClock(10.0)
    voice = _voice(clock)
    voice.set_playing(True)
    _render(voice, 100, clock, 0.0)  # a start-up burst: 1.07 s queued
    assert voice.lead > 1.0
    clock.advance(2.0)  # the device played it out, and more
    out = np.zeros((BLOCK, 2), dtype=np.float32)
    voice.device_underruns += 1  # ALSA said so on the callback's thread
    voice.render(out, BLOCK)
    assert voice.lead == 0.0
    # the sample heard is the one just written less the device's latency,
    # not the burst's 1.07 s further back (then the video waited that long)
    assert abs(_at(voice) - (100 * STEP - LATENCY)) <= LATENCY


def test_the_device_runs_once_it_calls_back_steadily() -> None:
    clock = ManualClock(10.0)
    voice = _voice(clock)
    assert not voice.running()  # no callback yet
    # a PulseAudio stream's start: three blocks, then nothing for a second
    _render(voice, 3, clock, 0.0)
    clock.advance(0.05)
    assert not voice.running()
    clock.advance(1.0)
    assert not voice.running()
    _render(voice, 3, clock, 0.0)  # it comes back: steady from here
    assert not voice.running()
    _render(voice, 12, clock, 3 * STEP / 3)
    assert voice.running()
    clock.advance(0.25)  # and stops again
    assert not voice.running()


def test_a_storm_of_underruns_is_no_running_device() -> None:
    clock = ManualClock(10.0)
    voice = _voice(clock)
    out = np.zeros((BLOCK, 2), dtype=np.float32)
    for _ in range(100):  # 1 s of underruns, a few ms apart
        voice.render(out, BLOCK, _Status(underflow=True))
        clock.advance(0.01)
        assert not voice.running()
    _render(voice, 11, clock, STEP)  # at its pace, dry no more
    assert voice.running()
