"""The position callers see goes only forward, except where the clocks are
set on purpose (a seek, a jump in the timestamps). On a ManualClock with an
audio output whose callback the test calls; the real stall and rejoin are
``tests/integration/test_hls_outage.py``.

Issue 9: after an LL-HLS outage the player jumps to the live edge while
buffering, and the reported position stands on the jump's target; when
playing resumes, the device's first sample from there is heard its latency
(and learnt lead) later, so the audio clock read "now" fell back that far
below the target already reported."""

from __future__ import annotations

import itertools
from dataclasses import replace

import numpy as np

from player.audio_mix import _Voice
from player.clock import ManualClock
from player.engine import Session
from player.events import PlayerState
from tests.support.sessions import headless_session, live_rtmp, silent_output

BLOCK = 512
STEP = BLOCK / 48_000
LATENCY = 0.08  # PulseAudio's null sink here: 60-100 ms


def _fill(voice: _Voice, start: float, seconds: float) -> None:
    data = np.full((int(seconds * voice.rate), 2), 0.5, dtype=np.float32)
    assert voice.buffer.put(start, data, 1.0, 0.1)


def _blocks(voice: _Voice, clock: ManualClock, count: int) -> None:
    """The device's callbacks at its pace."""
    for _ in range(count):
        voice.render(np.zeros((BLOCK, 2), dtype=np.float32), BLOCK)
        clock.advance(STEP)


def _playing_on_the_device(clock: ManualClock) -> tuple[Session, _Voice]:
    """A live A+V session playing from 0 s, its running device the clock."""
    session = headless_session(clock)
    session.info = live_rtmp()
    session.media = session.info.media
    voice = silent_output(clock, latency=LATENCY)
    assert isinstance(voice, _Voice)
    session.audio = voice
    _fill(voice, 0.0, 1.0)
    _blocks(voice, clock, 12)  # it runs (silence while not playing)
    assert voice.running()
    session.start_pts = 0.0
    session.pin_clock(0.0)
    session.preroll = False
    session.set_state(PlayerState.PLAYING)
    session.run_clocks(True)
    assert not voice.joining  # a running device is the clock at once
    return session, voice


def _reported(session: Session) -> float:
    pos = session.reported_position()
    assert pos is not None
    return pos


def test_the_position_stays_on_a_jumps_target_while_the_device_catches_up() -> None:
    clock = ManualClock()
    session, voice = _playing_on_the_device(clock)
    said: list[float] = []
    for _ in range(20):
        _blocks(voice, clock, 1)
        said.append(_reported(session))
    assert session.audio_is_master() and said[-1] > 0.1
    # the stall: the buffer ran dry; buffering, the clocks stopped
    session.set_state(PlayerState.BUFFERING)
    session.run_clocks(False)
    _blocks(voice, clock, 10)
    # the origin is back: a jump to the live edge, 5 s on
    session._edge_jump(5.0)
    _fill(voice, 5.0, 2.0)
    said.append(_reported(session))
    assert said[-1] == 5.0
    session.set_state(PlayerState.PLAYING)
    session.run_clocks(True)
    _blocks(voice, clock, 1)
    # the master clock is the device's, not bent: the sample heard now is
    # from before the target (its queue still plays what came before)
    master = session.position()
    assert master is not None and master < 5.0 - LATENCY + 2 * STEP < 5.0
    for _ in range(30):
        said.append(_reported(session))
        _blocks(voice, clock, 1)
    assert all(b >= a for a, b in itertools.pairwise(said)), said
    assert said[-1] > 5.0 + 0.2  # and it moves on with the device
    assert _reported(session) == session.position()  # the floor held no longer


def test_the_position_stays_where_a_stall_froze_it_while_the_device_catches_up() -> None:
    """The stall seen in the LL-HLS outage (no jump: the source rejoined on
    its own timeline): the sound ran out, the clock stopped at the last
    sample written; on resuming, the next sample written is heard the
    device's latency later, and the device's clock is anchored that far
    below where it stood."""
    clock = ManualClock()
    session, voice = _playing_on_the_device(clock)
    said: list[float] = []
    for _ in range(120):  # 1.28 s: the second of sound runs out
        _blocks(voice, clock, 1)
        said.append(_reported(session))
    assert voice.starved and said[-1] == 1.0  # stands on the last sample written
    session.set_state(PlayerState.BUFFERING)
    session.run_clocks(False)
    said.append(_reported(session))
    _fill(voice, 1.0, 1.0)  # the origin is back
    _blocks(voice, clock, 5)
    session.set_state(PlayerState.PLAYING)
    session.run_clocks(True)
    _blocks(voice, clock, 1)
    master = session.position()
    assert master is not None and master < 1.0  # the device's own, not bent
    for _ in range(30):
        said.append(_reported(session))
        _blocks(voice, clock, 1)
    assert all(b >= a for a, b in itertools.pairwise(said)), said
    assert said[-1] > 1.1


def test_a_seek_back_and_a_jump_back_in_the_timestamps_still_go_back() -> None:
    clock = ManualClock()
    session, voice = _playing_on_the_device(clock)
    assert session.media is not None
    session.media = replace(session.media, seekable=True)  # a DVR window
    _blocks(voice, clock, 40)
    before = _reported(session)
    assert before > 0.3
    session.seek(0.1, exact=False)  # queued: its target at once
    assert _reported(session) == 0.1
    session.apply_messages()
    assert _reported(session) == 0.1
    session.pin_clock(7.0)  # the stream's timestamps jumped on
    assert _reported(session) == 7.0
    session.pin_clock(2.0)  # and back (``Resynced``)
    assert _reported(session) == 2.0


def test_a_read_that_races_a_clock_move_is_no_floor_for_after_it() -> None:
    """The UI thread read the old clock while the loop set the clocks back:
    what it read is stale, and the next read is the new clock's."""
    clock = ManualClock()
    session, _voice = _playing_on_the_device(clock)
    session.pin_clock(9.0)
    assert _reported(session) == 9.0
    master = session.position

    def moved_meanwhile() -> float | None:
        pos = master()
        session.pin_clock(1.0)  # the loop, between this read and its answer
        return pos

    session.position = moved_meanwhile  # type: ignore[method-assign]
    assert _reported(session) == 9.0  # the read from before the move
    session.position = master  # type: ignore[method-assign]
    assert _reported(session) == 1.0
