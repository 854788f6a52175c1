"""A start with a picture does not wait for the audio device (issue 13): the
clock runs from the first frame on the system clock, and the device joins
it once it runs, its first sample the one the clock is at when it is heard.

A new PulseAudio stream takes a few blocks and then nothing for up to 2 s;
the start used to hold the first picture still until the device ran (the
picture moved 0.9 s after it was shown, mpv's 20 ms after). On a
``ManualClock``, the device's callback called by the test."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from player.audio_mix import _Voice
from player.clock import ManualClock
from player.engine import Session
from player.events import Event, PlayerState, StateChanged
from tests.support.background import Background
from tests.support.sessions import headless_session, live_rtmp, silent_output

BLOCK = 512
STEP = BLOCK / 48_000
_SILENCE = np.zeros((BLOCK, 2), dtype=np.float32)


def _render(voice: _Voice, blocks: int = 1) -> np.ndarray:
    out = np.full((BLOCK, 2), 9.0, dtype=np.float32)
    for _ in range(blocks):
        voice.render(out, BLOCK)
    return out


def _fill(voice: _Voice, start: float, seconds: float) -> None:
    """Decoded sound from ``start``, every sample 0.5."""
    data = np.full((int(seconds * voice.rate), 2), 0.5, dtype=np.float32)
    assert voice.buffer.put(start, data, 1.0, 0.1)


def _tick(clock: ManualClock, ticks: int = 1) -> None:
    for _ in range(ticks):
        clock.until_waiting(1)
        clock.advance(0.02)
    clock.until_waiting(1)


def _av_ready(clock: ManualClock, states: list[PlayerState]) -> tuple[Session, _Voice]:
    """A live RTMP session with sound, its first frame shown at 0.0 and 1 s
    buffered; the audio device opened, called back once, and then silent
    (a new PulseAudio stream)."""

    def record(event: Event) -> None:
        if isinstance(event, StateChanged):
            states.append(event.state)

    session = headless_session(clock, record)
    session.info = live_rtmp()
    session.media = session.info.media
    voice = silent_output(clock)
    assert isinstance(voice, _Voice)
    session.audio = voice
    _fill(voice, 0.0, 1.5)
    voice.render(_SILENCE, BLOCK)  # the stream's first block, then nothing
    session.set_state(PlayerState.BUFFERING)
    session.demuxed_end = {"video": 1.0, "audio": 1.0}
    session.last_shown_pts = session.start_pts = 0.0
    session.sysclock.set(0.0)
    voice.set_position(0.0)  # as the first frame shown pins it
    session.preroll = False
    return session, voice


def test_the_picture_moves_at_once_and_the_device_joins_the_running_clock() -> None:
    clock = ManualClock()
    states: list[PlayerState] = []
    session, voice = _av_ready(clock, states)
    loop = Background(session.control.loop)
    _tick(clock)
    assert states == [PlayerState.BUFFERING, PlayerState.PLAYING]  # no wait for the device
    began = clock.now()
    assert (voice.playing, voice.joining) == (True, True)
    for _ in range(5):  # half a second: the device still silent
        _tick(clock, 5)
        session.last_shown_pts = session.position()  # the presenter keeps up
    moved = session.position()
    assert moved is not None and abs(moved - (clock.now() - began)) < 1e-9
    assert voice.buffer.head_pts == 0.0  # nothing taken from the buffer yet
    # the device runs: a steady pace for 0.1 s (silence written meanwhile)
    for _ in range(5):
        assert not _render(voice).any()
        clock.advance(0.021)
    joining = voice.joining  # read once: mypy would keep the narrowing below
    assert joining
    at = session.sysclock.position()
    out = _render(voice)
    assert (out == 0.5).all()  # the decoded sound from here on
    assert not voice.joining
    target = at + voice.latency + voice.lead
    assert abs((voice.buffer.head_pts or 0.0) - (target + STEP)) < 1e-4
    # the sample heard now is where the clock was: it takes over seamlessly
    assert abs((session.position() or 0.0) - at) < 1e-4
    assert voice.underruns == 0 and not voice.starved
    session.stopping.set()
    session.wake()
    loop.result()


def test_a_joining_device_without_the_sound_at_the_clock_yet_waits_silent() -> None:
    """The decoder behind the clock (its buffer ends before the sample to
    play): silence and no starvation counted until the sound is there."""
    clock = ManualClock(5.0)
    voice = silent_output(clock)
    assert isinstance(voice, _Voice)
    _fill(voice, 0.0, 0.2)  # all before where the clock will be
    voice.join(lambda: 1.0 + (clock.now() - 5.0), 1.0)
    voice.set_playing(True)
    for _ in range(6):
        voice.render(_SILENCE, BLOCK)
        clock.advance(0.021)
    out = _render(voice)
    joining = voice.joining  # read once: mypy would keep the narrowing below
    assert not out.any() and joining
    assert voice.position() is None  # no position of its own till it joins
    assert voice.underruns == 0 and not voice.starved
    _fill(voice, 0.2, 5.0)
    out = _render(voice)
    assert (out == 0.5).all() and not voice.joining
    pos = voice.position()
    assert pos is not None and abs(pos - (1.0 + clock.now() - 5.0)) < 1e-4


def test_pausing_while_joining_ends_the_join() -> None:
    clock = ManualClock()
    voice = silent_output(clock)
    assert isinstance(voice, _Voice)
    voice.join(lambda: 0.0, 1.0)
    voice.set_playing(True)
    voice.set_playing(False)
    assert not voice.joining


def test_only_a_start_with_a_picture_and_a_device_not_running_joins() -> None:
    clock = ManualClock()
    session, voice = _av_ready(clock, [])
    assert session.audio_joins()
    session.info = replace(live_rtmp(), video=None)
    assert not session.audio_joins()  # sound alone: its start is not skipped
    session.info = live_rtmp()
    for _ in range(7):  # the device at its pace for 0.12 s: it runs
        voice.render(_SILENCE, BLOCK)
        clock.advance(0.02)
    assert voice.running()
    assert not session.audio_joins()


def _bunch(voice: _Voice, clock: ManualClock) -> None:
    """The device at PulseAudio's pace: five blocks at once, then five
    blocks' time."""
    for _ in range(5):
        voice.render(np.zeros((BLOCK, 2), dtype=np.float32), BLOCK)
    clock.advance(5 * STEP)


def test_the_clock_eases_to_the_joined_device_instead_of_stepping() -> None:
    """The device's clock, anchored on bunched callbacks, settles 10-25 ms
    ahead of where the join put it, in steps of 10, 7, 4 and 2 ms: each was
    a frame shown that much late. The session's clock goes there at most
    3 % faster than real time (1 ms a frame at 30 fps), then is the
    device's own."""
    clock = ManualClock()
    session, voice = _av_ready(clock, [])
    _fill(voice, 1.5, 3.0)  # after the 1.5 s there
    session.set_state(PlayerState.PLAYING)
    session.run_clocks(True)
    clock.advance(0.3)
    for _ in range(5):  # the device runs: silence while it proves it
        voice.render(_SILENCE, BLOCK)
        clock.advance(0.021)
    times: list[float] = []
    positions: list[float] = []
    heard: list[float] = []
    for _ in range(40):  # 2 s
        _bunch(voice, clock)
        pos, own = session.position(), voice.position()
        assert pos is not None and own is not None
        times.append(clock.now())
        positions.append(pos)
        heard.append(own)
    assert voice.joins == 1
    steps = [
        (positions[i + 1] - positions[i]) - (times[i + 1] - times[i]) for i in range(len(times) - 1)
    ]
    # never more than 3 % of the time between readings off real time
    assert max(abs(s) for s in steps) <= 0.03 * 5 * STEP + 1e-9
    assert max(heard[i] - positions[i] for i in range(5)) > 0.005  # there was a gap
    assert positions[-1] == heard[-1]  # then the device's clock, as before
